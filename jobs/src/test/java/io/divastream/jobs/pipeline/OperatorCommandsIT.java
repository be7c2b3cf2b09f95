package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.artefacts.ArtefactStore;
import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.decode.CommandDecoder;
import io.divastream.jobs.testing.OmniglotSample;
import io.divastream.producer.ImageEventProducer;
import io.divastream.producer.InterleavedOrder;
import io.divastream.producer.LabeledImage;
import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.ModelVersionRecord;
import io.divastream.schemas.PromotionAction;
import io.divastream.schemas.PromotionCommand;
import io.divastream.schemas.PromotionDecisionType;
import io.divastream.schemas.PromotionRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operators' commands through the whole job (MiniCluster and a real broker): a pin holds the promoted version while
 * training goes on (later versions refused), a rollback republishes an exported version's parameters as a new
 * version that serves, an unpin lets the gate promote again, a record that is not a command is a dead letter, every
 * decision is on {@code diva.promotions} once with its command's id, and the export directory names the promoted
 * version.
 */
class OperatorCommandsIT {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineFixture.miniCluster();

    private static final AvroCodec<PromotionCommand> COMMANDS = AvroCodec.of(PromotionCommand.class);

    @TempDir
    Path checkpoints;

    @TempDir
    Path exports;

    /** The rollback commands passed over and sent again. */
    private final List<String> rollbackRetries = new ArrayList<>();

    private static boolean rolledBack(PromotionRecord decision) {
        return decision != null && decision.getDecision() == PromotionDecisionType.ROLLED_BACK;
    }

