package io.divastream.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.datasets.CubSample;
import io.divastream.model.embed.FeatureExtractor;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.SharedFiles;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A photo's frozen-backbone features: its evaluation view and seeded training views through MobileNetV2. */
class PhotoFeatureExtractorTest {

    @Test
    void featuresAreTheBackbonesOnTheViewsTheTransformsMake() throws Exception {
        BackboneSpec spec = BackboneSpec.TorchScript.mobileNetV2Imagenet(
                SharedFiles.mobileNetV2().getParent());
        List<byte[]> photos = CubSample.firstJpegs(2);
        PhotoTransforms transforms = new PhotoTransforms(spec.input());
        try (PhotoFeatureExtractor photosIn = new PhotoFeatureExtractor(spec, ImageLimits.DEFAULT, 3, 11);
                FeatureExtractor reference = new FeatureExtractor(spec)) {
            StoredFeatures features = photosIn.extract("cub/1", photos.get(0), true);
            assertThat(features.evaluation()).hasSize(1280);
            assertThat(features.training()).hasNumberOfRows(3);
            // the same views, made by hand and run through a backbone of its own, give the same features
            RgbImage image = PhotoDecoder.decode(photos.get(0));
            SplittableRandom random = new SplittableRandom(PhotoFeatureExtractor.viewSeed(11, "cub/1"));
            float[][] inputs = {
                transforms.evalView(image),
                transforms.trainView(image, random),
                transforms.trainView(image, random),
                transforms.trainView(image, random)
            };
            float[][] expected = reference.features(inputs);
            assertThat(features.evaluation()).containsExactly(expected[0]);
            for (int v = 0; v < 3; v++) {
                assertThat(features.training()[v]).containsExactly(expected[1 + v]);
            }
            assertThat(features.training()[0]).isNotEqualTo(features.training()[1]);
            // the views depend on the seed and the id only: a replay gives the same, another id others
            assertThat(photosIn.extract("cub/1", photos.get(0), true)).isEqualTo(features);
            assertThat(photosIn.extract("cub/2", photos.get(0), true).training()[0])
                    .isNotEqualTo(features.training()[0]);
            // an evaluation image gets its evaluation view only
            StoredFeatures evaluationOnly = photosIn.extract("cub/9", photos.get(1), false);
            assertThat(evaluationOnly.training()).isEmpty();
        }
    }

    @Test
    void aBombIsRefusedBeforeTheBackboneRuns() throws Exception {
        BackboneSpec spec = BackboneSpec.TorchScript.mobileNetV2Imagenet(
                SharedFiles.mobileNetV2().getParent());
        try (PhotoFeatureExtractor photosIn = new PhotoFeatureExtractor(spec, ImageLimits.DEFAULT, 1, 0)) {
            assertThatThrownBy(() -> photosIn.extract("bomb", HostileImages.declaringPng(60_000, 60_000), true))
                    .isInstanceOf(InvalidImageException.class)
                    .hasMessageContaining("60000x60000");
        }
    }
}
