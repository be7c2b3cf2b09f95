package io.divastream.search.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.divastream.model.ModelSnapshot;
import io.divastream.search.export.ExportedModel;
import io.divastream.search.index.VersionedIndex;
import io.divastream.search.testing.TestModels;
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
        ModelSnapshot snapshot = TestModels.snapshot(6, 1);
        TestModels.export(tmp.resolve("models/m6"), snapshot);
        VersionedIndex index = VersionedIndex.exact();
        SplittableRandom random = new SplittableRandom(8);
        try (ExportedModel model = ExportedModel.load(tmp.resolve("models/m6"))) {
            for (int i = 0; i < 9; i++) {
                byte[] png = TestModels.png(TestModels.glyph(i % 3, random), 28);
                index.put(new VersionedIndex.Entry("glyph-" + i, "class-" + (i % 3), 6, model.embed(png).combined()));
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
        List<String> command = new ArrayList<>(List.of(chromium.get().toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile,
                "--virtual-time-budget=10000", "--dump-dom", url));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
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
        assertThat(dom).contains("model version 6, exact search, 4 neighbours")
                .contains("Serving model version 6: 9 images.");
        // the same neighbours as the JSON API
        var api = SearchServerTest.json(SearchServerTest.get(server, "/search?imageId=glyph-0&k=4"));
        for (int i = 0; i < 4; i++) {
            String id = api.getAsJsonArray("neighbours").get(i).getAsJsonObject().get("imageId").getAsString();
            assertThat(rows.get(i)).startsWith((i + 1) + "|" + id + "|");
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
