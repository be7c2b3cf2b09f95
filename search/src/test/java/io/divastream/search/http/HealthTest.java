package io.divastream.search.http;

import static io.divastream.search.http.SearchServerTest.get;
import static io.divastream.search.http.SearchServerTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.divastream.artefacts.ArtefactStore;
import io.divastream.artefacts.ModelExport;
import io.divastream.artefacts.TestModels;
import io.divastream.model.ModelSnapshot;
import io.divastream.search.index.VersionedIndex;
import io.divastream.search.testing.CapturedLog;
import io.divastream.search.testing.TestCatalogue;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health} tells the truth: UP (200) when the served version's uploads work and nothing is wrong;
 * DEGRADED (200, one line per problem) when uploads are refused for lack of a usable model while searches by
 * id go on, when the newest committed version's artefact is refused or missing past {@code --artefact-wait},
 * or when the newest committed version is older than {@code --stale-after}; EMPTY (503) with nothing served;
 * DOWN (503) when a follower failed.
 */
class HealthTest {

    @TempDir
    Path models;

    TestCatalogue catalogue;

    @BeforeEach
    void catalogue() {
        catalogue = TestCatalogue.create(models, 5);
    }

    private ModelDirectory.Commit commit(Instant createdAt) throws Exception {
        return new ModelDirectory.Commit(
                catalogue.snapshot().sha256(),
                ModelSnapshot.sha256(
                        Files.readAllBytes(catalogue.artefact(models).resolve(ModelExport.MANIFEST))),
                createdAt);
    }

    private SearchServer server(ModelDirectory directory, Supplier<Map<String, Object>> extra) {
        return new SearchServer(catalogue.index(), directory, SearchServer.Limits.DEFAULT, extra).start("127.0.0.1", 0);
    }

    private static List<String> problems(JsonObject health) {
        return health.getAsJsonArray("problems").asList().stream()
                .map(JsonElement::getAsString)
                .toList();
    }

    @Test
    void upWhenTheServedVersionsModelIsThere() throws Exception {
        try (ModelDirectory directory = ModelDirectory.committed(models, Duration.ZERO, Duration.ofHours(1));
                SearchServer server = server(directory, Map::of)) {
            directory.commit(5, commit(Instant.now()));
            HttpResponse<String> r = get(server, "/health");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(json(r).get("status").getAsString()).isEqualTo("UP");
            assertThat(problems(json(r))).isEmpty();
        }
    }

    @Test
    void degradedWhileTheServedVersionHasNoCommittedRecordButSearchesByIdWork() throws Exception {
        try (ModelDirectory directory = ModelDirectory.committed(models, Duration.ZERO);
                SearchServer server = server(directory, Map::of)) {
            HttpResponse<String> r = get(server, "/health");
            assertThat(r.statusCode()).isEqualTo(200);
            JsonObject h = json(r);
            assertThat(h.get("status").getAsString()).isEqualTo("DEGRADED");
            assertThat(problems(h))
                    .containsExactly(
                            "uploads refused: model version 5 has no committed record on the model-versions topic yet");
            assertThat(get(server, "/search?imageId=img-0").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void degradedWhenTheNewestCommittedVersionsArtefactIsMissingPastTheWaitOrRefused() throws Exception {
        ModelSnapshot v6 = TestCatalogue.snapshot(6);
        try (ModelDirectory directory = ModelDirectory.committed(models, Duration.ZERO);
                SearchServer server = server(directory, Map::of)) {
            directory.commit(5, commit(Instant.now()));
            directory.commit(6, new ModelDirectory.Commit(v6.sha256(), "ab".repeat(32), Instant.now()));
            assertThat(directory.preloadNewest()).isFalse();
            JsonObject h = json(get(server, "/health"));
            assertThat(h.get("status").getAsString()).isEqualTo("DEGRADED");
            assertThat(problems(h))
                    .singleElement()
                    .asString()
                    .startsWith("newest committed model version 6: no artefact " + ArtefactStore.name(6, v6.sha256()))
                    .endsWith("s after its record (--artefact-wait 0 s)");

            // it appears, but not with the committed manifest
            new ArtefactStore(models).write(TestModels.SPEC, TestModels.IMAGE_SPEC, TestModels.WEIGHTS, v6);
            assertThat(directory.preloadNewest()).isFalse();
            h = json(get(server, "/health"));
            assertThat(h.get("status").getAsString()).isEqualTo("DEGRADED");
            assertThat(problems(h))
                    .singleElement()
                    .asString()
                    .startsWith("newest committed model version 6: artefact " + ArtefactStore.name(6, v6.sha256())
                            + " of model version 6 refused: manifest.json")
                    .contains("expected " + "ab".repeat(32));
            // uploads at the served version 5 still work
            assertThat(SearchServerTest.upload(
                                    server, "q.png", "image/png", catalogue.pngs()[0])
                            .statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void degradedWhenTheNewestCommittedVersionIsOlderThanStaleAfterLoggedOnce() throws Exception {
        try (CapturedLog log = CapturedLog.of(ModelDirectory.class);
                ModelDirectory directory = ModelDirectory.committed(models, Duration.ZERO, Duration.ofHours(1));
                SearchServer server = server(directory, Map::of)) {
            directory.commit(5, commit(Instant.now().minus(Duration.ofHours(2))));
            for (int i = 0; i < 2; i++) {
                JsonObject h = json(get(server, "/health"));
                assertThat(h.get("status").getAsString()).isEqualTo("DEGRADED");
                assertThat(problems(h))
                        .singleElement()
                        .asString()
                        .startsWith("the newest committed model version 5 was published 72")
                        .contains("longer than --stale-after 3600 s");
            }
            assertThat(log.messages(Level.WARN)).singleElement().asString().contains("--stale-after");
        }
    }

    @Test
    void downWhenAFollowerFailedAndEmptyWithNothingServed() throws Exception {
        try (ModelDirectory directory = new ModelDirectory(models);
                SearchServer server = server(
                        directory,
                        () -> Map.of(
                                "healthy",
                                false,
                                "problems",
                                List.of("the embeddings follower stopped (see the log)")))) {
            HttpResponse<String> r = get(server, "/health");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(json(r).get("status").getAsString()).isEqualTo("DOWN");
            assertThat(problems(json(r))).containsExactly("the embeddings follower stopped (see the log)");
        }
        try (ModelDirectory directory = new ModelDirectory(models);
                SearchServer empty = new SearchServer(
                                VersionedIndex.exact(), directory, SearchServer.Limits.DEFAULT, Map::of)
                        .start("127.0.0.1", 0)) {
            HttpResponse<String> r = get(empty, "/health");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(json(r).get("status").getAsString()).isEqualTo("EMPTY");
        }
    }
}
