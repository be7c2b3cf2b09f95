package io.divastream.watch;

import picocli.CommandLine.Option;

/** The Kafka brokers option of the operator tools ({@code watch}, {@code promote}), declared once. */
final class BrokerOption {

    @Option(
            names = "--bootstrap-servers",
            defaultValue = "127.0.0.1:9092",
            description = "Kafka brokers (default: ${DEFAULT-VALUE})")
    String bootstrapServers;
}
