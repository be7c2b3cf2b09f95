package io.divastream.search.http;

import io.divastream.search.index.VersionedIndex;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * The search service's Prometheus metrics, in the registry of the Prometheus Java client: queries by kind and
 * outcome, their latency histogram, the index's served and pending versions and images, the re-embedding progress
 * of the pending version, and the JVM's metrics.
 */
public final class SearchMetrics {

    /** The latency histogram's upper bounds, in seconds: from a cached id lookup to an upload's embedding. */
    private static final double[] LATENCY_BOUNDS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter queries;
    private final Histogram latency;

    /**
     * Creates the metrics of an index.
     *
     * @param status the index's state, read at every scrape
     */
    public SearchMetrics(Supplier<VersionedIndex.Status> status) {
        queries = Counter.builder()
                .name("diva_search_queries_total")
                .help("search requests by kind (id, upload) and outcome (ok, client_error, busy, server_error)")
                .labelNames("kind", "outcome")
                .register(registry);
        latency = Histogram.builder()
                .name("diva_search_query_duration_seconds")
                .help("time to answer a search request, by kind")
                .labelNames("kind")
                .classicOnly()
                .classicUpperBounds(LATENCY_BOUNDS)
                .register(registry);
        gauge(
                "diva_search_index_served_version",
                "the model version the index serves (-1: none)",
                () -> status.get().servedVersion());
        gauge(
                "diva_search_index_served_images",
                "images searchable at the served version",
                () -> status.get().servedImages());
        gauge(
                "diva_search_index_pending_version",
                "the newer version being filled in (-1: none)",
                () -> status.get().pendingVersion());
        gauge(
                "diva_search_index_pending_images",
                "images re-embedded at the pending version",
                () -> status.get().pendingImages());
        gauge(
                "diva_search_index_promoted_version",
                "the newest promoted version (-1: none, or ungated)",
                () -> status.get().promotedVersion());
        gauge(
                "diva_search_reembedding_progress",
                "pending images over served images: the share of the catalogue re-embedded with the pending version"
                        + " (1 when none is pending)",
                () -> progress(status.get()));
        JvmMetrics.builder().register(registry);
    }

    private void gauge(String name, String help, Supplier<Number> value) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .callback(callback -> callback.call(value.get().doubleValue()))
                .register(registry);
    }

    /**
     * The share of the served catalogue that the pending version covers.
     *
     * @param s the index's state
     * @return in [0, 1]; 1 without a pending version
     */
    static double progress(VersionedIndex.Status s) {
        if (s.pendingVersion() < 0) {
            return 1;
        }
        return s.servedImages() == 0 ? 0 : Math.min(1, (double) s.pendingImages() / s.servedImages());
    }

    /**
     * Counts one request.
     *
     * @param kind {@code id} or {@code upload}
     * @param status the HTTP status of the answer
     * @param nanos how long it took
     */
    public void record(String kind, int status, long nanos) {
        queries.labelValues(kind, outcome(status)).inc();
        latency.labelValues(kind).observe(nanos / 1e9);
    }

    static String outcome(int status) {
        if (status < 400) {
            return "ok";
        }
        if (status == 429 || status == 503) {
            return "busy";
        }
        return status < 500 ? "client_error" : "server_error";
    }

    /**
     * The metrics in the Prometheus text format.
     *
     * @return the scrape's text
     */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * The scrape's content type.
     *
     * @return the Prometheus text format's type
     */
    public String contentType() {
        return writer.getContentType();
    }
}
