package io.divastream.jobs.config;

import io.divastream.connectors.avro.SerdeFormat;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/** The wire format of every topic the job reads and writes: {@code serde.*}. */
public final class SerdeOptions {

    public static final DivaOption<String> FORMAT = DivaOption.of(
            "serde.format",
            OptionType.oneOf(SerdeFormat.Kind.SINGLE_OBJECT.optionValue(), SerdeFormat.Kind.REGISTRY.optionValue()),
            SerdeFormat.Kind.SINGLE_OBJECT.optionValue(),
            "wire format of every topic: single-object (Avro single-object encoding) or registry (the Schema"
                    + " Registry wire format, schemas in serde.registry-url)");
    public static final DivaOption<String> REGISTRY_URL = DivaOption.of(
            "serde.registry-url",
            OptionType.text(),
            "",
            "the schema registry's Apicurio API for serde.format registry, e.g. http://registry:8080/apis/registry/v2");

    /** In the order of {@code --help}. */
    public static final List<DivaOption<?>> ALL = List.of(FORMAT, REGISTRY_URL);

    private SerdeOptions() {}

    /**
     * The wire format a configuration gives.
     *
     * @param conf the configuration
     * @return the format
     * @throws ConfigException if the registry format has no registry URL, or the URL is not http(s)
     */
    static SerdeFormat format(Configuration conf) {
        String url = REGISTRY_URL.get(conf).strip();
        if (FORMAT.get(conf).equals(SerdeFormat.Kind.SINGLE_OBJECT.optionValue())) {
            return SerdeFormat.SINGLE_OBJECT;
        }
        try {
            return SerdeFormat.registry(url);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("option --" + REGISTRY_URL.key() + ": " + e.getMessage() + " (needed by --"
                    + FORMAT.key() + " registry)");
        }
    }
}
