package io.divastream.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassSplitTest {

    /** A CUB-like dataset with the given class ids, {@code perClass} images each. */
    private static Dataset dataset(DatasetFormat format, int perClass, int... classIds) {
        List<DatasetImage> images = new ArrayList<>();
        SortedMap<Integer, String> names = new TreeMap<>();
        for (int c : classIds) {
            names.put(c, String.format("%03d.C", c));
            for (int i = 0; i < perClass; i++) {
                images.add(new DatasetImage(
                        "x/" + c + "/" + i + ".jpg",
                        c,
                        names.get(c),
                        ImageSource.ofBytes(new byte[] {(byte) c}, "mem:" + c + "/" + i, "mem")));
            }
        }
        return new Dataset("test", format, images, names, Map.of());
    }

    @Test
    void standardCubSplitIsClasses1To100Versus101To200() {
        int[] ids = java.util.stream.IntStream.rangeClosed(1, 200).toArray();
        DatasetSplit split = ClassSplit.standard().apply(dataset(DatasetFormat.CUB, 2, ids));
        assertThat(split.train().classIds()).hasSize(100).startsWith(1).endsWith(100);
        assertThat(split.test().classIds()).hasSize(100).startsWith(101).endsWith(200);
        assertThat(split.train().size()).isEqualTo(200);
        assertThat(split.train().images())
                .allSatisfy(i -> assertThat(i.classId()).isLessThanOrEqualTo(100));
    }

    @Test
    void standardSplitRejectsClassIdsAboveTheOfficialRange() {
        assertThatThrownBy(() -> ClassSplit.standard().apply(dataset(DatasetFormat.CARS, 1, 1, 99, 197)))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("1 images have class ids above 196");
    }

    @Test
    void parsesExplicitRangesListsAndFractions() {
        ClassSplit split = ClassSplit.parse(" 1-3, 7 : 4-6 ");
        assertThat(split).isEqualTo(ClassSplit.classes(List.of(1, 2, 3, 7), List.of(4, 5, 6)));
        assertThat(split.description()).isEqualTo("classes 1-3,7 train, 4-6 test");
        assertThat(ClassSplit.parse("standard")).isEqualTo(ClassSplit.standard());
        assertThat(ClassSplit.parse("fraction:0.25")).isEqualTo(ClassSplit.fraction(0.25));
        assertThat(ClassSplit.ranges(1, 20, 21, 30)).isEqualTo(ClassSplit.parse("1-20:21-30"));
        assertThatThrownBy(() -> ClassSplit.parse("1-20")).hasMessageContaining("TRAIN_IDS:TEST_IDS");
        assertThatThrownBy(() -> ClassSplit.parse("1-x:3")).hasMessageContaining("bad class id or range '1-x'");
        assertThatThrownBy(() -> ClassSplit.parse("1-5:5-9")).hasMessageContaining("overlap: 5");
        assertThatThrownBy(() -> ClassSplit.parse("fraction:1")).hasMessageContaining("(0, 1)");
        assertThatThrownBy(() -> ClassSplit.parse("5-1:6")).hasMessageContaining("empty class range 5-1");
    }

    @Test
    void explicitSplitKeepsOnlyNamedClassesAndRejectsMissingOnes() {
        Dataset data = dataset(DatasetFormat.CUB, 3, 1, 2, 3, 4, 5);
        DatasetSplit split = ClassSplit.parse("1,3:5").apply(data);
        assertThat(split.train().classIds()).containsExactly(1, 3);
        assertThat(split.test().classIds()).containsExactly(5);
        assertThat(split.train().size()).isEqualTo(6);
        assertThat(split.train().name()).isEqualTo("test/train");
        assertThatThrownBy(() -> ClassSplit.parse("1-2:6-7").apply(data))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("has no class 6-7");
    }

    @Test
    void fractionTakesTheFirstRoundedShareOfSortedClasses() {
        Dataset data = dataset(DatasetFormat.FOLDER, 1, 9, 2, 4, 7, 5);
        assertThat(ClassSplit.fraction(0.5).apply(data).train().classIds()).containsExactly(2, 4, 5);
        assertThat(ClassSplit.fraction(0.2).apply(data).train().classIds()).containsExactly(2);
        assertThat(ClassSplit.fraction(0.01).apply(data).train().classIds()).containsExactly(2);
        assertThat(ClassSplit.fraction(0.99).apply(data).test().classIds()).containsExactly(9);
        assertThatThrownBy(() -> ClassSplit.fraction(0.5).apply(dataset(DatasetFormat.FOLDER, 1, 3)))
                .hasMessageContaining("a split needs two");
    }

    @Test
    void splitAndDatasetRejectInconsistentParts() {
        Dataset a = dataset(DatasetFormat.CUB, 1, 1, 2);
        Dataset b = dataset(DatasetFormat.CUB, 1, 2, 3);
        assertThatThrownBy(() -> DatasetSplit.of(a, b))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shared class ids [2]");
        DatasetImage image = a.images().get(0);
        assertThatThrownBy(() -> new Dataset("d", DatasetFormat.CUB, List.of(image, image), a.classNames(), Map.of()))
                .hasMessageContaining("image id repeats: " + image.id());
        assertThatThrownBy(() -> new Dataset(
                        "d", DatasetFormat.CUB, List.of(image), new TreeMap<>(Map.of(1, "other")), Map.of()))
                .hasMessageContaining("has class 1 '001.C' but the class is named 'other'");
        assertThatThrownBy(() -> new Dataset("d", DatasetFormat.CUB, List.of(image), a.classNames(), Map.of()))
                .hasMessageContaining("classes without images: [2]");
    }

    @Test
    void datasetsOpenDispatchesOnTheFormat(@TempDir Path root) {
        Fixtures.writeImage(root, "images/001.A/a.jpg", 1);
        Fixtures.writeImage(root, "images/002.B/b.jpg", 2);
        assertThat(Datasets.open(DatasetFormat.CUB, root).format()).isEqualTo(DatasetFormat.CUB);
        Dataset folder = Datasets.open(DatasetFormat.FOLDER, root.resolve("images"));
        assertThat(folder.format()).isEqualTo(DatasetFormat.FOLDER);
        assertThat(folder.classNames()).containsEntry(1, "001.A");
        assertThat(DatasetFormat.parse("InShop")).isEqualTo(DatasetFormat.INSHOP);
        assertThatThrownBy(() -> DatasetFormat.parse("mnist"))
                .hasMessage("unknown dataset format 'mnist'; expected one of cub|cars|sop|inshop|omniglot|folder");
    }
}
