package io.divastream.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.images.ImageDecoder;
import io.divastream.jobs.events.SamplePayload;
import io.divastream.jobs.events.TrainingBatch;
import io.divastream.model.DivaHead;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.MomentumSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.InputSpec;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.StepResult;
import io.divastream.model.train.ViewAugmenter;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A batch as the trainer takes it: glyph pixels, or a frozen backbone's stored features (docs/photos.md). */
class BatchInputTest {

    private static final int DIM = 24;

    /** DiVA's heads on 24-d features of a frozen backbone. */
    static DivaConfig featureModel() {
        DivaConfig defaults = DivaConfig.omniglotDefaults();
        NetworkSpec network = new NetworkSpec(
                new BackboneSpec.Features("test-backbone", DIM, InputSpec.imagenet()),
                8,
                List.of(DivaHead.values()),
                16);
        return new DivaConfig(network, defaults.loss(), defaults.optimizer(), new MomentumSpec(0.9, 32), 3L);
    }

    /** A batch of 4 classes x 2 images, each with 3 stored training views near its class's centre. */
    static TrainingBatch featureBatch(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String[] labels = new String[8];
        byte[][] payloads = new byte[8][];
        for (int i = 0; i < 8; i++) {
            labels[i] = "class-" + (i / 2);
            float[] evaluation = new float[DIM];
            float[][] views = new float[3][DIM];
            for (int d = 0; d < DIM; d++) {
                float centre = d % 4 == i / 2 ? 3f : 0f;
                evaluation[d] = centre + (float) random.nextGaussian() * 0.1f;
                for (float[] view : views) {
                    view[d] = centre + (float) random.nextGaussian() * 0.3f;
                }
            }
            payloads[i] = new StoredFeatures(evaluation, views).toBytes(StoredFeatures.Precision.HALF);
        }
        String[] ids = new String[8];
        Arrays.setAll(ids, i -> "image-" + seed + "-" + i);
        return new TrainingBatch(seed, labels, ids, payloads, 8);
    }

    @Test
    void storedFeaturesTrainTheHeadsOnTheirStoredViewsDeterministically() {
        byte[] first = null;
        for (int run = 0; run < 2; run++) {
            try (DivaTrainer trainer = new DivaTrainer(featureModel(), ViewAugmenter.IDENTITY)) {
                BatchInput queue = BatchInput.of(featureBatch(1), SamplePayload.STORED_FEATURES, null);
                assertThat(queue.enqueueKeys(trainer)).isEqualTo(8);
                double firstLoss = Double.NaN;
                double lastLoss = Double.NaN;
                for (int step = 0; step < 30; step++) {
                    StepResult result = BatchInput.of(featureBatch(2 + step % 3), SamplePayload.STORED_FEATURES, null)
                            .step(trainer);
                    assertThat(result.total()).isFinite();
                    // the class-discriminative margin loss, averaged over the first and over the last three steps
                    double discriminative = result.taskLosses().get(DivaHead.DISCRIMINATIVE) / 3;
                    firstLoss = step < 3 ? (step == 0 ? 0 : firstLoss) + discriminative : firstLoss;
                    lastLoss = step >= 27 ? (step == 27 ? 0 : lastLoss) + discriminative : lastLoss;
                }
                assertThat(lastLoss).isLessThan(firstLoss);
                byte[] parameters = trainer.snapshot(1).parameters();
                if (first == null) {
                    first = parameters;
                } else {
                    assertThat(parameters).containsExactly(first);
                }
            }
        }
    }

    @Test
    void glyphPixelsAreDecodedAsBefore() {
        TrainingBatch glyphs =
                new TrainingBatch(0, new String[] {"a"}, new String[] {"a/1"}, new byte[][] {{0, (byte) 255}}, 1);
        BatchInput input = BatchInput.of(glyphs, SamplePayload.GLYPH_PIXELS, null);
        assertThat(input).isInstanceOf(BatchInput.Glyphs.class);
        assertThat(((BatchInput.Glyphs) input).batch().images()[0])
                .containsExactly(ImageDecoder.fromBytes(new byte[] {0, (byte) 255}));
        assertThatThrownBy(() -> SamplePayload.GLYPH_PIXELS.trainingViews(new byte[1]))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theEmbeddersInputOfStoredFeaturesIsTheEvaluationView() {
        TrainingBatch batch = featureBatch(4);
        StoredFeatures stored = StoredFeatures.fromBytes(batch.pixels()[0]);
        assertThat(SamplePayload.STORED_FEATURES.evaluationInput(batch.pixels()[0], null))
                .containsExactly(stored.evaluation());
    }

    @Test
    void aTrainingSamplesFeaturesAreNeverEmbedded() {
        byte[] trainingOnly = StoredFeatures.trainingOnly(new float[][] {new float[DIM], new float[DIM]})
                .toBytes(StoredFeatures.Precision.HALF);
        assertThat(SamplePayload.STORED_FEATURES.trainingViews(trainingOnly)).hasNumberOfRows(2);
        assertThatThrownBy(() -> SamplePayload.STORED_FEATURES.evaluationInput(trainingOnly, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no evaluation view");
    }
}
