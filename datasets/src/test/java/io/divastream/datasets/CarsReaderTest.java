package io.divastream.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.Cell;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Struct;

class CarsReaderTest {

    /** One annotation row of the fixture. */
    record Row(String path, int classId, int test) {}

    static final List<Row> ROWS = List.of(
            new Row("car_ims/000001.jpg", 1, 0),
            new Row("car_ims/000002.jpg", 1, 1),
            new Row("car_ims/000003.jpg", 98, 0),
            new Row("car_ims/000004.jpg", 99, 0),
            new Row("car_ims/000005.png", 150, 1),
            new Row("car_ims/000006.jpg", 196, 0),
            new Row("car_ims/000007.jpg", 99, 1));

    static List<String> classNames() {
        List<String> names = new ArrayList<>();
        for (int c = 1; c <= 196; c++) {
            names.add(c == 150 ? "Ram C/V Cargo Van Minivan 2012" : "Make Model " + c);
        }
        return names;
    }

    /** Writes cars_annos.mat with MFL: the struct array annotations and the cell class_names. */
    static void writeAnnotations(Path file, List<Row> rows, List<String> names, boolean withTest) throws IOException {
        Struct annotations = Mat5.newStruct(1, rows.size());
        for (int i = 0; i < rows.size(); i++) {
            annotations.set("relative_im_path", i, Mat5.newString(rows.get(i).path()));
            annotations.set("bbox_x1", i, Mat5.newScalar(1));
            annotations.set("class", i, Mat5.newScalar(rows.get(i).classId()));
            if (withTest) {
                annotations.set("test", i, Mat5.newScalar(rows.get(i).test()));
            }
        }
        Cell cell = Mat5.newCell(1, names.size());
        for (int i = 0; i < names.size(); i++) {
            cell.set(i, Mat5.newString(names.get(i)));
        }
        try (MatFile mat =
                Mat5.newMatFile().addArray("annotations", annotations).addArray("class_names", cell)) {
            Files.createDirectories(file.getParent());
            Mat5.writeToFile(mat, file.toFile());
        }
    }

    static List<byte[]> writeFixture(Path root) throws IOException {
        writeAnnotations(root.resolve("cars_annos.mat"), ROWS, classNames(), true);
        List<byte[]> bytes = new ArrayList<>();
        for (int i = 0; i < ROWS.size(); i++) {
            bytes.add(Fixtures.writeImage(root, ROWS.get(i).path(), i));
        }
        return bytes;
    }

    @Test
    void readsClassesFromTheClassFieldAndNamesFromClassNames(@TempDir Path root) throws IOException {
        List<byte[]> bytes = writeFixture(root);
        Dataset dataset = CarsReader.read(root);
        assertThat(dataset.format()).isEqualTo(DatasetFormat.CARS);
        assertThat(dataset.images())
                .extracting(DatasetImage::id)
                .containsExactly(ROWS.stream().map(r -> "cars/" + r.path()).toArray(String[]::new));
        assertThat(dataset.images())
                .extracting(DatasetImage::classId)
                .containsExactly(ROWS.stream().map(Row::classId).toArray(Integer[]::new));
        assertThat(dataset.classNames()).hasSize(5);
        assertThat(dataset.classNames().get(150)).isEqualTo("Ram C/V Cargo Van Minivan 2012");
        assertThat(dataset.classNames().get(98)).isEqualTo("Make Model 98");
        for (int i = 0; i < ROWS.size(); i++) {
            assertThat(Fixtures.bytes(dataset.images().get(i))).isEqualTo(bytes.get(i));
        }
        assertThat(dataset.images().get(4).contentType()).isEqualTo("image/png");
        assertThat(dataset.images().get(0).contentType()).isEqualTo("image/jpeg");
    }

    @Test
    void standardSplitIsClasses1To98Versus99To196IgnoringTheTestFlag(@TempDir Path root) throws IOException {
        writeFixture(root);
        DatasetSplit split = ClassSplit.standard().apply(CarsReader.read(root));
        assertThat(split.train().classIds()).containsExactly(1, 98);
        assertThat(split.test().classIds()).containsExactly(99, 150, 196);
        assertThat(split.train().images())
                .extracting(DatasetImage::id)
                .containsExactly("cars/car_ims/000001.jpg", "cars/car_ims/000002.jpg", "cars/car_ims/000003.jpg");
        assertThat(split.test().size()).isEqualTo(4);
    }

    @Test
    void readsTheDivaFolderLayoutBySortedFolderName(@TempDir Path root) {
        Fixtures.writeImage(root, "cars196/images/002/b.jpg", 1);
        Fixtures.writeImage(root, "cars196/images/001/a.jpg", 2);
        Fixtures.writeImage(root, "cars196/images/010/c.jpg", 3);
        Dataset dataset = CarsReader.read(root);
        assertThat(dataset.classNames())
                .containsEntry(1, "001")
                .containsEntry(2, "002")
                .containsEntry(3, "010");
        assertThat(dataset.images())
                .extracting(DatasetImage::id)
                .containsExactly("cars/001/a.jpg", "cars/002/b.jpg", "cars/010/c.jpg");
    }

    @Test
    void classOutsideTheNamesIsRejectedNamingTheEntry(@TempDir Path root) throws IOException {
        List<Row> rows = new ArrayList<>(ROWS);
        rows.set(2, new Row("car_ims/000003.jpg", 197, 0));
        writeAnnotations(root.resolve("cars_annos.mat"), rows, classNames(), true);
        rows.forEach(r -> Fixtures.writeImage(root, r.path(), 0));
        assertThatThrownBy(() -> CarsReader.read(root))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(root.resolve("cars_annos.mat").toString())
                .hasMessageContaining("annotations(3).class = 197 is outside 1..196");
    }

    @Test
    void missingImageAndMissingFieldAreNamed(@TempDir Path root) throws IOException {
        writeFixture(root);
        Files.delete(root.resolve("car_ims/000002.jpg"));
        assertThatThrownBy(() -> CarsReader.read(root))
                .hasMessageContaining("annotations(2): image does not exist: " + root.resolve("car_ims/000002.jpg"));
        writeAnnotations(root.resolve("cars_annos.mat"), ROWS, classNames(), false);
        assertThatThrownBy(() -> CarsReader.read(root))
                .hasMessageContaining("struct 'annotations' has no field 'test'");
    }

    @Test
    void corruptMatFileIsNamed(@TempDir Path root) throws IOException {
        Files.writeString(root.resolve("cars_annos.mat"), "MATLAB 5.0 MAT-file, but truncated");
        assertThatThrownBy(() -> CarsReader.read(root))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("cannot read MATLAB file " + root.resolve("cars_annos.mat"));
    }
}
