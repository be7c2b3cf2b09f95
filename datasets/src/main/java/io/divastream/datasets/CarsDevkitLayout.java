package io.divastream.datasets;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import us.hebi.matlab.mat.types.Struct;

/**
 * The devkit layout of CARS196, read for {@link CarsReader}: the image folders {@code cars_train/}
 * and {@code cars_test/}, the class names in {@code devkit/cars_meta.mat} (cell array {@code
 * class_names}), the train labels in {@code devkit/cars_train_annos.mat} and the test labels in
 * {@code cars_test_annos_withlabels.mat}, at the root or in {@code devkit/} (the devkit's own
 * {@code cars_test_annos.mat} has no labels and is not read). Each annotation file holds the 1xN
 * struct array {@code annotations} with the fields {@code class} (1-based) and {@code fname} (e.g.
 * {@code 00001.jpg}, relative to the half's folder); the bounding boxes ({@code bbox_*}) are not
 * read.
 *
 * <p>Class id = the {@code class} field, name = {@code class_names{class}}: the same ids and names
 * as {@code cars_annos.mat}, so class splits mean the same in both layouts. Images: the train half
 * in annotation order, then the test half. Image id: {@code cars/cars_train/<fname>} or {@code
 * cars/cars_test/<fname>}. The halves are the devkit's classification split, not the retrieval
 * split, and assign no {@link Partition}. With both halves the official counts are checked; with
 * one half (the other's annotation file missing) a warning names the missing half and the counts
 * are not checked, since one half already has all 196 classes.
 */
final class CarsDevkitLayout {

    private static final Logger LOG = LoggerFactory.getLogger(CarsDevkitLayout.class);

    /** The class names file. */
    static final String META_FILE = "devkit/cars_meta.mat";

    /** The train half's annotation file. */
    static final String TRAIN_ANNOTATIONS = "devkit/cars_train_annos.mat";

    /** The test half's annotation file (with labels), at the root or in {@code devkit/}. */
    static final String TEST_ANNOTATIONS = "cars_test_annos_withlabels.mat";

    private static final List<String> FIELDS = List.of("class", "fname");

    private CarsDevkitLayout() {}

    /**
     * Whether a folder holds the devkit layout.
     *
     * @param files the dataset's files
     * @param base the folder ({@code ""} for the root)
     * @return true if {@code devkit/cars_meta.mat} or {@code devkit/cars_train_annos.mat} exists
     */
    static boolean isPresent(DatasetFiles files, String base) {
        return files.isFile(DatasetFiles.join(base, META_FILE))
                || files.isFile(DatasetFiles.join(base, TRAIN_ANNOTATIONS));
    }

