package io.divastream.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.Cell;
import us.hebi.matlab.mat.types.Char;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Sources;
import us.hebi.matlab.mat.types.Struct;

/**
 * Reads CARS196 (Stanford Cars) from a directory or an uncompressed {@code .tar}.
 *
 * <p>Official layout (preferred), at the root or under {@code cars196/}: {@code cars_annos.mat}, a
 * MATLAB v5 file with the struct array {@code annotations} (fields {@code relative_im_path}, e.g.
 * {@code car_ims/000001.jpg}, {@code class} 1..196 and {@code test}, the classification split, read
 * but not used) and the cell array {@code class_names}; the images at {@code relative_im_path}
 * relative to the root. Class id = the {@code class} field, name = {@code class_names{class}};
 * images keep the annotation order. Image id: {@code cars/<relative_im_path>}.
 *
 * <p>Devkit layout, used when there is no {@code cars_annos.mat}: {@code cars_train/} and {@code
 * cars_test/} with {@code devkit/cars_train_annos.mat}, {@code devkit/cars_meta.mat} and {@code
 * cars_test_annos_withlabels.mat}, read by {@link CarsDevkitLayout} with the same class ids.
 *
 * <p>DiVA layout, used when there is neither: {@code images/<one folder per
 * class>/} with class ids by sorted folder name. Only folder names whose sorted order is the class
 * order (e.g. {@code 001}..{@code 196}) reproduce the standard split there (DIVA_SPEC 5.2).
 */
public final class CarsReader {

    private static final Logger LOG = LoggerFactory.getLogger(CarsReader.class);

    /** The annotation file's name. */
    public static final String ANNOTATIONS_FILE = "cars_annos.mat";

    private CarsReader() {}

    /**
     * Reads the dataset and checks the official counts if it is complete.
     *
     * @param path the dataset folder, its parent, or a {@code .tar} of it
     * @return the dataset
     * @throws DatasetException for a missing or malformed annotation file (naming the field and
     *     entry), an image that does not exist, or counts that contradict the full dataset
     */
    public static Dataset read(Path path) {
        DatasetFiles files = DatasetFiles.open(path);
        for (String base : List.of("", "cars196")) {
            if (files.isFile(DatasetFiles.join(base, ANNOTATIONS_FILE))) {
                return OfficialCounts.CARS.check(readOfficial(files, base));
            }
        }
        for (String base : List.of("", "cars196")) {
            if (CarsDevkitLayout.isPresent(files, base)) {
                return CarsDevkitLayout.read(files, base);
            }
        }
        for (String base : List.of("", "cars196")) {
            String images = DatasetFiles.join(base, "images");
            if (!files.listDirectories(images).isEmpty()) {
                LOG.warn(
                        "{}: no {}; classes are the folders of {} in sorted order, which is the class"
                                + " order only if the folder names sort that way (e.g. 001..196)",
                        files.location(""),
                        ANNOTATIONS_FILE,
                        files.location(images));
                return OfficialCounts.CARS.check(ImageFolderReader.readClassFolders(
                        files, images, DatasetFormat.CARS, "cars:" + files.origin()));
            }
        }
        throw new DatasetException("no CARS196 layout in "
                + files.location("")
                + ": expected "
                + ANNOTATIONS_FILE
                + " with car_ims/ (official), cars_train/ with "
                + CarsDevkitLayout.TRAIN_ANNOTATIONS
                + " (devkit) or images/<class>/ folders");
    }

    private static Dataset readOfficial(DatasetFiles files, String base) {
        String matPath = DatasetFiles.join(base, ANNOTATIONS_FILE);
        String where = files.location(matPath);
        return readMat(files, matPath, "CARS annotation file", mat -> {
            Struct annotations = entry(mat, "annotations", Struct.class, where);
            requireFields(annotations, "annotations", List.of("relative_im_path", "class", "test"), where);
            List<String> names = classNames(mat, where);
            List<DatasetImage> images = new ArrayList<>();
            SortedMap<Integer, String> classNames = new TreeMap<>();
            Set<String> paths = new HashSet<>();
            for (int i = 0; i < annotations.getNumElements(); i++) {
                String at = "annotations(" + (i + 1) + ")";
                String relative = charAt(annotations.get("relative_im_path", i), where, at + ".relative_im_path");
                int classId = integerAt(annotations.get("class", i), where, at + ".class");
                int test = integerAt(annotations.get("test", i), where, at + ".test");
                if (classId < 1 || classId > names.size()) {
                    throw new DatasetException(
                            where + ": " + at + ".class = " + classId + " is outside 1.." + names.size());
                }
                if (test != 0 && test != 1) {
                    throw new DatasetException(where + ": " + at + ".test = " + test + " is not 0 or 1");
                }
                String file = DatasetFiles.join(base, relative.replace('\\', '/'));
                if (!paths.add(file)) {
                    throw new DatasetException(where + ": " + at + ".relative_im_path repeats: " + relative);
                }
                if (!files.isFile(file)) {
                    throw new DatasetException(where + ": " + at + ": image does not exist: " + files.location(file));
                }
                String className = names.get(classId - 1);
                images.add(new DatasetImage(
                        "cars/" + relative.replace('\\', '/'), classId, className, files.source(file)));
                classNames.put(classId, className);
            }
            return new Dataset("cars:" + files.origin(), DatasetFormat.CARS, images, classNames, Map.of());
        });
    }

