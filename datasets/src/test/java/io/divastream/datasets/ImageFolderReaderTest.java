package io.divastream.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderReaderTest {

    @Test
    void classesAreSortedSubFoldersNumberedFromOne(@TempDir Path root) {
        Fixtures.writeImage(root, "zebra/z1.png", 1);
        Fixtures.writeImage(root, "Apple/nested/a2.jpg", 2);
        Fixtures.writeImage(root, "Apple/a1.jpg", 3);
        Fixtures.writeImage(root, "mango/m1.JPG", 4);
        Fixtures.write(root, "mango/.DS_Store", new byte[] {0});
        Fixtures.writeLines(root, "mango/labels.csv", "not an image");
        Fixtures.writeLines(root, "README.txt", "loose file");
        Dataset dataset = ImageFolderReader.read(root);
        assertThat(dataset.format()).isEqualTo(DatasetFormat.FOLDER);
        assertThat(dataset.classNames())
                .containsExactly(Map.entry(1, "Apple"), Map.entry(2, "mango"), Map.entry(3, "zebra"));
        assertThat(dataset.images())
                .extracting(DatasetImage::id)
                .containsExactly(
                        "folder/Apple/a1.jpg",
                        "folder/Apple/nested/a2.jpg",
                        "folder/mango/m1.JPG",
                        "folder/zebra/z1.png");
        assertThat(dataset.images()).extracting(DatasetImage::classId).containsExactly(1, 1, 2, 3);
        DatasetSplit split = ClassSplit.standard().apply(dataset);
        assertThat(split.train().classIds()).containsExactly(1, 2);
        assertThat(split.test().classIds()).containsExactly(3);
    }

    @Test
    void classFolderWithoutImagesIsAnError(@TempDir Path root) throws Exception {
        Fixtures.writeImage(root, "a/x.png", 1);
        Files.createDirectories(root.resolve("b"));
        assertThatThrownBy(() -> ImageFolderReader.read(root))
                .isInstanceOf(DatasetException.class)
                .hasMessage("class folder has no images: " + root.resolve("b"));
        Path empty = Files.createDirectories(root.resolve("c/empty"));
        assertThatThrownBy(() -> ImageFolderReader.read(empty)).hasMessage("no class folders in " + empty);
    }
}
