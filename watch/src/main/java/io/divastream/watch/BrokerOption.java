package io.divastream.watch;

import io.divastream.connectors.avro.SerdeFormat;
import io.divastream.connectors.kafka.KafkaClientArguments;
import io.divastream.connectors.kafka.KafkaPreflight;
import io.divastream.connectors.kafka.KafkaSettings;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The Kafka brokers option of the operator tools ({@code watch}, {@code promote}), declared once. */
final class BrokerOption {

    @Option(
            names = "--bootstrap-servers",
            defaultValue = "127.0.0.1:9092",
            description = "Kafka brokers (default: ${DEFAULT-VALUE})")
    String bootstrapServers;

    /** The client properties of the command line ({@link KafkaClientArguments}), set before picocli runs. */
    Map<String, String> clientProperties = Map.of();

    /** The topics' wire format ({@code --serde.format}), set before picocli runs. */
    SerdeFormat serde = SerdeFormat.SINGLE_OBJECT;

    /**
     * The client settings.
     *
     * @return the brokers and the client properties
     */
    KafkaSettings settings() {
        return new KafkaSettings(bootstrapServers, clientProperties);
    }

    /**
     * Asks the cluster once whether it accepts the tool's login, so that a refusal ends the tool in one line
     * instead of a wait for a topic it cannot see. A cluster that does not answer within a few seconds is left to
     * the tool's own waiting.
     *
     * @return the one-line refusal, or empty if accepted or unanswered
     */
    java.util.Optional<String> refusal() {
        try {
            KafkaPreflight.check(settings(), java.time.Duration.ofSeconds(5));
            return java.util.Optional.empty();
        } catch (KafkaPreflight.KafkaAccessException e) {
            return e.unanswered() ? java.util.Optional.empty() : java.util.Optional.of(e.getMessage());
        }
    }

    /**
     * Runs an operator tool: takes the client properties out of the command line, then lets picocli parse the
     * rest and call the command.
     *
     * @param command the command, whose mixin this is
     * @param broker the command's mixin
     * @param args the command line
     * @param out standard output
     * @param err standard error
     * @return the exit status
     */
    static int execute(Object command, BrokerOption broker, String[] args, PrintStream out, PrintStream err) {
        KafkaClientArguments.Split split;
        try {
            split = KafkaClientArguments.split(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        broker.clientProperties = split.properties();
        broker.serde = split.serde();
        CommandLine commandLine = new CommandLine(command)
                .setOut(new PrintWriter(out, true, StandardCharsets.UTF_8))
                .setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        commandLine.getCommandSpec().usageMessage().footer("", KafkaClientArguments.USAGE);
        return commandLine.execute(split.restArray());
    }
}
