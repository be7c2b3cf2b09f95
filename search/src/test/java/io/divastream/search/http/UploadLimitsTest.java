package io.divastream.search.http;

import static io.divastream.search.http.SearchServerTest.get;
import static io.divastream.search.http.SearchServerTest.json;
import static io.divastream.search.http.SearchServerTest.upload;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.divastream.artefacts.TestModels;
import io.divastream.images.HostileImages;
import io.divastream.images.ImageLimits;
import io.divastream.search.testing.CapturedLog;
import io.divastream.search.testing.TestCatalogue;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile uploads against real servers: decompression bombs are refused from their headers with 400 and a
 * one-line JSON error naming the declared size, without their pixels being allocated, also a dozen at once;
 * the server's own image limits apply; beyond the embedding permits an upload gets 503 with Retry-After.
 */
class UploadLimitsTest {

    /** An 8192 x 8192 16-bit RGBA PNG of zeros: about 520 KB, 512 MiB decoded. */
    static final byte[] BOMB = HostileImages.zeroPng(8192, 8192, 16, HostileImages.RGBA);

    @TempDir
    static Path models;

    static TestCatalogue catalogue;
    static ModelDirectory directory;
    static SearchServer server;

    @BeforeAll
    static void start() {
        catalogue = TestCatalogue.create(models, 5);
        directory = new ModelDirectory(models);
        server = new SearchServer(catalogue.index(), directory, SearchServer.Limits.DEFAULT, Map::of)
                .start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        server.close();
        directory.close();
    }

    static Stream<Arguments> bombs() {
        return Stream.of(
                Arguments.of("bomb.png", BOMB, "8192x8192"),
                Arguments.of("cut-bomb.png", HostileImages.cut(BOMB, 1096), "8192x8192"),
                Arguments.of("wide.png", HostileImages.declaringPng(60_000, 60_000), "60000x60000"),
                Arguments.of("huge.jpg", HostileImages.declaringJpeg(65_000, 65_000), "65000x65000"));
    }

    /** Heap bytes allocated by all live threads so far (the server's threads decode the uploads). */
    private static long allocatedByAllThreads() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            sum += Math.max(0, bytes);
        }
        return sum;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bombs")
    void aBombIsRefusedWith400NamingItsDeclaredSizeWithoutAllocatingIt(String name, byte[] bomb, String declared)
            throws Exception {
        upload(server, "warm-up.png", "image/png", catalogue.pngs()[0]);
        long before = allocatedByAllThreads();
        HttpResponse<String> r = upload(server, name, "image/png", bomb);
        long allocated = allocatedByAllThreads() - before;

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        String error = json(r).get("error").getAsString();
        assertThat(error)
                .contains(name)
                .contains("declares " + declared)
                .contains("the limit is")
                .doesNotContain("\n");
        // 512 MiB and more if the pixels were allocated; the upload itself and its parsing take a few MiB
        assertThat(allocated).isLessThan(64L << 20);
    }

    @Test
    void aDozenConcurrentBombsAreAllAnsweredWithJsonErrorsAndTheServiceStillAnswers() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            pending.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return upload(server, "bomb.png", "image/png", BOMB);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<HttpResponse<String>> p : pending) {
            HttpResponse<String> r = p.get();
            assertThat(r.statusCode()).as(r.body()).isIn(400, 503);
            assertThat(json(r).get("error").getAsString()).isNotBlank();
        }
        HttpResponse<String> normal =
                upload(server, "query.png", "image/png", catalogue.pngs()[4]);
        assertThat(normal.statusCode()).as(normal.body()).isEqualTo(200);
        assertThat(json(normal)
                        .getAsJsonArray("neighbours")
                        .get(0)
                        .getAsJsonObject()
                        .get("imageId")
                        .getAsString())
                .isEqualTo("img-4");
        JsonObject health = json(get(server, "/health"));
        assertThat(health.get("status").getAsString()).isEqualTo("UP");
        assertThat(health.getAsJsonObject("refusedUploads").get("image-invalid").getAsLong())
                .isGreaterThan(0);
    }

    @Test
    void theServersOwnImageLimitsApply() throws Exception {
        byte[] png56 = TestModels.png(TestModels.glyph(1, new SplittableRandom(2)), 56);
        assertThat(upload(server, "q.png", "image/png", png56).statusCode()).isEqualTo(200);

        SearchServer.Limits strict = new SearchServer.Limits(
                5 << 20, 10, 100, new ImageLimits(2_000, 40 * 40, 40 * 40 * 8), 2, Duration.ofSeconds(1));
        try (SearchServer small =
                new SearchServer(catalogue.index(), directory, strict, Map::of).start("127.0.0.1", 0)) {
            HttpResponse<String> r = upload(small, "q.png", "image/png", png56);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(json(r).get("error").getAsString()).contains("56x56").contains("the limit is 1600");

            HttpResponse<String> big = upload(small, "big.png", "image/png", BOMB);
            assertThat(big.statusCode()).isEqualTo(413);
            assertThat(json(big).get("error").getAsString()).contains("the limit is 2000 bytes");
        }
    }

    @Test
    void beyondTheEmbeddingPermitsAnUploadGets503WithRetryAfter() throws Exception {
        SearchServer.Limits one =
                new SearchServer.Limits(5 << 20, 10, 100, ImageLimits.DEFAULT, 1, Duration.ofMillis(50));
        try (CapturedLog log = CapturedLog.of(SearchServer.class);
                SearchServer busy =
                        new SearchServer(catalogue.index(), directory, one, Map::of).start("127.0.0.1", 0)) {
            busy.embeddingPermits().acquire(); // an embedding in progress
            try {
                for (int i = 0; i < 2; i++) {
                    HttpResponse<String> r =
                            upload(busy, "q.png", "image/png", catalogue.pngs()[1]);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                    assertThat(json(r).get("error").getAsString())
                            .contains("busy")
                            .contains("try again");
                }
                // searches by id need no permit
                assertThat(get(busy, "/search?imageId=img-1").statusCode()).isEqualTo(200);
            } finally {
                busy.embeddingPermits().release();
            }
            HttpResponse<String> r =
                    upload(busy, "q.png", "image/png", catalogue.pngs()[1]);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(busy.embeddingPermits().availablePermits()).isEqualTo(1);
            assertThat(json(get(busy, "/health"))
                            .getAsJsonObject("refusedUploads")
                            .get("busy")
                            .getAsLong())
                    .isEqualTo(2);
            assertThat(log.messages(Level.WARN)).singleElement().asString().contains("busy");
        }
    }

    @Test
    void anUploadRefusedForItsSizeIsLoggedOncePerCause() throws Exception {
        try (CapturedLog log = CapturedLog.of(SearchServer.class);
                SearchServer fresh = new SearchServer(
                                catalogue.index(), directory, SearchServer.Limits.DEFAULT, Map::of)
                        .start("127.0.0.1", 0)) {
            for (int i = 0; i < 3; i++) {
                assertThat(upload(fresh, "bomb.png", "image/png", BOMB).statusCode())
                        .isEqualTo(400);
            }
            assertThat(log.messages(Level.WARN)).singleElement().asString().contains("8192x8192");
            assertThat(json(get(fresh, "/health"))
                            .getAsJsonObject("refusedUploads")
                            .get("image-invalid")
                            .getAsLong())
                    .isEqualTo(3);
        }
    }
}
