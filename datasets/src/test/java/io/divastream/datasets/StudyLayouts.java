package io.divastream.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.Cell;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.MatlabType;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Struct;

/**
 * Small generated datasets in official layouts, for the tests of this module and of the programs that read any
 * layout (the offline study): CUB-200-2011's text files, In-Shop's partition list, and Stanford Cars' {@code cars_train/} + devkit.
 */
public final class StudyLayouts {

    /**
     * One devkit annotation.
     *
     * @param fname the image file, relative to {@code cars_train/} or {@code cars_test/}
     * @param classId the class, 1..196 (null: an empty value)
     */
    public record Anno(String fname, Integer classId) {}

    private StudyLayouts() {}

    /**
     * Writes CUB-200-2011's official layout under {@code root/CUB_200_2011}: classes 1..classes, each with
     * perClass generated JPEGs.
     *
     * @param root the dataset folder
     * @param classes how many classes
     * @param perClass images per class
     */
    public static void cub(Path root, int classes, int perClass) {
        List<String> classLines = new ArrayList<>();
        List<String> images = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> split = new ArrayList<>();
        int id = 1;
        for (int c = 1; c <= classes; c++) {
            String folder = String.format("%03d.Species_%d", c, c);
            classLines.add(c + " " + folder);
            for (int i = 0; i < perClass; i++, id++) {
                String file = folder + "/photo_" + i + ".jpg";
                images.add(id + " " + file);
                labels.add(id + " " + c);
                split.add(id + " " + (i % 2));
                Fixtures.writeImage(root, "CUB_200_2011/images/" + file, 31 * c + i);
            }
        }
        Fixtures.writeLines(root, "CUB_200_2011/classes.txt", classLines.toArray(String[]::new));
        Fixtures.writeLines(root, "CUB_200_2011/images.txt", images.toArray(String[]::new));
        Fixtures.writeLines(root, "CUB_200_2011/image_class_labels.txt", labels.toArray(String[]::new));
        Fixtures.writeLines(root, "CUB_200_2011/train_test_split.txt", split.toArray(String[]::new));
    }

    /**
     * Writes the train half of Stanford Cars' devkit layout ({@code cars_train/}, {@code devkit/cars_meta.mat},
     * {@code devkit/cars_train_annos.mat}): classes 1..classes, each with perClass generated JPEGs.
     *
     * @param root the dataset folder
     * @param classes how many classes
     * @param perClass images per class
     * @throws IOException if a file cannot be written
     */
    public static void carsTrainHalf(Path root, int classes, int perClass) throws IOException {
        writeMeta(root, CarsReaderTest.classNames());
        List<Anno> rows = new ArrayList<>();
        for (int c = 1; c <= classes; c++) {
            for (int i = 0; i < perClass; i++) {
                String fname = String.format("%05d.jpg", rows.size() + 1);
                rows.add(new Anno(fname, c));
                Fixtures.writeImage(root, "cars_train/" + fname, 17 * c + i);
            }
        }
        writeAnnos(root.resolve(CarsDevkitLayout.TRAIN_ANNOTATIONS), rows, null);
    }

    /**
     * Writes In-Shop's layout ({@code Img/img/...} and {@code Eval/list_eval_partition.txt}): items 1..trainItems
     * for training, the next testItems for testing, each with perItem generated JPEGs; a test item's even images are
     * queries, its odd ones gallery images.
     *
     * @param root the dataset folder
     * @param trainItems training items
     * @param testItems test items
     * @param perItem images per item
     */
    public static void inShop(Path root, int trainItems, int testItems, int perItem) {
        List<String> rows = new ArrayList<>();
        for (int item = 1; item <= trainItems + testItems; item++) {
            String id = String.format("id_%08d", item);
            for (int i = 0; i < perItem; i++) {
                String file = "img/WOMEN/Dresses/" + id + "/" + String.format("%02d_%d_front.jpg", i + 1, i + 1);
                String status = item <= trainItems ? "train" : i % 2 == 0 ? "query" : "gallery";
                rows.add(file + " " + id + " " + status);
                Fixtures.writeImage(root, "Img/" + file, 13 * item + i);
            }
        }
        List<String> lines =
                new ArrayList<>(List.of(Integer.toString(rows.size()), "image_name item_id evaluation_status"));
        lines.addAll(rows);
        Fixtures.writeLines(root, "Eval/list_eval_partition.txt", lines.toArray(String[]::new));
    }

    /**
     * Writes a devkit annotation file as the devkit stores it: the 1xN struct array {@code
     * annotations}, {@code bbox_*} and {@code class} as uint8/uint16 scalars, {@code fname} as text.
     */
    public static void writeAnnos(Path file, List<Anno> rows, String omitField) throws IOException {
        Struct annotations = Mat5.newStruct(1, rows.size());
        for (int i = 0; i < rows.size(); i++) {
            for (String bbox : List.of("bbox_x1", "bbox_y1", "bbox_x2", "bbox_y2")) {
                annotations.set(bbox, i, scalar(MatlabType.UInt16, 5 + i));
            }
            if (!"class".equals(omitField)) {
                Integer classId = rows.get(i).classId();
                annotations.set("class", i, classId == null ? Mat5.newMatrix(0, 0) : scalar(MatlabType.UInt8, classId));
            }
            if (!"fname".equals(omitField)) {
                annotations.set("fname", i, Mat5.newString(rows.get(i).fname()));
            }
        }
        write(file, Mat5.newMatFile().addArray("annotations", annotations));
    }

    static Matrix scalar(MatlabType type, int value) {
        Matrix matrix = Mat5.newMatrix(1, 1, type);
        matrix.setDouble(0, value);
        return matrix;
    }

    /** Writes {@code devkit/cars_meta.mat}: the 1x196 cell array {@code class_names}. */
    public static void writeMeta(Path root, List<String> names) throws IOException {
        Cell cell = Mat5.newCell(1, names.size());
        for (int i = 0; i < names.size(); i++) {
            cell.set(i, Mat5.newString(names.get(i)));
        }
        write(root.resolve(CarsDevkitLayout.META_FILE), Mat5.newMatFile().addArray("class_names", cell));
    }

    static void write(Path file, MatFile mat) throws IOException {
        try (mat) {
            Files.createDirectories(file.getParent());
            Mat5.writeToFile(mat, file.toFile());
        }
    }
}
