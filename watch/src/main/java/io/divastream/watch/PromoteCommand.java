package io.divastream.watch;

import io.divastream.connectors.avro.RecordCodec;
import io.divastream.connectors.avro.RecordDecodingException;
import io.divastream.connectors.kafka.KafkaPreflight;
import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.connectors.kafka.KafkaTopics;
import io.divastream.model.logging.ConsoleLogging;
import io.divastream.schemas.PromotionAction;
import io.divastream.schemas.PromotionCommand;
import io.divastream.schemas.PromotionDecisionType;
import io.divastream.schemas.PromotionRecord;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Command line {@code promote}: an operator's pin, unpin or rollback of the model version that serves search and
 * artefact export (docs/continual.md). It writes a {@code PromotionCommand} to the commands topic and, unless
 * {@code --wait 0}, waits for the job's decision on it on the promotions topic and prints it.
 *
 * <p>Exit status: 0 applied (or sent, without waiting), 1 rejected by the job, not decided in time or Kafka
 * unreachable, 2 bad arguments.
 */
@Command(
        name = "promote",
        mixinStandardHelpOptions = true,
        description = "Pins, unpins or rolls back the model version DiVA Stream serves, and shows the job's decision.")
public final class PromoteCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "pin, unpin or rollback")
    String action;

    @Parameters(
            index = "1",
            arity = "0..1",
            description = "the model version: for rollback an earlier exported one; for pin the promoted one, or none"
                    + " to pin whichever is promoted when the job applies the command")
    Long version;

    @Mixin
    BrokerOption broker = new BrokerOption();

    @Option(
            names = "--commands-topic",
            defaultValue = KafkaTopics.PROMOTION_COMMANDS,
            description = "the job's --topic.promotion-commands (default: ${DEFAULT-VALUE})")
    String commandsTopic;

    @Option(
            names = "--promotions-topic",
            defaultValue = KafkaTopics.PROMOTIONS,
            description = "the job's --topic.promotions, where it records its decision (default: ${DEFAULT-VALUE})")
    String promotionsTopic;

    @Option(
            names = "--by",
            defaultValue = "",
            description = "who issues the command, recorded with it (default: the user name)")
    String issuedBy;

    @Option(names = "--reason", defaultValue = "", description = "why, recorded with the command (default: none)")
    String reason;

    @Option(names = "--id", description = "the command's id (1 to 200 characters; default: a random UUID)")
    String commandId;

    @Option(
            names = "--wait",
            defaultValue = "180",
            description = "seconds to wait for the job's decision, 0 not to wait; a rollback is decided once the"
                    + " held-out images are embedded with the new version (default: ${DEFAULT-VALUE})")
    double waitSeconds;

    private PrintStream out = System.out;
    private PrintStream err = System.err;

    /**
     * Runs the command and exits with its status.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        ConsoleLogging.start(PromoteCommand.class);
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the command.
     *
     * @param args see {@code --help}
     * @param out where the decision goes
     * @param err where errors go
     * @return the exit status: 0 applied or sent, 1 rejected or failed, 2 bad arguments
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        PromoteCommand command = new PromoteCommand();
        command.out = out;
        command.err = err;
        return BrokerOption.execute(command, command.broker, args, out, err);
    }

    @Override
    public Integer call() {
        PromotionCommand command;
        KafkaSettings settings;
        try {
            command = command();
            settings = broker.settings();
            if (!(waitSeconds >= 0)) {
                throw new IllegalArgumentException("--wait must be a number of seconds >= 0: " + waitSeconds);
            }
        } catch (IllegalArgumentException e) {
            err.println("promote: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        Optional<String> refused = broker.refusal();
        if (refused.isPresent()) {
            err.println("promote: " + refused.get());
            return 1;
        }
        Duration wait = Duration.ofMillis(Math.round(waitSeconds * 1000));
        try (KafkaConsumer<byte[], byte[]> decisions =
                new KafkaConsumer<>(MetricsWatcher.consumerProperties(settings))) {
            // the end of the promotions topic before the command is sent: its decision comes after
            List<TopicPartition> partitions = wait.isZero() ? List.of() : partitions(decisions);
            Map<TopicPartition, Long> ends = decisions.endOffsets(partitions);
            decisions.assign(partitions);
            ends.forEach(decisions::seek);
            send(settings, command);
            out.printf(
                    Locale.ROOT,
                    "sent %s %s as command %s to %s%n",
                    command.getAction(),
                    command.getModelVersion() < 0 ? "" : command.getModelVersion(),
                    command.getCommandId(),
                    commandsTopic);
            if (wait.isZero()) {
                return CommandLine.ExitCode.OK;
            }
            Optional<PromotionRecord> decision = awaitDecision(decisions, command.getCommandId(), wait);
            if (decision.isEmpty()) {
                err.printf(
                        Locale.ROOT,
                        "promote: no decision on command %s in %s within %s s (is the job running and reading %s?)%n",
                        command.getCommandId(),
                        promotionsTopic,
                        waitSeconds,
                        commandsTopic);
                return 1;
            }
            PromotionRecord d = decision.get();
            out.printf(
                    Locale.ROOT,
                    "%s: model version %d; serving version %d%s%n  %s%n",
                    d.getDecision(),
                    d.getModelVersion(),
                    d.getPromotedVersion(),
                    d.getPinned() ? " (pinned)" : "",
                    d.getReason());
            return d.getDecision() == PromotionDecisionType.COMMAND_REJECTED ? 1 : CommandLine.ExitCode.OK;
        } catch (org.apache.kafka.common.KafkaException | ExecutionException | TimeoutException e) {
            err.println("promote: "
                    + KafkaPreflight.refusal(settings, e)
                            .map(Throwable::getMessage)
                            .orElse("Kafka at " + broker.bootstrapServers + ": " + e.getMessage()));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** The command from the arguments. */
    PromotionCommand command() {
        PromotionAction a;
        try {
            a = PromotionAction.valueOf(action.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the action is pin, unpin or rollback, not '" + action + "'");
        }
        if (a == PromotionAction.UNPIN && version != null) {
            throw new IllegalArgumentException("unpin takes no version");
        }
        if (a == PromotionAction.ROLLBACK && version == null) {
            throw new IllegalArgumentException("rollback needs a model version");
        }
        if (version != null && version < 0) {
            throw new IllegalArgumentException("a model version is >= 0, not " + version);
        }
        String id = commandId == null ? UUID.randomUUID().toString() : commandId;
        if (id.isEmpty() || id.length() > 200) {
            throw new IllegalArgumentException("--id needs 1 to 200 characters");
        }
        if (issuedBy.length() > 1000 || reason.length() > 1000) {
            throw new IllegalArgumentException("--by and --reason take at most 1000 characters each");
        }
        return PromotionCommand.newBuilder()
                .setCommandId(id)
                .setAction(a)
                .setModelVersion(version == null ? -1 : version)
                .setIssuedBy(issuedBy.isEmpty() ? System.getProperty("user.name", "") : issuedBy)
                .setReason(reason)
                .setIssuedAt(Instant.now())
                .build();
    }

    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
        var infos = consumer.partitionsFor(promotionsTopic, Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
            throw new org.apache.kafka.common.KafkaException("topic " + promotionsTopic + " not found");
        }
        return infos.stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
    }

    private void send(KafkaSettings settings, PromotionCommand command)
            throws ExecutionException, InterruptedException, TimeoutException {
        Properties props = settings.toProperties();
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(
                            commandsTopic,
                            command.getCommandId().getBytes(StandardCharsets.UTF_8),
                            broker.serde
                                    .codec(PromotionCommand.class, commandsTopic)
                                    .encode(command)))
                    .get(40, TimeUnit.SECONDS);
        }
    }

    private Optional<PromotionRecord> awaitDecision(KafkaConsumer<byte[], byte[]> consumer, String id, Duration wait) {
        RecordCodec<PromotionRecord> codec = broker.serde.codec(PromotionRecord.class, promotionsTopic);
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                try {
                    PromotionRecord p = codec.decode(r.value());
                    if (id.equals(p.getCommandId())) {
                        return Optional.of(p);
                    }
                } catch (RecordDecodingException e) {
                    err.println("promote: skipped undecodable record " + r.topic() + "-" + r.partition() + "@"
                            + r.offset() + ": " + e.getMessage());
                }
            }
        }
        return Optional.empty();
    }
}
