package io.divastream.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientArgumentsTest {

    @TempDir
    Path dir;

    @Test
    void takesClientPropertiesInBothFormsAndKeepsTheRestInOrder() {
        KafkaClientArguments.Split split = KafkaClientArguments.split(
                "--topic",
                "t",
                "--kafka.properties.security.protocol",
                "SASL_SSL",
                "--kafka.properties.sasl.jaas.config=a b=c;",
                "--rate",
                "5");

        assertThat(split.rest()).containsExactly("--topic", "t", "--rate", "5");
        assertThat(split.properties())
                .containsOnly(Map.entry("security.protocol", "SASL_SSL"), Map.entry("sasl.jaas.config", "a b=c;"));
        assertThat(split.settings("h:1").toProperties()).containsEntry("bootstrap.servers", "h:1");
    }

    @Test
    void readsAFileWhoseValuesTheCommandLineOverrides() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(
                file, "# client\nsecurity.protocol=SASL_PLAINTEXT\nkafka.properties.sasl.mechanism = PLAIN\n");

        KafkaClientArguments.Split split = KafkaClientArguments.split(
                "--kafka.properties.sasl.mechanism", "SCRAM-SHA-512", "--kafka.properties-file", file.toString());

        assertThat(split.properties())
                .containsOnly(
                        Map.entry("security.protocol", "SASL_PLAINTEXT"), Map.entry("sasl.mechanism", "SCRAM-SHA-512"));
        assertThat(split.rest()).isEmpty();
    }

    @Test
    void refusesMalformedOptionsInOneLine() {
        assertThatThrownBy(() -> KafkaClientArguments.split("--kafka.properties.acks"))
                .hasMessage("option --kafka.properties.acks needs a value");
        assertThatThrownBy(() -> KafkaClientArguments.split("--kafka.properties.=1"))
                .hasMessageContaining("needs a name");
        assertThatThrownBy(() -> KafkaClientArguments.split("--kafka.properties.bootstrap.servers", "x:1"))
                .hasMessageContaining("bootstrap-servers option");
        assertThatThrownBy(() -> KafkaClientArguments.split(
                        "--kafka.properties-file", dir.resolve("none").toString()))
                .hasMessageStartingWith("cannot read Kafka client properties from");
    }

    @Test
    void masksSecretsWhereverSettingsArePrinted() {
        KafkaSettings settings = new KafkaSettings(
                "h:1",
                Map.of(
                        "sasl.jaas.config", "ScramLoginModule required username=\"u\" password=\"pw-1\";",
                        "ssl.truststore.password", "pw-2",
                        "ssl.keystore.key", "pw-3",
                        "sasl.oauthbearer.client.credentials.client.secret", "pw-4",
                        "basic.auth.user.info", "u:pw-5",
                        "sasl.mechanism", "SCRAM-SHA-512"));

        String text = settings.toString();

        assertThat(text)
                .doesNotContain("pw-")
                .contains("SCRAM-SHA-512")
                .contains("h:1")
                .contains("[hidden]");
        assertThat(ClientSecrets.isSecret("security.protocol")).isFalse();
        assertThat(ClientSecrets.isSecret("ssl.key.password")).isTrue();
    }

    @Test
    void toolsTakeTheWireFormatToo() {
        KafkaClientArguments.Split split = KafkaClientArguments.split(
                "--serde.format", "registry", "--serde.registry-url=http://r:1/apis/registry/v2", "--topic", "t");

        assertThat(split.serde().kind()).isEqualTo(io.divastream.connectors.avro.SerdeFormat.Kind.REGISTRY);
        assertThat(split.serde().registryUrl()).isEqualTo("http://r:1/apis/registry/v2");
        assertThat(split.rest()).containsExactly("--topic", "t");
        assertThat(KafkaClientArguments.split("--topic", "t").serde())
                .isEqualTo(io.divastream.connectors.avro.SerdeFormat.SINGLE_OBJECT);
        assertThatThrownBy(() -> KafkaClientArguments.split("--serde.format", "registry"))
                .hasMessageStartingWith("--serde.registry-url: the registry format needs");
        assertThatThrownBy(() -> KafkaClientArguments.split("--serde.format", "json"))
                .hasMessage("--serde.format is single-object or registry, not 'json'");
        assertThat(KafkaClientArguments.splitProperties("--serde.format", "registry")
                        .rest())
                .containsExactly("--serde.format", "registry");
    }
}
