package io.divastream.jobs.pipeline;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.util.Properties;
import org.apache.flink.metrics.prometheus.AbstractPrometheusReporter;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Flink's Prometheus reporter served on one address: Flink's own {@code PrometheusReporter} binds every
 * interface and has no option for the address, so the local demo uses this one, which binds the demo's
 * address (127.0.0.1 by default). The metrics and their names are Flink's ({@link
 * AbstractPrometheusReporter}); only the HTTP server differs.
 */
public final class BoundPrometheusReporter extends AbstractPrometheusReporter {

    private final HTTPServer server;

    private BoundPrometheusReporter(String host, int port) {
        try {
            server = new HTTPServer(new InetSocketAddress(host, port), registry(this), true);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot serve Prometheus metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        log.info("Prometheus metrics served on http://{}:{}/", host, server.getPort());
    }

    /** The reporter's registry, which Flink keeps package-private. */
    private static CollectorRegistry registry(AbstractPrometheusReporter reporter) {
        try {
            Field field = AbstractPrometheusReporter.class.getDeclaredField("registry");
            field.setAccessible(true);
            return (CollectorRegistry) field.get(reporter);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("this Flink's AbstractPrometheusReporter has no registry field: " + e, e);
        }
    }

    /**
     * The port served on.
     *
     * @return the port
     */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        super.close();
        server.stop();
    }

    /**
     * Creates the reporter from {@code metrics.reporter.<name>.host} and {@code .port} (found by
     * Flink through {@code META-INF/services}).
     */
    public static final class Factory implements MetricReporterFactory {

        /** The reporter argument naming the address. */
        public static final String HOST = "host";
        /** The reporter argument naming the port. */
        public static final String PORT = "port";

        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new BoundPrometheusReporter(
                    properties.getProperty(HOST, "127.0.0.1"), Integer.parseInt(properties.getProperty(PORT, "9249")));
        }
    }
}
