package io.divastream.jobs.pipeline;

import io.divastream.jobs.config.JobConfig;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Flink settings every run of the job uses: exactly-once checkpoints (unaligned after a short
 * alignment timeout, because the batch replay keeps the trainer's input back-pressured), keyed
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
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        conf.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
        conf.set(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT, Duration.ofSeconds(1));
        conf.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, Duration.ofMillis(Math.min(1000, runtime.checkpointIntervalMs() / 2)));
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
