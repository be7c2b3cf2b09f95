package io.divastream.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Omniglot in its public layout {@code <top>/<Alphabet>/<characterNN>/<file>.png}, where
 * {@code <top>} is {@code images_background} or {@code images_evaluation} (or the small sets'
 * {@code images_background_small1/2}), from zip archives (held in memory: Omniglot is small) or
 * extracted folders.
 *
 * <p>Class = one character of one alphabet, named {@code <Alphabet>/<characterNN>}; class id =
 * 1-based index of that name in the sorted ({@link String#compareTo}) list of all names read. Image
 * id: {@code omniglot/<Alphabet>/<characterNN>/<file>}. An image present in several archives (the
 * small archives share Greek and Latin) is kept once, from the first one added. Images are sorted
 * by id. Partition: {@link Partition#TRAIN} for a top folder named {@code *background*}, {@link
 * Partition#TEST} for {@code *evaluation*}. When a partition holds as many characters as the full
 * set (964 background, 659 evaluation), it must hold 20 drawings of each.
 */
public final class OmniglotReader {

    private static final Logger LOG = LoggerFactory.getLogger(OmniglotReader.class);

    /** Prefix of every image id. */
    public static final String ID_PREFIX = "omniglot/";

    private record Entry(String label, ImageSource source, Partition partition) {}

    private final Map<String, Entry> entries = new TreeMap<>();
    private final List<String> origins = new ArrayList<>();

    /** Creates an empty reader; add archives or folders, then {@link #build(String)}. */
    public OmniglotReader() {}

    /**
     * Reads an Omniglot path: a {@code .zip}; a directory holding {@code *.zip} archives (all are
     * read, in file name order, not recursively); or a directory holding the extracted {@code
     * images_*} folders (read in name order).
     *
     * @param path the archive or directory
     * @return the dataset
     * @throws DatasetException if the path is missing, holds neither archives nor {@code images_*}
     *     folders, or an archive is unreadable or holds no image in the layout
     */
    public static Dataset read(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        OmniglotReader reader = new OmniglotReader();
        if (Files.isRegularFile(absolute)
                && absolute.toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
            return reader.addZip(absolute).build("omniglot:" + absolute.getFileName());
        }
        if (!Files.isDirectory(absolute)) {
            throw new DatasetException("Omniglot data directory does not exist or is not a directory: " + absolute);
        }
        List<Path> zips = list(absolute, "*.zip", false);
        if (!zips.isEmpty()) {
            zips.forEach(reader::addZip);
        } else {
            List<Path> folders = list(absolute, "images_*", true);
            if (folders.isEmpty()) {
                throw new DatasetException("no *.zip archives and no images_background/images_evaluation folders in"
                        + " Omniglot data directory "
                        + absolute);
            }
            folders.forEach(reader::addFolder);
        }
        return reader.build("omniglot:" + absolute.getFileName());
    }

    private static List<Path> list(Path directory, String glob, boolean directories) {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, glob)) {
            for (Path p : stream) {
                if (directories ? Files.isDirectory(p) : Files.isRegularFile(p)) {
                    found.add(p);
                }
            }
        } catch (IOException e) {
            throw new DatasetException("cannot list Omniglot data directory " + directory + ": " + e.getMessage(), e);
        }
        found.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return found;
    }

    /**
     * Adds the images of a zip archive file.
     *
     * @param archive the archive
     * @return this reader
     * @throws DatasetException if the archive is unreadable or holds no image in the layout
     */
    public OmniglotReader addZip(Path archive) {
        Path absolute = archive.toAbsolutePath().normalize();
        String name = absolute.getFileName().toString();
        int found = 0;
        try (ZipFile zip = new ZipFile(absolute.toFile())) {
            Enumeration<? extends ZipEntry> all = zip.entries();
            while (all.hasMoreElements()) {
                ZipEntry entry = all.nextElement();
                if (!entry.isDirectory() && isImagePath(entry.getName())) {
                    try (InputStream in = zip.getInputStream(entry)) {
                        found += add(entry.getName(), absolute.toString(), name, in.readAllBytes());
                    }
                }
            }
        } catch (IOException e) {
            throw new DatasetException("cannot read Omniglot archive " + absolute + ": " + e.getMessage(), e);
        }
        requireImages(found, absolute.toString());
        origins.add(absolute.toString());
        return this;
    }

    /**
     * Adds the images of a zip archive read from a stream (e.g. a classpath resource).
     *
     * @param archiveName the archive's name, the images' origin
     * @param in the archive bytes; read to the end, not closed
     * @return this reader
     * @throws DatasetException if the stream is unreadable or holds no image in the layout
     */
    public OmniglotReader addZip(String archiveName, InputStream in) {
        int found = 0;
        try {
            ZipInputStream zip = new ZipInputStream(in);
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (!entry.isDirectory() && isImagePath(entry.getName())) {
                    found += add(entry.getName(), archiveName, archiveName, zip.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new DatasetException("cannot read Omniglot archive " + archiveName + ": " + e.getMessage(), e);
        }
        requireImages(found, archiveName);
        origins.add(archiveName);
        return this;
    }

    /**
     * Adds the images of an extracted top folder, e.g. {@code images_background/}.
     *
     * @param top the folder holding {@code <Alphabet>/<characterNN>/<file>.png}
     * @return this reader
     * @throws DatasetException if the folder is missing or holds no image in the layout
     */
    public OmniglotReader addFolder(Path top) {
        Path absolute = top.toAbsolutePath().normalize();
        if (!Files.isDirectory(absolute)) {
            throw new DatasetException("Omniglot folder does not exist or is not a directory: " + absolute);
        }
        DatasetFiles files = DatasetFiles.open(absolute);
        String topName = files.origin();
        Partition partition = partitionOf(topName);
        int found = 0;
        for (String file : files.listFiles("")) {
            String entryName = topName + "/" + file;
            if (isImagePath(entryName)) {
                String[] parts = file.split("/");
                String label = parts[0] + "/" + parts[1];
                entries.putIfAbsent(
                        ID_PREFIX + label + "/" + parts[2], new Entry(label, files.source(file), partition));
                found++;
            }
        }
        requireImages(found, absolute.toString());
        origins.add(absolute.toString());
        return this;
    }

    /**
     * The dataset of everything added so far.
     *
     * @param name the dataset's name
     * @return the dataset, images sorted by id
     * @throws DatasetException if nothing was added, or a full partition has a wrong image count
     */
    public Dataset build(String name) {
        if (entries.isEmpty()) {
            throw new DatasetException("no Omniglot archives or folders were read");
        }
        SortedMap<String, Integer> classIds = new TreeMap<>();
        entries.values().forEach(e -> classIds.put(e.label(), 0));
        int next = 1;
        for (Map.Entry<String, Integer> c : classIds.entrySet()) {
            c.setValue(next++);
        }
        List<DatasetImage> images = new ArrayList<>(entries.size());
        SortedMap<Integer, String> classNames = new TreeMap<>();
        Map<String, Partition> partitions = new LinkedHashMap<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            int classId = classIds.get(e.getValue().label());
            images.add(new DatasetImage(
                    e.getKey(), classId, e.getValue().label(), e.getValue().source()));
            classNames.put(classId, e.getValue().label());
            if (e.getValue().partition() != null) {
                partitions.put(e.getKey(), e.getValue().partition());
            }
        }
        Dataset dataset = new Dataset(name, DatasetFormat.OMNIGLOT, images, classNames, partitions);
        checkFullPartition(dataset, Partition.TRAIN, OfficialCounts.OMNIGLOT_BACKGROUND_CHARACTERS);
        checkFullPartition(dataset, Partition.TEST, OfficialCounts.OMNIGLOT_EVALUATION_CHARACTERS);
        LOG.info(
                "Read {} Omniglot images of {} classes from {}",
                dataset.size(),
                dataset.numClasses(),
                String.join(", ", origins));
        return dataset;
    }

    private static void checkFullPartition(Dataset dataset, Partition partition, int characters) {
        Dataset part = dataset.filter(dataset.name(), i -> dataset.partitionOf(i) == partition);
        if (part.numClasses() == characters && part.size() != characters * OfficialCounts.OMNIGLOT_DRAWINGS) {
            throw new DatasetException(dataset.name()
                    + ": the "
                    + (partition == Partition.TRAIN ? "background" : "evaluation")
                    + " set has all "
                    + characters
                    + " characters but "
                    + part.size()
                    + " images instead of "
                    + characters * OfficialCounts.OMNIGLOT_DRAWINGS);
        }
    }

    private int add(String entryName, String archiveLocation, String origin, byte[] bytes) {
        String[] parts = entryName.split("/");
        String label = parts[1] + "/" + parts[2];
        entries.putIfAbsent(
                ID_PREFIX + label + "/" + parts[3],
                new Entry(
                        label,
                        ImageSource.ofBytes(bytes, archiveLocation + "!/" + entryName, origin),
                        partitionOf(parts[0])));
        return 1;
    }

    private static Partition partitionOf(String top) {
        String lower = top.toLowerCase(Locale.ROOT);
        if (lower.contains("evaluation")) {
            return Partition.TEST;
        }
        if (lower.contains("background")) {
            return Partition.TRAIN;
        }
        return null;
    }

    private static boolean isImagePath(String entryName) {
        String[] parts = entryName.split("/");
        if (parts.length != 4 || parts[0].equals("__MACOSX")) {
            return false;
        }
        for (String part : parts) {
            if (part.isBlank() || part.startsWith(".")) {
                return false;
            }
        }
        return parts[3].toLowerCase(Locale.ROOT).endsWith(".png");
    }

    private static void requireImages(int found, String where) {
        if (found == 0) {
            throw new DatasetException("no images in the layout <top>/<Alphabet>/<characterNN>/<file>.png in " + where);
        }
    }
}
