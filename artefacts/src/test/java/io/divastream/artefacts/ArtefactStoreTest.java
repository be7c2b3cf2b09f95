package io.divastream.artefacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.InputSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Naming, atomic writing and retention of the artefact store. The parameters are arbitrary bytes: writing
 * does not build the network, so these tests need no native library.
 */
class ArtefactStoreTest {

    @TempDir
    Path tmp;

    private static ModelSnapshot snapshot(long version, String content) {
        return new ModelSnapshot(version, 10 * version, content.getBytes(StandardCharsets.UTF_8), 3);
    }

    private static ArtefactStore.Written write(ArtefactStore store, ModelSnapshot s) throws IOException {
        return store.write(TestModels.SPEC, TestModels.IMAGE_SPEC, TestModels.WEIGHTS, s);
    }

    private List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void namesAreVersionAndTheFirstTwelveHexDigitsOfTheSha() {
        String sha = "0123456789abcdef".repeat(4);
        assertThat(ArtefactStore.name(12, sha)).isEqualTo("v12-0123456789ab");
        assertThat(new ArtefactStore(tmp).dirFor(0, sha)).isEqualTo(tmp.resolve("v0-0123456789ab"));
        assertThatThrownBy(() -> ArtefactStore.name(-1, sha)).hasMessageContaining("-1");
        assertThatThrownBy(() -> ArtefactStore.name(1, "ABC")).hasMessageContaining("'ABC'");
        assertThatThrownBy(() -> ArtefactStore.name(1, sha.toUpperCase())).hasMessageContaining("SHA-256");
    }

    @Test
    void writesTheArtefactUnderItsNameAndLeavesAnExistingOneAsItIs() throws IOException {
        ArtefactStore store = new ArtefactStore(tmp.resolve("exports"));
        ModelSnapshot s = snapshot(3, "parameters of version 3");
        ArtefactStore.Written first = write(store, s);
        assertThat(first.created()).isTrue();
        assertThat(first.dir()).isEqualTo(store.root().resolve(ArtefactStore.name(3, s.sha256())));
        // no temporary directory is left beside it
        assertThat(names(store.root()))
                .containsExactly(first.dir().getFileName().toString());
        assertThat(names(first.dir())).containsExactly(ModelExport.MANIFEST, ModelExport.PARAMETERS);
        assertThat(Files.readAllBytes(first.dir().resolve(ModelExport.PARAMETERS)))
                .isEqualTo(s.parameters());
        ModelManifest m = ModelManifest.fromJson(Files.readString(first.dir().resolve(ModelExport.MANIFEST)), "m");
        assertThat(m.modelVersion()).isEqualTo(3);
        assertThat(m.trainingStep()).isEqualTo(30);
        assertThat(m.parameterSha256()).isEqualTo(s.sha256());
        assertThat(store.find(3, s.sha256())).contains(first.dir());
        assertThat(store.find(3, snapshot(3, "other").sha256())).isEmpty();

        // same name, same content: a second write does not touch the directory
        Files.writeString(first.dir().resolve("marker"), "kept");
        ArtefactStore.Written again = write(store, s);
        assertThat(again).isEqualTo(new ArtefactStore.Written(first.dir(), false));
        assertThat(names(first.dir())).contains("marker");
    }

    @Test
    void aFailedWriteLeavesNothingUnderTheName() throws IOException {
        ArtefactStore store = new ArtefactStore(tmp);
        // a TorchScript backbone whose module file is missing: the copy fails after the parameters were written
        NetworkSpec spec = new NetworkSpec(
                new BackboneSpec.TorchScript(tmp.resolve("missing.pt").toString(), 16, InputSpec.minusOneToOne()),
                8,
                TestModels.SPEC.heads(),
                16);
        ModelSnapshot s = snapshot(1, "p");
        assertThatThrownBy(() -> store.write(spec, null, TestModels.WEIGHTS, s))
                .isInstanceOf(NoSuchFileException.class);
        assertThat(names(tmp)).isEmpty();
        assertThat(store.list()).isEmpty();
    }

