package io.divastream.jobs.pipeline;

import io.divastream.jobs.config.RuntimeConfig;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Flink settings every run of the job uses: exactly-once checkpoints (by default unaligned
 * from the start, because the batch replay keeps the trainer's input back-pressured), keyed
 * state in RocksDB with incremental checkpoints, checkpoints kept on cancellation so a job can be
 * resumed, no silent Kryo fallback for types, and an unbounded restart strategy with exponential
 * back-off (a lost task manager or an unreachable broker makes the job restart from its last
 * checkpoint until it runs again, at most a minute apart).
 */
public final class DivaEnvironment {

    /** First delay before a restart after a failure. */
    public static final Duration RESTART_INITIAL_BACKOFF = Duration.ofSeconds(1);

    /** Longest delay between restarts (the delay doubles from the first). */
    public static final Duration RESTART_MAX_BACKOFF = Duration.ofMinutes(1);

    /** Name of the Prometheus reporter in the Flink configuration ({@code metrics.reporter.prom.*}). */
    public static final String PROMETHEUS_REPORTER = "prom";

    /** Prometheus's customary port for Flink. */
    public static final int DEFAULT_PROMETHEUS_PORT = 9249;

    /** {@code metrics.reporter.prom.factory.class}. */
    public static final ConfigOption<String> PROMETHEUS_FACTORY_OPTION = ConfigOptions.key(
                    "metrics.reporter." + PROMETHEUS_REPORTER + ".factory.class")
            .stringType()
            .noDefaultValue();

    /** {@code metrics.reporter.prom.host}: the address of {@link BoundPrometheusReporter}. */
    public static final ConfigOption<String> PROMETHEUS_HOST_OPTION = ConfigOptions.key(
                    "metrics.reporter." + PROMETHEUS_REPORTER + "." + BoundPrometheusReporter.Factory.HOST)
            .stringType()
            .noDefaultValue();

    /** {@code metrics.reporter.prom.port}. */
    public static final ConfigOption<String> PROMETHEUS_PORT_OPTION = ConfigOptions.key(
                    "metrics.reporter." + PROMETHEUS_REPORTER + ".port")
            .stringType()
            .noDefaultValue();

    private DivaEnvironment() {}

    /**
     * Builds the Flink configuration.
     *
     * @param runtime the runtime settings
     * @return the configuration
     */
    public static Configuration configuration(RuntimeConfig runtime) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, RESTART_INITIAL_BACKOFF);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, RESTART_MAX_BACKOFF);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                Duration.ofMinutes(10));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, Integer.MAX_VALUE);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(runtime.checkpointIntervalMs()));
        RuntimeConfig.CheckpointPolicy policy = runtime.checkpointing();
        conf.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                policy.exactlyOnce() ? CheckpointingMode.EXACTLY_ONCE : CheckpointingMode.AT_LEAST_ONCE);
        conf.set(CheckpointingOptions.ENABLE_UNALIGNED, policy.unaligned());
        conf.set(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT, Duration.ofMillis(policy.alignedTimeoutMs()));
        conf.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, Duration.ofMillis(policy.timeoutMs()));
        conf.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, Duration.ofMillis(policy.minPauseMs()));
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (runtime.rocksDb()) {
            conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        } else {
            conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        }
        if (!runtime.checkpointDirectory().isEmpty()) {
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, runtime.checkpointDirectory());
        }
        return conf;
    }

    /**
     * Makes a configuration that starts a local cluster (the local runner's MiniCluster) listen on one
     * address only: the job manager's RPC and blob server, the task manager's RPC and data ports and
     * the REST endpoint (without these keys, Flink binds the blob server and the REST endpoint to every
     * interface); and, with a port, adds the Prometheus reporter on that address ({@link
     * BoundPrometheusReporter}: every metric of the cluster, the job's included, in Prometheus's text
     * format on {@code http://address:port/}). A standalone cluster reads its own {@code config.yaml}
     * instead (docs/monitoring.md).
     *
     * @param conf the configuration, changed in place
     * @param address the address to bind, e.g. 127.0.0.1
     * @param prometheusPort the reporter's port; 0 adds no reporter
     * @return the same configuration
     * @throws IllegalArgumentException if the port is outside 0 to 65535 or the address is blank
     */
    public static Configuration localCluster(Configuration conf, String address, int prometheusPort) {
        if (prometheusPort < 0 || prometheusPort > 65_535) {
            throw new IllegalArgumentException(
                    "the Prometheus port must be between 0 (off) and 65535, got " + prometheusPort);
        }
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("the bind address must not be blank");
        }
        conf.set(JobManagerOptions.BIND_HOST, address);
        conf.set(JobManagerOptions.ADDRESS, address);
        conf.set(TaskManagerOptions.BIND_HOST, address);
        conf.set(TaskManagerOptions.HOST, address);
        conf.set(RestOptions.BIND_ADDRESS, address);
        conf.set(RestOptions.ADDRESS, address);
        if (prometheusPort != 0) {
            conf.set(PROMETHEUS_FACTORY_OPTION, BoundPrometheusReporter.Factory.class.getName());
            conf.set(PROMETHEUS_HOST_OPTION, address);
            conf.set(PROMETHEUS_PORT_OPTION, Integer.toString(prometheusPort));
        }
        return conf;
    }

    /**
     * Applies the settings to an environment.
     *
     * @param env the environment
     * @param runtime the runtime settings
     * @return the same environment
     */
    public static StreamExecutionEnvironment configure(StreamExecutionEnvironment env, RuntimeConfig runtime) {
        env.configure(configuration(runtime), DivaEnvironment.class.getClassLoader());
        env.setParallelism(runtime.parallelism());
        return env;
    }
}
