package io.divastream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kafka.properties.<key>}: any Kafka client property, from files and the command line, never printed. */
class KafkaClientOptionsTest {

    private static final String JAAS =
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"s3cret\";";

    @TempDir
    Path dir;

    @Test
    void clientPropertiesReachEveryClientsSettingsAndTheCommandLineWins() throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(
                file,
                "kafka.bootstrap-servers = k:9093\n"
                        + "kafka.properties.security.protocol = SASL_SSL\n"
                        + "kafka.properties.sasl.mechanism = PLAIN\n"
                        + "kafka.properties.sasl.jaas.config = " + JAAS + "\n");

        JobConfig config = JobOptions.parse(
                "--config",
                file.toString(),
                "--kafka.properties.sasl.mechanism",
                "SCRAM-SHA-512",
                "--kafka.properties.ssl.truststore.location=/etc/kafka/truststore.p12");

        assertThat(config.kafka().settings().toProperties())
                .containsEntry("bootstrap.servers", "k:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.p12");
        assertThat(config.toString()).doesNotContain("s3cret").contains("sasl.jaas.config=[hidden]");
        assertThat(config.kafka().settings().toString()).doesNotContain("s3cret");
    }

    @Test
    void aPropertiesFileKeepsSecretsOffTheCommandLine() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(
                file,
                "security.protocol=SASL_PLAINTEXT\nsasl.jaas.config="
                        + JAAS.replace("\"", "\\\"").replace("\\\"", "\"") + "\n");

        JobConfig config =
                JobOptions.parse("--kafka.bootstrap-servers", "k:1", "--kafka.properties-file", file.toString());

        assertThat(config.kafka().clientProperties())
                .containsOnly(Map.entry("security.protocol", "SASL_PLAINTEXT"), Map.entry("sasl.jaas.config", JAAS));
    }

    @Test
    void badClientPropertiesStopTheJobInOneLine() {
        assertThatThrownBy(() -> JobOptions.parse("--kafka.bootstrap-servers", "k:1", "--kafka.properties.acks"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option --kafka.properties.acks needs a value");
        assertThatThrownBy(() -> JobOptions.parse(
                        "--kafka.bootstrap-servers", "k:1", "--kafka.properties.bootstrap.servers", "x:2"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bootstrap-servers option");
    }

    @Test
    void theUsageAndTheDocumentedFileShowHowToGiveThem() {
        assertThat(JobOptions.ALL.usage("diva-stream")).contains("--kafka.properties.<key> VALUE");
        assertThat(JobOptions.configFileTemplate()).contains("# kafka.properties.sasl.mechanism = SCRAM-SHA-512");
        assertThat(JobOptions.parse("--kafka.bootstrap-servers", "k:1").kafka().clientProperties())
                .isEmpty();
    }

    @Test
    void theWireFormatIsSingleObjectUnlessTheRegistryIsNamed() {
        assertThat(JobOptions.parse("--kafka.bootstrap-servers", "k:1").kafka().serde())
                .isEqualTo(io.divastream.connectors.avro.SerdeFormat.SINGLE_OBJECT);
        JobConfig registry = JobOptions.parse(
                "--kafka.bootstrap-servers",
                "k:1",
                "--serde.format",
                "registry",
                "--serde.registry-url",
                "http://registry:8080/apis/registry/v2");
        assertThat(registry.kafka().serde().kind()).isEqualTo(io.divastream.connectors.avro.SerdeFormat.Kind.REGISTRY);
        assertThat(registry.kafka().serde().registryUrl()).isEqualTo("http://registry:8080/apis/registry/v2");
        assertThatThrownBy(() -> JobOptions.parse("--kafka.bootstrap-servers", "k:1", "--serde.format", "registry"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--serde.registry-url")
                .hasMessageContaining("needed by --serde.format registry");
        assertThatThrownBy(() -> JobOptions.parse("--kafka.bootstrap-servers", "k:1", "--serde.format", "confluent"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("serde.format");
    }
}