    @Test
    void retentionKeepsTheNewestAndNeverTheOneJustWritten() throws IOException {
        ArtefactStore store = new ArtefactStore(tmp);
        List<Path> written = new ArrayList<>();
        for (int v = 1; v <= 8; v++) {
            Path dir = write(store, snapshot(v, "v" + v)).dir();
            written.add(dir);
            List<Path> deleted = store.retain(3, dir);
            assertThat(deleted).containsExactlyElementsOf(v > 3 ? List.of(written.get(v - 4)) : List.of());
            assertThat(store.list())
                    .extracting(ArtefactStore.Entry::version)
                    .containsExactlyElementsOf(rangeDown(v, Math.max(1, v - 2)));
        }
        // a version written late (a job restarted from an old savepoint) is protected once
        Path late = write(store, snapshot(2, "v2 again")).dir();
        assertThat(store.retain(3, late)).isEmpty();
        assertThat(store.list()).extracting(ArtefactStore.Entry::version).containsExactly(8L, 7L, 6L, 2L);
        assertThat(store.retain(3, null)).containsExactly(late);
        assertThat(names(tmp)).hasSize(3).allMatch(n -> n.matches("v[678]-[0-9a-f]{12}"));
        assertThatThrownBy(() -> store.retain(0, null)).hasMessageContaining("at least one");
    }

    @Test
    void thePromotedVersionIsRecordedAndNeverDeletedByTheRetention() throws IOException {
        ArtefactStore store = new ArtefactStore(tmp);
        assertThat(store.promoted()).isEmpty();
        for (int v = 1; v <= 3; v++) {
            write(store, snapshot(v, "v" + v));
        }
        store.writePromoted(1);
        assertThat(store.promoted()).hasValue(1);
        assertThat(Files.readString(tmp.resolve(ArtefactStore.PROMOTED))).isEqualTo("1\n");
        for (int v = 4; v <= 6; v++) {
            store.retain(2, write(store, snapshot(v, "v" + v)).dir());
        }
        assertThat(store.list()).extracting(ArtefactStore.Entry::version).containsExactly(6L, 5L, 1L);
        store.writePromoted(6);
        assertThat(store.retain(2, null)).hasSize(1);
        assertThat(store.list()).extracting(ArtefactStore.Entry::version).containsExactly(6L, 5L);
        assertThat(names(tmp)).doesNotContain("." + ArtefactStore.PROMOTED).contains(ArtefactStore.PROMOTED);

        // a damaged or hostile file names no version, and is never read beyond a few bytes
        Files.writeString(tmp.resolve(ArtefactStore.PROMOTED), "7; rm -rf /\n");
        assertThat(store.promoted()).isEmpty();
        Files.write(tmp.resolve(ArtefactStore.PROMOTED), new byte[10_000_000]);
        assertThat(store.promoted()).isEmpty();
        assertThatThrownBy(() -> store.writePromoted(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRetrainedVersionIsListedByModificationTimeAndMatchedByItsSha() throws IOException {
        ArtefactStore store = new ArtefactStore(tmp);
        ModelSnapshot a = snapshot(5, "first attempt");
        ModelSnapshot b = snapshot(5, "second attempt");
        Path da = write(store, a).dir();
        Path db = write(store, b).dir();
        Files.setLastModifiedTime(da, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        List<ArtefactStore.Entry> entries = store.list();
        assertThat(entries).extracting(ArtefactStore.Entry::dir).containsExactly(db, da);
        assertThat(entries.get(0).matches(5, b.sha256())).isTrue();
        assertThat(entries.get(0).matches(5, a.sha256())).isFalse();
        assertThat(entries.get(0).matches(4, b.sha256())).isFalse();
    }

    @Test
    void retentionDeletesTemporaryDirectoriesLeftBehindButNotFreshOnesOrOtherFiles() throws IOException {
        ArtefactStore store = new ArtefactStore(tmp);
        Path old = Files.createDirectories(tmp.resolve(".v4-0123456789ab.123"));
        Files.writeString(old.resolve(ModelExport.PARAMETERS), "half");
        Files.setLastModifiedTime(
                old, FileTime.from(Instant.now().minus(ArtefactStore.STALE_STAGING_MINUTES + 1, ChronoUnit.MINUTES)));
        Path fresh = Files.createDirectories(tmp.resolve(".v5-0123456789ab.456"));
        Path other = Files.createDirectories(tmp.resolve("notes"));
        Path dir = write(store, snapshot(6, "v6")).dir();
        store.retain(1, dir);
        assertThat(old).doesNotExist();
        assertThat(fresh).exists();
        assertThat(other).exists();
        assertThat(dir).exists();
    }

    private static List<Long> rangeDown(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long v = from; v >= to; v--) {
            out.add(v);
        }
        return out;
    }
}
