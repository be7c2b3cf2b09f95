package io.divastream.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.kafka.TopicAdmin;
import io.divastream.connectors.kafka.TopicSpec;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.schemas.PromotionAction;
import io.divastream.schemas.PromotionCommand;
import io.divastream.schemas.PromotionDecisionType;
import io.divastream.schemas.PromotionRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's {@code promote} command against a real broker: it writes the command, waits for the decision that
 * echoes its id (a stand-in for the job answers here; the job's side is tested in the jobs module) and exits 0 when
 * applied, 1 when rejected or undecided; bad arguments exit 2 without writing.
 */
class PromoteCommandTest {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    private static final AvroCodec<PromotionCommand> COMMANDS = AvroCodec.of(PromotionCommand.class);
    private static final AvroCodec<PromotionRecord> DECISIONS = AvroCodec.of(PromotionRecord.class);

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return PromoteCommand.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static void topics(String prefix) {
        TopicAdmin.ensureTopics(
                KAFKA.settings(),
                List.of(
                        TopicSpec.of(prefix + ".commands", 1, (short) 1),
                        TopicSpec.of(prefix + ".promotions", 1, (short) 1)));
    }

    private String[] args(String prefix, String... rest) {
        String[] base = {
            "--bootstrap-servers", KAFKA.bootstrapServers(),
            "--commands-topic", prefix + ".commands",
            "--promotions-topic", prefix + ".promotions"
        };
        String[] all = new String[base.length + rest.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(rest, 0, all, base.length, rest.length);
        return all;
    }

    /** Answers the first command on the topic with a decision of the given type, as the job would. */
    private static CompletableFuture<PromotionCommand> answer(String prefix, PromotionDecisionType type) {
        return CompletableFuture.supplyAsync(() -> {
            ConsumerRecord<byte[], byte[]> r = KAFKA.readAll(prefix + ".commands", 1, Duration.ofSeconds(30))
                    .get(0);
            PromotionCommand c = COMMANDS.decode(r.value());
            Properties p = KAFKA.settings().toProperties();
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
                // another command's decision first: the command waits for its own
                for (String id : List.of("someone-else", c.getCommandId())) {
                    producer.send(new ProducerRecord<>(
                                    prefix + ".promotions",
                                    DECISIONS.encode(PromotionRecord.newBuilder()
                                            .setModelVersion(c.getModelVersion())
                                            .setDecision(type)
                                            .setPromotedVersion(7)
                                            .setPreviousVersion(7)
                                            .setCandidateRecallAt1(Double.NaN)
                                            .setPromotedRecallAt1(Double.NaN)
                                            .setImages(0)
                                            .setTolerance(0.01)
                                            .setMinImages(100)
                                            .setReason("PIN 7 by command " + id + ": pinned")
                                            .setTrainingStep(-1)
                                            .setDecidedAt(Instant.now())
                                            .setCommandId(id)
                                            .setPinned(true)
                                            .build())))
                            .get();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return c;
        });
    }

    @Test
    void aCommandIsWrittenAndItsDecisionShown() throws Exception {
        topics("p1");
        CompletableFuture<PromotionCommand> job = answer("p1", PromotionDecisionType.PINNED);
        int code = run(
                args("p1", "pin", "7", "--by", "alice", "--reason", "holiday freeze", "--id", "cmd-7", "--wait", "60"));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        PromotionCommand sent = job.get(30, TimeUnit.SECONDS);
        assertThat(sent.getCommandId()).isEqualTo("cmd-7");
        assertThat(sent.getAction()).isEqualTo(PromotionAction.PIN);
        assertThat(sent.getModelVersion()).isEqualTo(7);
        assertThat(sent.getIssuedBy()).isEqualTo("alice");
        assertThat(sent.getReason()).isEqualTo("holiday freeze");
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("sent PIN 7 as command cmd-7 to p1.commands")
                .contains("PINNED: model version 7; serving version 7 (pinned)")
                .contains("by command cmd-7")
                .doesNotContain("someone-else");
    }

    @Test
    void aRejectedCommandExitsOneAndAnUnansweredOneTimesOut() throws Exception {
        topics("p2");
        CompletableFuture<PromotionCommand> job = answer("p2", PromotionDecisionType.COMMAND_REJECTED);
        assertThat(run(args("p2", "rollback", "3", "--wait", "60"))).isEqualTo(1);
        assertThat(job.get(30, TimeUnit.SECONDS).getAction()).isEqualTo(PromotionAction.ROLLBACK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("COMMAND_REJECTED");

        topics("p3");
        assertThat(run(args("p3", "unpin", "--wait", "2"))).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("no decision on command")
                .contains("within 2.0 s");
        assertThat(run(args("p3", "unpin", "--wait", "0"))).isZero();
        assertThat(KAFKA.readAll("p3.commands", 2, Duration.ofSeconds(10))).hasSize(2);
    }

    @Test
    void badArgumentsExitTwoAndWriteNothing() {
        topics("p4");
        assertThat(run(args("p4", "promote", "3"))).isEqualTo(2);
        assertThat(run(args("p4", "rollback"))).isEqualTo(2);
        assertThat(run(args("p4", "rollback", "-1"))).isEqualTo(2);
        assertThat(run(args("p4", "unpin", "3"))).isEqualTo(2);
        assertThat(run(args("p4", "pin", "3", "--id", ""))).isEqualTo(2);
        assertThat(run(args("p4", "pin", "3", "--wait", "-1"))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("the action is pin, unpin or rollback, not 'promote'")
                .contains("rollback needs a model version")
                .contains("unpin takes no version");
        assertThat(KAFKA.readAll("p4.commands", 0, Duration.ofSeconds(2))).isEmpty();
    }
}
