package io.divastream.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tar archive's folders, whether or not it holds entries for them (as {@code tar cf x.tar a/b/c} makes it). */
class TarFilesTest {

    @TempDir
    Path dir;

    private Path tar(String... files) throws Exception {
        Path archive = dir.resolve("x.tar");
        try (OutputStream out = Files.newOutputStream(archive);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (String name : files) {
                byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(name);
                entry.setSize(bytes.length);
                tar.putArchiveEntry(entry);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        }
        return archive;
    }

    @Test
    void foldersWithoutEntriesOfTheirOwnAreListedAtEveryDepth() throws Exception {
        DatasetFiles files = DatasetFiles.open(tar(
                "cars196/devkit/cars_meta.mat",
                "cars196/devkit/cars_train_annos.mat",
                "cars196/cars_train/1.jpg",
                "top.txt"));

        assertThat(files.listDirectories("")).containsExactly("cars196");
        assertThat(files.listDirectories("cars196")).containsExactly("cars_train", "devkit");
        assertThat(files.listFiles("cars196/devkit")).hasSize(2);
        assertThat(files.isDirectory("cars196/devkit")).isTrue();
        assertThat(files.isFile("cars196/devkit/cars_meta.mat")).isTrue();
        assertThat(files.isFile("top.txt")).isTrue();
    }
}
