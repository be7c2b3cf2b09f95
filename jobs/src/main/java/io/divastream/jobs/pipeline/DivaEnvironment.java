package io.divastream.jobs.pipeline;

import io.divastream.jobs.config.JobConfig;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
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

    /** Factory of Flink's Prometheus reporter (flink-metrics-prometheus), which serves {@code /metrics}. */
    public static final String PROMETHEUS_FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

    /** Prometheus's customary port for Flink. */
    public static final int DEFAULT_PROMETHEUS_PORT = 9249;

    /** {@code metrics.reporter.prom.factory.class}. */
    public static final ConfigOption<String> PROMETHEUS_FACTORY_OPTION =
            ConfigOptions.key("metrics.reporter." + PROMETHEUS_REPORTER + ".factory.class").stringType().noDefaultValue();

    /** {@code metrics.reporter.prom.port}: a port or a range such as {@code 9249-9259}. */
    public static final ConfigOption<String> PROMETHEUS_PORT_OPTION =
            ConfigOptions.key("metrics.reporter." + PROMETHEUS_REPORTER + ".port").stringType().noDefaultValue();

    private DivaEnvironment() {}

    /**
     * Builds the Flink configuration.
     *
     * @param runtime the runtime settings
     * @return the configuration
     */
    public static Configuration configuration(JobConfig.RuntimeConfig runtime) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, RESTART_INITIAL_BACKOFF);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, RESTART_MAX_BACKOFF);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD, Duration.ofMinutes(10));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, Integer.MAX_VALUE);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(runtime.checkpointIntervalMs()));
        JobConfig.CheckpointPolicy policy = runtime.checkpointing();
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
     * Adds Flink's Prometheus reporter to a cluster configuration: every metric of the job manager
     * and the task managers, the job's included, is served in Prometheus's text format on {@code
     * http://host:port/}. It takes effect where a cluster starts from this configuration (the local
     * runner's MiniCluster); a standalone cluster reads the same two keys from its {@code
     * config.yaml} (docs/monitoring.md).
     *
     * @param conf the configuration, changed in place
     * @param port the port to serve on; 0 adds no reporter
     * @return the same configuration
     * @throws IllegalArgumentException if the port is outside 0 to 65535
     */
    public static Configuration withPrometheusReporter(Configuration conf, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("the Prometheus port must be between 0 (off) and 65535, got " + port);
        }
        if (port != 0) {
            conf.set(PROMETHEUS_FACTORY_OPTION, PROMETHEUS_FACTORY);
            conf.set(PROMETHEUS_PORT_OPTION, Integer.toString(port));
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
    public static StreamExecutionEnvironment configure(
            StreamExecutionEnvironment env, JobConfig.RuntimeConfig runtime) {
        env.configure(configuration(runtime), DivaEnvironment.class.getClassLoader());
        env.setParallelism(runtime.parallelism());
        return env;
    }
}
