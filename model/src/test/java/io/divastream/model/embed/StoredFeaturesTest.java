package io.divastream.model.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The encoding of a frozen backbone's features for keyed state. */
class StoredFeaturesTest {

    private static StoredFeatures random(int dim, int views, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] evaluation = new float[dim];
        for (int i = 0; i < dim; i++) {
            evaluation[i] = (float) (random.nextDouble() * 6); // ReLU6-like pooled features
        }
        float[][] training = new float[views][dim];
        for (float[] view : training) {
            for (int i = 0; i < dim; i++) {
                view[i] = (float) (random.nextDouble() * 6);
            }
        }
        return new StoredFeatures(evaluation, training);
    }

    @Test
    void singlePrecisionRoundTripsExactly() {
        StoredFeatures features = random(1280, 4, 1);
        byte[] bytes = features.toBytes(StoredFeatures.Precision.SINGLE);
        assertThat(bytes).hasSize(StoredFeatures.encodedBytes(1280, 4, StoredFeatures.Precision.SINGLE));
        assertThat(bytes.length).isEqualTo(8 + 5 * 1280 * 4);
        assertThat(StoredFeatures.fromBytes(bytes)).isEqualTo(features);
    }

    @Test
    void halfPrecisionKeepsEachValueWithinHalfAnUlp() {
        StoredFeatures features = random(1280, 2, 2);
        byte[] bytes = features.toBytes(StoredFeatures.Precision.HALF);
        assertThat(bytes.length).isEqualTo(8 + 3 * 1280 * 2);
        StoredFeatures back = StoredFeatures.fromBytes(bytes);
        for (int i = 0; i < 1280; i++) {
            float v = features.evaluation()[i];
            // relative error of round-to-nearest binary16 for normal values: at most 2^-11
            assertThat(Math.abs(back.evaluation()[i] - v)).isLessThanOrEqualTo(Math.abs(v) * 0x1p-11f + 0x1p-25f);
            assertThat(back.training()[1][i])
                    .isEqualTo(HalfFloats.toFloat(HalfFloats.toHalf(features.training()[1][i])));
        }
    }

    @Test
    void malformedBytesAreRefusedWithoutLargeAllocations() {
        byte[] good = random(16, 1, 3).toBytes(StoredFeatures.Precision.HALF);
        assertThatThrownBy(() -> StoredFeatures.fromBytes(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoredFeatures.fromBytes(Arrays.copyOf(good, good.length - 1)))
                .hasMessageContaining("do not match");
        byte[] huge = good.clone();
        huge[2] = 0x7F; // declares a dimension of about two billion
        assertThatThrownBy(() -> StoredFeatures.fromBytes(huge)).hasMessageContaining("do not match");
        byte[] format = good.clone();
        format[0] = 9;
        assertThatThrownBy(() -> StoredFeatures.fromBytes(format)).hasMessageContaining("not stored features");
        assertThatThrownBy(() -> new StoredFeatures(new float[4], new float[][] {new float[3]}))
                .hasMessageContaining("training view has 3");
    }

    @Test
    void aTrainingOnlySampleStoresItsViewsAloneAndRoundTrips() {
        StoredFeatures views = random(64, 3, 4);
        StoredFeatures trainingOnly = StoredFeatures.trainingOnly(views.training());
        assertThat(trainingOnly.hasEvaluation()).isFalse();
        assertThat(trainingOnly.dim()).isEqualTo(64);
        byte[] bytes = trainingOnly.toBytes(StoredFeatures.Precision.SINGLE);
        assertThat(bytes.length).as("no evaluation view").isEqualTo(8 + 3 * 64 * 4);
        StoredFeatures back = StoredFeatures.fromBytes(bytes);
        assertThat(back).isEqualTo(trainingOnly);
        assertThat(back.evaluation()).isEmpty();
        assertThatThrownBy(() -> StoredFeatures.trainingOnly(new float[0][])).hasMessageContaining("out of bounds");
        byte[] noVectors =
                StoredFeatures.trainingOnly(new float[][] {new float[2]}).toBytes(StoredFeatures.Precision.HALF);
        noVectors[7] = 0; // declares no views, and so no vector at all
        assertThatThrownBy(() -> StoredFeatures.fromBytes(Arrays.copyOf(noVectors, 8)))
                .hasMessageContaining("do not match");
    }
}
