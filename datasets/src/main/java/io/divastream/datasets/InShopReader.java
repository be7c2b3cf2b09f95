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

/**
 * Reads the In-Shop Clothes Retrieval benchmark from a directory or an uncompressed {@code .tar}.
 *
 * <p>Layout, at the root or under {@code In-shop Clothes Retrieval Benchmark/}: {@code
 * Eval/list_eval_partition.txt}, whose line 1 is the image count, line 2 the header {@code
 * image_name item_id evaluation_status}, then one whitespace-separated row per image (status
 * {@code train}, {@code query} or {@code gallery}); every row is kept (the DiVA code drops the
 * first) and the count of line 1 must match. Images at {@code Img/<image_name>} (official; {@code
 * image_name} starts with {@code img/}) or, DiVA layout, {@code <root>/<image_name>}. Class id = the
 * number of {@code item_id} ({@code id_00000080} is 80), class name = {@code item_id}. Image id:
 * {@code inshop/<image_name>}.
 */
public final class InShopReader {

    /** The partition file, relative to the dataset root. */
    public static final String PARTITION_FILE = "Eval/list_eval_partition.txt";

    private static final String HEADER = "image_name item_id evaluation_status";
    private static final Pattern ITEM = Pattern.compile("id_(\\d+)");

    private InShopReader() {}

    /**
     * Reads the dataset and checks the official counts if it is complete.
     *
     * @param path the dataset folder, its parent, or a {@code .tar} of it
     * @return the dataset, with partitions {@link Partition#TRAIN}, {@link Partition#QUERY} and
     *     {@link Partition#GALLERY}
     * @throws DatasetException for a missing file, a malformed line (file and line number), a count
     *     that differs from line 1, an image that does not exist, or counts that contradict the full
     *     dataset
     */
    public static Dataset read(Path path) {
        DatasetFiles files = DatasetFiles.open(path);
        for (String base : List.of("", "In-shop Clothes Retrieval Benchmark", "inshop")) {
            if (files.isFile(DatasetFiles.join(base, PARTITION_FILE))) {
                return OfficialCounts.INSHOP.check(read(files, base));
            }
        }
        throw new DatasetException("no In-Shop layout in " + files.location("") + ": expected " + PARTITION_FILE);
    }

    private static Dataset read(DatasetFiles files, String base) {
        TextTable table = TextTable.read(files, DatasetFiles.join(base, PARTITION_FILE), "In-Shop partition file");
        String countLine = table.line(1);
        int declared;
        try {
            declared = Integer.parseInt(countLine == null ? "" : countLine.strip());
        } catch (NumberFormatException e) {
            throw table.error(1, "expected the image count, found: '" + countLine + "'");
        }
        String header = table.line(2);
        if (header == null || !String.join(" ", header.strip().split("\\s+")).equals(HEADER)) {
            throw table.error(2, "expected the header '" + HEADER + "', found: '" + header + "'");
        }
        List<TextTable.Row> rows = table.rows(3, 3, HEADER);
        if (rows.size() != declared) {
            throw table.error(1, "declares " + declared + " images but " + rows.size() + " rows follow");
        }
        String imageRoot =
                files.isDirectory(DatasetFiles.join(base, "Img/img")) ? DatasetFiles.join(base, "Img") : base;
        List<DatasetImage> images = new ArrayList<>(rows.size());
        SortedMap<Integer, String> classNames = new TreeMap<>();
        Map<String, Partition> partitions = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new HashMap<>();
        for (TextTable.Row row : rows) {
            String imageName = row.fields()[0];
            String item = row.fields()[1];
            Matcher m = ITEM.matcher(item);
            if (!m.matches()) {
                throw table.error(row.line(), "item_id is not id_<number>: '" + item + "'");
            }
            int classId;
            try {
                classId = Integer.parseInt(m.group(1));
            } catch (NumberFormatException e) {
                throw table.error(row.line(), "item_id number is too large: '" + item + "'");
            }
            String known = classNames.putIfAbsent(classId, item);
            if (known != null && !known.equals(item)) {
                throw table.error(row.line(), "item ids " + known + " and " + item + " have the same number");
            }
            Partition partition = switch (row.fields()[2]) {
                case "train" -> Partition.TRAIN;
                case "query" -> Partition.QUERY;
                case "gallery" -> Partition.GALLERY;
                default ->
                    throw table.error(
                            row.line(), "evaluation_status is not train, query or gallery: '" + row.fields()[2] + "'");
            };
            Integer before = lineOf.putIfAbsent(imageName, row.line());
            if (before != null) {
                throw table.error(row.line(), "image " + imageName + " is listed twice (also on line " + before + ")");
            }
            String file = DatasetFiles.join(imageRoot, imageName);
            if (!files.isFile(file)) {
                throw table.error(row.line(), "image does not exist: " + files.location(file));
            }
            DatasetImage image = new DatasetImage("inshop/" + imageName, classId, item, files.source(file));
            images.add(image);
            partitions.put(image.id(), partition);
        }
        return new Dataset("inshop:" + files.origin(), DatasetFormat.INSHOP, images, classNames, partitions);
    }
}
