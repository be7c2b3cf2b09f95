package io.divastream.datasets;

import java.nio.file.Path;
import java.util.Objects;

/** Entry point: reads a dataset of any {@link DatasetFormat}. */
public final class Datasets {

    private Datasets() {}

    /**
     * Reads a dataset.
     *
     * @param format its layout
     * @param path its root folder, parent folder or archive (see each reader)
     * @return the dataset
     * @throws DatasetException if it cannot be read
     */
    public static Dataset open(DatasetFormat format, Path path) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(path, "path");
        return switch (format) {
            case CUB -> CubReader.read(path);
            case CARS -> CarsReader.read(path);
            case SOP -> SopReader.read(path);
            case INSHOP -> InShopReader.read(path);
            case OMNIGLOT -> OmniglotReader.read(path);
            case FOLDER -> ImageFolderReader.read(path);
        };
    }
}