    /**
     * Reads the layout: both halves, or the one whose annotation file exists.
     *
     * @param files the dataset's files
     * @param base the folder holding {@code devkit/}
     * @return the dataset, official counts checked if both halves are present
     * @throws DatasetException for a missing class names file, no annotation file, a malformed
     *     annotation (naming the file, entry and field), an image that does not exist, or counts
     *     that contradict the full dataset
     */
    static Dataset read(DatasetFiles files, String base) {
        String metaPath = DatasetFiles.join(base, META_FILE);
        String metaWhere = files.location(metaPath);
        List<String> names = CarsReader.readMat(
                files, metaPath, "CARS class names file", mat -> CarsReader.classNames(mat, metaWhere));
        String train = DatasetFiles.join(base, TRAIN_ANNOTATIONS);
        String test = testAnnotations(files, base);
        boolean hasTrain = files.isFile(train);
        if (!hasTrain && test == null) {
            throw new DatasetException("no CARS196 annotations in " + files.location(base) + ": expected "
                    + TRAIN_ANNOTATIONS + " and " + TEST_ANNOTATIONS + " (at the root or in devkit/)");
        }
        List<DatasetImage> images = new ArrayList<>();
        SortedMap<Integer, String> classNames = new TreeMap<>();
        if (hasTrain) {
            readHalf(files, train, DatasetFiles.join(base, "cars_train"), names, images, classNames);
        }
        int trainImages = images.size();
        if (test != null) {
            readHalf(files, test, DatasetFiles.join(base, "cars_test"), names, images, classNames);
        }
        Dataset dataset;
        try {
            dataset = new Dataset("cars:" + files.origin(), DatasetFormat.CARS, images, classNames, Map.of());
        } catch (IllegalArgumentException e) {
            throw new DatasetException(metaWhere + ": " + e.getMessage(), e);
        }
        if (hasTrain && test != null) {
            return OfficialCounts.CARS.check(dataset);
        }
        LOG.warn(
                "{}: CARS196 devkit layout with the {} half only: {}; read {} images of {} classes from {},"
                        + " official counts not checked",
                files.location(base),
                hasTrain ? "train" : "test",
                hasTrain
                        ? "the test half is missing (no " + TEST_ANNOTATIONS
                                + " at the root or in devkit/; devkit/cars_test_annos.mat has no labels)"
                        : "the train half is missing (no " + TRAIN_ANNOTATIONS + ")",
                hasTrain ? trainImages : dataset.size(),
                dataset.numClasses(),
                files.location(DatasetFiles.join(base, hasTrain ? "cars_train" : "cars_test")));
        return dataset;
    }

    /** The test annotation file: at the root if there, else in {@code devkit/}, else null. */
    private static String testAnnotations(DatasetFiles files, String base) {
        String atRoot = DatasetFiles.join(base, TEST_ANNOTATIONS);
        String inDevkit = DatasetFiles.join(base, "devkit/" + TEST_ANNOTATIONS);
        if (files.isFile(atRoot)) {
            if (files.isFile(inDevkit)) {
                LOG.info("using {}, not {}", files.location(atRoot), files.location(inDevkit));
            }
            return atRoot;
        }
        return files.isFile(inDevkit) ? inDevkit : null;
    }

    private static void readHalf(
            DatasetFiles files,
            String matPath,
            String imageDir,
            List<String> names,
            List<DatasetImage> images,
            SortedMap<Integer, String> classNames) {
        String where = files.location(matPath);
        List<DatasetImage> half = CarsReader.readMat(files, matPath, "CARS annotation file", mat -> {
            Struct annotations = CarsReader.entry(mat, "annotations", Struct.class, where);
            CarsReader.requireFields(annotations, "annotations", FIELDS, where);
            List<DatasetImage> read = new ArrayList<>();
            Set<String> paths = new HashSet<>();
            for (int i = 0; i < annotations.getNumElements(); i++) {
                String at = "annotations(" + (i + 1) + ")";
                int classId = CarsReader.integerAt(annotations.get("class", i), where, at + ".class");
                String fname = CarsReader.charAt(annotations.get("fname", i), where, at + ".fname")
                        .replace('\\', '/');
                if (classId < 1 || classId > names.size()) {
                    throw new DatasetException(
                            where + ": " + at + ".class = " + classId + " is outside 1.." + names.size());
                }
                if (fname.isEmpty()) {
                    throw new DatasetException(where + ": " + at + ".fname is blank");
                }
                String file = DatasetFiles.join(imageDir, fname);
                if (!paths.add(file)) {
                    throw new DatasetException(where + ": " + at + ".fname repeats: " + fname);
                }
                if (!files.isFile(file)) {
                    throw new DatasetException(where + ": " + at + ".fname = " + fname + ": image does not exist: "
                            + files.location(file));
                }
                String className = names.get(classId - 1);
                String id = "cars/" + imageDir.substring(imageDir.lastIndexOf('/') + 1) + "/" + fname;
                read.add(new DatasetImage(id, classId, className, files.source(file)));
            }
            return read;
        });
        for (DatasetImage image : half) {
            images.add(image);
            classNames.put(image.classId(), image.className());
        }
    }
}
