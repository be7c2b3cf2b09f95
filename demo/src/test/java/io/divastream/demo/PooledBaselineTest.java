package io.divastream.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.divastream.datasets.ClassSplit;
import io.divastream.datasets.CubReader;
import io.divastream.evaluation.EvaluationConfig;
import io.divastream.evaluation.RetrievalScores;
import io.divastream.images.ImageLimits;
import io.divastream.images.PhotoFeatureExtractor;
import io.divastream.jobs.decode.SampleDecoding;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.SharedFiles;
import io.divastream.producer.DatasetSelection;
import io.divastream.producer.LabeledImage;
import io.divastream.producer.LabeledSource;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The pooled-feature baseline of a photo run, on real CUB photos through the real MobileNetV2, against Recall@1
 * computed with a plain nearest-neighbour loop on the backbone's single-precision features.
 */
class PooledBaselineTest {

    @Test
    void recallAt1OfThePooledFeaturesMatchesAPlainNearestNeighbourLoop() {
        Assumptions.assumeTrue(Files.isRegularFile(SharedFiles.CUB), "shared CUB subset missing");
        BackboneSpec backbone = BackboneSpec.TorchScript.mobileNetV2ImagenetFile(SharedFiles.mobileNetV2());
        List<LabeledImage> images = new DatasetSelection(
                        ClassSplit.ranges(1, 20, 21, 30), DatasetSelection.Role.TEST, true)
                .select(CubReader.read(SharedFiles.CUB)).stream()
                        .filter(s -> s.image().classId() <= 24)
                        .collect(java.util.stream.Collectors.groupingBy(
                                s -> s.image().classId()))
                        .values()
                        .stream()
                        .flatMap(perClass -> perClass.stream().limit(4))
                        .map(LabeledSource::read)
                        .toList();
        assertThat(images).hasSize(16);

        RetrievalScores scores = PooledBaseline.score(
                images,
                new SampleDecoding.Features(backbone, 1, StoredFeatures.Precision.HALF, 0),
                ImageLimits.DEFAULT,
                EvaluationConfig.defaults());

        float[][] features = new float[images.size()][];
        try (PhotoFeatureExtractor extractor = new PhotoFeatureExtractor(backbone, ImageLimits.DEFAULT, 1, 0)) {
            for (int i = 0; i < features.length; i++) {
                LabeledImage image = images.get(i);
                features[i] = extractor.evaluation(image.bytes()).evaluation();
            }
        }
        int hits = 0;
        for (int q = 0; q < features.length; q++) {
            int best = -1;
            double bestCosine = Double.NEGATIVE_INFINITY;
            for (int g = 0; g < features.length; g++) {
                double cosine = cosine(features[q], features[g]);
                if (g != q && cosine > bestCosine) {
                    bestCosine = cosine;
                    best = g;
                }
            }
            hits += images.get(best).label().equals(images.get(q).label()) ? 1 : 0;
        }
        assertThat(scores.recallAt1()).isCloseTo(hits / (double) features.length, within(1e-9));
        assertThat(hits).as("ImageNet features find birds of a kind").isGreaterThan(4);
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
