package io.divastream.datasets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads Stanford Online Products from a directory or an uncompressed {@code .tar}.
 *
 * <p>Official layout, at the root or under {@code Stanford_Online_Products/}: {@code
 * Ebay_train.txt} and {@code Ebay_test.txt} (header {@code image_id class_id super_class_id path},
 * space-separated) and the images at {@code <path>}, i.e. {@code <category>_final/...}. DiVA
 * layout, at the root or under {@code online_products/}: {@code Info_Files/Ebay_{train,test}.txt}
 * and the images under {@code images/}. Class id = {@code class_id}; class name = {@code
 * <category>/<class_id>} (SOP has no class names); partition = the file. Images keep file order,
 * training first. Image id: {@code sop/<path>}.
 */
public final class SopReader {

    private static final String HEADER = "image_id class_id super_class_id path";

    private SopReader() {}

    /**
     * Reads the dataset and checks the official counts if it is complete.
     *
     * @param path the dataset folder, its parent, or a {@code .tar} of it
     * @return the dataset, with partitions {@link Partition#TRAIN} and {@link Partition#TEST}
     * @throws DatasetException for a missing file, a malformed line (file and line number), a class
     *     in both files or in two categories, an image that does not exist, or counts that
     *     contradict the full dataset
     */
    public static Dataset read(Path path) {
        DatasetFiles files = DatasetFiles.open(path);
        for (String base : List.of("", "Stanford_Online_Products")) {
            if (files.isFile(DatasetFiles.join(base, "Ebay_train.txt"))) {
                return OfficialCounts.SOP.check(read(files, base, base));
            }
        }
        for (String base : List.of("", "online_products")) {
            if (files.isFile(DatasetFiles.join(base, "Info_Files/Ebay_train.txt"))) {
                return OfficialCounts.SOP.check(
                        read(files, DatasetFiles.join(base, "Info_Files"), DatasetFiles.join(base, "images")));
            }
        }
        throw new DatasetException("no Stanford Online Products layout in "
                + files.location("")
                + ": expected Ebay_train.txt (official) or Info_Files/Ebay_train.txt (DiVA layout)");
    }

    private static Dataset read(DatasetFiles files, String infoDir, String imageDir) {
        List<DatasetImage> images = new ArrayList<>();
        SortedMap<Integer, String> classNames = new TreeMap<>();
        Map<String, Partition> partitions = new LinkedHashMap<>();
        Map<Integer, Partition> classPartition = new HashMap<>();
        Map<String, String> firstSeen = new HashMap<>();
        for (Partition partition : List.of(Partition.TRAIN, Partition.TEST)) {
            String fileName = partition == Partition.TRAIN ? "Ebay_train.txt" : "Ebay_test.txt";
            TextTable table = TextTable.read(files, DatasetFiles.join(infoDir, fileName), "SOP image list");
            String header = table.line(1);
            if (header == null
                    || !String.join(" ", header.strip().split("\\s+")).equals(HEADER)) {
                throw table.error(1, "expected the header '" + HEADER + "', found: '" + header + "'");
            }
            for (TextTable.Row row : table.rows(2, 4, HEADER)) {
                table.positiveInt(row, 0, "image_id");
                int classId = table.positiveInt(row, 1, "class_id");
                table.positiveInt(row, 2, "super_class_id");
                String relative = row.fields()[3];
                int slash = relative.indexOf('/');
                if (slash <= 0) {
                    throw table.error(row.line(), "path is not <category>_final/<file>: '" + relative + "'");
                }
                String category = relative.substring(0, slash);
                if (category.endsWith("_final")) {
                    category = category.substring(0, category.length() - "_final".length());
                }
                String className = category + "/" + classId;
                String known = classNames.putIfAbsent(classId, className);
                if (known != null && !known.equals(className)) {
                    throw table.error(
                            row.line(),
                            "class " + classId + " is in category " + category + " here but " + known + " before");
                }
                Partition previous = classPartition.putIfAbsent(classId, partition);
                if (previous != null && previous != partition) {
                    throw table.error(row.line(), "class " + classId + " is in both Ebay_train.txt and Ebay_test.txt");
                }
                String where = fileName + ":" + row.line();
                String before = firstSeen.putIfAbsent(relative, where);
                if (before != null) {
                    throw table.error(row.line(), "image " + relative + " is listed twice (also at " + before + ")");
                }
                String file = DatasetFiles.join(imageDir, relative);
                if (!files.isFile(file)) {
                    throw table.error(row.line(), "image does not exist: " + files.location(file));
                }
                DatasetImage image = new DatasetImage("sop/" + relative, classId, className, files.source(file));
                images.add(image);
                partitions.put(image.id(), partition);
            }
        }
        return new Dataset("sop:" + files.origin(), DatasetFormat.SOP, images, classNames, partitions);
    }
}
