package io.divastream.jobs.embed;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.evaluation.EmbeddingCombiner;
import io.divastream.images.ImageDecoder;
import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.Role;
import io.divastream.jobs.events.SamplePayload;
import io.divastream.jobs.events.TrainingBatch;
import io.divastream.jobs.testing.TinyModel;
import io.divastream.model.DivaHead;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.MomentumSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.embed.Embedder;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.InputSpec;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.LabeledBatch;
import io.divastream.model.train.ViewAugmenter;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CatalogueModelTest {

    private static final double[] WEIGHTS = {1.0, 0.5, 2.0, 0.0};

    private static ModelSnapshot s1;
    private static ModelSnapshot s2;

    @BeforeAll
    static void twoVersions() {
        Random random = new Random(3);
        try (DivaTrainer trainer = new DivaTrainer(TinyModel.config(), ViewAugmenter.IDENTITY)) {
            s1 = trainer.snapshot(1);
            TrainingBatch b = TinyModel.batch(0, random, 6, 4, 2, 8);
            float[][] images =
                    Arrays.stream(b.pixels()).map(ImageDecoder::fromBytes).toArray(float[][]::new);
            trainer.step(new LabeledBatch(Arrays.asList(b.labels()), images));
            s2 = trainer.snapshot(2);
        }
    }

    private static ModelUpdate update(ModelSnapshot s, long imagesSeen, long createdAt) {
        return new ModelUpdate(
                s.version(),
                s.step(),
                imagesSeen,
                6,
                s.parameters(),
                s.parameterCount(),
                s.sha256(),
                new String[] {"total"},
                new double[] {1.0},
                createdAt);
    }

    /** Each head's embedding of the samples by an embedder of the snapshot. */
    private static float[][][] heads(ModelSnapshot s, List<ImageSample> samples) {
        try (Embedder e = new Embedder(TinyModel.NETWORK)) {
            e.load(s);
            return e.embed(samples.stream()
                    .map(x -> ImageDecoder.fromBytes(x.pixels()))
                    .toArray(float[][]::new));
        }
    }

    @Test
    void eachSampleGetsItsHeadsTheirWeightedCombinationAndTheModelsStamp() {
        Random random = new Random(5);
        List<ImageSample> samples = List.of(
                new ImageSample("a", "Greek/character01", Role.TRAIN, TinyModel.randomImage(random), 11),
                new ImageSample("b", "Greek/character02", Role.EVAL, TinyModel.randomImage(random), 12));
        ModelUpdate v1 = update(s1, 0, 1_000);
        ModelUpdate v2 = update(s2, 16, 2_000);
        try (CatalogueModel model = new CatalogueModel(TinyModel.NETWORK, WEIGHTS, SamplePayload.GLYPH_PIXELS)) {
            long before = System.currentTimeMillis();
            List<ImageEmbedding> first = model.embed(v1, samples);
            List<ImageEmbedding> second = model.embed(v2, samples);
            List<ImageEmbedding> again = model.embed(v1, samples);

            float[][][] h1 = heads(s1, samples);
            float[][][] h2 = heads(s2, samples);
            float[][] c1 = EmbeddingCombiner.combine(h1, WEIGHTS);
            for (int i = 0; i < samples.size(); i++) {
                ImageEmbedding e = first.get(i);
                assertThat(e.imageId()).isEqualTo(samples.get(i).imageId());
                assertThat(e.label()).isEqualTo(samples.get(i).label());
                assertThat(e.role()).isEqualTo(samples.get(i).role());
                assertThat(e.eventTime()).isEqualTo(samples.get(i).eventTime());
                assertThat(e.modelVersion()).isEqualTo(1);
                assertThat(e.modelCreatedAt()).isEqualTo(1_000);
                assertThat(e.embeddedAt()).isGreaterThanOrEqualTo(before);
                assertThat(e.combined()).containsExactly(c1[i]);
                for (int h = 0; h < h1.length; h++) {
                    assertThat(e.heads()[h]).containsExactly(h1[h][i]);
                    assertThat(second.get(i).heads()[h]).containsExactly(h2[h][i]);
                    assertThat(again.get(i).heads()[h]).containsExactly(h1[h][i]);
                }
                assertThat(second.get(i).modelVersion()).isEqualTo(2);
                assertThat(second.get(i).modelStep()).isEqualTo(s2.step());
                assertThat(second.get(i).modelImagesSeen()).isEqualTo(16);
                assertThat(second.get(i).combined()).isNotEqualTo(first.get(i).combined());
            }
        }
    }

    @Test
    void storedFeaturesAreEmbeddedFromTheirEvaluationViewByTheHeadsAlone() {
        int dim = 12;
        DivaConfig defaults = DivaConfig.omniglotDefaults();
        NetworkSpec network = new NetworkSpec(
                new BackboneSpec.Features("test-backbone", dim, InputSpec.imagenet()),
                8,
                List.of(DivaHead.values()),
                16);
        DivaConfig config =
                new DivaConfig(network, defaults.loss(), defaults.optimizer(), new MomentumSpec(0.9, 32), 5L);
        ModelSnapshot snapshot;
        try (DivaTrainer trainer = new DivaTrainer(config, ViewAugmenter.IDENTITY)) {
            snapshot = trainer.snapshot(1);
        }
        Random random = new Random(9);
        float[][] evaluation = new float[2][dim];
        List<ImageSample> samples = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            for (int d = 0; d < dim; d++) {
                evaluation[i][d] = random.nextFloat() * 6;
            }
            float[][] training = {new float[dim]};
            byte[] payload = new StoredFeatures(evaluation[i], training).toBytes(StoredFeatures.Precision.SINGLE);
            samples.add(new ImageSample("p" + i, "bird/" + i, Role.EVAL, payload, 1));
        }
        float[][][] expected;
        try (Embedder e = new Embedder(network)) {
            e.load(snapshot);
            expected = e.embed(evaluation);
        }
        try (CatalogueModel model = new CatalogueModel(network, WEIGHTS, SamplePayload.STORED_FEATURES)) {
            List<ImageEmbedding> embedded = model.embed(update(snapshot, 0, 1_000), samples);
            for (int i = 0; i < 2; i++) {
                for (int h = 0; h < expected.length; h++) {
                    assertThat(embedded.get(i).heads()[h]).containsExactly(expected[h][i]);
                }
            }
        }
    }
}
