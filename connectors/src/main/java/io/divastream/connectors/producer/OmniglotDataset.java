package io.divastream.connectors.producer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Reads the Omniglot images from its zip archives.
 *
 * <p>Each archive has the layout {@code <top>/<Alphabet>/<characterNN>/<file>.png}, as the public
 * {@code images_background*.zip} / {@code images_evaluation.zip} files do. The class label is
 * {@code <Alphabet>/<characterNN>} and the image id {@code
 * omniglot/<Alphabet>/<characterNN>/<file>}. Images present in several archives (the small archives
 * share Greek and Latin) are kept once, from the first archive in name order. The result is sorted
 * by image id.
 *
 * <p>Without a directory, the two small archives shipped in this module's resources ({@value
 * #RESOURCE_DIRECTORY}, MIT licence beside them) are read: 8 alphabets, 242 characters, 4,840
 * images.
 */
public final class OmniglotDataset {
    private static final Logger LOG = LoggerFactory.getLogger(OmniglotDataset.class);

    /** Classpath folder of the embedded archives. */
    public static final String RESOURCE_DIRECTORY = "datasets/omniglot-small";

    /** File names of the embedded archives. */
    public static final List<String> EMBEDDED_ARCHIVES =
            List.of("images_background_small1.zip", "images_background_small2.zip");

    /** Prefix of every image id. */
    public static final String ID_PREFIX = "omniglot/";

    private static final String CONTENT_TYPE = "image/png";

    private OmniglotDataset() {}

    /**
     * Reads the archives of a directory, or the embedded archives when none is given.
     *
     * @param directory a directory holding {@code *.zip} archives, or empty for the embedded set
     * @return the images, sorted by image id
     * @throws DatasetException if the dataset cannot be read
     */
    public static List<LabeledImage> load(Optional<Path> directory) {
        return directory
                .map(OmniglotDataset::loadDirectory)
                .orElseGet(OmniglotDataset::loadEmbedded);
    }

    /**
     * Reads the small archives shipped on the classpath.
     *
     * @return the 4,840 images, sorted by image id
     * @throws DatasetException if a resource is missing or unreadable
     */
    public static List<LabeledImage> loadEmbedded() {
        Map<String, LabeledImage> images = new TreeMap<>();
        ClassLoader loader = OmniglotDataset.class.getClassLoader();
        for (String archive : EMBEDDED_ARCHIVES) {
            String resource = RESOURCE_DIRECTORY + "/" + archive;
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new DatasetException("classpath resource not found: " + resource);
                }
                int found = 0;
                try (ZipInputStream zip = new ZipInputStream(in)) {
                    ZipEntry entry;
                    while ((entry = zip.getNextEntry()) != null) {
                        if (!entry.isDirectory()) {
                            found += add(images, entry.getName(), archive, zip.readAllBytes());
                        }
                    }
                }
                requireImages(found, "classpath:" + resource);
            } catch (IOException e) {
                throw new DatasetException(
                        "cannot read classpath resource " + resource + ": " + e.getMessage(), e);
            }
        }
        return finish(images, "classpath:" + RESOURCE_DIRECTORY);
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
        if (!Files.isDirectory(directory)) {
            throw new DatasetException(
                    "Omniglot data directory does not exist or is not a directory: "
                            + directory.toAbsolutePath().normalize());
        }
        List<Path> archives = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*.zip")) {
            stream.forEach(archives::add);
        } catch (IOException e) {
            throw new DatasetException(
                    "cannot list Omniglot data directory "
                            + directory.toAbsolutePath().normalize()
                            + ": "
                            + e.getMessage(),
                    e);
        }
        if (archives.isEmpty()) {
            throw new DatasetException(
                    "no *.zip archives in Omniglot data directory "
                            + directory.toAbsolutePath().normalize());
        }
        archives.sort(Comparator.comparing(p -> p.getFileName().toString()));
        Map<String, LabeledImage> images = new TreeMap<>();
        for (Path archive : archives) {
            String name = archive.getFileName().toString();
            int found = 0;
            try (ZipFile zip = new ZipFile(archive.toFile())) {
                Enumeration<? extends ZipEntry> entries = zip.entries();
                while (entries.hasMoreElements()) {
                    ZipEntry entry = entries.nextElement();
                    if (!entry.isDirectory() && isImagePath(entry.getName())) {
                        try (InputStream in = zip.getInputStream(entry)) {
                            found += add(images, entry.getName(), name, in.readAllBytes());
                        }
                    }
                }
            } catch (IOException e) {
                throw new DatasetException(
                        "cannot read Omniglot archive "
                                + archive.toAbsolutePath().normalize()
                                + ": "
                                + e.getMessage(),
                        e);
            }
            requireImages(found, archive.toAbsolutePath().normalize().toString());
        }
        return finish(images, directory.toAbsolutePath().normalize().toString());
    }

    /**
     * Adds an archive entry if it is an image in the Omniglot layout.
     *
     * @return 1 if the entry is an image in the layout (even if already present), else 0
     */
    private static int add(
            Map<String, LabeledImage> images, String entryName, String archive, byte[] bytes) {
        if (!isImagePath(entryName)) {
            return 0;
        }
        String[] parts = entryName.split("/");
        String alphabet = parts[1];
        String character = parts[2];
        String file = parts[3];
        String label = alphabet + "/" + character;
        String imageId = ID_PREFIX + label + "/" + file;
        images.putIfAbsent(imageId, new LabeledImage(imageId, label, CONTENT_TYPE, bytes, archive));
        return 1;
    }

    private static boolean isImagePath(String entryName) {
        String[] parts = entryName.split("/");
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isBlank() || part.startsWith(".")) {
                return false;
            }
        }
        return parts[3].toLowerCase(java.util.Locale.ROOT).endsWith(".png");
    }

    private static void requireImages(int found, String where) {
        if (found == 0) {
            throw new DatasetException(
                    "no images in the layout <top>/<Alphabet>/<characterNN>/<file>.png in "
                            + where);
        }
    }

    private static List<LabeledImage> finish(Map<String, LabeledImage> images, String where) {
        List<LabeledImage> list = List.copyOf(images.values());
        LOG.info(
                "Read {} Omniglot images of {} classes from {}",
                list.size(),
                list.stream().map(LabeledImage::label).distinct().count(),
                where);
        return list;
    }
}
