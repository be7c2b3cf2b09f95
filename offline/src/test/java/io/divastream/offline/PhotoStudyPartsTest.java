package io.divastream.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.divastream.datasets.ClassSplit;
import io.divastream.datasets.CubReader;
import io.divastream.datasets.Dataset;
import io.divastream.datasets.DatasetSplit;
import io.divastream.images.PhotoTransforms;
import io.divastream.images.RgbImage;
import io.divastream.model.net.backbone.BackboneSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The CUB study's parts on real photos and the real MobileNetV2 (skipped without ../shared). */
class PhotoStudyPartsTest {

    private static final Path SHARED = Path.of("..", "..", "shared");

    @Test
    void photosDecodeInCanonicalOrderAndPooledFeaturesAreUnitVectorsThatFindTheSameBird() throws IOException {
        Path tar = SHARED.resolve("data/cub200-subset/CUB_200_2011_classes001-030.tar");
        Path weights = SHARED.resolve("weights");
        assumeTrue(Files.isRegularFile(tar) && Files.isDirectory(weights), "../shared data or weights missing");
        DatasetSplit split = ClassSplit.parse("1-2:3").apply(CubReader.read(tar));
        Dataset few = split.train()
                .filter(
                        "few",
                        image -> image.id().compareTo("cub/002") < 0
                                ? image.id().endsWith("1.jpg")
                                : image.id().endsWith("3.jpg"));
        LabeledImages<RgbImage> photos = DecodedImages.decode(few, io.divastream.images.PhotoDecoder::decode, 2);
        assertThat(photos.size()).isBetween(4, 30);
        assertThat(Set.copyOf(photos.labels())).hasSize(2);
        assertThat(photos.ids()).isSorted();

        BackboneSpec mobileNet = BackboneSpec.TorchScript.mobileNetV2Imagenet(weights);
        ImagePipeline<RgbImage> pipeline = ImagePipeline.photos(new PhotoTransforms(mobileNet.input()));
        float[][] views = photos.images().stream().map(pipeline::evalView).toArray(float[][]::new);
        assertThat(views[0]).hasSize(3 * 224 * 224);
        float[][] features = BackboneFeatures.embed(mobileNet, views);
        assertThat(BackboneFeatures.embed(mobileNet, views)).isDeepEqualTo(features);
        for (float[] f : features) {
            assertThat(f).hasSize(1280);
            double norm = 0;
            for (float v : f) {
                norm += v * v;
            }
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-4));
        }
        // pretrained features retrieve a photo of the same species for most photos of two species
        double recall = new io.divastream.evaluation.RecallAtK().compute(features, photos.classIndices())[0];
        assertThat(recall).isGreaterThan(0.6);
    }
}
