package io.divastream.datasets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A labelled image dataset, as read from disk: the images in the dataset's own order, the names of
 * its classes, and the partition (train/test/query/gallery) its own files assign to each image,
 * where they assign one.
 *
 * @param name a name for messages and logs, e.g. {@code cub:CUB_200_2011} or {@code cub/train}
 * @param format the layout it was read from
 * @param images the images, ids unique
 * @param classNames the name of every class id that has images (and of no other)
 * @param partitions image id to partition, for the images whose partition the dataset's files
 *     define (SOP, In-Shop, Omniglot); empty where only class ids define the protocol (CUB, CARS,
 *     image folders)
 */
public record Dataset(
        String name,
        DatasetFormat format,
        List<DatasetImage> images,
        SortedMap<Integer, String> classNames,
        Map<String, Partition> partitions) {

    /**
     * Validates and copies the fields.
     *
     * @throws IllegalArgumentException if an id repeats, an image's class is missing from {@code
     *     classNames} or named differently there, a class has no image, two classes share a name,
     *     or a partition names an unknown image
     */
    public Dataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(format, "format");
        images = List.copyOf(images);
        classNames = Collections.unmodifiableSortedMap(new TreeMap<>(classNames));
        partitions = Collections.unmodifiableMap(new LinkedHashMap<>(partitions));
        Set<String> ids = new HashSet<>(images.size() * 2);
        Set<Integer> used = new HashSet<>();
        for (DatasetImage image : images) {
            if (!ids.add(image.id())) {
                throw new IllegalArgumentException(name + ": image id repeats: " + image.id());
            }
            String className = classNames.get(image.classId());
            if (!image.className().equals(className)) {
                throw new IllegalArgumentException(name
                        + ": image "
                        + image.id()
                        + " has class "
                        + image.classId()
                        + " '"
                        + image.className()
                        + "' but the class is named "
                        + (className == null ? "nowhere" : "'" + className + "'"));
            }
            used.add(image.classId());
        }
        if (used.size() != classNames.size()) {
            Set<Integer> empty = new TreeSet<>(classNames.keySet());
            empty.removeAll(used);
            throw new IllegalArgumentException(name + ": classes without images: " + empty);
        }
        Map<String, Integer> byName = new HashMap<>();
        for (Map.Entry<Integer, String> entry : classNames.entrySet()) {
            Integer previous = byName.put(entry.getValue(), entry.getKey());
            if (previous != null) {
                throw new IllegalArgumentException(name
                        + ": classes "
                        + previous
                        + " and "
                        + entry.getKey()
                        + " have the same name '"
                        + entry.getValue()
                        + "'");
            }
        }
        for (String id : partitions.keySet()) {
            if (!ids.contains(id)) {
                throw new IllegalArgumentException(name + ": partition of unknown image " + id);
            }
        }
    }

    /**
     * The number of images.
     *
     * @return the image count
     */
    public int size() {
        return images.size();
    }

    /**
     * The class ids that have images, ascending.
     *
     * @return the class ids
     */
    public SortedSet<Integer> classIds() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(classNames.keySet()));
    }

    /**
     * The number of classes.
     *
     * @return the class count
     */
    public int numClasses() {
        return classNames.size();
    }

    /**
     * The partition the dataset's files assign to an image.
     *
     * @param image an image of this dataset
     * @return its partition, or null if the files assign none
     */
    public Partition partitionOf(DatasetImage image) {
        return partitions.get(image.id());
    }

    /**
     * The images a predicate accepts, as a dataset of their classes (in the same order, with
     * their partitions).
     *
     * @param subsetName the new dataset's name
     * @param keep which images to keep
     * @return the subset
     */
    public Dataset filter(String subsetName, Predicate<DatasetImage> keep) {
        List<DatasetImage> kept = new ArrayList<>();
        SortedMap<Integer, String> names = new TreeMap<>();
        Map<String, Partition> parts = new LinkedHashMap<>();
        for (DatasetImage image : images) {
            if (keep.test(image)) {
                kept.add(image);
                names.put(image.classId(), image.className());
                Partition partition = partitions.get(image.id());
                if (partition != null) {
                    parts.put(image.id(), partition);
                }
            }
        }
        return new Dataset(subsetName, format, kept, names, parts);
    }

    /**
     * The images of some classes.
     *
     * @param subsetName the new dataset's name
     * @param classIds the classes to keep
     * @return the subset
     */
    public Dataset withClasses(String subsetName, Set<Integer> classIds) {
        Set<Integer> keep = Set.copyOf(classIds);
        return filter(subsetName, image -> keep.contains(image.classId()));
    }

    @Override
    public String toString() {
        return "Dataset[" + name + ", " + format + ", " + images.size() + " images, " + classNames.size() + " classes]";
    }
}
