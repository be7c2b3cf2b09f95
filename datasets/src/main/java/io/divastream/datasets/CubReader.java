package io.divastream.datasets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads CUB-200-2011 from a directory or an uncompressed {@code .tar} (read in place).
 *
 * <p>Official layout (preferred), at the root or under {@code CUB_200_2011/}: {@code images.txt}
 * ({@code image_id path}), {@code image_class_labels.txt} ({@code image_id class_id}), {@code
 * classes.txt} ({@code class_id NNN.Name}) and {@code images/<path>}. Images keep the order of
 * {@code images.txt}; {@code train_test_split.txt} is ignored (DIVA_SPEC 5.1). DiVA layout,
 * used when there is no {@code images.txt}: {@code images/NNN.Name/*} at the root or under {@code
 * cub200/}; class id = NNN, images sorted by file name per class. Hidden files (macOS {@code ._*})
 * are skipped. Image id: {@code cub/<NNN.Name>/<file>}.
 *
 * <p>A {@code .tgz} must first be decompressed ({@code gunzip -k}, giving a {@code .tar}) or
 * extracted: compressed archives allow no random access.
 */
public final class CubReader {

    private static final Logger LOG = LoggerFactory.getLogger(CubReader.class);
    private static final Pattern CLASS_FOLDER = Pattern.compile("(\\d+)\\.(.+)");

    private CubReader() {}

    /**
     * Reads the dataset and checks the official counts if it is complete.
     *
     * @param path the dataset folder, its parent, or a {@code .tar} of it
     * @return the dataset
     * @throws DatasetException for a missing file, a malformed line (file and line number), an
     *     image that does not exist, or counts that contradict the full dataset
     */
    public static Dataset read(Path path) {
        return read(DatasetFiles.open(path));
    }

    static Dataset read(DatasetFiles files) {
        for (String base : List.of("", "CUB_200_2011")) {
            if (files.isFile(DatasetFiles.join(base, "images.txt"))) {
                return OfficialCounts.CUB.check(readOfficial(files, base));
            }
        }
        for (String base : List.of("", "cub200", "CUB_200_2011")) {
            if (!files.listDirectories(DatasetFiles.join(base, "images")).isEmpty()) {
                return OfficialCounts.CUB.check(readDivaLayout(files, base));
            }
        }
        throw new DatasetException("no CUB-200-2011 layout in "
                + files.location("")
                + ": expected CUB_200_2011/images.txt (official) or images/NNN.Name/ folders");
    }

    private static Dataset readOfficial(DatasetFiles files, String base) {
        TextTable classTable = TextTable.read(files, DatasetFiles.join(base, "classes.txt"), "CUB class list");
        Map<Integer, String> classes = new HashMap<>();
        for (TextTable.Row row : classTable.rows(1, 2, "class_id class_name")) {
            int id = classTable.positiveInt(row, 0, "class_id");
            if (classes.put(id, row.fields()[1]) != null) {
                throw classTable.error(row.line(), "class id " + id + " repeats");
            }
        }
        TextTable labelTable =
                TextTable.read(files, DatasetFiles.join(base, "image_class_labels.txt"), "CUB class labels");
        Map<Integer, TextTable.Row> labels = new LinkedHashMap<>();
        for (TextTable.Row row : labelTable.rows(1, 2, "image_id class_id")) {
            int imageId = labelTable.positiveInt(row, 0, "image_id");
            int classId = labelTable.positiveInt(row, 1, "class_id");
            if (!classes.containsKey(classId)) {
                throw labelTable.error(row.line(), "class id " + classId + " is not in classes.txt");
            }
            if (labels.put(imageId, row) != null) {
                throw labelTable.error(row.line(), "image id " + imageId + " repeats");
            }
        }
        TextTable imageTable = TextTable.read(files, DatasetFiles.join(base, "images.txt"), "CUB image list");
        List<DatasetImage> images = new ArrayList<>();
        SortedMap<Integer, String> classNames = new TreeMap<>();
        Map<Integer, Integer> seen = new HashMap<>();
        for (TextTable.Row row : imageTable.rows(1, 2, "image_id path")) {
            int imageId = imageTable.positiveInt(row, 0, "image_id");
            String relative = row.fields()[1];
            if (seen.put(imageId, row.line()) != null) {
                throw imageTable.error(row.line(), "image id " + imageId + " repeats");
            }
            TextTable.Row label = labels.remove(imageId);
            if (label == null) {
                throw imageTable.error(row.line(), "image id " + imageId + " has no line in image_class_labels.txt");
            }
            int classId = Integer.parseInt(label.fields()[1]);
            String className = classes.get(classId);
            if (!relative.startsWith(className + "/")) {
                throw imageTable.error(
                        row.line(),
                        "image " + relative + " is not in the folder of its class " + classId + " '" + className + "'");
            }
            String file = DatasetFiles.join(base, "images/" + relative);
            if (!files.isFile(file)) {
                throw imageTable.error(row.line(), "image does not exist: " + files.location(file));
            }
            images.add(new DatasetImage("cub/" + relative, classId, className, files.source(file)));
            classNames.put(classId, className);
        }
        if (!labels.isEmpty()) {
            TextTable.Row first = labels.values().iterator().next();
            throw labelTable.error(
                    first.line(), labels.size() + " image ids are not in images.txt, e.g. " + first.fields()[0]);
        }
        if (classNames.size() < classes.size()) {
            LOG.warn(
                    "{}: {} classes of classes.txt have no images and are left out",
                    classTable.location(),
                    classes.size() - classNames.size());
        }
        return new Dataset("cub:" + files.origin(), DatasetFormat.CUB, images, classNames, Map.of());
    }

    private static Dataset readDivaLayout(DatasetFiles files, String base) {
        String imagesDir = DatasetFiles.join(base, "images");
        List<DatasetImage> images = new ArrayList<>();
        SortedMap<Integer, String> classNames = new TreeMap<>();
        for (String folder : files.listDirectories(imagesDir)) {
            Matcher m = CLASS_FOLDER.matcher(folder);
            if (!m.matches()) {
                throw new DatasetException("CUB class folder is not named NNN.Name: "
                        + files.location(DatasetFiles.join(imagesDir, folder)));
            }
            int classId = Integer.parseInt(m.group(1));
            if (classId <= 0) {
                throw new DatasetException(
                        "CUB class folder has class id 0: " + files.location(DatasetFiles.join(imagesDir, folder)));
            }
            String previous = classNames.put(classId, folder);
            if (previous != null) {
                throw new DatasetException("CUB class folders "
                        + previous
                        + " and "
                        + folder
                        + " share class id "
                        + classId
                        + " in "
                        + files.location(imagesDir));
            }
            String classDir = DatasetFiles.join(imagesDir, folder);
            int count = 0;
            for (String file : files.listFiles(classDir)) {
                if (DatasetImage.isImageName(file)) {
                    String relative = file.substring(imagesDir.length() + 1);
                    images.add(new DatasetImage("cub/" + relative, classId, folder, files.source(file)));
                    count++;
                }
            }
            if (count == 0) {
                throw new DatasetException("CUB class folder has no images: " + files.location(classDir));
            }
        }
        return new Dataset("cub:" + files.origin(), DatasetFormat.CUB, images, classNames, Map.of());
    }
}
