package io.divastream.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CarsDevkitLayoutTest {

    /** One annotation of a devkit file; a null class id writes an empty value. */
    private static final List<StudyLayouts.Anno> TRAIN = List.of(
            new StudyLayouts.Anno("00001.jpg", 1),
            new StudyLayouts.Anno("00002.jpg", 98),
            new StudyLayouts.Anno("00003.jpg", 150));

    private static final List<StudyLayouts.Anno> TEST = List.of(
            new StudyLayouts.Anno("00001.jpg", 99),
            new StudyLayouts.Anno("00002.jpg", 196),
            new StudyLayouts.Anno("00003.jpg", 1));

    /** The WARN messages of the devkit reader's logger while open. */
    private static final class Warnings extends AbstractAppender implements AutoCloseable {

        private final List<String> messages = new CopyOnWriteArrayList<>();
        private final Logger logger = (Logger) LogManager.getLogger(CarsDevkitLayout.class);

        Warnings() {
            super("cars-devkit-warnings-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
            start();
            logger.addAppender(this);
        }

        @Override
        public void append(LogEvent event) {
            if (event.getLevel() == Level.WARN) {
                messages.add(event.getMessage().getFormattedMessage());
            }
        }

        @Override
        public void close() {
            logger.removeAppender(this);
            stop();
        }
    }

    /**
     * Writes the devkit layout: meta, train annotations and images, and (unless {@code testAt} is
     * null) the test annotations at {@code testAt} ({@code ""} or {@code devkit/}) and images.
     *
     * @return image id to the bytes written
     */
    private static Map<String, byte[]> writeDevkit(
            Path root, List<StudyLayouts.Anno> train, List<StudyLayouts.Anno> test, String testAt) throws IOException {
        StudyLayouts.writeMeta(root, CarsReaderTest.classNames());
        StudyLayouts.writeAnnos(root.resolve(CarsDevkitLayout.TRAIN_ANNOTATIONS), train, null);
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        for (int i = 0; i < train.size(); i++) {
            String path = "cars_train/" + train.get(i).fname();
            bytes.put("cars/" + path, Fixtures.writeImage(root, path, i));
        }
        if (testAt != null) {
            StudyLayouts.writeAnnos(root.resolve(testAt + CarsDevkitLayout.TEST_ANNOTATIONS), test, null);
        }
        for (int i = 0; i < test.size(); i++) {
            String path = "cars_test/" + test.get(i).fname();
            bytes.put("cars/" + path, Fixtures.writeImage(root, path, 100 + i));
        }
        return bytes;
    }

    private static List<StudyLayouts.Anno> onePerClass() {
        List<StudyLayouts.Anno> rows = new ArrayList<>();
        for (int c = 1; c <= 196; c++) {
            rows.add(new StudyLayouts.Anno(String.format("%05d.jpg", c), c));
        }
        return rows;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "devkit/"})
    void readsBothHalvesWithTheTestLabelsAtTheRootOrInDevkit(String testAt, @TempDir Path root) throws IOException {
        Map<String, byte[]> bytes = writeDevkit(root, TRAIN, TEST, testAt);
        Dataset dataset;
        try (Warnings warnings = new Warnings()) {
            dataset = CarsReader.read(root);
            assertThat(warnings.messages).isEmpty();
        }
        assertThat(dataset.format()).isEqualTo(DatasetFormat.CARS);
        assertThat(dataset.images())
                .extracting(DatasetImage::id)
                .containsExactly(
                        "cars/cars_train/00001.jpg",
                        "cars/cars_train/00002.jpg",
                        "cars/cars_train/00003.jpg",
                        "cars/cars_test/00001.jpg",
                        "cars/cars_test/00002.jpg",
                        "cars/cars_test/00003.jpg");
        assertThat(dataset.images()).extracting(DatasetImage::classId).containsExactly(1, 98, 150, 99, 196, 1);
        assertThat(dataset.classNames()).containsOnlyKeys(1, 98, 99, 150, 196);
        assertThat(dataset.classNames().get(150)).isEqualTo("Ram C/V Cargo Van Minivan 2012");
        assertThat(dataset.classNames().get(196)).isEqualTo("Make Model 196");
        assertThat(dataset.partitions()).isEmpty();
        for (DatasetImage image : dataset.images()) {
            assertThat(Fixtures.bytes(image)).as(image.id()).isEqualTo(bytes.get(image.id()));
            assertThat(image.contentType()).isEqualTo("image/jpeg");
        }
    }

    @Test
    void readsTheLayoutUnderCars196InsideATar(@TempDir Path dir) throws IOException {
        writeDevkit(dir.resolve("tree/cars196"), TRAIN, TEST, "devkit/");
        Path tar = dir.resolve("cars.tar");
        try (OutputStream out = Files.newOutputStream(tar);
                TarArchiveOutputStream archive = new TarArchiveOutputStream(out);
                Stream<Path> walk = Files.walk(dir.resolve("tree"))) {
            // folders before their files, as tar writes them
            for (Path file : walk.sorted().skip(1).toList()) {
                String name = dir.resolve("tree").relativize(file).toString().replace('\\', '/');
                archive.putArchiveEntry(new TarArchiveEntry(file.toFile(), name));
                if (Files.isRegularFile(file)) {
                    archive.write(Files.readAllBytes(file));
                }
                archive.closeArchiveEntry();
            }
        }
        Dataset dataset = CarsReader.read(tar);
        assertThat(dataset.size()).isEqualTo(6);
        assertThat(dataset.images().get(3).id()).isEqualTo("cars/cars_test/00001.jpg");
        assertThat(Fixtures.bytes(dataset.images().get(3)))
                .isEqualTo(Files.readAllBytes(dir.resolve("tree/cars196/cars_test/00001.jpg")));
    }

    @Test
    void trainHalfOnlyReadsTheTrainImagesAndWarnsThatTheTestHalfIsMissing(@TempDir Path root) throws IOException {
        writeDevkit(root, TRAIN, TEST, null);
        // the devkit's unlabelled test annotations are not the test half
        StudyLayouts.writeAnnos(root.resolve("devkit/cars_test_annos.mat"), TEST, "class");
        try (Warnings warnings = new Warnings()) {
            Dataset dataset = CarsReader.read(root);
            assertThat(dataset.images())
                    .extracting(DatasetImage::id)
                    .containsExactly(
                            "cars/cars_train/00001.jpg", "cars/cars_train/00002.jpg", "cars/cars_train/00003.jpg");
            assertThat(dataset.classIds()).containsExactly(1, 98, 150);
            assertThat(warnings.messages)
                    .singleElement()
                    .satisfies(message -> assertThat(message)
                            .contains("train half only")
                            .contains("the test half is missing")
                            .contains(CarsDevkitLayout.TEST_ANNOTATIONS)
                            .contains("read 3 images of 3 classes from " + root.resolve("cars_train")));
        }
    }

    @Test
    void testHalfOnlyReadsTheTestImagesAndWarnsThatTheTrainHalfIsMissing(@TempDir Path root) throws IOException {
        writeDevkit(root, TRAIN, TEST, "");
        Files.delete(root.resolve(CarsDevkitLayout.TRAIN_ANNOTATIONS));
        try (Warnings warnings = new Warnings()) {
            Dataset dataset = CarsReader.read(root);
            assertThat(dataset.images()).extracting(DatasetImage::id).allMatch(id -> id.startsWith("cars/cars_test/"));
            assertThat(dataset.images()).extracting(DatasetImage::classId).containsExactly(99, 196, 1);
            assertThat(warnings.messages).singleElement().asString().contains("the train half is missing");
        }
    }

    @Test
    void aHalfWithAll196ClassesIsNotCheckedButBothHalvesAre(@TempDir Path root) throws IOException {
        List<StudyLayouts.Anno> rows = onePerClass();
        writeDevkit(root, rows, List.of(), null);
        Dataset trainOnly = CarsReader.read(root);
        assertThat(trainOnly.numClasses()).isEqualTo(196);
        assertThat(trainOnly.size()).isEqualTo(196);
        assertThat(ClassSplit.standard().apply(trainOnly).test().classIds()).hasSize(98);

        writeDevkit(root, rows, rows, "");
        assertThatThrownBy(() -> CarsReader.read(root))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(
                        "has all 196 classes of the full dataset but 392 images instead of the" + " official 16185");
    }

    @Test
    void classIdsAndNamesAreThoseOfTheFullLayout(@TempDir Path dir) throws IOException {
        CarsReaderTest.writeFixture(dir.resolve("full"));
        writeDevkit(dir.resolve("devkit"), TRAIN, TEST, "");
        Dataset full = CarsReader.read(dir.resolve("full"));
        Dataset devkit = CarsReader.read(dir.resolve("devkit"));
        assertThat(devkit.classNames()).isEqualTo(full.classNames());
        // the fixtures hold classes 1, 98, 99, 150 and 196 (an explicit split must name present classes)
        for (ClassSplit split : List.of(ClassSplit.parse("1,98:99,150,196"), ClassSplit.standard())) {
            DatasetSplit a = split.apply(full);
            DatasetSplit b = split.apply(devkit);
            assertThat(b.train().classNames()).isEqualTo(a.train().classNames());
            assertThat(b.test().classNames()).isEqualTo(a.test().classNames());
            assertThat(b.train().classIds()).containsExactly(1, 98);
            assertThat(b.test().classIds()).containsExactly(99, 150, 196);
        }
    }

    @Test
    void missingFieldIsNamedWithTheFile(@TempDir Path root) throws IOException {
        writeDevkit(root, TRAIN, TEST, "");
        StudyLayouts.writeAnnos(root.resolve(CarsDevkitLayout.TRAIN_ANNOTATIONS), TRAIN, "fname");
        assertThatThrownBy(() -> CarsReader.read(root))
                .isInstanceOf(DatasetException.class)
                .hasMessageStartingWith(root.resolve("devkit/cars_train_annos.mat") + ": ")
                .hasMessageContaining("struct 'annotations' has no field 'fname'");
    }

    @Test
    void emptyClassOfOneEntryIsNamedWithFileEntryAndField(@TempDir Path root) throws IOException {
        writeDevkit(root, TRAIN, TEST, "devkit/");
        List<StudyLayouts.Anno> rows = new ArrayList<>(TEST);
        rows.set(1, new StudyLayouts.Anno("00002.jpg", null));
        StudyLayouts.writeAnnos(root.resolve("devkit/" + CarsDevkitLayout.TEST_ANNOTATIONS), rows, null);
        assertThatThrownBy(() -> CarsReader.read(root))
                .isInstanceOf(DatasetException.class)
                .hasMessage(root.resolve("devkit/cars_test_annos_withlabels.mat")
                        + ": annotations(2).class is not a numeric scalar");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 197})
    void classOutOfRangeIsNamedWithFileEntryAndField(int classId, @TempDir Path root) throws IOException {
        writeDevkit(root, TRAIN, TEST, "");
        List<StudyLayouts.Anno> rows = new ArrayList<>(TEST);
        rows.set(2, new StudyLayouts.Anno("00003.jpg", classId));
        StudyLayouts.writeAnnos(root.resolve(CarsDevkitLayout.TEST_ANNOTATIONS), rows, null);
        assertThatThrownBy(() -> CarsReader.read(root))
                .isInstanceOf(DatasetException.class)
                .hasMessage(root.resolve("cars_test_annos_withlabels.mat") + ": annotations(3).class = " + classId
                        + " is outside 1..196");
    }

    @Test
    void fnameOfAMissingImageIsNamedWithFileEntryAndField(@TempDir Path root) throws IOException {
        writeDevkit(root, TRAIN, TEST, "");
        Files.delete(root.resolve("cars_train/00003.jpg"));
        assertThatThrownBy(() -> CarsReader.read(root))
                .isInstanceOf(DatasetException.class)
                .hasMessage(root.resolve("devkit/cars_train_annos.mat")
                        + ": annotations(3).fname = 00003.jpg: image does not exist: "
                        + root.resolve("cars_train/00003.jpg"));
    }

    @Test
    void repeatedFnameAndMissingClassNamesFileAreNamed(@TempDir Path root) throws IOException {
        writeDevkit(root, TRAIN, TEST, "");
        StudyLayouts.writeAnnos(
                root.resolve(CarsDevkitLayout.TRAIN_ANNOTATIONS),
                List.of(new StudyLayouts.Anno("00001.jpg", 1), new StudyLayouts.Anno("00001.jpg", 2)),
                null);
        assertThatThrownBy(() -> CarsReader.read(root))
                .hasMessage(root.resolve("devkit/cars_train_annos.mat") + ": annotations(2).fname repeats: 00001.jpg");
        Files.delete(root.resolve(CarsDevkitLayout.META_FILE));
        assertThatThrownBy(() -> CarsReader.read(root))
                .isInstanceOf(DatasetException.class)
                .hasMessage("missing CARS class names file: " + root.resolve("devkit/cars_meta.mat"));
    }
}
