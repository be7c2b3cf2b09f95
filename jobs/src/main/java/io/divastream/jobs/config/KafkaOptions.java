package io.divastream.jobs.config;

import java.util.List;

/** The job's Kafka connection: {@code kafka.*}. */
public final class KafkaOptions {

    public static final DivaOption<String> BOOTSTRAP_SERVERS = DivaOption.required(
            "kafka.bootstrap-servers",
            OptionType.text().checked(Validation::bootstrapServers),
            "Kafka brokers, host:port[,host:port]");
    public static final DivaOption<String> GROUP_ID =
            DivaOption.of("kafka.group-id", OptionType.nonBlank(), "diva-stream", "consumer group of the image source");
    public static final DivaOption<Boolean> EXACTLY_ONCE =
            DivaOption.of("kafka.exactly-once", OptionType.bool(), "true", "transactional (exactly-once) output sinks");
    public static final DivaOption<String> TRANSACTIONAL_ID_PREFIX = DivaOption.of(
            "kafka.transactional-id-prefix",
            OptionType.text().checked(Validation::transactionalIdPrefix),
            "diva-stream",
            "prefix of the sinks' transactional ids");

    /** In the order of {@code --help}. */
    public static final List<DivaOption<?>> ALL =
            List.of(BOOTSTRAP_SERVERS, GROUP_ID, EXACTLY_ONCE, TRANSACTIONAL_ID_PREFIX);

    private KafkaOptions() {}
}
