package io.divastream.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InShopReaderTest {

    private static final List<String> ROWS = List.of(
            "img/WOMEN/Dresses/id_00000002/02_1_front.jpg id_00000002 train",
            "img/WOMEN/Dresses/id_00000002/02_2_side.jpg  id_00000002 train",
            "img/MEN/Denim/id_00000080/01_1_front.jpg     id_00000080 train",
            "img/WOMEN/Skirts/id_00000010/01_1_front.jpg  id_00000010 query",
            "img/WOMEN/Skirts/id_00000010/01_2_side.jpg   id_00000010 gallery",
            "img/MEN/Shirts/id_00000011/01_1_front.jpg    id_00000011 gallery",
            "img/MEN/Shirts/id_00000011/01_3_back.jpg     id_00000011 query");

    private static void write(Path root, String imagePrefix, int declared, List<String> rows) {
        String[] lines = new String[rows.size() + 2];
        lines[0] = Integer.toString(declared);
        lines[1] = "image_name item_id evaluation_status";
        for (int i = 0; i < rows.size(); i++) {
            lines[i + 2] = rows.get(i);
            Fixtures.writeImage(root, imagePrefix + rows.get(i).split("\\s+")[0], i);
        }
        Fixtures.writeLines(root, "Eval/list_eval_partition.txt", lines);
    }

    @Test
    void keepsEveryRowIncludingTheFirstAndSplitsQueryAndGallery(@TempDir Path root) {
        write(root, "Img/", ROWS.size(), ROWS);
        Dataset dataset = InShopReader.read(root);
        assertThat(dataset.size()).isEqualTo(7);
        assertThat(dataset.images().get(0).id()).isEqualTo("inshop/img/WOMEN/Dresses/id_00000002/02_1_front.jpg");
        assertThat(dataset.images().get(0).source().location())
                .isEqualTo(root.resolve("Img/img/WOMEN/Dresses/id_00000002/02_1_front.jpg")
                        .toString());
        assertThat(dataset.images()).extracting(DatasetImage::classId).containsExactly(2, 2, 80, 10, 10, 11, 11);
        assertThat(dataset.classNames()).containsEntry(80, "id_00000080");

        DatasetSplit split = ClassSplit.standard().apply(dataset);
        assertThat(split.train().size()).isEqualTo(3);
        assertThat(split.train().classIds()).containsExactly(2, 80);
        assertThat(split.test().classIds()).containsExactly(10, 11);
        QueryGallery qg = split.queryGallery().orElseThrow();
        assertThat(qg.query().images())
                .extracting(DatasetImage::id)
                .containsExactly(
                        "inshop/img/WOMEN/Skirts/id_00000010/01_1_front.jpg",
                        "inshop/img/MEN/Shirts/id_00000011/01_3_back.jpg");
        assertThat(qg.gallery().size()).isEqualTo(2);
    }

    @Test
    void readsImagesBesideEvalInTheDivaLayout(@TempDir Path root) {
        write(root, "", ROWS.size(), ROWS);
        Dataset dataset = InShopReader.read(root);
        assertThat(dataset.images().get(6).source().location())
                .isEqualTo(
                        root.resolve("img/MEN/Shirts/id_00000011/01_3_back.jpg").toString());
    }

    @Test
    void declaredCountMustMatchTheRows(@TempDir Path root) {
        write(root, "Img/", ROWS.size() + 1, ROWS);
        assertThatThrownBy(() -> InShopReader.read(root))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(
                        root.resolve("Eval/list_eval_partition.txt") + ":1: declares 8 images but 7 rows follow");
    }

    @Test
    void badStatusItemAndMissingImageNameTheLine(@TempDir Path root) {
        List<String> rows = new java.util.ArrayList<>(ROWS);
        rows.set(3, "img/WOMEN/Skirts/id_00000010/01_1_front.jpg id_00000010 validation");
        write(root, "Img/", rows.size(), rows);
        assertThatThrownBy(() -> InShopReader.read(root))
                .hasMessageContaining(
                        "list_eval_partition.txt:6: evaluation_status is not train, query or gallery: 'validation'");
        rows.set(3, "img/WOMEN/Skirts/id_00000010/01_1_front.jpg item10 query");
        write(root, "Img/", rows.size(), rows);
        assertThatThrownBy(() -> InShopReader.read(root))
                .hasMessageContaining("list_eval_partition.txt:6: item_id is not id_<number>: 'item10'");
        rows.set(3, "img/WOMEN/Skirts/id_00000010/missing.jpg id_00000010 query");
        Fixtures.writeLines(
                root,
                "Eval/list_eval_partition.txt",
                java.util.stream.Stream.concat(
                                java.util.stream.Stream.of("7", "image_name item_id evaluation_status"), rows.stream())
                        .toArray(String[]::new));
        assertThatThrownBy(() -> InShopReader.read(root))
                .hasMessageContaining("list_eval_partition.txt:6: image does not exist: "
                        + root.resolve("Img/img/WOMEN/Skirts/id_00000010/missing.jpg"));
    }

    @Test
    void sharedItemBetweenTrainAndTestBreaksTheSplit(@TempDir Path root) {
        List<String> rows = new java.util.ArrayList<>(ROWS);
        rows.set(2, "img/MEN/Denim/id_00000080/01_1_front.jpg id_00000010 train");
        write(root, "Img/", rows.size(), rows);
        Dataset dataset = InShopReader.read(root);
        assertThatThrownBy(() -> ClassSplit.standard().apply(dataset))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("are not disjoint; shared class ids [10]");
    }
}