    /**
     * Reads a MATLAB v5 file and applies a function to it.
     *
     * @param files the dataset's files
     * @param matPath the file's path
     * @param what what the file is, for the message if it is missing
     * @param body reads the variables
     * @param <R> the result type
     * @return the function's result
     * @throws DatasetException for a missing or unreadable file, or as thrown by the function
     */
    static <R> R readMat(DatasetFiles files, String matPath, String what, Function<MatFile, R> body) {
        String where = files.location(matPath);
        byte[] bytes = files.readAll(matPath, what);
        try (Mat5File mat = Mat5.newReader(Sources.wrap(bytes)).readMat()) {
            return body.apply(mat);
        } catch (IOException | RuntimeException e) {
            if (e instanceof DatasetException de) {
                throw de;
            }
            throw new DatasetException("cannot read MATLAB file " + where + ": " + e.getMessage(), e);
        }
    }

    /**
     * The cell array {@code class_names} of a MATLAB file, as text without surrounding blanks.
     *
     * @param mat the file
     * @param where its location, for messages
     * @return the names, class {@code k} at index {@code k - 1}
     * @throws DatasetException if the variable is missing or not a cell, or a name is not text
     *     or blank
     */
    static List<String> classNames(MatFile mat, String where) {
        Cell namesCell = entry(mat, "class_names", Cell.class, where);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < namesCell.getNumElements(); i++) {
            String at = "class_names{" + (i + 1) + "}";
            String name = charAt(namesCell.get(i), where, at);
            if (name.isEmpty()) {
                throw new DatasetException(where + ": " + at + " is blank");
            }
            names.add(name);
        }
        return names;
    }

    /**
     * Fails unless a struct has every field named.
     *
     * @param struct the struct (array)
     * @param variable its variable name, for the message
     * @param fields the fields required
     * @param where the file's location, for the message
     * @throws DatasetException naming the file, the variable and the first missing field
     */
    static void requireFields(Struct struct, String variable, List<String> fields, String where) {
        for (String field : fields) {
            if (!struct.getFieldNames().contains(field)) {
                throw new DatasetException(where
                        + ": struct '"
                        + variable
                        + "' has no field '"
                        + field
                        + "' (fields: "
                        + struct.getFieldNames()
                        + ")");
            }
        }
    }

    /** A variable of a MATLAB file, failing naming the file unless it exists with the type. */
    static <T extends Array> T entry(MatFile mat, String name, Class<T> type, String where) {
        Array array;
        try {
            array = mat.getArray(name);
        } catch (RuntimeException e) {
            throw new DatasetException(where + ": no variable '" + name + "'", e);
        }
        if (!type.isInstance(array)) {
            throw new DatasetException(
                    where + ": variable '" + name + "' is a " + array.getType() + ", not a " + type.getSimpleName());
        }
        return type.cast(array);
    }

    /** A text value, stripped, failing naming the file and entry unless it is text. */
    static String charAt(Array array, String where, String at) {
        if (!(array instanceof Char text)) {
            throw new DatasetException(
                    where + ": " + at + " is a " + (array == null ? "missing value" : array.getType()) + ", not text");
        }
        return text.getString().strip();
    }

    /** An integer value, failing naming the file and entry unless it is an integral scalar. */
    static int integerAt(Array array, String where, String at) {
        if (!(array instanceof Matrix matrix) || matrix.getNumElements() != 1) {
            throw new DatasetException(where + ": " + at + " is not a numeric scalar");
        }
        double value = matrix.getDouble(0);
        if (value != Math.rint(value) || Math.abs(value) > Integer.MAX_VALUE) {
            throw new DatasetException(where + ": " + at + " = " + value + " is not an integer");
        }
        return (int) value;
    }
}
