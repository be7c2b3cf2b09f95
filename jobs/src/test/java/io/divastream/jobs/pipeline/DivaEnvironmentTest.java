package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.jobs.config.RuntimeConfig;
import io.divastream.jobs.testing.ListeningSockets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class DivaEnvironmentTest {

    @Test
    void failuresRestartTheJobWithoutLimitAndWithABoundedBackOff() {
        Configuration conf = DivaEnvironment.configuration(new RuntimeConfig(1, 10_000, "", true));
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS))
                .isEqualTo(Integer.MAX_VALUE);
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF))
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF))
                .isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aLocalClusterBindsOneAddressAndServesPrometheusThereOrNotAtZero() throws Exception {
        Configuration conf = DivaEnvironment.localCluster(new Configuration(), "127.0.0.1", 9311);
        assertThat(conf.toMap())
                .containsEntry("jobmanager.bind-host", "127.0.0.1")
                .containsEntry("taskmanager.bind-host", "127.0.0.1")
                .containsEntry("rest.bind-address", "127.0.0.1")
                .containsEntry("metrics.reporter.prom.factory.class", BoundPrometheusReporter.Factory.class.getName())
                .containsEntry("metrics.reporter.prom.host", "127.0.0.1")
                .containsEntry("metrics.reporter.prom.port", "9311");
        // Flink finds the factory through META-INF/services
        assertThat(java.util.ServiceLoader.load(MetricReporterFactory.class).stream()
                        .map(p -> p.type().getName()))
                .contains(BoundPrometheusReporter.Factory.class.getName());

        Configuration off = DivaEnvironment.localCluster(new Configuration(), "127.0.0.1", 0);
        assertThat(off.toMap()).doesNotContainKeys("metrics.reporter.prom.factory.class", "metrics.reporter.prom.port");
        assertThatThrownBy(() -> DivaEnvironment.localCluster(new Configuration(), "127.0.0.1", 70_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("70000");
    }

    /**
     * Issue 13, defect 8: the local runner's Flink listened on every interface with two ports (the blob
     * server and the REST endpoint). With {@link DivaEnvironment#localCluster} every socket this JVM listens
     * on is a loopback one, the Prometheus reporter's included, which answers there; without it, Flink's
     * defaults expose ports (the control that this test can fail).
     */
    @Test
    void aLocalClusterListensOnLoopbackOnly() throws Exception {
        Assumptions.assumeTrue(ListeningSockets.available(), "needs Linux's /proc");
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        List<ListeningSockets.Listener> bound =
                listenersWhileRunning(DivaEnvironment.localCluster(new Configuration(), "127.0.0.1", port), port);
        assertThat(bound).isNotEmpty().allMatch(ListeningSockets.Listener::loopback, "loopback");
        assertThat(bound).extracting(ListeningSockets.Listener::port).contains(port);

        List<ListeningSockets.Listener> defaults = listenersWhileRunning(new Configuration(), 0);
        assertThat(defaults).anyMatch(l -> !l.loopback());
    }

    private static List<ListeningSockets.Listener> listenersWhileRunning(Configuration conf, int prometheusPort)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        env.fromSequence(0, Long.MAX_VALUE).map(x -> x).sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("listeners");
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (job.getJobStatus().get() != JobStatus.RUNNING && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            if (prometheusPort != 0) {
                HttpResponse<String> scrape = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + "/"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(scrape.statusCode()).isEqualTo(200);
                assertThat(scrape.body()).contains("flink_jobmanager_");
            }
            return ListeningSockets.ofThisProcess();
        } finally {
            job.cancel().get();
        }
    }
}
