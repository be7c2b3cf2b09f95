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
            StoredFeatures features = photosIn.training("cub/1", photos.get(0));
            assertThat(features.hasEvaluation())
                    .as("the trainer needs no evaluation view")
                    .isFalse();
            assertThat(features.dim()).isEqualTo(1280);
            assertThat(features.training()).hasNumberOfRows(3);
            StoredFeatures evaluation = photosIn.evaluation(photos.get(0));
            assertThat(evaluation.training()).isEmpty();
            // the same views, made by hand and run through a backbone of its own, give the same features
            RgbImage image = PhotoDecoder.decode(photos.get(0));
            SplittableRandom random = new SplittableRandom(PhotoFeatureExtractor.viewSeed(11, "cub/1"));
            float[][] inputs = {
                transforms.trainView(image, random),
                transforms.trainView(image, random),
                transforms.trainView(image, random)
            };
            float[][] expected = reference.features(inputs);
            for (int v = 0; v < 3; v++) {
                assertThat(features.training()[v]).containsExactly(expected[v]);
            }
            assertThat(evaluation.evaluation())
                    .containsExactly(reference.features(new float[][] {transforms.evalView(image)})[0]);
            assertThat(features.training()[0]).isNotEqualTo(features.training()[1]);
            // the views depend on the seed and the id only: a replay gives the same, another id others
            assertThat(photosIn.training("cub/1", photos.get(0))).isEqualTo(features);
            assertThat(photosIn.training("cub/2", photos.get(0)).training()[0]).isNotEqualTo(features.training()[0]);
        }
        try (PhotoFeatureExtractor evaluationOnly = new PhotoFeatureExtractor(spec, ImageLimits.DEFAULT, 0, 11)) {
            assertThatThrownBy(() -> evaluationOnly.training("cub/1", photos.get(0)))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aBombIsRefusedBeforeTheBackboneRuns() throws Exception {
        BackboneSpec spec = BackboneSpec.TorchScript.mobileNetV2Imagenet(
                SharedFiles.mobileNetV2().getParent());
        try (PhotoFeatureExtractor photosIn = new PhotoFeatureExtractor(spec, ImageLimits.DEFAULT, 1, 0)) {
            assertThatThrownBy(() -> photosIn.training("bomb", HostileImages.declaringPng(60_000, 60_000)))
                    .isInstanceOf(InvalidImageException.class)
                    .hasMessageContaining("60000x60000");
        }
    }
}
