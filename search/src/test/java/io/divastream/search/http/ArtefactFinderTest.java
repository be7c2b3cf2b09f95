package io.divastream.search.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.artefacts.ModelExport;
import io.divastream.search.testing.CapturedLog;
import io.divastream.search.testing.TestCatalogue;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ArtefactFinderTest {

    @TempDir
    Path models;

    private ArtefactFinder finder() {
        return new ArtefactFinder(
                models.toAbsolutePath(), new RefusalLog(LoggerFactory.getLogger(ArtefactFinderTest.class)));
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    @Test
    void anArtefactIsFoundByItsNameOrByItsManifestAndNeverForAnotherVersion() throws IOException {
        TestCatalogue catalogue = TestCatalogue.create(models, 5);
        Path named = catalogue.artefact(models);
        String sha = catalogue.snapshot().sha256();
        assertThat(finder().find(5, sha)).contains(named);
        assertThat(finder().find(5, null)).contains(named);
        assertThat(finder().find(6, null)).isEmpty();
        assertThat(finder().find(6, sha)).isEmpty();

        Path renamed = models.resolve("any-name");
        Files.move(named, renamed);
        assertThat(finder().find(5, sha)).contains(renamed); // by the manifest
        Files.move(renamed, models.resolve(".hidden"));
        assertThat(finder().find(5, sha)).isEmpty();
    }

    @Test
    void anArtefactOfTheVersionWithOtherParametersOrAnUnreadableManifestIsSkippedAndReportedOnce() throws IOException {
        TestCatalogue catalogue = TestCatalogue.create(models, 5);
        Path good = catalogue.artefact(models);
        Path broken = models.resolve("a-broken");
        copy(good, broken);
        Files.writeString(broken.resolve(ModelExport.MANIFEST), "{not json");
        try (CapturedLog log = CapturedLog.of(ArtefactFinderTest.class)) {
            ArtefactFinder finder = finder();
            String other = "0".repeat(64);
            assertThat(finder.find(5, other)).isEmpty();
            assertThat(finder.find(5, other)).isEmpty();
            assertThat(log.messages(Level.WARN))
                    .hasSize(2)
                    .anySatisfy(m -> assertThat(m).contains("ignoring " + broken))
                    .anySatisfy(m -> assertThat(m)
                            .contains("refusing the artefact " + good)
                            .contains(other));
            assertThat(finder.find(5, null)).contains(good); // the broken one sorts first and is skipped
        }
    }

    @Test
    void noDirectoryNoArtefact() {
        ArtefactFinder finder = new ArtefactFinder(
                models.resolve("missing").toAbsolutePath(),
                new RefusalLog(LoggerFactory.getLogger(ArtefactFinderTest.class)));
        assertThat(finder.find(1, null)).isEmpty();
    }

    @Test
    void theFingerprintChangesWithTheFilesSizesAndTimes() throws IOException {
        Path dir = Files.createDirectories(models.resolve("v1"));
        assertThat(ArtefactFinder.fingerprint(dir)).isEqualTo("-;-;");
        Path manifest = Files.writeString(dir.resolve(ModelExport.MANIFEST), "{}");
        Files.setLastModifiedTime(manifest, FileTime.from(Instant.ofEpochMilli(5_000)));
        assertThat(ArtefactFinder.fingerprint(dir)).isEqualTo("2@5000;-;");
        Files.write(dir.resolve(ModelExport.PARAMETERS), new byte[7]);
        Files.setLastModifiedTime(dir.resolve(ModelExport.PARAMETERS), FileTime.from(Instant.ofEpochMilli(6_000)));
        assertThat(ArtefactFinder.fingerprint(dir)).isEqualTo("2@5000;7@6000;");
    }

    @Test
    void messagesNameTheArtefactAndItsFilesButNoPath() {
        Path root = models.toAbsolutePath();
        Path dir = root.resolve("v5-abc");
        String message =
                "cannot read " + dir + File.separator + ModelExport.PARAMETERS + " in " + dir + " under " + root;
        assertThat(finder().withoutPaths(message, dir))
                .isEqualTo("cannot read parameters.bin in v5-abc under the models directory");
        assertThat(finder().withoutPaths(null, dir)).isEqualTo("null");
    }
}
