package io.divastream.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OmniglotReaderTest {

    private static final Path SMALL = Fixtures.SHARED_DATA.resolve("omniglot-small");

    @Test
    void smallZipsGive242CharactersDeduplicatedAndTheReadmeSplit() throws IOException {
        assumeTrue(Files.isRegularFile(SMALL.resolve("images_background_small1.zip")), "shared Omniglot zips");
        Dataset dataset = OmniglotReader.read(SMALL);
        assertThat(dataset.size()).isEqualTo(4840);
        assertThat(dataset.numClasses()).isEqualTo(242);
        assertThat(dataset.classIds().first()).isEqualTo(1);
        assertThat(dataset.classIds().last()).isEqualTo(242);
        // Class ids follow the sorted class names.
        assertThat(new java.util.ArrayList<>(dataset.classNames().values())).isSorted();
        Map<String, Set<String>> originsByAlphabet = dataset.images().stream()
                .collect(Collectors.groupingBy(
                        i -> i.className().substring(0, i.className().indexOf('/')),
                        Collectors.mapping(i -> i.source().origin(), Collectors.toSet())));
        assertThat(originsByAlphabet.get("Greek")).containsExactly("images_background_small1.zip");
        assertThat(originsByAlphabet.get("Tagalog")).containsExactly("images_background_small2.zip");
        assertThat(dataset.images()).allSatisfy(i -> {
            assertThat(i.id()).startsWith("omniglot/" + i.className() + "/").endsWith(".png");
            assertThat(dataset.partitionOf(i)).isEqualTo(Partition.TRAIN);
        });
        DatasetImage first = dataset.images().get(0);
        assertThat(Fixtures.bytes(first)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');

        DatasetSplit split = ClassSplit.standard().apply(dataset);
        assertThat(split.train().numClasses()).isEqualTo(153);
        assertThat(split.train().size()).isEqualTo(3060);
        assertThat(split.test().numClasses()).isEqualTo(89);
        assertThat(split.test().size()).isEqualTo(1780);

        // The same archive read from a stream (as from the classpath) gives the same images.
        Dataset fromStreams;
        try (InputStream a = Files.newInputStream(SMALL.resolve("images_background_small1.zip"));
                InputStream b = Files.newInputStream(SMALL.resolve("images_background_small2.zip"))) {
            fromStreams = new OmniglotReader()
                    .addZip("images_background_small1.zip", a)
                    .addZip("images_background_small2.zip", b)
                    .build("omniglot:embedded");
        }
        assertThat(fromStreams.images())
                .extracting(DatasetImage::id)
                .containsExactlyElementsOf(
                        dataset.images().stream().map(DatasetImage::id).toList());
        assertThat(Fixtures.bytes(fromStreams.images().get(100)))
                .isEqualTo(Fixtures.bytes(dataset.images().get(100)));
    }

    @Test
    void extractedFoldersGiveBackgroundTrainAndEvaluationTest(@TempDir Path root) {
        byte[] png = Fixtures.writeImage(root, "images_background/Korean/character01/0001_01.png", 1);
        Fixtures.writeImage(root, "images_background/Korean/character01/0001_02.png", 2);
        Fixtures.writeImage(root, "images_background/Korean/character02/0002_01.png", 3);
        Fixtures.writeImage(root, "images_evaluation/Angelic/character01/0965_01.png", 4);
        Fixtures.write(root, "images_evaluation/Angelic/character01/._0965_01.png", new byte[] {1});
        Dataset dataset = OmniglotReader.read(root);
        assertThat(dataset.images())
                .extracting(DatasetImage::id)
                .containsExactly(
                        "omniglot/Angelic/character01/0965_01.png",
                        "omniglot/Korean/character01/0001_01.png",
                        "omniglot/Korean/character01/0001_02.png",
                        "omniglot/Korean/character02/0002_01.png");
        assertThat(dataset.classNames())
                .containsExactly(
                        Map.entry(1, "Angelic/character01"),
                        Map.entry(2, "Korean/character01"),
                        Map.entry(3, "Korean/character02"));
        assertThat(Fixtures.bytes(dataset.images().get(1))).isEqualTo(png);
        DatasetSplit split = ClassSplit.standard().apply(dataset);
        assertThat(split.train().classIds()).containsExactly(2, 3);
        assertThat(split.test().classIds()).containsExactly(1);
    }

    @Test
    void zipsOfADirectoryAreReadInNameOrderKeepingTheFirstCopy(@TempDir Path dir) throws IOException {
        writeZip(
                dir.resolve("b_images_evaluation.zip"),
                Map.of(
                        "images_evaluation/Angelic/character01/0965_01.png", "second copy",
                        "images_evaluation/Angelic/character02/0966_01.png", "c"));
        writeZip(
                dir.resolve("a_images_evaluation.zip"),
                Map.of(
                        "images_evaluation/Angelic/character01/0965_01.png", "first copy",
                        "images_evaluation/Angelic/README.txt", "ignored",
                        "__MACOSX/images_evaluation/Angelic/character01/._0965_01.png", "ignored"));
        Dataset dataset = OmniglotReader.read(dir);
        assertThat(dataset.size()).isEqualTo(2);
        assertThat(new String(Fixtures.bytes(dataset.images().get(0)), StandardCharsets.UTF_8))
                .isEqualTo("first copy");
        assertThat(dataset.images().get(0).source().origin()).isEqualTo("a_images_evaluation.zip");
        assertThat(dataset.images().get(0).source().location())
                .isEqualTo(dir.resolve("a_images_evaluation.zip").toAbsolutePath()
                        + "!/images_evaluation/Angelic/character01/0965_01.png");
    }

    @Test
    void fullBackgroundCharacterCountWithMissingDrawingsIsRejected(@TempDir Path dir) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        for (int c = 1; c <= 964; c++) {
            entries.put(String.format("images_background/A%d/character%02d/%d_01.png", c / 20, c % 20, c), "x");
        }
        writeZip(dir.resolve("images_background.zip"), entries);
        assertThatThrownBy(() -> OmniglotReader.read(dir))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("the background set has all 964 characters but 964 images instead of 19280");
    }

    @Test
    void errorsNameThePath(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> OmniglotReader.read(dir.resolve("missing")))
                .hasMessageContaining("does not exist")
                .hasMessageContaining(dir.resolve("missing").toString());
        assertThatThrownBy(() -> OmniglotReader.read(dir))
                .hasMessageContaining("no *.zip archives")
                .hasMessageContaining(dir.toString());
        Files.writeString(dir.resolve("broken.zip"), "not a zip");
        assertThatThrownBy(() -> OmniglotReader.read(dir))
                .hasMessageContaining("cannot read Omniglot archive " + dir.resolve("broken.zip"));
        Files.delete(dir.resolve("broken.zip"));
        writeZip(dir.resolve("flat.zip"), Map.of("a.png", "x", "top/b.png", "y"));
        assertThatThrownBy(() -> OmniglotReader.read(dir))
                .hasMessageContaining("no images in the layout <top>/<Alphabet>/<characterNN>/<file>.png in")
                .hasMessageContaining("flat.zip");
    }

    private static void writeZip(Path path, Map<String, String> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(path);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> entry : new TreeMap<>(entries).entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
    }
}
