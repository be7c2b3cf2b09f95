package io.divastream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.datasets.ClassSplit;
import io.divastream.datasets.Dataset;
import io.divastream.datasets.DatasetFormat;
import io.divastream.datasets.DatasetImage;
import io.divastream.datasets.ImageSource;
import io.divastream.datasets.Partition;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DatasetSelectionTest {

    /** An In-Shop-like dataset: items 1, 2 train; 3 query and gallery; 4 gallery. */
    private static Dataset inShop() {
        List<DatasetImage> images = new ArrayList<>();
        Map<String, Partition> partitions = new LinkedHashMap<>();
        TreeMap<Integer, String> names = new TreeMap<>();
        Object[][] rows = {
            {1, Partition.TRAIN},
            {2, Partition.TRAIN},
            {3, Partition.QUERY},
            {3, Partition.GALLERY},
            {4, Partition.GALLERY}
        };
        for (int i = 0; i < rows.length; i++) {
            int item = (Integer) rows[i][0];
            String name = String.format("id_%08d", item);
            names.put(item, name);
            DatasetImage image = new DatasetImage(
                    "inshop/img/" + i + ".jpg",
                    item,
                    name,
                    ImageSource.ofBytes(("b" + i).getBytes(StandardCharsets.UTF_8), "mem/" + i, "origin.tar"));
            images.add(image);
            partitions.put(image.id(), (Partition) rows[i][1]);
        }
        return new Dataset("inshop:test", DatasetFormat.INSHOP, images, names, partitions);
    }

    private static List<String> labels(List<LabeledSource> sources) {
        return sources.stream().map(LabeledSource::label).toList();
    }

    @Test
    void everythingKeepsClassNamesWithoutApplyingTheSplit() {
        List<LabeledSource> all = DatasetSelection.EVERYTHING.select(inShop());
        assertThat(labels(all))
                .containsExactly("id_00000001", "id_00000002", "id_00000003", "id_00000003", "id_00000004");
        LabeledImage first = all.get(0).read();
        assertThat(first.imageId()).isEqualTo("inshop/img/0.jpg");
        assertThat(first.contentType()).isEqualTo("image/jpeg");
        assertThat(first.source()).isEqualTo("origin.tar");
        assertThat(new String(first.bytes(), StandardCharsets.UTF_8)).isEqualTo("b0");
    }

    @Test
    void rolesPickThePartsOfTheStandardSplitWithPrefixes() {
        Dataset data = inShop();
        ClassSplit standard = ClassSplit.standard();
        assertThat(labels(new DatasetSelection(standard, DatasetSelection.Role.ALL, true).select(data)))
                .containsExactly(
                        "train/id_00000001",
                        "train/id_00000002",
                        "test/id_00000003",
                        "test/id_00000003",
                        "test/id_00000004");
        assertThat(labels(new DatasetSelection(standard, DatasetSelection.Role.TRAIN, false).select(data)))
                .containsExactly("id_00000001", "id_00000002");
        assertThat(new DatasetSelection(standard, DatasetSelection.Role.QUERY, true).select(data))
                .extracting(s -> s.image().id())
                .containsExactly("inshop/img/2.jpg");
        assertThat(new DatasetSelection(standard, DatasetSelection.Role.GALLERY, false).select(data))
                .extracting(s -> s.image().id())
                .containsExactly("inshop/img/3.jpg", "inshop/img/4.jpg");
        assertThat(new DatasetSelection(ClassSplit.parse("1:4"), DatasetSelection.Role.ALL, true).select(data))
                .extracting(LabeledSource::label)
                .containsExactly("train/id_00000001", "test/id_00000004");
    }

    @Test
    void queryOfADatasetWithoutQueryGalleryIsAClearError() {
        Dataset data = inShop();
        Dataset folder = new Dataset("folder:x", DatasetFormat.FOLDER, data.images(), data.classNames(), Map.of());
        assertThatThrownBy(() ->
                        new DatasetSelection(ClassSplit.standard(), DatasetSelection.Role.QUERY, false).select(folder))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("folder:x has no query/gallery protocol; use --role train or test");
    }
}