    @Test
    void pinRollbackAndUnpinAreDecidedAndRecorded() throws Exception {
        List<String> args = new ArrayList<>(PipelineFixture.runArgs(KAFKA, "ops"));
        args.addAll(List.of(
                "--batch.classes", "8",
                "--batch.images-per-class", "4",
                "--batch.buffer-per-class", "8",
                // batches from arrivals only: the trainer publishes while the test sends images, and stops after
                "--batch.replay-interval-ms", "0",
                "--batch.new-images", "8",
                "--train.steps-per-version", "3",
                "--train.queue-size", "128",
                "--metrics.min-eval-images", "2",
                "--promotion.tolerance", "1",
                "--promotion.min-eval-images", "10",
                "--checkpoint.interval-ms", "1000",
                "--checkpoint.dir", checkpoints.toUri().toString(),
                "--export.dir", exports.toString(),
                "--export.keep", "1000"));
        JobConfig config = JobOptions.parse(args.toArray(String[]::new));
        PipelineFixture.createTopics(KAFKA, config);
        List<LabeledImage> images = InterleavedOrder.of(OmniglotSample.of(16, 6, 9), 3);

        JobClient job = PipelineFixture.start(config, "operator-commands-it");
        try (ImageEventProducer producer =
                new ImageEventProducer(KAFKA.settings(), config.kafka().imagesTopic(), 0)) {
            producer.publish(images);
            await(config, p -> p.getDecision() == PromotionDecisionType.PROMOTED && p.getModelVersion() >= 1);
            // versions come every few seconds here: pin whichever is promoted when the job applies the command
            send(config, "pin", PromotionAction.PIN, -1);
            PromotionRecord pin = await(config, p -> p.getCommandId().toString().equals("pin"));
            assertThat(pin.getDecision()).isEqualTo(PromotionDecisionType.PINNED);
            assertThat(pin.getPinned()).isTrue();
            long pinned = pin.getPromotedVersion();
            assertThat(pin.getModelVersion()).isEqualTo(pinned);
            publishRaw(config, "not a command".getBytes(StandardCharsets.UTF_8));

            long held = pinned;
            producer.publish(moreTrainingImages(9, 13));
            PromotionRecord refused =
                    await(config, p -> p.getDecision() == PromotionDecisionType.REFUSED && p.getModelVersion() > held);
            assertThat(refused.getReason().toString()).contains("pinned to version " + pinned + " (command pin)");
            assertThat(refused.getPromotedVersion()).isEqualTo(pinned);

            // a rollback version the trainer's next version overtakes before the held-out images are embedded with
            // it is passed over and rejected with that reason (documented; OperatorCommandsTest): the rollback is
            // sent once the trainer has used the images, and sent again (as an operator would) should it be
            awaitIdleTrainer(config);
            PromotionRecord rollback = null;
            for (int attempt = 0; attempt < 3 && !rolledBack(rollback); attempt++) {
                String id = "rollback-0" + (attempt == 0 ? "" : "-again-" + attempt);
                send(config, id, PromotionAction.ROLLBACK, 0);
                rollback = await(config, p -> p.getCommandId().toString().equals(id));
                if (!rolledBack(rollback)) {
                    assertThat(rollback.getReason().toString()).contains("was passed over");
                    rollbackRetries.add(id);
                }
            }
            assertThat(rollback.getDecision())
                    .as(rollback.getReason().toString())
                    .isEqualTo(PromotionDecisionType.ROLLED_BACK);
            long rolled = rollback.getModelVersion();
            assertThat(rolled).isGreaterThan(refused.getModelVersion());
            assertThat(rollback.getPromotedVersion()).isEqualTo(rolled);
            assertThat(rollback.getPinned()).isTrue();
            List<ModelVersionRecord> versions = PipelineFixture.versions(KAFKA, config);
            assertThat(sha(versions, rolled)).isEqualTo(sha(versions, 0));

            send(config, "unpin", PromotionAction.UNPIN, -1);
            PromotionRecord unpin =
                    await(config, p -> p.getCommandId().toString().equals("unpin"));
            assertThat(unpin.getDecision()).isEqualTo(PromotionDecisionType.UNPINNED);
            producer.publish(moreTrainingImages(13, 18));
            PromotionRecord after = await(
                    config, p -> p.getDecision() == PromotionDecisionType.PROMOTED && p.getModelVersion() > rolled);
            assertThat(after.getPreviousVersion()).isEqualTo(rolled);

            // the export directory names the promoted version once its decision's checkpoint completed
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            ArtefactStore store = new ArtefactStore(exports);
            while (store.promoted().orElse(-1) < after.getModelVersion() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(store.promoted()).hasValue(after.getModelVersion());
        } finally {
            PipelineFixture.cancelAndAwait(job);
        }

        List<PromotionRecord> decisions = decided(config);
        Set<Long> gated = new HashSet<>();
        Set<String> commands = new HashSet<>();
        for (PromotionRecord p : decisions) {
            String id = p.getCommandId().toString();
            if (p.getDecision() == PromotionDecisionType.PROMOTED || p.getDecision() == PromotionDecisionType.REFUSED) {
                assertThat(gated.add(p.getModelVersion()))
                        .as("one gate decision per version")
                        .isTrue();
            } else {
                assertThat(commands.add(id)).as("one decision per command").isTrue();
            }
        }
        List<String> expected = new ArrayList<>(List.of("pin", "unpin"));
        expected.addAll(rollbackRetries);
        expected.add(rollbackRetries.isEmpty() ? "rollback-0" : "rollback-0-again-" + rollbackRetries.size());
        assertThat(commands).containsExactlyInAnyOrderElementsOf(expected);
        List<DeadLetter> letters =
                PipelineFixture.read(
                                KAFKA, DeadLetter.class, config.kafka().deadLettersTopic(), 1, Duration.ofSeconds(10))
                        .stream()
                        .map(PipelineFixture.Keyed::value)
                        .filter(l -> l.getStage().toString().equals(CommandDecoder.STAGE))
                        .toList();
        assertThat(letters)
                .singleElement()
                .satisfies(l -> assertThat(l.getTopic().toString())
                        .isEqualTo(config.kafka().promotionCommandsTopic()));
    }

    /** Training images of the same classes the first images did not include: images from..to-1 of each. */
    private static List<LabeledImage> moreTrainingImages(int from, int to) {
        Map<String, List<LabeledImage>> byLabel = new LinkedHashMap<>();
        for (LabeledImage image : OmniglotSample.of(16, 0, to)) {
            byLabel.computeIfAbsent(image.label(), l -> new ArrayList<>()).add(image);
        }
        List<LabeledImage> out = new ArrayList<>();
        byLabel.values().forEach(images -> out.addAll(images.subList(from, to)));
        return InterleavedOrder.of(out, 3);
    }

    /**
     * Waits until no new version has been published for a while: fed by arrivals only, the trainer publishes nothing
     * more once it has trained on what the test sent.
     */
    private static void awaitIdleTrainer(JobConfig config) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        long quietSince = System.nanoTime();
        int seen = -1;
        while (System.nanoTime() - quietSince < Duration.ofSeconds(6).toNanos()) {
            int now = PipelineFixture.versions(KAFKA, config).size();
            if (now != seen) {
                seen = now;
                quietSince = System.nanoTime();
            }
            assertThat(System.nanoTime()).as("the trainer went idle in time").isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    private static String sha(List<ModelVersionRecord> versions, long version) {
        return versions.stream()
                .filter(v -> v.getModelVersion() == version)
                .map(v -> v.getParameterSha256().toString())
                .reduce((a, b) -> b)
                .orElseThrow();
    }

    private static PromotionRecord await(JobConfig config, Predicate<PromotionRecord> wanted) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            for (PromotionRecord p : decided(config)) {
                if (wanted.test(p)) {
                    return p;
                }
            }
            assertThat(System.nanoTime()).as("the decision came in time").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static void send(JobConfig config, String id, PromotionAction action, long version) throws Exception {
        publishRaw(
                config,
                COMMANDS.encode(PromotionCommand.newBuilder()
                        .setCommandId(id)
                        .setAction(action)
                        .setModelVersion(version)
                        .setIssuedBy("operator-commands-it")
                        .setReason("")
                        .setIssuedAt(Instant.now())
                        .build()));
    }

    private static void publishRaw(JobConfig config, byte[] value) throws Exception {
        Properties p = KAFKA.settings().toProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(config.kafka().promotionCommandsTopic(), value))
                    .get();
        }
    }

    private static List<PromotionRecord> decided(JobConfig config) {
        return PipelineFixture.read(
                        KAFKA, PromotionRecord.class, config.kafka().promotionsTopic(), 0, Duration.ofMillis(300))
                .stream()
                .map(PipelineFixture.Keyed::value)
                .toList();
    }
}
