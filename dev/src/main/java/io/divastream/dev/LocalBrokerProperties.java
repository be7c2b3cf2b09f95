package io.divastream.dev;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/** The properties of the local single-node broker: one node, few threads, eager compaction, optional SCRAM. */
final class LocalBrokerProperties {

    /** The broker's own SCRAM user, for its inter-broker connections to itself. */
    static final ScramUser BROKER_USER = new ScramUser("diva-broker", "broker-" + Uuid.randomUuid());

    private static final int NODE_ID = LocalKafkaBroker.NODE_ID;

    private LocalBrokerProperties() {}

    static Map<String, String> of(LocalKafkaBroker.Config config, Path directory, int brokerPort, int controllerPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        String host = config.host();
        p.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + host + ":" + brokerPort + ",CONTROLLER://" + host + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", directory.toAbsolutePath().toString());
        // One node: every internal topic has one replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Small segments and eager compaction, so a demo sees compaction happen.
        p.put("log.segment.bytes", Integer.toString(1024 * 1024));
        p.put("log.cleaner.min.compaction.lag.ms", "0");
        p.put("log.cleaner.backoff.ms", "1000");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        p.put("log.cleaner.threads", "1");
        // A small machine: few threads.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("num.replica.fetchers", "1");
        p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        p.put("server.max.startup.time.ms", "60000");
        p.put("controlled.shutdown.enable", "true");
        p.put("auto.create.topics.enable", "true");
        config.scramUser().ifPresent(user -> secure(p, host, brokerPort, config.brokerProperties()));
        p.putAll(config.brokerProperties());
        return p;
    }

    /** Replaces the PLAINTEXT client listener by a SASL_PLAINTEXT one, used by the broker itself too. */
    private static void secure(Map<String, String> p, String host, int brokerPort, Map<String, String> given) {
        String controller = p.get("listeners").substring(p.get("listeners").indexOf(",CONTROLLER://"));
        p.put("listeners", "SASL://" + host + ":" + brokerPort + controller);
        p.put("advertised.listeners", "SASL://" + host + ":" + brokerPort);
        p.put("listener.security.protocol.map", "SASL:" + protocol(given) + ",CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "SASL");
        p.put("sasl.enabled.mechanisms", ScramUser.MECHANISM);
        p.put("sasl.mechanism.inter.broker.protocol", ScramUser.MECHANISM);
        p.put("listener.name.sasl.scram-sha-512.sasl.jaas.config", BROKER_USER.jaasConfig());
    }

    /**
     * The client listener's protocol: SASL_SSL when the broker has a TLS key store ({@link LocalTls}), else
     * SASL_PLAINTEXT.
     *
     * @param brokerProperties the broker's properties
     * @return the protocol
     */
    static String protocol(Map<String, String> brokerProperties) {
        return brokerProperties.containsKey("ssl.keystore.location") ? "SASL_SSL" : "SASL_PLAINTEXT";
    }
}
