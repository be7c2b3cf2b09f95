package io.divastream.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

    @Test
    void rejectsBlankBootstrapServers() {
        assertThatThrownBy(() -> KafkaSettings.of(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bootstrap servers");
        assertThatThrownBy(() -> KafkaSettings.of(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsBootstrapServersAmongExtraProperties() {
        assertThatThrownBy(() -> new KafkaSettings("a:1", Map.of("bootstrap.servers", "b:2")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void buildsPropertiesFromServersAndExtras() {
        Map<String, String> extras = new HashMap<>(Map.of("security.protocol", "PLAINTEXT"));
        KafkaSettings settings = new KafkaSettings(" host:9092 ", extras).withProperty("client.id", "x");
        extras.put("mutated", "later");

        Properties properties = settings.toProperties();

        assertThat(properties)
                .containsOnly(
                        Map.entry("bootstrap.servers", "host:9092"),
                        Map.entry("security.protocol", "PLAINTEXT"),
                        Map.entry("client.id", "x"));
        assertThat(settings.property("client.id")).contains("x");
        assertThat(settings.property("mutated")).isEmpty();
        properties.put("other", "y");
        assertThat(settings.toProperties()).doesNotContainKey("other");
    }

    @Test
    void nullExtrasMeanNone() {
        assertThat(new KafkaSettings("a:1", null).extraProperties()).isEmpty();
    }
}
