package io.divastream.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.dev.LocalKafkaBroker;
import io.divastream.dev.LocalTls;
import io.divastream.dev.ScramUser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local broker with a SASL_SSL (SCRAM-SHA-512 over TLS) listener: clients trust it or are refused in one line. */
class TlsBrokerTest {

    @TempDir
    Path dir;

    @Test
    void aClientThatTrustsTheBrokerLogsInOverTlsAndOneThatDoesNotIsRefused() {
        ScramUser user = new ScramUser("diva-tls", "tls-secret-3");
        LocalTls tls = LocalTls.generate(dir, LocalKafkaBroker.DEFAULT_HOST);
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(
                LocalKafkaBroker.Config.defaults().withScramUser(user).withTls(tls))) {
            KafkaSettings settings = new KafkaSettings(broker.bootstrapServers(), broker.clientProperties());
            assertThat(settings.property("security.protocol")).contains("SASL_SSL");

            assertThat(KafkaPreflight.check(settings, Duration.ofSeconds(30))).isNotBlank();
            TopicAdmin.ensureTopics(settings, List.of(TopicSpec.of("tls-topic", 1, 1)));

            Map<String, String> untrusting = new HashMap<>(broker.clientProperties());
            untrusting.remove("ssl.truststore.location");
            untrusting.remove("ssl.truststore.password");
            untrusting.remove("ssl.truststore.type");
            assertThatThrownBy(() -> KafkaPreflight.check(
                            new KafkaSettings(broker.bootstrapServers(), untrusting), Duration.ofSeconds(30)))
                    .isInstanceOf(KafkaPreflight.KafkaAccessException.class)
                    .hasMessageStartingWith("Kafka at " + broker.bootstrapServers()
                            + " (security.protocol SASL_SSL, sasl.mechanism SCRAM-SHA-512) refused the TLS handshake")
                    .hasMessageNotContaining("\n");
            assertThat(settings.toString()).doesNotContain(tls.password()).doesNotContain(user.password());
        }
    }
}
