package io.divastream.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CubReaderTest {

    private static final Path SUBSET_TAR =
            Fixtures.SHARED_DATA.resolve("cub200-subset").resolve("CUB_200_2011_classes001-030.tar");

    /** One file of the real tar, found by the test's own header walk. */
    private record TarListing(String name, long offset, long size) {}

    private static List<TarListing> listing;
    private static Dataset subset;

    @BeforeAll
    static void readSubset() throws IOException {
        if (!Files.isRegularFile(SUBSET_TAR)) {
            return;
        }
        listing = listTar(SUBSET_TAR);
        subset = CubReader.read(SUBSET_TAR);
    }

    /**
     * Walks the 512-byte headers of a tar (ustar and GNU long names), independently of the reader:
     * the expected counts and bytes come from here.
     */
    private static List<TarListing> listTar(Path tar) throws IOException {
        List<TarListing> files = new ArrayList<>();
        try (RandomAccessFile in = new RandomAccessFile(tar.toFile(), "r")) {
            byte[] header = new byte[512];
            long position = 0;
            String longName = null;
            while (position + 512 <= in.length()) {
                in.seek(position);
                in.readFully(header);
                if (header[0] == 0) {
                    break;
                }
                String name = field(header, 0, 100);
                String prefix = field(header, 345, 155);
                long size = Long.parseLong(field(header, 124, 12).trim(), 8);
                char type = (char) header[156];
                long data = position + 512;
                if (type == 'L') {
                    byte[] bytes = new byte[(int) size];
                    in.seek(data);
                    in.readFully(bytes);
                    longName = new String(bytes, StandardCharsets.UTF_8).replace("\0", "");
                } else if (type == '0' || type == 0) {
                    String full = longName != null ? longName : prefix.isEmpty() ? name : prefix + "/" + name;
                    files.add(new TarListing(full, data, size));
                    longName = null;
                } else {
                    longName = null;
                }
                position = data + (size + 511) / 512 * 512;
            }
        }
        return files;
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
    }

    private static void requireSubset() {
        assumeTrue(subset != null, "shared CUB subset archive beside the checkout");
    }

    @Test
    void realSubsetHas30Classes1701ImagesAndPerClassCountsOfTheArchive() {
        requireSubset();
        Map<String, Long> perFolder = listing.stream()
                .map(TarListing::name)
                .filter(n -> n.startsWith("CUB_200_2011/images/") && n.endsWith(".jpg"))
                .filter(n -> !n.substring(n.lastIndexOf('/') + 1).startsWith("._"))
                .collect(Collectors.groupingBy(n -> n.split("/")[2], TreeMap::new, Collectors.counting()));
        assertThat(perFolder).hasSize(30);
        assertThat(perFolder.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(1701);

        assertThat(subset.format()).isEqualTo(DatasetFormat.CUB);
        assertThat(subset.size()).isEqualTo(1701);
        assertThat(subset.numClasses()).isEqualTo(30);
        assertThat(subset.classIds())
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 30).boxed().toList());
        assertThat(subset.classNames().get(1)).isEqualTo("001.Black_footed_Albatross");
        assertThat(subset.partitions()).isEmpty();
        Map<String, Long> perClass = subset.images().stream()
                .collect(Collectors.groupingBy(DatasetImage::className, TreeMap::new, Collectors.counting()));
        assertThat(perClass).isEqualTo(perFolder);
        long class1 = subset.images().stream().filter(i -> i.classId() == 1).count();
        assertThat(class1).isEqualTo(perFolder.get("001.Black_footed_Albatross"));
        assertThat(subset.images()).allSatisfy(i -> {
            assertThat(i.id()).startsWith("cub/" + i.className() + "/").endsWith(".jpg");
            assertThat(i.className()).startsWith(String.format("%03d.", i.classId()));
            assertThat(i.contentType()).isEqualTo("image/jpeg");
            assertThat(i.source().origin()).isEqualTo("CUB_200_2011_classes001-030.tar");
        });
    }

    @Test
    void realSubsetImageBytesAreTheArchiveEntriesByteForByte() throws IOException {
        requireSubset();
        Map<String, TarListing> byName = new LinkedHashMap<>();
        listing.forEach(f -> byName.put(f.name(), f));
        try (RandomAccessFile in = new RandomAccessFile(SUBSET_TAR.toFile(), "r")) {
            for (int index : new int[] {0, 1, 850, 1700}) {
                DatasetImage image = subset.images().get(index);
                TarListing entry =
                        byName.get("CUB_200_2011/images/" + image.id().substring("cub/".length()));
                assertThat(entry).as(image.id()).isNotNull();
                byte[] expected = new byte[(int) entry.size()];
                in.seek(entry.offset());
                in.readFully(expected);
                byte[] actual = Fixtures.bytes(image);
                assertThat(actual).as(image.id()).isEqualTo(expected);
                assertThat(actual).startsWith((byte) 0xFF, (byte) 0xD8);
                assertThat(image.source().location())
                        .endsWith("!/CUB_200_2011/images/" + image.id().substring(4));
            }
        }
    }

    @Test
    void standardSplitOfTheSubsetAsksForAnExplicitSplitAndTheReadmeSplitWorks() {
        requireSubset();
        assertThatThrownBy(() -> ClassSplit.standard().apply(subset))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("classes 1-100 train, 101-200 test")
                .hasMessageContaining("leaves no test images")
                .hasMessageContaining("ids 1-30")
                .hasMessageContaining("1-20:21-30");

        DatasetSplit split = ClassSplit.parse("1-20:21-30").apply(subset);
        long expectedTrain = listing.stream()
                .map(TarListing::name)
                .filter(n -> n.startsWith("CUB_200_2011/images/") && n.endsWith(".jpg"))
                .filter(n -> Integer.parseInt(n.split("/")[2].substring(0, 3)) <= 20)
                .count();
        assertThat(split.train().classIds())
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 20).boxed().toList());
        assertThat(split.test().classIds())
                .containsExactlyElementsOf(IntStream.rangeClosed(21, 30).boxed().toList());
        assertThat(split.train().size()).isEqualTo(expectedTrain);
        assertThat(split.train().size() + split.test().size()).isEqualTo(1701);
        assertThat(split.queryGallery()).isEmpty();
    }

    @Test
    void readsTheOfficialLayoutFromAFolderInImagesTxtOrder(@TempDir Path root) {
        byte[] a = writeOfficial(root);
        Dataset dataset = CubReader.read(root);
        assertThat(dataset.images())
                .extracting(DatasetImage::id)
                .containsExactly(
                        "cub/002.Crow/crow_1.jpg", "cub/001.Albatross/alba_1.jpg", "cub/001.Albatross/alba_2.jpg");
        assertThat(dataset.images()).extracting(DatasetImage::classId).containsExactly(2, 1, 1);
        assertThat(dataset.classNames()).containsExactly(Map.entry(1, "001.Albatross"), Map.entry(2, "002.Crow"));
        assertThat(Fixtures.bytes(dataset.images().get(1))).isEqualTo(a);
        assertThat(dataset.images().get(1).source().origin())
                .isEqualTo(root.getFileName().toString());
        // The same tree packed as a .tar reads to the same ids and bytes.
        Path tar = root.resolveSibling(root.getFileName() + ".tar");
        packTar(root, tar);
        Dataset fromTar = CubReader.read(tar);
        assertThat(fromTar.images())
                .extracting(DatasetImage::id)
                .isEqualTo(dataset.images().stream().map(DatasetImage::id).toList());
        for (int i = 0; i < dataset.size(); i++) {
            assertThat(Fixtures.bytes(fromTar.images().get(i)))
                    .isEqualTo(Fixtures.bytes(dataset.images().get(i)));
        }
    }

    @Test
    void readsTheDivaFolderLayoutSkippingResourceForks(@TempDir Path root) {
        Fixtures.writeImage(root, "cub200/images/010.Wren/b.jpg", 1);
        Fixtures.writeImage(root, "cub200/images/010.Wren/a.jpg", 2);
        Fixtures.write(root, "cub200/images/010.Wren/._a.jpg", new byte[] {0, 5, 22});
        Fixtures.writeImage(root, "cub200/images/002.Crow/c.jpg", 3);
        Fixtures.writeLines(root, "cub200/images/002.Crow/notes.txt", "not an image");
        Dataset dataset = CubReader.read(root);
        assertThat(dataset.images())
                .extracting(DatasetImage::id)
                .containsExactly("cub/002.Crow/c.jpg", "cub/010.Wren/a.jpg", "cub/010.Wren/b.jpg");
        assertThat(dataset.classIds()).containsExactly(2, 10);
    }

    @Test
    void longEntryNamesInATarAreReadAtTheRightOffsets(@TempDir Path dir) throws IOException {
        Path root = dir.resolve("tree");
        String longFolder = "images/004." + "Very_long_class_name_".repeat(6);
        byte[] first = Fixtures.writeImage(root, longFolder + "/" + "f".repeat(90) + ".jpg", 4);
        byte[] second = Fixtures.writeImage(root, "images/005.Short/x.jpg", 5);
        Path tar = dir.resolve("tree.tar");
        packTar(root, tar);
        Dataset dataset = CubReader.read(tar);
        assertThat(dataset.size()).isEqualTo(2);
        assertThat(dataset.images().get(0).id()).hasSizeGreaterThan(100);
        assertThat(Fixtures.bytes(dataset.images().get(0))).isEqualTo(first);
        assertThat(Fixtures.bytes(dataset.images().get(1))).isEqualTo(second);
    }

    @Test
    void fullClassCountWithTooFewImagesFailsTheOfficialCheck(@TempDir Path root) {
        List<String> classes = new ArrayList<>();
        List<String> images = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int c = 1; c <= 200; c++) {
            String name = String.format("%03d.C%d", c, c);
            classes.add(c + " " + name);
            images.add(c + " " + name + "/x.jpg");
            labels.add(c + " " + c);
            Fixtures.write(root, "CUB_200_2011/images/" + name + "/x.jpg", new byte[] {(byte) 0xFF, (byte) 0xD8});
        }
        Fixtures.writeLines(root, "CUB_200_2011/classes.txt", classes.toArray(String[]::new));
        Fixtures.writeLines(root, "CUB_200_2011/images.txt", images.toArray(String[]::new));
        Fixtures.writeLines(root, "CUB_200_2011/image_class_labels.txt", labels.toArray(String[]::new));
        assertThatThrownBy(() -> CubReader.read(root))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(
                        "has all 200 classes of the full dataset but 200 images instead of the official 11788");
    }

    @Test
    void malformedLineNamesTheFileAndLine(@TempDir Path root) {
        writeOfficial(root);
        Fixtures.writeLines(root, "CUB_200_2011/images.txt", "1 002.Crow/crow_1.jpg", "", "2");
        assertThatThrownBy(() -> CubReader.read(root))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(root.resolve("CUB_200_2011/images.txt") + ":3:")
                .hasMessageContaining("expected 2 fields");
        Fixtures.writeLines(root, "CUB_200_2011/image_class_labels.txt", "1 2", "2 x", "3 1");
        Fixtures.writeLines(root, "CUB_200_2011/images.txt", "1 002.Crow/crow_1.jpg");
        assertThatThrownBy(() -> CubReader.read(root))
                .hasMessageContaining("image_class_labels.txt:2: class_id is not a positive integer: 'x'");
    }

    @Test
    void missingFilesAndImagesAreNamed(@TempDir Path root) throws IOException {
        writeOfficial(root);
        Files.delete(root.resolve("CUB_200_2011/images/001.Albatross/alba_2.jpg"));
        assertThatThrownBy(() -> CubReader.read(root))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("images.txt:3: image does not exist: "
                        + root.resolve("CUB_200_2011/images/001.Albatross/alba_2.jpg"));
        Files.delete(root.resolve("CUB_200_2011/image_class_labels.txt"));
        assertThatThrownBy(() -> CubReader.read(root))
                .hasMessageContaining(
                        "missing CUB class labels: " + root.resolve("CUB_200_2011/image_class_labels.txt"));
        assertThatThrownBy(() -> CubReader.read(root.resolve("nowhere")))
                .hasMessageContaining("dataset path does not exist: " + root.resolve("nowhere"));
        Path empty = Files.createDirectories(root.resolve("empty"));
        assertThatThrownBy(() -> CubReader.read(empty)).hasMessageContaining("no CUB-200-2011 layout in " + empty);
    }

    @Test
    void inconsistentAnnotationsAreRejected(@TempDir Path root) {
        writeOfficial(root);
        Fixtures.writeLines(root, "CUB_200_2011/image_class_labels.txt", "1 1", "2 1", "3 1");
        assertThatThrownBy(() -> CubReader.read(root))
                .hasMessageContaining(
                        "images.txt:1: image 002.Crow/crow_1.jpg is not in the folder of its class 1 '001.Albatross'");
        Fixtures.writeLines(root, "CUB_200_2011/image_class_labels.txt", "1 2", "2 1", "3 1", "4 1");
        assertThatThrownBy(() -> CubReader.read(root))
                .hasMessageContaining("image_class_labels.txt:4: 1 image ids are not in images.txt, e.g. 4");
        Fixtures.writeLines(root, "CUB_200_2011/image_class_labels.txt", "1 2", "2 1", "3 7");
        assertThatThrownBy(() -> CubReader.read(root))
                .hasMessageContaining("image_class_labels.txt:3: class id 7 is not in classes.txt");
    }

    @Test
    void compressedArchivesAskToBeExtracted(@TempDir Path dir) throws IOException {
        Path tgz = Files.write(dir.resolve("CUB_200_2011.tgz"), new byte[] {31, -117});
        assertThatThrownBy(() -> CubReader.read(tgz))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(tgz.toString())
                .hasMessageContaining("compressed archive")
                .hasMessageContaining("gunzip");
    }

    /** Writes a 2-class official tree; returns the bytes of alba_1.jpg. */
    private static byte[] writeOfficial(Path root) {
        Fixtures.writeLines(root, "CUB_200_2011/classes.txt", "1 001.Albatross", "2 002.Crow");
        Fixtures.writeLines(
                root,
                "CUB_200_2011/images.txt",
                "1 002.Crow/crow_1.jpg",
                "2 001.Albatross/alba_1.jpg",
                "3 001.Albatross/alba_2.jpg");
        Fixtures.writeLines(root, "CUB_200_2011/image_class_labels.txt", "1 2", "2 1", "3 1");
        Fixtures.writeLines(root, "CUB_200_2011/train_test_split.txt", "1 1", "2 0", "3 1");
        Fixtures.writeImage(root, "CUB_200_2011/images/002.Crow/crow_1.jpg", 1);
        byte[] a = Fixtures.writeImage(root, "CUB_200_2011/images/001.Albatross/alba_1.jpg", 2);
        Fixtures.writeImage(root, "CUB_200_2011/images/001.Albatross/alba_2.jpg", 3);
        return a;
    }

    /** Packs a tree into a tar with POSIX long names, entries in sorted order. */
    static void packTar(Path root, Path tar) {
        try (OutputStream out = Files.newOutputStream(tar);
                TarArchiveOutputStream archive = new TarArchiveOutputStream(out)) {
            archive.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            List<Path> paths;
            try (var walk = Files.walk(root)) {
                paths = walk.sorted().toList();
            }
            for (Path p : paths) {
                if (p.equals(root)) {
                    continue;
                }
                String name = root.relativize(p).toString().replace('\\', '/');
                TarArchiveEntry entry = new TarArchiveEntry(p.toFile(), name);
                archive.putArchiveEntry(entry);
                if (Files.isRegularFile(p)) {
                    archive.write(Files.readAllBytes(p));
                }
                archive.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
