package io.divastream.search.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.search.index.SearchMode;
import io.divastream.search.index.VersionedIndex;
import io.divastream.search.testing.TestCatalogue;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics}: what a Prometheus server scrapes from the search service. */
class SearchMetricsTest {

    @TempDir
    Path models;

    @Test
    void queriesLatencyAndTheIndexAreScraped() throws Exception {
        TestCatalogue catalogue = TestCatalogue.create(models, 5);
        try (ModelDirectory directory = new ModelDirectory(models);
                SearchServer server = new SearchServer(
                                catalogue.index(), directory, new SearchServer.Limits(40_000, 5, 50), Map::of)
                        .start("127.0.0.1", 0)) {
            for (int i = 0; i < 3; i++) {
                assertThat(SearchServerTest.get(server, "/search?imageId=img-0&k=3")
                                .statusCode())
                        .isEqualTo(200);
            }
            assertThat(SearchServerTest.get(server, "/search?imageId=img-0&k=zero")
                            .statusCode())
                    .isEqualTo(400);
            assertThat(SearchServerTest.get(server, "/search?imageId=nobody").statusCode())
                    .isEqualTo(404);

            HttpResponse<String> scrape = SearchServerTest.get(server, "/metrics");

            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            String text = scrape.body();
            assertThat(value(text, "diva_search_queries_total{kind=\"id\",outcome=\"ok\"}"))
                    .isEqualTo(3);
            assertThat(value(text, "diva_search_queries_total{kind=\"id\",outcome=\"client_error\"}"))
                    .isEqualTo(2);
            assertThat(value(text, "diva_search_query_duration_seconds_count{kind=\"id\"}"))
                    .isEqualTo(5);
            assertThat(value(text, "diva_search_query_duration_seconds_bucket{kind=\"id\",le=\"+Inf\"}"))
                    .isEqualTo(5);
            assertThat(value(text, "diva_search_index_served_version")).isEqualTo(5);
            assertThat(value(text, "diva_search_index_served_images")).isEqualTo(TestCatalogue.IMAGES);
            assertThat(value(text, "diva_search_index_pending_version")).isEqualTo(-1);
            assertThat(value(text, "diva_search_reembedding_progress")).isEqualTo(1);
            assertThat(text).contains("jvm_memory_used_bytes");
        }
    }

    @Test
    void anEmptyIndexIsScrapedAsNoVersionAndItsHealthFails() throws Exception {
        try (ModelDirectory directory = new ModelDirectory(models);
                SearchServer server = new SearchServer(
                                VersionedIndex.exact(), directory, SearchServer.Limits.DEFAULT, Map::of)
                        .start("127.0.0.1", 0)) {
            assertThat(value(SearchServerTest.get(server, "/metrics").body(), "diva_search_index_served_version"))
                    .isEqualTo(-1);
            assertThat(SearchServerTest.get(server, "/health").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void reembeddingProgressIsThePendingVersionsShareOfTheServedImages() {
        assertThat(SearchMetrics.progress(status(3, 200, 4, 50))).isEqualTo(0.25);
        assertThat(SearchMetrics.progress(status(3, 200, 4, 260))).isEqualTo(1);
        assertThat(SearchMetrics.progress(status(3, 200, -1, 0))).isEqualTo(1);
        assertThat(SearchMetrics.progress(status(-1, 0, 0, 7))).isEqualTo(0);
        assertThat(SearchMetrics.outcome(200)).isEqualTo("ok");
        assertThat(SearchMetrics.outcome(413)).isEqualTo("client_error");
        assertThat(SearchMetrics.outcome(429)).isEqualTo("busy");
        assertThat(SearchMetrics.outcome(500)).isEqualTo("server_error");
    }

    private static VersionedIndex.Status status(long served, int servedImages, long pending, int pendingImages) {
        return new VersionedIndex.Status(SearchMode.EXACT, served, servedImages, pending, pendingImages, 8, -1);
    }

    /** The value of one sample line, found by its name and labels as written. */
    private static double value(String text, String sample) {
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as("%s in%n%s", sample, text).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
