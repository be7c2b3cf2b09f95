package io.divastream.dev;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The files of a {@link FlinkSessionCluster}'s configuration directory: {@code config.yaml}, every
 * process bound to 127.0.0.1 with the ports, memory and slots of its {@link
 * FlinkSessionCluster.Config}, and {@code log4j.properties}, each process logging to its own file.
 */
final class FlinkConfigFiles {

    private FlinkConfigFiles() {}

    /**
     * The configuration's entries in order: the generated ones, then the extra ones (which override).
     *
     * @param config the cluster's configuration
     * @param host the address every process binds
     * @param restPort the REST endpoint's port
     * @param rpcPort the job manager's RPC port
     * @param tmpDir the directory for {@code io.tmp.dirs}
     * @param maxContentLength the largest REST message (a job jar with DJL)
     * @return the entries
     */
    static Map<String, String> entries(
            FlinkSessionCluster.Config config,
            String host,
            int restPort,
            int rpcPort,
            String tmpDir,
            int maxContentLength) {
        Map<String, String> yaml = new LinkedHashMap<>();
        yaml.put("jobmanager.rpc.address", host);
        yaml.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        yaml.put("jobmanager.bind-host", host);
        yaml.put("jobmanager.memory.process.size", config.jobManagerMemory());
        yaml.put("taskmanager.bind-host", host);
        yaml.put("taskmanager.host", host);
        yaml.put("taskmanager.numberOfTaskSlots", Integer.toString(config.slotsPerTaskManager()));
        yaml.put("taskmanager.memory.process.size", config.taskManagerMemory());
        yaml.put("taskmanager.memory.managed.fraction", "0.25");
        yaml.put("rest.address", host);
        yaml.put("rest.bind-address", host);
        yaml.put("rest.port", Integer.toString(restPort));
        yaml.put("rest.server.max-content-length", Integer.toString(maxContentLength));
        yaml.put("rest.client.max-content-length", Integer.toString(maxContentLength));
        yaml.put("io.tmp.dirs", tmpDir);
        yaml.put("blob.server.port", "0");
        yaml.put("parallelism.default", "1");
        yaml.put("heartbeat.timeout", "60000");
        if (!config.sharedLibraries().isEmpty()) {
            yaml.put(FlinkSessionCluster.PARENT_FIRST_PATTERNS, FlinkSessionCluster.SHARED_PACKAGES);
        }
        yaml.putAll(config.extraConfig());
        return yaml;
    }

    /**
     * The text of {@code config.yaml}: one {@code key: value} line per entry.
     *
     * @param entries the entries
     * @return the text
     */
    static String yaml(Map<String, String> entries) {
        StringBuilder text = new StringBuilder("# written by FlinkSessionCluster\n");
        entries.forEach((k, v) -> text.append(k).append(": ").append(quote(v)).append('\n'));
        return text.toString();
    }

    /**
     * A YAML scalar: plain if it is safe so, else single-quoted with quotes doubled.
     *
     * @param value the value
     * @return the scalar
     */
    static String quote(String value) {
        return value.matches("[A-Za-z0-9._:/-]*") ? value : "'" + value.replace("'", "''") + "'";
    }

    /**
     * The text of {@code log4j.properties}: INFO to the file named by {@code log.file}, Kafka at WARN.
     *
     * @return the text
     */
    static String log4jProperties() {
        return String.join(
                "\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = MainAppender",
                "appender.main.name = MainAppender",
                "appender.main.type = File",
                "appender.main.append = false",
                "appender.main.fileName = ${sys:log.file}",
                "appender.main.layout.type = PatternLayout",
                "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                "");
    }
}
