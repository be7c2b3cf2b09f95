package io.divastream.search.http;

import static io.divastream.search.http.SearchServerTest.get;
import static io.divastream.search.http.SearchServerTest.json;
import static io.divastream.search.http.SearchServerTest.upload;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.divastream.artefacts.ModelExport;
import io.divastream.model.ModelSnapshot;
import io.divastream.search.testing.CapturedLog;
import io.divastream.search.testing.TestCatalogue;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Artefacts changed after the job wrote them, served in committed mode: each is refused (the parameters
 * against the committed record's parameterSha256, the manifest against its manifestSha256), logged once
 * however often it is asked for, uploads answer 503 with a one-line message naming the version and the
 * problem but no path or exception, searches by id go on, and {@code /health} says DEGRADED.
 */
class TamperedArtefactsTest {

    @TempDir
    Path models;

    /** A change to an artefact directory. */
    interface Tampering {
        void apply(Path artefact) throws IOException;
    }

    private static void editManifest(Path artefact, String field, Object value) throws IOException {
        Path file = artefact.resolve(ModelExport.MANIFEST);
        JsonObject manifest = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        JsonObject owner = field.equals("invert") ? manifest.getAsJsonObject("preprocessing") : manifest;
        owner.add(field, new Gson().toJsonTree(value));
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(manifest) + "\n");
    }

    static Stream<Arguments> tamperings() {
        return Stream.of(
                Arguments.of(
                        "a bit flipped in parameters.bin",
                        (Tampering) a -> {
                            Path file = a.resolve(ModelExport.PARAMETERS);
                            byte[] bytes = Files.readAllBytes(file);
                            bytes[bytes.length / 2] ^= 0x10;
                            Files.write(file, bytes);
                        },
                        ModelExport.PARAMETERS),
                Arguments.of(
                        "manifest.json cut short",
                        (Tampering) a -> {
                            Path file = a.resolve(ModelExport.MANIFEST);
                            byte[] bytes = Files.readAllBytes(file);
                            Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
                        },
                        ModelExport.MANIFEST),
                Arguments.of(
                        "headWeights edited to [1,0,0,0]",
                        (Tampering) a -> editManifest(a, "headWeights", List.of(1, 0, 0, 0)),
                        ModelExport.MANIFEST),
                Arguments.of("invert edited", (Tampering) a -> editManifest(a, "invert", false), ModelExport.MANIFEST));
    }

    private static String manifestSha(Path artefact) throws IOException {
        return ModelSnapshot.sha256(Files.readAllBytes(artefact.resolve(ModelExport.MANIFEST)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tamperings")
    void aTamperedArtefactIsRefusedLoggedOnceAndAnswered503(String name, Tampering tampering, String file)
            throws Exception {
        TestCatalogue catalogue = TestCatalogue.create(models, 5);
        Path artefact = catalogue.artefact(models);
        String committedManifest = manifestSha(artefact);
        tampering.apply(artefact);

        try (CapturedLog log = CapturedLog.of(ModelDirectory.class);
                ModelDirectory directory = ModelDirectory.committed(models, Duration.ZERO);
                SearchServer server = new SearchServer(
                                catalogue.index(), directory, SearchServer.Limits.DEFAULT, Map::of)
                        .start("127.0.0.1", 0)) {
            directory.commit(
                    5, new ModelDirectory.Commit(catalogue.snapshot().sha256(), committedManifest, Instant.now()));
            for (int i = 0; i < 3; i++) {
                assertThat(directory.preloadNewest()).isFalse();
                HttpResponse<String> r =
                        upload(server, "q.png", "image/png", catalogue.pngs()[1]);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                String error = json(r).get("error").getAsString();
                assertThat(error)
                        .contains("model version 5")
                        .contains(artefact.getFileName().toString())
                        .contains("refused")
                        .contains(file);
                assertThat(r.body()).doesNotContain(models.toString(), "Exception", "java.", "\\n", "\\tat ");
            }
            assertThat(get(server, "/search?imageId=img-1").statusCode()).isEqualTo(200);

            HttpResponse<String> health = get(server, "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            JsonObject h = json(health);
            assertThat(h.get("status").getAsString()).isEqualTo("DEGRADED");
            JsonArray problems = h.getAsJsonArray("problems");
            assertThat(problems)
                    .singleElement()
                    .satisfies(p -> assertThat(p.getAsString())
                            .startsWith("uploads refused: artefact " + artefact.getFileName())
                            .contains(file));
            assertThat(health.body()).doesNotContain(models.toString());

            assertThat(log.messages(Level.WARN))
                    .singleElement()
                    .asString()
                    .contains("refusing the artefact")
                    .contains(artefact.toString());
            assertThat(directory.loadedVersions()).isEmpty();
        }
    }

    @Test
    void theUntouchedArtefactLoadsWithBothDigests() throws Exception {
        TestCatalogue catalogue = TestCatalogue.create(models, 5);
        Path artefact = catalogue.artefact(models);
        try (CapturedLog log = CapturedLog.of(ModelDirectory.class);
                ModelDirectory directory = ModelDirectory.committed(models, Duration.ZERO);
                SearchServer server = new SearchServer(
                                catalogue.index(), directory, SearchServer.Limits.DEFAULT, Map::of)
                        .start("127.0.0.1", 0)) {
            directory.commit(
                    5, new ModelDirectory.Commit(catalogue.snapshot().sha256(), manifestSha(artefact), Instant.now()));
            assertThat(directory.preloadNewest()).isTrue();
            HttpResponse<String> r =
                    upload(server, "q.png", "image/png", catalogue.pngs()[1]);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(json(get(server, "/health")).get("status").getAsString()).isEqualTo("UP");
            assertThat(log.messages(Level.WARN)).isEmpty();
        }
    }

    @Test
    void aRecordWithoutAManifestDigestChecksTheParametersOnlyAndSaysSoOnce() throws Exception {
        TestCatalogue catalogue = TestCatalogue.create(models, 5);
        Path artefact = catalogue.artefact(models);
        editManifest(artefact, "headWeights", List.of(1, 0, 0, 0));
        try (CapturedLog log = CapturedLog.of(ModelDirectory.class);
                ModelDirectory directory = ModelDirectory.committed(models, Duration.ZERO);
                SearchServer server = new SearchServer(
                                catalogue.index(), directory, SearchServer.Limits.DEFAULT, Map::of)
                        .start("127.0.0.1", 0)) {
            ModelDirectory.Commit legacy =
                    new ModelDirectory.Commit(catalogue.snapshot().sha256(), null, null);
            directory.commit(5, legacy);
            directory.commit(5, legacy);
            assertThat(upload(server, "q.png", "image/png", catalogue.pngs()[1]).statusCode())
                    .isEqualTo(200);
            assertThat(directory.forVersion(5).orElseThrow().manifest().headWeights())
                    .containsExactly(1, 0, 0, 0);
            assertThat(log.messages(Level.WARN))
                    .singleElement()
                    .asString()
                    .contains("no manifestSha256")
                    .contains("model version 5");
        }
    }

    @Test
    void aRefusedArtefactReplacedByTheRightOneIsLoaded() throws Exception {
        TestCatalogue catalogue = TestCatalogue.create(models, 5);
        Path artefact = catalogue.artefact(models);
        String committedManifest = manifestSha(artefact);
        byte[] good = Files.readAllBytes(artefact.resolve(ModelExport.MANIFEST));
        editManifest(artefact, "invert", false);
        try (ModelDirectory directory = ModelDirectory.committed(models, Duration.ZERO)) {
            directory.commit(5, new ModelDirectory.Commit(catalogue.snapshot().sha256(), committedManifest, null));
            assertThat(directory.lookup(5).missing()).isEqualTo(ModelDirectory.Missing.REFUSED);
            Files.write(artefact.resolve(ModelExport.MANIFEST), good);
            Files.setLastModifiedTime(
                    artefact.resolve(ModelExport.MANIFEST),
                    FileTime.from(Instant.now().plusSeconds(5)));
            assertThat(directory.lookup(5).model()).isNotNull();
            assertThat(new String(good, StandardCharsets.UTF_8)).contains("\"invert\": true");
        }
    }
}
