package io.divastream.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.dev.LocalKafkaBroker;
import io.divastream.dev.ScramUser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The local broker with a SCRAM-SHA-512 listener, and what a client sees with and without its login. */
class SecuredBrokerTest {

    private static final ScramUser USER = new ScramUser("diva-client", "client-secret-1");

    @RegisterExtension
    static final LocalKafkaExtension KAFKA =
            new LocalKafkaExtension(LocalKafkaBroker.Config.defaults().withScramUser(USER));

    @Test
    void aClientWithTheLoginWritesAndReadsTransactionally() throws Exception {
        KafkaSettings settings = KAFKA.settings();
        assertThat(settings.property("security.protocol")).contains("SASL_PLAINTEXT");
        assertThat(KafkaPreflight.check(settings, Duration.ofSeconds(30))).isNotBlank();
        TopicAdmin.ensureTopics(settings, List.of(TopicSpec.of("secured", 1, 1)));
        Properties props = settings.toProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "secured-tx");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("secured", "k".getBytes(StandardCharsets.UTF_8), new byte[] {1}));
            producer.commitTransaction();
        }

        assertThat(KAFKA.readAll("secured", 1, Duration.ofSeconds(30))).hasSize(1);
    }

    @Test
    void aWrongPasswordIsRefusedInOneLineNamingTheListenerAndMechanism() {
        KafkaSettings wrong =
                KAFKA.settings().withProperty("sasl.jaas.config", new ScramUser(USER.name(), "wrong").jaasConfig());

        assertThatThrownBy(() -> KafkaPreflight.check(wrong, Duration.ofSeconds(30)))
                .isInstanceOf(KafkaPreflight.KafkaAccessException.class)
                .hasMessageStartingWith("Kafka at " + KAFKA.bootstrapServers()
                        + " (security.protocol SASL_PLAINTEXT, sasl.mechanism SCRAM-SHA-512) refused authentication")
                .hasMessageNotContaining("\n")
                .hasMessageNotContaining("wrong");
    }

    @Test
    void aClientWithoutSaslGetsATimeoutThatNamesTheLikelyCause() {
        KafkaSettings plain = KafkaSettings.of(KAFKA.bootstrapServers());

        assertThatThrownBy(() -> KafkaPreflight.check(plain, Duration.ofSeconds(3)))
                .isInstanceOf(KafkaPreflight.KafkaAccessException.class)
                .hasMessageContaining("(security.protocol PLAINTEXT) did not answer within 3 s")
                .hasMessageContaining("another protocol");
        assertThat(Map.copyOf(KAFKA.broker().clientProperties())).containsKey("sasl.jaas.config");
    }
}
