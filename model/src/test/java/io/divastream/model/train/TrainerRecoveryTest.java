package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.model.ModelSnapshot;
import io.divastream.model.augment.AugmentationSpec;
import io.divastream.model.augment.GlyphAugmenter;
import io.divastream.model.config.DivaConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * A trainer stopped, saved and restored trains on exactly as one that never stopped (all random
 * draws are functions of seed and step), with the glyph augmentation and every miner drawing; and a
 * state written by the previous build (format 1) still restores.
 */
class TrainerRecoveryTest {

    private static final int CLASS_CAPACITY = 64;

    private static DivaTrainer trainer(DivaConfig config) {
        GlyphAugmenter augmenter = new GlyphAugmenter(AugmentationSpec.omniglotDefault());
        return new DivaTrainer(config, augmenter::augment, CLASS_CAPACITY);
    }

    private static List<LabeledBatch> batches(int n) {
        SplittableRandom random = new SplittableRandom(3);
        List<LabeledBatch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(SyntheticGlyphs.batch(random, 4, 4, 12));
        }
        return out;
    }

    private static String sha(byte[] bytes) {
        return new ModelSnapshot(0, 0, bytes, 1).sha256();
    }

    @Test
    void aRestoredTrainerContinuesBitForBitLikeOneThatNeverStopped() throws IOException {
        List<LabeledBatch> batches = batches(6);
        List<StepResult> straight = new ArrayList<>();
        String straightParameters;
        String straightState;
        try (DivaTrainer a = trainer(DivaTrainerTest.smallConfig())) {
            for (LabeledBatch b : batches) {
                straight.add(a.step(b));
            }
            straightParameters = a.snapshot(0).sha256();
            straightState = sha(a.saveState());
        }
        byte[] atStep3;
        try (DivaTrainer b = trainer(DivaTrainerTest.smallConfig())) {
            for (LabeledBatch batch : batches.subList(0, 3)) {
                b.step(batch);
            }
            atStep3 = b.saveState();
        }
        try (DivaTrainer c = trainer(DivaTrainerTest.smallConfig())) {
            c.step(batches.get(5)); // its own history, overwritten by the restore
            c.restore(atStep3);
            for (int i = 3; i < 6; i++) {
                assertThat(c.step(batches.get(i))).as("step %d", i + 1).isEqualTo(straight.get(i));
            }
            assertThat(c.snapshot(0).sha256()).isEqualTo(straightParameters);
            assertThat(sha(c.saveState())).isEqualTo(straightState);
        }
    }

    @Test
    void aStateOfAnotherSeedIsRejected() throws IOException {
        byte[] state;
        try (DivaTrainer a = trainer(DivaTrainerTest.smallConfig())) {
            a.step(batches(1).get(0));
            state = a.saveState();
        }
        DivaConfig base = DivaTrainerTest.smallConfig();
        DivaConfig otherSeed = new DivaConfig(base.network(), base.loss(), base.optimizer(), base.momentum(), 8L);
        try (DivaTrainer c = trainer(otherSeed)) {
            assertThatThrownBy(() -> c.restore(state))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("trained with seed 7, this trainer has seed 8");
        }
    }

    @Test
    void aFormat1StateOfThePreviousBuildRestoresAndTrainsOn() throws IOException {
        byte[] v1 = resource("trainer-state-v1.bin.gz", true);
        Properties expected = new Properties();
        try (InputStream in = TrainerRecoveryTest.class.getResourceAsStream("trainer-state-v1.properties")) {
            expected.load(in);
        }
        assertThat(sha(v1)).isEqualTo(expected.getProperty("stateSha256"));
        assertThat(ByteBuffer.wrap(v1).getInt()).as("the fixture's format").isEqualTo(1);
        try (DivaTrainer t = trainer(DivaTrainerTest.smallConfig())) {
            t.restore(v1);
            assertThat(t.steps()).isEqualTo(Long.parseLong(expected.getProperty("steps")));
            assertThat(t.classCount()).isEqualTo(Integer.parseInt(expected.getProperty("classes")));
            assertThat(t.snapshot(0).sha256()).isEqualTo(expected.getProperty("parametersSha256"));
            byte[] v2 = t.saveState();
            assertThat(ByteBuffer.wrap(v2).getInt())
                    .as("written in the current format")
                    .isEqualTo(4);
            assertThat(ByteBuffer.wrap(v2).getLong(12))
                    .as("the seed after the step count")
                    .isEqualTo(7L);

            // the rest of the state (betas, queue, Adam moments) came back too: the restored trainer's
            // next step equals that of a trainer restored from its own re-save in the current format
            List<LabeledBatch> next = batches(5).subList(3, 5);
            StepResult fromV1 = t.step(next.get(0));
            try (DivaTrainer u = trainer(DivaTrainerTest.smallConfig())) {
                u.restore(v2);
                assertThat(u.step(next.get(0))).isEqualTo(fromV1);
                assertThat(fromV1.step()).isEqualTo(4);
                assertThat(fromV1.queueSize()).isEqualTo(64);
                assertThat(u.snapshot(0).sha256()).isEqualTo(t.snapshot(0).sha256());
            }
        }
    }

    private static byte[] resource(String name, boolean gzipped) throws IOException {
        try (InputStream raw = TrainerRecoveryTest.class.getResourceAsStream(name)) {
            if (raw == null) {
                throw new IOException("test resource " + name + " is missing");
            }
            InputStream in = gzipped ? new GZIPInputStream(raw) : raw;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }
}
