package io.divastream.producer;

import io.divastream.datasets.ClassSplit;
import io.divastream.datasets.Dataset;
import io.divastream.datasets.DatasetException;
import io.divastream.datasets.DatasetImage;
import io.divastream.datasets.DatasetSplit;
import io.divastream.datasets.QueryGallery;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * Which images of a dataset the producer publishes, and under which labels.
 *
 * <p>With role {@link Role#ALL} and no role prefix, every image is published under its class name,
 * and the split is not applied. Otherwise the split is applied and the role picks its training or
 * test images (In-Shop: also query or gallery); with {@code prefixRole}, labels become {@code
 * train/<class>} or {@code test/<class>} (In-Shop query and gallery images are {@code test/}), so
 * that a job can route them with an expression such as {@code ^test/}.
 *
 * @param split the class split
 * @param role which part of the split to publish
 * @param prefixRole whether labels are prefixed with {@code train/} or {@code test/}
 */
public record DatasetSelection(ClassSplit split, Role role, boolean prefixRole) {

    /** A part of a split. */
    public enum Role {
        /** Every image (with a split applied: training and test images). */
        ALL,
        /** The training images. */
        TRAIN,
        /** The test images (In-Shop: query and gallery). */
        TEST,
        /** The In-Shop query images. */
        QUERY,
        /** The In-Shop gallery images. */
        GALLERY;

        /**
         * Parses a role name, ignoring case.
         *
         * @param name e.g. {@code train}
         * @return the role
         * @throws IllegalArgumentException naming the value
         */
        public static Role parse(String name) {
            try {
                return valueOf(name.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--role must be all, train, test, query or gallery: " + name);
            }
        }
    }

    /** Everything under its class name: the default. */
    public static final DatasetSelection EVERYTHING = new DatasetSelection(ClassSplit.standard(), Role.ALL, false);

    /** Validates the fields. */
    public DatasetSelection {
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(role, "role");
    }

    /**
     * Selects and labels the images.
     *
     * @param dataset the dataset
     * @return the images to publish, in dataset order (training images first when a split is
     *     applied)
     * @throws DatasetException if the split cannot be applied
     * @throws IllegalArgumentException if query or gallery is asked of a dataset without them
     */
    public List<LabeledSource> select(Dataset dataset) {
        if (role == Role.ALL && !prefixRole) {
            return label(dataset, DatasetImage::className);
        }
        DatasetSplit parts = split.apply(dataset);
        Function<DatasetImage, String> train = label("train/");
        Function<DatasetImage, String> test = label("test/");
        return switch (role) {
            case ALL -> {
                List<LabeledSource> all = new ArrayList<>(label(parts.train(), train));
                all.addAll(label(parts.test(), test));
                yield List.copyOf(all);
            }
            case TRAIN -> label(parts.train(), train);
            case TEST -> label(parts.test(), test);
            case QUERY -> label(queryGallery(parts, dataset).query(), test);
            case GALLERY -> label(queryGallery(parts, dataset).gallery(), test);
        };
    }

    private Function<DatasetImage, String> label(String prefix) {
        return prefixRole ? image -> prefix + image.className() : DatasetImage::className;
    }

    private static QueryGallery queryGallery(DatasetSplit parts, Dataset dataset) {
        return parts.queryGallery()
                .orElseThrow(() -> new IllegalArgumentException(
                        dataset.name() + " has no query/gallery protocol; use --role train or test"));
    }

    private static List<LabeledSource> label(Dataset part, Function<DatasetImage, String> labelOf) {
        return part.images().stream()
                .map(i -> new LabeledSource(i, labelOf.apply(i)))
                .toList();
    }
}
