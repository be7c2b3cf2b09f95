package io.divastream.jobs.pipeline;

import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.dev.LocalKafkaBroker;
import io.divastream.dev.LocalTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The secured-cluster scenario over TLS: the broker's only client listener is SASL_SSL (SCRAM-SHA-512 inside a TLS
 * connection, a self-signed certificate), and every program is given the clients' trust store among its
 * {@code kafka.properties.*}.
 */
class TlsKafkaIT extends SecuredKafkaScenario {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension(
            LocalKafkaBroker.Config.defaults().withScramUser(USER).withTls(tlsIdentity()));

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineFixture.miniCluster();

    @Override
    LocalKafkaExtension kafka() {
        return KAFKA;
    }

    @Override
    String protocol() {
        return "SASL_SSL";
    }

    private static LocalTls tlsIdentity() {
        try {
            Path dir = Files.createTempDirectory("diva-tls-it-");
            dir.toFile().deleteOnExit();
            LocalTls tls = LocalTls.generate(dir, LocalKafkaBroker.DEFAULT_HOST);
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().deleteOnExit());
            }
            return tls;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
