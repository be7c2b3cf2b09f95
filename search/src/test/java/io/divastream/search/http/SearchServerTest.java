package io.divastream.search.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.divastream.search.index.VersionedIndex;
import io.divastream.search.testing.CapturedLog;
import io.divastream.search.testing.TestCatalogue;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchServerTest {

    /** Images in the index: 3 classes x 4. */
    static final int IMAGES = TestCatalogue.IMAGES;

    static final long LIMIT = 40_000;

    @TempDir
    static Path models;

    static byte[][] pngs;
    static SearchServer server;
    static SearchServer emptyServer;
    static ModelDirectory directory;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        TestCatalogue catalogue = TestCatalogue.create(models, 5);
        pngs = catalogue.pngs();
        directory = new ModelDirectory(models);
        SearchServer.Limits limits = new SearchServer.Limits(LIMIT, 5, 50);
        server = new SearchServer(catalogue.index(), directory, limits, () -> Map.of("records", 12))
                .start("127.0.0.1", 0);
        emptyServer = new SearchServer(VersionedIndex.exact(), new ModelDirectory(models), limits, Map::of)
                .start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        server.close();
        emptyServer.close();
        directory.close();
    }

    static URI uri(SearchServer s, String path) {
        return URI.create("http://127.0.0.1:" + s.port() + path);
    }

    static HttpResponse<String> get(SearchServer s, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(s, path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> upload(SearchServer s, String filename, String type, byte[] content) throws Exception {
        String boundary = "----divastream" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + filename
                        + "\"\r\nContent-Type: " + type + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.write(content);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri(s, "/search?k=4"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject json(HttpResponse<String> response) {
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    @Test
    void healthReportsTheServedVersion() throws Exception {
        HttpResponse<String> r = get(server, "/health");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonObject h = json(r);
        assertThat(h.get("status").getAsString()).isEqualTo("UP");
        assertThat(h.get("servedVersion").getAsLong()).isEqualTo(5);
        assertThat(h.get("servedImages").getAsInt()).isEqualTo(IMAGES);
        assertThat(h.get("records").getAsInt()).isEqualTo(12);
        assertThat(h.getAsJsonArray("problems")).isEmpty();
        assertThat(h.has("modelsDirectory")).isFalse();
        assertThat(r.body())
                .doesNotContain(models.toString())
                .doesNotContain(models.toAbsolutePath().toString());
    }

    @Test
    void anUnexpectedErrorIsAnswered500WithAnIdAndLoggedOnceWithIt() throws Exception {
        VersionedIndex index = VersionedIndex.exact();
        try (CapturedLog log = CapturedLog.of(SearchServer.class);
                SearchServer failing = new SearchServer(index, directory, SearchServer.Limits.DEFAULT, () -> {
                            throw new IllegalStateException("cannot read " + models.resolve("secret.bin"));
                        })
                        .start("127.0.0.1", 0)) {
            HttpResponse<String> r = get(failing, "/health");
            assertThat(r.statusCode()).isEqualTo(500);
            JsonObject e = json(r);
            String id = e.get("errorId").getAsString();
            assertThat(id).matches("[0-9a-f]{16}");
            assertThat(e.get("error").getAsString()).contains(id);
            assertThat(r.body()).doesNotContain("IllegalStateException", "secret", models.toString(), "\tat ");
            assertThat(log.events()).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.ERROR);
                assertThat(event.getMessage().getFormattedMessage())
                        .contains(id)
                        .contains("/health");
                assertThat(event.getThrown()).isInstanceOf(IllegalStateException.class);
            });
        }
    }

    @Test
    void searchByImageIdReturnsTopKWithScoresLabelsAndVersion() throws Exception {
        HttpResponse<String> r = get(server, "/search?imageId=img-0&k=3");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonObject a = json(r);
        assertThat(a.get("modelVersion").getAsLong()).isEqualTo(5);
        JsonArray n = a.getAsJsonArray("neighbours");
        assertThat(n).hasSize(3);
        double previous = 2;
        for (var e : n) {
            JsonObject o = e.getAsJsonObject();
            assertThat(o.get("imageId").getAsString()).isNotEqualTo("img-0");
            assertThat(o.get("label").getAsString()).startsWith("class-");
            assertThat(o.get("score").getAsDouble()).isLessThanOrEqualTo(previous);
            previous = o.get("score").getAsDouble();
        }
        assertThat(get(server, "/search?imageId=img-0").statusCode()).isEqualTo(200);
        assertThat(json(get(server, "/search?imageId=img-0")).getAsJsonArray("neighbours"))
                .hasSize(5);

        HttpResponse<String> unknown = get(server, "/search?imageId=nope");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).get("error").getAsString()).contains("nope");
        assertThat(get(server, "/search?imageId=img-0&k=0").statusCode()).isEqualTo(400);
        assertThat(json(get(server, "/search?imageId=img-0&k=x")).get("error").getAsString())
                .contains("'x'");
        assertThat(get(server, "/search").statusCode()).isEqualTo(400);
    }

    @Test
    void aGoodImageFindsItselfFirst() throws Exception {
        HttpResponse<String> r = upload(server, "query.png", "image/png", pngs[4]);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonObject a = json(r);
        assertThat(a.get("modelVersion").getAsLong()).isEqualTo(5);
        JsonArray n = a.getAsJsonArray("neighbours");
        assertThat(n).hasSize(4);
        JsonObject first = n.get(0).getAsJsonObject();
        assertThat(first.get("imageId").getAsString()).isEqualTo("img-4");
        assertThat(first.get("score").getAsDouble()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(a.getAsJsonObject("query").get("upload").getAsString()).isEqualTo("query.png");
    }

    @Test
    void aNonImageIsRejectedWith415AndACorruptImageWith400() throws Exception {
        HttpResponse<String> text =
                upload(server, "notes.png", "image/png", "hello, not a picture".getBytes(StandardCharsets.UTF_8));
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(json(text).get("error").getAsString()).contains("notes.png").contains("neither PNG nor JPEG");

        byte[] corrupt = java.util.Arrays.copyOf(pngs[0], 40);
        HttpResponse<String> bad = upload(server, "cut.png", "image/png", corrupt);
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
        assertThat(json(bad).get("error").getAsString()).contains("cut.png");

        HttpResponse<String> raw = HTTP.send(
                HttpRequest.newBuilder(uri(server, "/search"))
                        .header("Content-Type", "image/png")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(pngs[0]))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(raw.statusCode()).isEqualTo(415);
        assertThat(json(raw).get("error").getAsString()).contains("multipart/form-data");
    }

    @Test
    void anOversizedUploadIsRejectedWith413() throws Exception {
        byte[] big = new byte[(int) LIMIT + 1];
        System.arraycopy(pngs[0], 0, big, 0, pngs[0].length);
        HttpResponse<String> r = upload(server, "big.png", "image/png", big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r).get("error").getAsString()).contains("limit is " + LIMIT);

        byte[] huge = new byte[(int) LIMIT * 4];
        HttpResponse<String> h = upload(server, "huge.png", "image/png", huge);
        assertThat(h.statusCode()).isEqualTo(413);
    }

    @Test
    void anEmptyIndexAnswers503() throws Exception {
        HttpResponse<String> health = get(emptyServer, "/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(json(health).get("status").getAsString()).isEqualTo("EMPTY");
        HttpResponse<String> byId = get(emptyServer, "/search?imageId=img-0");
        assertThat(byId.statusCode()).isEqualTo(503);
        assertThat(json(byId).get("error").getAsString()).contains("empty");
        HttpResponse<String> up = upload(emptyServer, "query.png", "image/png", pngs[0]);
        assertThat(up.statusCode()).isEqualTo(503);
    }

    @Test
    void thePageHasTheUploadForm() throws Exception {
        HttpResponse<String> r = get(server, "/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(r.body())
                .contains("<form id=\"upload\"", "type=\"file\"", "name=\"image\"")
                .doesNotContain("http://", "https://");
    }
}
