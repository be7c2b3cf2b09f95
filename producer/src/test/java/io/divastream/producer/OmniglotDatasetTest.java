package io.divastream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.divastream.datasets.DatasetException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OmniglotDatasetTest {

    /** The shared data folder beside the checkout (resolved from the module directory). */
    private static final Path SHARED_SMALL = Path.of("..", "..", "shared", "data", "omniglot-small");

    private static List<LabeledImage> embedded;

    @BeforeAll
    static void readEmbedded() {
        embedded = OmniglotDataset.loadEmbedded();
    }

    @Test
    void embeddedSmallSetHasEightAlphabets242Labels4840Images() {
        assertThat(embedded).hasSize(4840);
        Set<String> labels = embedded.stream().map(LabeledImage::label).collect(Collectors.toSet());
        assertThat(labels).hasSize(242).contains("Korean/character07", "Greek/character01");
        assertThat(labels.stream().map(l -> l.substring(0, l.indexOf('/'))).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(
                        "Balinese",
                        "Early_Aramaic",
                        "Greek",
                        "Korean",
                        "Latin",
                        "Japanese_(katakana)",
                        "Sanskrit",
                        "Tagalog");
        assertThat(embedded.stream().map(LabeledImage::imageId).distinct().count())
                .isEqualTo(4840);
        assertThat(embedded.stream().collect(Collectors.groupingBy(LabeledImage::label, Collectors.counting())))
                .allSatisfy((label, count) -> assertThat(count).isEqualTo(20L));
    }

    @Test
    void imagesHaveIdsLabelsPngBytesAndTheirArchiveAsSource() {
        LabeledImage first = embedded.get(0);
        assertThat(first.imageId())
                .isEqualTo("omniglot/"
                        + first.label()
                        + "/"
                        + first.imageId().substring(first.imageId().lastIndexOf('/') + 1));
        assertThat(embedded).allSatisfy(image -> {
            assertThat(image.imageId())
                    .startsWith("omniglot/" + image.label() + "/")
                    .endsWith(".png");
            assertThat(image.label()).matches("[^/]+/character\\d\\d");
            assertThat(image.contentType()).isEqualTo("image/png");
            assertThat(image.bytes()).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        });
        Map<String, Set<String>> sourcesByAlphabet = embedded.stream()
                .collect(Collectors.groupingBy(
                        i -> i.label().substring(0, i.label().indexOf('/')),
                        Collectors.mapping(LabeledImage::source, Collectors.toSet())));
        assertThat(sourcesByAlphabet.get("Korean")).containsExactly("images_background_small1.zip");
        assertThat(sourcesByAlphabet.get("Tagalog")).containsExactly("images_background_small2.zip");
        // Greek and Latin are in both archives: kept once, from the first.
        assertThat(sourcesByAlphabet.get("Greek")).containsExactly("images_background_small1.zip");
        assertThat(embedded).isSortedAccordingTo(java.util.Comparator.comparing(LabeledImage::imageId));
    }

    @Test
    void readsTheSameImagesFromTheSharedDirectory() {
        assumeThat(SHARED_SMALL.resolve("images_background_small1.zip"))
                .as("shared data beside the checkout")
                .exists();
        List<LabeledImage> fromDirectory = OmniglotDataset.load(Optional.of(SHARED_SMALL));
        assertThat(fromDirectory).isEqualTo(embedded);
    }

    @Test
    void acceptsAnyZipWithTheLayoutAndIgnoresOtherEntries(@TempDir Path dir) throws IOException {
        writeZip(
                dir.resolve("images_evaluation.zip"),
                Map.of(
                        "images_evaluation/Angelic/character01/0965_01.png", "a",
                        "images_evaluation/Angelic/character01/0965_02.png", "b",
                        "images_evaluation/Angelic/character02/0966_01.png", "c",
                        "images_evaluation/Angelic/README.txt", "ignored",
                        "__MACOSX/._x/y/z.png", "ignored"));
        Files.writeString(dir.resolve("notes.txt"), "not an archive");

        List<LabeledImage> images = OmniglotDataset.loadDirectory(dir);

        assertThat(images)
                .extracting(LabeledImage::imageId)
                .containsExactly(
                        "omniglot/Angelic/character01/0965_01.png",
                        "omniglot/Angelic/character01/0965_02.png",
                        "omniglot/Angelic/character02/0966_01.png");
        assertThat(images.get(2).label()).isEqualTo("Angelic/character02");
        assertThat(images.get(2).source()).isEqualTo("images_evaluation.zip");
        assertThat(new String(images.get(1).bytes(), StandardCharsets.UTF_8)).isEqualTo("b");
    }

    @Test
    void missingDirectoryNamesThePath(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-dir");
        assertThatThrownBy(() -> OmniglotDataset.load(Optional.of(missing)))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining(missing.toAbsolutePath().toString());
    }

    @Test
    void directoryWithoutZipsNamesThePath(@TempDir Path dir) {
        assertThatThrownBy(() -> OmniglotDataset.loadDirectory(dir))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("no *.zip archives")
                .hasMessageContaining(dir.toAbsolutePath().toString());
    }

    @Test
    void unreadableZipNamesTheArchive(@TempDir Path dir) throws IOException {
        Path broken = dir.resolve("broken.zip");
        Files.writeString(broken, "this is not a zip file");
        assertThatThrownBy(() -> OmniglotDataset.loadDirectory(dir))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("cannot read Omniglot archive")
                .hasMessageContaining(broken.toAbsolutePath().toString());
    }

    @Test
    void zipWithoutImagesInTheLayoutIsRejected(@TempDir Path dir) throws IOException {
        writeZip(dir.resolve("flat.zip"), Map.of("a.png", "x", "top/b.png", "y"));
        assertThatThrownBy(() -> OmniglotDataset.loadDirectory(dir))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("no images in the layout")
                .hasMessageContaining("flat.zip");
    }

    private static void writeZip(Path path, Map<String, String> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(path);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> entry : new java.util.TreeMap<>(entries).entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
    }
}
