package io.divastream.jobs.pipeline;

import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.dev.LocalKafkaBroker;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The secured-cluster scenario on a broker whose only client listener is SASL_PLAINTEXT with SCRAM-SHA-512. */
class SecuredKafkaIT extends SecuredKafkaScenario {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA =
            new LocalKafkaExtension(LocalKafkaBroker.Config.defaults().withScramUser(USER));

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineFixture.miniCluster();

    @Override
    LocalKafkaExtension kafka() {
        return KAFKA;
    }

    @Override
    String protocol() {
        return "SASL_PLAINTEXT";
    }
}
