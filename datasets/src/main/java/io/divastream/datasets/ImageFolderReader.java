package io.divastream.datasets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an image folder with one sub-folder per class, from a directory or an uncompressed {@code
 * .tar}. Classes are the sub-folders in sorted (case-sensitive, {@link String#compareTo}) order, with
 * class id = 1-based index in that order and class name = folder name; images are the files with an
 * image extension below each class folder (recursively), sorted by path. Hidden files and loose files
 * at the root are ignored. Image id: {@code folder/<class>/<file>}.
 */
public final class ImageFolderReader {

    private static final Logger LOG = LoggerFactory.getLogger(ImageFolderReader.class);

    private ImageFolderReader() {}

    /**
     * Reads the folder.
     *
     * @param path the root folder or a {@code .tar} of it
     * @return the dataset (counts logged; there is no official count to check)
     * @throws DatasetException if the root is missing, has no class folders, or a class folder has
     *     no images
     */
    public static Dataset read(Path path) {
        DatasetFiles files = DatasetFiles.open(path);
        Dataset dataset = readClassFolders(files, "", DatasetFormat.FOLDER, "folder:" + files.origin());
        LOG.info("{}: {} images of {} classes", dataset.name(), dataset.size(), dataset.numClasses());
        return dataset;
    }

    /**
     * Reads {@code <directory>/<class>/...} with class ids by sorted folder name.
     *
     * @param files the dataset files
     * @param directory the folder holding the class folders
     * @param format the format (also the id prefix)
     * @param name the dataset name
     * @return the dataset
     */
    static Dataset readClassFolders(DatasetFiles files, String directory, DatasetFormat format, String name) {
        List<String> classes = files.listDirectories(directory);
        if (classes.isEmpty()) {
            throw new DatasetException("no class folders in " + files.location(directory));
        }
        List<DatasetImage> images = new ArrayList<>();
        SortedMap<Integer, String> classNames = new TreeMap<>();
        for (int i = 0; i < classes.size(); i++) {
            int classId = i + 1;
            String className = classes.get(i);
            String classDir = DatasetFiles.join(directory, className);
            int count = 0;
            for (String file : files.listFiles(classDir)) {
                if (DatasetImage.isImageName(file)) {
                    String relative = directory.isEmpty() ? file : file.substring(directory.length() + 1);
                    images.add(new DatasetImage(format.id() + "/" + relative, classId, className, files.source(file)));
                    count++;
                }
            }
            if (count == 0) {
                throw new DatasetException("class folder has no images: " + files.location(classDir));
            }
            classNames.put(classId, className);
        }
        return new Dataset(name, format, images, classNames, Map.of());
    }
}
