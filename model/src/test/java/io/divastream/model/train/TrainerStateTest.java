package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.divastream.model.DivaHead;
import io.divastream.model.DjlRuntime;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.DivaConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainerStateTest {

    private static final Shape KEYS = new Shape(5, 16);

    private static TrainerState state(DivaConfig config) {
        return new TrainerState(config, 64, Device.cpu());
    }

    private static String sha(byte[] bytes) {
        return new ModelSnapshot(0, 0, bytes, 1).sha256();
    }

    /** Changes every part of the state a little: counters, classes, betas, moments, queue. */
    private static void touch(TrainerState s) {
        ClassIndex.Assignment a = s.classIndex().assign(List.of("a", "b", "a", "c"), 1);
        s.classIndex().commit(a);
        s.countQueueInitBatch(5);
        s.countStep();
        s.countStep();
        NDArray beta = s.betas().get(DivaHead.SHARED);
        beta.set(new NDIndex(2), 0.25f);
        s.optimizer().setMoments(beta, 2, new float[] {0.5f, 0.75f});
        try (NDManager m = s.root().newSubManager()) {
            s.queue().enqueue(m.randomNormal(KEYS).normalize(2, 1));
        }
    }

    @Test
    void aRestoredStateSavesTheSameBytesAndHoldsTheSameValues() throws IOException {
        DivaConfig config = DivaTrainerTest.smallConfig();
        try (TrainerState a = state(config);
                TrainerState b = state(config)) {
            touch(a);
            byte[] saved = a.save();
            assertThat(sha(b.save())).isNotEqualTo(sha(saved));
            b.restore(saved);
            assertThat(sha(b.save())).isEqualTo(sha(saved));
            assertThat(b.steps()).isEqualTo(2);
            assertThat(b.queueInitBatches()).isEqualTo(1);
            assertThat(b.queueInitKeys()).isEqualTo(5);
            assertThat(b.classIndex().size()).isEqualTo(3);
            assertThat(b.queue().size()).isEqualTo(5);
            assertThat(b.queue().keys().toFloatArray())
                    .containsExactly(a.queue().keys().toFloatArray());
            for (DivaHead head : a.betas().keySet()) {
                assertThat(b.betas().get(head).toFloatArray())
                        .containsExactly(a.betas().get(head).toFloatArray());
            }
            assertThat(b.betas().get(DivaHead.SHARED).getFloat(2)).isEqualTo(0.25f);
            assertThat(b.optimizer().resetMoments(b.betas().get(DivaHead.SHARED), 2))
                    .containsExactly(0.5f, 0.75f);
            assertThat(b.snapshot(3).sha256()).isEqualTo(a.snapshot(3).sha256());
        }
    }

    @Test
    void twoFreshStatesOfOneSeedAreEqualAndTheKeyEncoderStartsAsTheQueryNetwork() {
        DivaConfig config = DivaTrainerTest.smallConfig();
        try (TrainerState a = state(config);
                TrainerState b = state(config)) {
            assertThat(sha(a.save())).isEqualTo(sha(b.save()));
            var query = a.queryNet().getParameters().values();
            var key = a.keyEncoder().getParameters().values();
            for (int i = 0; i < query.size(); i++) {
                assertThat(key.get(i).getArray().toFloatArray())
                        .containsExactly(query.get(i).getArray().toFloatArray());
                assertThat(key.get(i).getArray().hasGradient()).isFalse();
            }
            for (NDArray beta : a.betas().values()) {
                float[] values = beta.toFloatArray();
                assertThat(values).hasSize(64);
                for (float v : values) {
                    assertThat(v).isEqualTo((float) config.loss().betaInit());
                }
            }
        }
    }

    @Test
    void aFormatThreeStateIsReadWithoutQueueInitialisationCounts() throws IOException {
        DivaConfig config = DivaTrainerTest.smallConfig();
        try (TrainerState a = state(config);
                TrainerState b = state(config)) {
            touch(a);
            byte[] four = a.save();
            // format 4 is format 3 with two longs (batches, keys) after the int format, steps and seed
            int counts = Integer.BYTES + 2 * Long.BYTES;
            byte[] three = new byte[four.length - 2 * Long.BYTES];
            System.arraycopy(four, 0, three, 0, counts);
            System.arraycopy(four, counts + 2 * Long.BYTES, three, counts, three.length - counts);
            ByteBuffer.wrap(three).putInt(0, 3);
            b.restore(three);
            assertThat(b.steps()).isEqualTo(2);
            assertThat(b.queueInitBatches()).isZero();
            assertThat(b.queueInitKeys()).isZero();
            byte[] expected = Arrays.copyOf(four, four.length);
            ByteBuffer.wrap(expected).putLong(counts, 0).putLong(counts + Long.BYTES, 0);
            assertThat(sha(b.save())).isEqualTo(sha(expected));
        }
    }

    @Test
    void anotherSeedOrAnUnknownFormatIsRefused() {
        DivaConfig config = DivaTrainerTest.smallConfig();
        try (TrainerState a = state(config);
                TrainerState other = state(config.withSeed(8))) {
            byte[] saved = a.save();
            assertThatThrownBy(() -> other.restore(saved))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("seed 7")
                    .hasMessageContaining("seed 8");
            byte[] future = saved.clone();
            ByteBuffer.wrap(future).putInt(0, TrainerState.FORMAT + 1);
            assertThatThrownBy(() -> a.restore(future))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("unknown trainer state format " + (TrainerState.FORMAT + 1));
        }
    }

    @Test
    void recyclingAClassResetsItsBetasAndMomentsAndTheUndoPutsThemBack() {
        DivaConfig config = DivaTrainerTest.smallConfig();
        float init = (float) config.loss().betaInit();
        try (TrainerState s = state(config)) {
            for (NDArray beta : s.betas().values()) {
                beta.set(new NDIndex(3), 2f);
                beta.set(new NDIndex(4), 3f);
                s.optimizer().setMoments(beta, 3, new float[] {0.1f, 0.2f});
                s.optimizer().setMoments(beta, 4, new float[] {0.3f, 0.4f});
            }
            Runnable undo = s.recycleClasses(List.of(3));
            for (NDArray beta : s.betas().values()) {
                assertThat(beta.getFloat(3)).isEqualTo(init);
                assertThat(beta.getFloat(4)).isEqualTo(3f);
                float[] moments = s.optimizer().resetMoments(beta, 3);
                assertThat(moments).containsExactly(0f, 0f);
            }
            undo.run();
            for (NDArray beta : s.betas().values()) {
                assertThat(beta.getFloat(3)).isEqualTo(2f);
                assertThat(s.optimizer().resetMoments(beta, 3)).containsExactly(0.1f, 0.2f);
                assertThat(s.optimizer().resetMoments(beta, 4)).containsExactly(0.3f, 0.4f);
            }
        }
    }

    @Test
    void closingReleasesEveryArray() {
        int before = liveArrays();
        TrainerState s = state(DivaTrainerTest.smallConfig());
        touch(s);
        s.save();
        assertThat(liveArrays()).isGreaterThan(before);
        s.close();
        assertThat(liveArrays()).isEqualTo(before);
    }

    private static int liveArrays() {
        try (NDManager probe = DjlRuntime.engine().newBaseManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }
}
