package io.divastream.search.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.divastream.artefacts.ExportedModel;
import io.divastream.artefacts.TestModels;
import io.divastream.model.ModelSnapshot;
import io.divastream.search.index.VersionedIndex;
import io.divastream.search.testing.TestCatalogue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search page in headless Chromium (Debian's {@code chromium} package): skipped when no Chromium
 * binary is on the PATH. The page's script fills the results table from the query string.
 */
class SearchPageChromiumTest {

    @TempDir
    static Path tmp;

    static SearchServer server;
    static SearchServer emptyServer;
    static ModelDirectory directory;
    static Optional<Path> chromium;

    static Optional<Path> findChromium() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    @BeforeAll
    static void start() throws IOException {
        chromium = findChromium();
        if (chromium.isEmpty()) {
            return;
        }
        ModelSnapshot snapshot = TestCatalogue.snapshot(6, 1);
        TestModels.export(tmp.resolve("models/m6"), snapshot);
        VersionedIndex index = VersionedIndex.exact();
        SplittableRandom random = new SplittableRandom(8);
        try (ExportedModel model = ExportedModel.load(tmp.resolve("models/m6"))) {
            for (int i = 0; i < 9; i++) {
                byte[] png = TestModels.png(TestModels.glyph(i % 3, random), 28);
                index.put(new VersionedIndex.Entry(
                        "glyph-" + i, "class-" + (i % 3), 6, model.embed(png).combined()));
            }
        }
        index.refresh();
        directory = new ModelDirectory(tmp.resolve("models"));
        server = new SearchServer(index, directory, SearchServer.Limits.DEFAULT, Map::of).start("127.0.0.1", 0);
        emptyServer = new SearchServer(VersionedIndex.exact(), directory, SearchServer.Limits.DEFAULT, Map::of)
                .start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
            emptyServer.close();
            directory.close();
        }
    }

    /** Loads a URL in headless Chromium, lets its scripts run, and returns the DOM. */
    static String dumpDom(String url) throws Exception {
        Path profile = Files.createTempDirectory(tmp, "profile");
        List<String> command = new ArrayList<>(List.of(
                chromium.get().toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=10000",
                "--dump-dom",
                url));
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("chromium finished")
                .isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }

    static List<String> cells(String dom, String rowClass) {
        List<String> rows = new ArrayList<>();
        Matcher m = Pattern.compile("<tr class=\"" + rowClass + "\">(.*?)</tr>").matcher(dom);
        while (m.find()) {
            rows.add(m.group(1).replaceAll("<td>", "").replaceAll("</td>", "|"));
        }
        return rows;
    }

    @Test
    void thePageShowsTheNeighboursOfAnImage() throws Exception {
        assumeTrue(chromium.isPresent(), "no chromium binary on the PATH");
        String dom = dumpDom("http://127.0.0.1:" + server.port() + "/?imageId=glyph-0&k=4");
        List<String> rows = cells(dom, "neighbour");
        assertThat(rows).hasSize(4);
        assertThat(rows.get(0)).startsWith("1|glyph-");
        assertThat(Stream.of(rows.get(0).split("\\|")).toList()).hasSize(4);
        assertThat(rows).noneMatch(r -> r.contains("|glyph-0|"));
        assertThat(dom)
                .contains("model version 6, exact search, 4 neighbours")
                .contains("Serving model version 6: 9 images.");
        // the same neighbours as the JSON API
        var api = SearchServerTest.json(SearchServerTest.get(server, "/search?imageId=glyph-0&k=4"));
        for (int i = 0; i < 4; i++) {
            String id = api.getAsJsonArray("neighbours")
                    .get(i)
                    .getAsJsonObject()
                    .get("imageId")
                    .getAsString();
            assertThat(rows.get(i)).startsWith((i + 1) + "|" + id + "|");
        }
    }

    /**
     * Drives the page through Chromium's DevTools protocol: puts a PNG into the file input, submits the
     * form, and waits for the results table.
     */
    @Test
    void uploadingAPhotoThroughThePageShowsItsNeighbours() throws Exception {
        assumeTrue(chromium.isPresent(), "no chromium binary on the PATH");
        byte[] png = TestModels.png(TestModels.glyph(1, new SplittableRandom(8)), 28);
        var api = SearchServerTest.json(SearchServerTest.upload(server, "q.png", "image/png", png));
        String expectedFirst = api.getAsJsonArray("neighbours")
                .get(0)
                .getAsJsonObject()
                .get("imageId")
                .getAsString();

        Path profile = Files.createTempDirectory(tmp, "profile");
        Process process = new ProcessBuilder(
                        chromium.get().toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--no-first-run",
                        "--user-data-dir=" + profile,
                        "--remote-debugging-port=0",
                        "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        // not closed by try-with-resources: closing would wait for the draining thread's read; the stream ends
        // when chromium is stopped below
        var err = new java.io.BufferedReader(
                new java.io.InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        try {
            String devtools = null;
            for (String line = err.readLine(); line != null && devtools == null; line = err.readLine()) {
                Matcher m =
                        Pattern.compile("DevTools listening on ws://([^/]+)/").matcher(line);
                if (m.find()) {
                    devtools = m.group(1);
                }
            }
            assertThat(devtools).as("chromium's DevTools address").isNotNull();
            // keep draining stderr so that chromium never blocks on it
            Thread drain = new Thread(() -> {
                try {
                    err.transferTo(java.io.Writer.nullWriter());
                } catch (IOException ignored) {
                    // chromium exited
                }
            });
            drain.setDaemon(true);
            drain.start();
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String targets = http.send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://" + devtools + "/json/list"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString())
                    .body();
            String pageSocket = null;
            for (var t : com.google.gson.JsonParser.parseString(targets).getAsJsonArray()) {
                if (t.getAsJsonObject().get("type").getAsString().equals("page")) {
                    pageSocket = t.getAsJsonObject().get("webSocketDebuggerUrl").getAsString();
                }
            }
            assertThat(pageSocket).isNotNull();
            try (Cdp cdp = new Cdp(http, pageSocket)) {
                cdp.call("Page.enable", new com.google.gson.JsonObject());
                var navigate = new com.google.gson.JsonObject();
                navigate.addProperty("url", "http://127.0.0.1:" + server.port() + "/");
                cdp.call("Page.navigate", navigate);
                String script = "(async () => {"
                        + "for (let i = 0; i < 100 && !document.getElementById('upload'); i++) await new Promise(r => setTimeout(r, 50));"
                        + "const bytes = Uint8Array.from(atob('"
                        + java.util.Base64.getEncoder().encodeToString(png) + "'), c => c.charCodeAt(0));"
                        + "const t = new DataTransfer(); t.items.add(new File([bytes], 'q.png', {type: 'image/png'}));"
                        + "document.getElementById('image').files = t.files;"
                        + "document.getElementById('k').value = '3';"
                        + "document.getElementById('upload').requestSubmit();"
                        + "for (let i = 0; i < 200 && !document.querySelector('tr.neighbour'); i++) await new Promise(r => setTimeout(r, 50));"
                        + "return Array.from(document.querySelectorAll('tr.neighbour')).map(r => r.innerText.replace(/\\t/g, '|')).join('\\n')"
                        + " + '\\n' + document.getElementById('summary').textContent + document.getElementById('error').textContent;"
                        + "})()";
                var evaluate = new com.google.gson.JsonObject();
                evaluate.addProperty("expression", script);
                evaluate.addProperty("awaitPromise", true);
                evaluate.addProperty("returnByValue", true);
                String text = cdp.call("Runtime.evaluate", evaluate)
                        .getAsJsonObject("result")
                        .get("value")
                        .getAsString();
                List<String> lines = List.of(text.split("\n"));
                assertThat(lines).hasSize(4);
                assertThat(lines.get(0)).startsWith("1|" + expectedFirst + "|");
                assertThat(lines.get(3)).startsWith("model version 6, exact search, 3 neighbours");
            }
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** A minimal DevTools protocol client: one request at a time over the page's WebSocket. */
    private static final class Cdp implements AutoCloseable, java.net.http.WebSocket.Listener {
        private final java.net.http.WebSocket socket;
        private final StringBuilder partial = new StringBuilder();
        private final java.util.concurrent.BlockingQueue<com.google.gson.JsonObject> messages =
                new java.util.concurrent.LinkedBlockingQueue<>();
        private int nextId = 1;

        Cdp(java.net.http.HttpClient http, String url) {
            socket = http.newWebSocketBuilder()
                    .buildAsync(java.net.URI.create(url), this)
                    .join();
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onText(
                java.net.http.WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(com.google.gson.JsonParser.parseString(partial.toString())
                        .getAsJsonObject());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        com.google.gson.JsonObject call(String method, com.google.gson.JsonObject params) throws Exception {
            int id = nextId++;
            var message = new com.google.gson.JsonObject();
            message.addProperty("id", id);
            message.addProperty("method", method);
            message.add("params", params);
            socket.sendText(message.toString(), true).join();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                com.google.gson.JsonObject m = messages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                assertThat(m).as("answer to " + method).isNotNull();
                if (m.has("id") && m.get("id").getAsInt() == id) {
                    assertThat(m.has("error")).as(m.toString()).isFalse();
                    return m.getAsJsonObject("result");
                }
            }
        }

        @Override
        public void close() {
            socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").join();
        }
    }

    @Test
    void thePageShowsErrors() throws Exception {
        assumeTrue(chromium.isPresent(), "no chromium binary on the PATH");
        String unknown = dumpDom("http://127.0.0.1:" + server.port() + "/?imageId=missing");
        assertThat(unknown).contains("404: image 'missing' has no embedding");
        assertThat(cells(unknown, "neighbour")).isEmpty();
        String empty = dumpDom("http://127.0.0.1:" + emptyServer.port() + "/?imageId=glyph-0");
        assertThat(empty).contains("503: the index is empty").contains("The index is empty.");
    }
}
