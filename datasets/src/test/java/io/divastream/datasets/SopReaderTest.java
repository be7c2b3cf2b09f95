package io.divastream.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SopReaderTest {

    private static final String HEADER = "image_id class_id super_class_id path";

    private static void writeOfficial(Path root, String infoDir, String imageDir) {
        Fixtures.writeLines(
                root,
                infoDir + "Ebay_train.txt",
                HEADER,
                "1 1 1 bicycle_final/111085122871_0.JPG",
                "2 1 1 bicycle_final/111085122871_1.JPG",
                "3 2 2 chair_final/222_0.JPG");
        Fixtures.writeLines(
                root,
                infoDir + "Ebay_test.txt",
                HEADER,
                "4 3 1 bicycle_final/333_0.JPG",
                "5 4 12 toaster_final/444_0.JPG",
                "6 4 12 toaster_final/444_1.JPG");
        for (String p : new String[] {
            "bicycle_final/111085122871_0.JPG",
            "bicycle_final/111085122871_1.JPG",
            "chair_final/222_0.JPG",
            "bicycle_final/333_0.JPG",
            "toaster_final/444_0.JPG",
            "toaster_final/444_1.JPG"
        }) {
            Fixtures.writeImage(root, imageDir + p, p.hashCode());
        }
    }

    @Test
    void readsBothFilesWithPartitionsAndTheStandardSplit(@TempDir Path root) {
        writeOfficial(root, "Stanford_Online_Products/", "Stanford_Online_Products/");
        Dataset dataset = SopReader.read(root);
        assertThat(dataset.images())
                .extracting(DatasetImage::id)
                .containsExactly(
                        "sop/bicycle_final/111085122871_0.JPG",
                        "sop/bicycle_final/111085122871_1.JPG",
                        "sop/chair_final/222_0.JPG",
                        "sop/bicycle_final/333_0.JPG",
                        "sop/toaster_final/444_0.JPG",
                        "sop/toaster_final/444_1.JPG");
        assertThat(dataset.images()).extracting(DatasetImage::classId).containsExactly(1, 1, 2, 3, 4, 4);
        assertThat(dataset.classNames())
                .containsEntry(1, "bicycle/1")
                .containsEntry(2, "chair/2")
                .containsEntry(4, "toaster/4");
        assertThat(dataset.images().get(0).contentType()).isEqualTo("image/jpeg");
        assertThat(dataset.partitionOf(dataset.images().get(2))).isEqualTo(Partition.TRAIN);
        assertThat(dataset.partitionOf(dataset.images().get(3))).isEqualTo(Partition.TEST);

        DatasetSplit split = ClassSplit.standard().apply(dataset);
        assertThat(split.train().classIds()).containsExactly(1, 2);
        assertThat(split.train().size()).isEqualTo(3);
        assertThat(split.test().classIds()).containsExactly(3, 4);
        assertThat(split.test().size()).isEqualTo(3);
    }

    @Test
    void readsTheDivaLayout(@TempDir Path root) {
        writeOfficial(root, "online_products/Info_Files/", "online_products/images/");
        Dataset dataset = SopReader.read(root);
        assertThat(dataset.size()).isEqualTo(6);
        assertThat(dataset.images().get(5).source().location())
                .isEqualTo(root.resolve("online_products/images/toaster_final/444_1.JPG")
                        .toString());
    }

    @Test
    void classInBothFilesIsRejected(@TempDir Path root) {
        writeOfficial(root, "", "");
        Fixtures.writeLines(root, "Ebay_test.txt", HEADER, "4 1 1 bicycle_final/333_0.JPG");
        assertThatThrownBy(() -> SopReader.read(root))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(
                        root.resolve("Ebay_test.txt") + ":2: class 1 is in both Ebay_train.txt and Ebay_test.txt");
    }

    @Test
    void malformedRowsHeadersAndMissingImagesNameFileAndLine(@TempDir Path root) throws IOException {
        writeOfficial(root, "", "");
        Fixtures.writeLines(
                root, "Ebay_test.txt", HEADER, "4 3 1 bicycle_final/333_0.JPG", "5 4 toaster_final/444_0.JPG");
        assertThatThrownBy(() -> SopReader.read(root))
                .hasMessageContaining(root.resolve("Ebay_test.txt") + ":3: expected 4 fields");
        Fixtures.writeLines(root, "Ebay_test.txt", "4 3 1 bicycle_final/333_0.JPG");
        assertThatThrownBy(() -> SopReader.read(root))
                .hasMessageContaining(root.resolve("Ebay_test.txt") + ":1: expected the header");
        Fixtures.writeLines(root, "Ebay_test.txt", HEADER, "4 three 1 bicycle_final/333_0.JPG");
        assertThatThrownBy(() -> SopReader.read(root))
                .hasMessageContaining("Ebay_test.txt:2: class_id is not a positive integer: 'three'");
        writeOfficial(root, "", "");
        Files.delete(root.resolve("toaster_final/444_1.JPG"));
        assertThatThrownBy(() -> SopReader.read(root))
                .hasMessageContaining(
                        "Ebay_test.txt:4: image does not exist: " + root.resolve("toaster_final/444_1.JPG"));
        Files.delete(root.resolve("Ebay_test.txt"));
        assertThatThrownBy(() -> SopReader.read(root))
                .hasMessageContaining("missing SOP image list: " + root.resolve("Ebay_test.txt"));
    }
}
