package io.divastream.producer;

import io.divastream.datasets.Dataset;
import io.divastream.datasets.DatasetException;
import io.divastream.datasets.DatasetImage;
import io.divastream.datasets.OmniglotReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Omniglot images as {@link LabeledImage}s, read by the model's {@link OmniglotReader}.
 *
 * <p>Each archive has the layout {@code <top>/<Alphabet>/<characterNN>/<file>.png}, as the public
 * {@code images_background*.zip} / {@code images_evaluation.zip} files do. The class label is
 * {@code <Alphabet>/<characterNN>} and the image id {@code
 * omniglot/<Alphabet>/<characterNN>/<file>}. Images present in several archives (the small archives
 * share Greek and Latin) are kept once, from the first archive in name order. The result is sorted
 * by image id; the source of each image is its archive's file name.
 *
 * <p>Without a directory, the two small archives shipped in this module's resources ({@value
 * #RESOURCE_DIRECTORY}, MIT licence beside them) are read: 8 alphabets, 242 characters, 4,840
 * images.
 */
public final class OmniglotDataset {

    /** Classpath folder of the embedded archives. */
    public static final String RESOURCE_DIRECTORY = "datasets/omniglot-small";

    /** File names of the embedded archives. */
    public static final List<String> EMBEDDED_ARCHIVES =
            List.of("images_background_small1.zip", "images_background_small2.zip");

    /** Prefix of every image id. */
    public static final String ID_PREFIX = OmniglotReader.ID_PREFIX;

    private OmniglotDataset() {}

    /**
     * Reads the archives of a directory, or the embedded archives when none is given.
     *
     * @param directory a directory holding {@code *.zip} archives (or the extracted {@code
     *     images_*} folders), or empty for the embedded set
     * @return the images, sorted by image id
     * @throws DatasetException if the dataset cannot be read
     */
    public static List<LabeledImage> load(Optional<Path> directory) {
        return toLabeledImages(dataset(directory));
    }

    /**
     * Reads the small archives shipped on the classpath.
     *
     * @return the 4,840 images, sorted by image id
     * @throws DatasetException if a resource is missing or unreadable
     */
    public static List<LabeledImage> loadEmbedded() {
        return toLabeledImages(embeddedDataset());
    }

    /**
     * Reads every {@code *.zip} archive of a directory (not recursive), in file name order.
     *
     * @param directory the directory
     * @return the images, sorted by image id
     * @throws DatasetException if the directory is missing, has no archives, or an archive is
     *     unreadable or holds no image in the Omniglot layout
     */
    public static List<LabeledImage> loadDirectory(Path directory) {
        return load(Optional.of(directory));
    }

    /**
     * The dataset of a directory, or of the embedded archives when none is given.
     *
     * @param directory a directory holding {@code *.zip} archives, or empty for the embedded set
     * @return the dataset
     * @throws DatasetException if the dataset cannot be read
     */
    public static Dataset dataset(Optional<Path> directory) {
        if (directory.isEmpty()) {
            return embeddedDataset();
        }
        return OmniglotReader.read(directory.get());
    }

    /**
     * The dataset of the small archives shipped on the classpath.
     *
     * @return the dataset (4,840 images, 242 classes)
     * @throws DatasetException if a resource is missing or unreadable
     */
    public static Dataset embeddedDataset() {
        OmniglotReader reader = new OmniglotReader();
        ClassLoader loader = OmniglotDataset.class.getClassLoader();
        for (String archive : EMBEDDED_ARCHIVES) {
            String resource = RESOURCE_DIRECTORY + "/" + archive;
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new DatasetException("classpath resource not found: " + resource);
                }
                reader.addZip(archive, in);
            } catch (IOException e) {
                throw new DatasetException("cannot read classpath resource " + resource + ": " + e.getMessage(), e);
            } catch (DatasetException e) {
                throw new DatasetException(e.getMessage() + " (classpath:" + resource + ")", e);
            }
        }
        return reader.build("omniglot:classpath:" + RESOURCE_DIRECTORY);
    }

    /**
     * Reads the bytes of every image of a dataset into labelled images (label = class name,
     * source = the image's origin).
     *
     * @param dataset the dataset
     * @return the images, in dataset order
     * @throws DatasetException if an image cannot be read
     */
    static List<LabeledImage> toLabeledImages(Dataset dataset) {
        List<LabeledImage> images = new ArrayList<>(dataset.size());
        for (DatasetImage image : dataset.images()) {
            images.add(new LabeledSource(image, image.className()).read());
        }
        return List.copyOf(images);
    }
}
