package io.divastream.datasets;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A zero-shot split: training and test images whose classes are disjoint. For In-Shop the test
 * images are the union of query and gallery, which are also given separately.
 *
 * @param train the training images
 * @param test the test images (for In-Shop: query and gallery together)
 * @param queryGallery the query/gallery halves of {@code test}, if the protocol has them
 */
public record DatasetSplit(Dataset train, Dataset test, Optional<QueryGallery> queryGallery) {

    /**
     * Validates the split.
     *
     * @throws IllegalArgumentException if a class is both in train and in test, or query and
     *     gallery are not exactly the test images
     */
    public DatasetSplit {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(queryGallery, "queryGallery");
        Set<Integer> shared = new TreeSet<>(train.classIds());
        shared.retainAll(test.classIds());
        if (!shared.isEmpty()) {
            throw new IllegalArgumentException(train.classIds().size()
                    + " train and "
                    + test.classIds().size()
                    + " test classes of "
                    + train.name()
                    + " are not disjoint; shared class ids "
                    + abbreviate(shared));
        }
        queryGallery.ifPresent(qg -> {
            if (qg.query().size() + qg.gallery().size() != test.size()) {
                throw new IllegalArgumentException("query ("
                        + qg.query().size()
                        + ") and gallery ("
                        + qg.gallery().size()
                        + ") do not add up to the "
                        + test.size()
                        + " test images");
            }
        });
    }

    /**
     * A split without query/gallery halves.
     *
     * @param train the training images
     * @param test the test images
     * @return the split
     */
    public static DatasetSplit of(Dataset train, Dataset test) {
        return new DatasetSplit(train, test, Optional.empty());
    }

    private static String abbreviate(Set<Integer> ids) {
        return ids.size() <= 10 ? ids.toString() : ids.stream().limit(10).toList() + " ...";
    }
}
