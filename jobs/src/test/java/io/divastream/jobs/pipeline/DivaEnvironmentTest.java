package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.Option;
import io.divastream.jobs.local.DemoOptions;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.junit.jupiter.api.Test;

class DivaEnvironmentTest {

    @Test
    void failuresRestartTheJobWithoutLimitAndWithABoundedBackOff() {
        Configuration conf = DivaEnvironment.configuration(new JobConfig.RuntimeConfig(1, 10_000, "", true));
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS)).isEqualTo(Integer.MAX_VALUE);
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF))
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF))
                .isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void thePrometheusReporterIsConfiguredOnTheGivenPortAndOffAtZero() throws Exception {
        Configuration conf = DivaEnvironment.withPrometheusReporter(new Configuration(), 9311);
        assertThat(conf.toMap())
                .containsEntry("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                .containsEntry("metrics.reporter.prom.port", "9311");
        // the factory is on the runtime class path and is a reporter factory
        Class<?> factory = Class.forName(conf.get(DivaEnvironment.PROMETHEUS_FACTORY_OPTION));
        assertThat(MetricReporterFactory.class.isAssignableFrom(factory)).isTrue();

        Configuration off = DivaEnvironment.withPrometheusReporter(new Configuration(), 0);
        assertThat(off.toMap()).doesNotContainKeys("metrics.reporter.prom.factory.class", "metrics.reporter.prom.port");
        assertThatThrownBy(() -> DivaEnvironment.withPrometheusReporter(new Configuration(), 70_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("70000");
    }

    @Test
    void theLocalRunnerServesPrometheusOnItsCustomaryPortByDefault() {
        Option port =
                DemoOptions.all().stream().filter(o -> o.key().equals("metrics.prometheus-port")).findFirst().orElseThrow();
        assertThat(port.defaultValue()).isEqualTo(Integer.toString(DivaEnvironment.DEFAULT_PROMETHEUS_PORT));
    }
}
