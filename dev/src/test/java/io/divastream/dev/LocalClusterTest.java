package io.divastream.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

/** The local runner's cluster tells a failing (restarting) job from a healthy one. */
class LocalClusterTest {

    private static Configuration restartingForEver() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, Integer.MAX_VALUE);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return conf;
    }

    @Test
    void aJobThatKeepsFailingReportsItsRootCauseWhileItRestarts() throws Exception {
        Configuration conf = restartingForEver();
        try (LocalCluster cluster = LocalCluster.start(conf, 1)) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.fromSequence(0, Long.MAX_VALUE)
                    .map(x -> {
                        if (x == 1_000) {
                            throw new IllegalStateException("poison at\\n1000", new java.io.IOException("disk full"));
                        }
                        return x;
                    })
                    .sinkTo(new DiscardingSink<>());
            cluster.submit(env, "failing");
            Optional<LocalCluster.Failure> failure = Optional.empty();
            for (int i = 0; i < 600 && failure.isEmpty(); i++) {
                Thread.sleep(100);
                failure = cluster.failure();
            }
            assertThat(failure).hasValueSatisfying(f -> {
                assertThat(f.rootCause()).isEqualTo("java.io.IOException: disk full");
                assertThat(f.timestamp()).isPositive();
            });
            assertThat(cluster.status().isGloballyTerminalState())
                    .as("it restarts")
                    .isFalse();
            cluster.cancel();
        }
    }

    @Test
    void aHealthyJobHasNoFailure() throws Exception {
        Configuration conf = restartingForEver();
        try (LocalCluster cluster = LocalCluster.start(conf, 1)) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.fromSequence(0, Long.MAX_VALUE).map(x -> x).sinkTo(new DiscardingSink<>());
            cluster.submit(env, "healthy");
            for (int i = 0; i < 600 && cluster.status() != JobStatus.RUNNING; i++) {
                Thread.sleep(100);
            }
            Thread.sleep(1_000);
            assertThat(cluster.status()).isEqualTo(JobStatus.RUNNING);
            assertThat(cluster.failure()).isEmpty();
            cluster.cancel();
        }
    }
}
