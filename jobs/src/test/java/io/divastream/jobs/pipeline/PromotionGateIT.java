package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.testing.OmniglotSample;
import io.divastream.jobs.train.DivaTrainFunction;
import io.divastream.producer.ImageEventProducer;
import io.divastream.producer.InterleavedOrder;
import io.divastream.producer.LabeledImage;
import io.divastream.schemas.PromotionDecisionType;
import io.divastream.schemas.PromotionRecord;
import io.divastream.search.index.EmbeddingsFollower;
import io.divastream.search.index.GraphSearch;
import io.divastream.search.index.PromotionsFollower;
import io.divastream.search.index.SearchMode;
import io.divastream.search.index.VersionedIndex;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deliberately degraded version (its heads re-initialised to rank one, so every image is embedded on one line),
 * injected through the trainer's publish hook, is refused by the promotion gate on the promotions topic, while the
 * search index behind the gate (the search service's own classes, following the job's topics) never serves it and
 * keeps answering from a promoted version.
 */
class PromotionGateIT {

    private static final long DEGRADED = 4;

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineFixture.miniCluster();

    @TempDir
    Path checkpoints;

    /** Re-initialises one version's head weights to a random rank-one matrix and zeroes their biases. */
    record RankOneHeads(long version) implements DivaTrainFunction.PublishHook {
        @Override
        public ModelUpdate apply(ModelUpdate u) {
            if (u.version() != version) {
                return u;
            }
            return new ModelUpdate(
                    u.version(),
                    u.step(),
                    u.imagesSeen(),
                    u.trainClasses(),
                    degrade(u.parameters()),
                    u.parameterCount(),
                    "degraded",
                    u.lossNames(),
                    u.lossValues(),
                    u.createdAt(),
                    u.checkpointId());
        }

        /** The parameter format of {@code ParameterIo}: format, count, then name, length and NDArray bytes. */
        private static byte[] degrade(byte[] parameters) {
            try (NDManager manager = NDManager.newBaseManager("PyTorch");
                    DataInputStream in = new DataInputStream(new ByteArrayInputStream(parameters))) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                DataOutputStream out = new DataOutputStream(bytes);
                out.writeInt(in.readInt());
                int count = in.readInt();
                out.writeInt(count);
                for (int i = 0; i < count; i++) {
                    String name = in.readUTF();
                    byte[] encoded = in.readNBytes(in.readInt());
                    if (name.contains("head_")) {
                        NDArray value = NDArray.decode(manager, encoded);
                        Shape shape = value.getShape();
                        NDArray replaced = shape.dimension() == 2
                                ? manager.randomNormal(new Shape(shape.get(0), 1))
                                        .matMul(manager.randomNormal(new Shape(1, shape.get(1))))
                                : manager.zeros(shape);
                        encoded = replaced.toType(value.getDataType(), false).encode();
                    }
                    out.writeUTF(name);
                    out.writeInt(encoded.length);
                    out.write(encoded);
                }
                out.flush();
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void aDegradedVersionIsRefusedAndSearchKeepsAPromotedOne() throws Exception {
        List<String> args = new ArrayList<>(PipelineFixture.runArgs(KAFKA, "gate"));
        args.addAll(List.of(
                "--batch.classes", "8",
                "--batch.images-per-class", "4",
                "--batch.buffer-per-class", "8",
                "--train.steps-per-version", "20",
                "--train.queue-size", "128",
                "--metrics.min-eval-images", "2",
                "--promotion.tolerance", "0.05",
                "--promotion.min-eval-images", "20",
                "--checkpoint.interval-ms", "1000",
                "--checkpoint.dir", checkpoints.toUri().toString()));
        JobConfig config = JobOptions.parse(args.toArray(String[]::new));
        PipelineFixture.createTopics(KAFKA, config);
        List<LabeledImage> images = OmniglotSample.of(16, 6, 8);

        VersionedIndex index = new VersionedIndex(SearchMode.EXACT, 0.95, 0.05, GraphSearch.Params.DEFAULT, true);
        Set<Long> served = new ConcurrentSkipListSet<>();
        try (PromotionsFollower gate =
                        new PromotionsFollower(KAFKA.settings(), config.kafka().promotionsTopic(), index);
                EmbeddingsFollower search =
                        new EmbeddingsFollower(KAFKA.settings(), config.kafka().embeddingsTopic(), index)) {
            try (ImageEventProducer producer =
                    new ImageEventProducer(KAFKA.settings(), config.kafka().imagesTopic(), 0)) {
                producer.publish(InterleavedOrder.of(images, 3));
            }
            JobClient job = PipelineFixture.start(config, "promotion-gate-it", null, new RankOneHeads(DEGRADED));
            try {
                long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
                while (decided(config).stream().noneMatch(p -> p.getModelVersion() > DEGRADED + 1)) {
                    assertThat(System.nanoTime())
                            .as("versions up to 6 decided in time")
                            .isLessThan(deadline);
                    served.add(index.status().servedVersion());
                    Thread.sleep(100);
                }
            } finally {
                PipelineFixture.cancelAndAwait(job);
            }
            served.add(index.status().servedVersion());

            List<PromotionRecord> decisions = decided(config);
            Set<Long> once = new HashSet<>();
            for (PromotionRecord p : decisions) {
                assertThat(once.add(p.getModelVersion()))
                        .as("one decision per version")
                        .isTrue();
            }
            PromotionRecord refused = decisions.stream()
                    .filter(p -> p.getModelVersion() == DEGRADED)
                    .findFirst()
                    .orElseThrow();
            assertThat(refused.getDecision()).isEqualTo(PromotionDecisionType.REFUSED);
            assertThat(refused.getCandidateRecallAt1()).isLessThan(refused.getPromotedRecallAt1() - 0.05);
            assertThat(refused.getPromotedVersion())
                    .isEqualTo(refused.getPreviousVersion())
                    .isNotNegative();
            assertThat(refused.getReason().toString()).contains("below version " + refused.getPreviousVersion());
            assertThat(decisions)
                    .as("versions before it were promoted")
                    .anyMatch(p -> p.getModelVersion() < DEGRADED && p.getDecision() == PromotionDecisionType.PROMOTED);

            // the search index never served the refused version, and answers from a promoted one
            assertThat(served).doesNotContain(DEGRADED);
            Set<Long> promoted = new HashSet<>();
            decisions.stream()
                    .filter(p -> p.getDecision() == PromotionDecisionType.PROMOTED)
                    .forEach(p -> promoted.add(p.getModelVersion()));
            served.remove(-1L);
            assertThat(served).isNotEmpty();
            assertThat(promoted).containsAll(served);
            long now = index.status().servedVersion();
            float[] query = new float[index.status().dimension()];
            query[0] = 1;
            assertThat(index.search(query, 3).orElseThrow().modelVersion()).isEqualTo(now);
            assertThat(gate.refused()).isGreaterThanOrEqualTo(1);
            assertThat(search.failure()).isNull();
        }
    }

    private static List<PromotionRecord> decided(JobConfig config) {
        return PipelineFixture.read(
                        KAFKA, PromotionRecord.class, config.kafka().promotionsTopic(), 0, Duration.ofMillis(500))
                .stream()
                .map(PipelineFixture.Keyed::value)
                .toList();
    }
}
