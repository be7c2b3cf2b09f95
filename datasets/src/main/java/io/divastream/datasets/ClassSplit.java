package io.divastream.datasets;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A zero-shot split of a dataset by class: every class goes wholly to training or to test, so the
 * two never share a class ({@link DatasetSplit} checks it). Either the standard protocol of the
 * dataset ({@link Standard}), explicit class ids ({@link Explicit}) or a fraction of the sorted
 * class ids ({@link Fraction}).
 */
public sealed interface ClassSplit permits ClassSplit.Standard, ClassSplit.Explicit, ClassSplit.Fraction {

    /** The alphabets the small Omniglot set holds out for testing (shared/data/README.md). */
    Set<String> OMNIGLOT_SMALL_TEST_ALPHABETS = Set.of("Greek", "Latin", "Early_Aramaic", "Tagalog");

    /**
     * Splits a dataset.
     *
     * @param dataset the dataset
     * @return the train and test images
     * @throws DatasetException if a side would be empty or named classes are missing
     */
    DatasetSplit apply(Dataset dataset);

    /**
     * Describes the split for logs.
     *
     * @return e.g. {@code classes 1-20 train, 21-30 test}
     */
    String description();

    /**
     * The standard zero-shot split of each format (DIVA_SPEC 5.1).
     *
     * @return the split
     */
    static ClassSplit standard() {
        return new Standard();
    }

    /**
     * Explicit class ids for each side; classes in neither are dropped.
     *
     * @param train the training class ids
     * @param test the test class ids
     * @return the split
     * @throws IllegalArgumentException if the two overlap or one is empty
     */
    static ClassSplit classes(Collection<Integer> train, Collection<Integer> test) {
        return new Explicit(new TreeSet<>(train), new TreeSet<>(test));
    }

    /**
     * Class-id ranges for each side, bounds included.
     *
     * @param trainFirst first training class id
     * @param trainLast last training class id
     * @param testFirst first test class id
     * @param testLast last test class id
     * @return the split
     */
    static ClassSplit ranges(int trainFirst, int trainLast, int testFirst, int testLast) {
        return classes(range(trainFirst, trainLast), range(testFirst, testLast));
    }

    /**
     * The first fraction of the sorted class ids trains, the rest tests.
     *
     * @param trainFraction in (0, 1)
     * @return the split
     */
    static ClassSplit fraction(double trainFraction) {
        return new Fraction(trainFraction);
    }

    /**
     * Parses a split: {@code standard}, {@code fraction:F} or {@code TRAIN:TEST}, where each side is
     * a comma-separated list of class ids and inclusive ranges, e.g. {@code 1-20:21-30} or {@code
     * 1-10,15:11-14}.
     *
     * @param spec the text
     * @return the split
     * @throws IllegalArgumentException naming the malformed text
     */
    static ClassSplit parse(String spec) {
        String s = spec.strip();
        if (s.equalsIgnoreCase("standard")) {
            return standard();
        }
        if (s.toLowerCase(java.util.Locale.ROOT).startsWith("fraction:")) {
            String value = s.substring("fraction:".length()).strip();
            try {
                return fraction(Double.parseDouble(value));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("split fraction is not a number: '" + value + "'");
            }
        }
        String[] sides = s.split(":", -1);
        if (sides.length != 2) {
            throw new IllegalArgumentException(
                    "split must be 'standard', 'fraction:F' or 'TRAIN_IDS:TEST_IDS' (e.g. 1-20:21-30): '" + spec + "'");
        }
        return classes(parseIds(sides[0], spec), parseIds(sides[1], spec));
    }

    private static List<Integer> parseIds(String side, String spec) {
        List<Integer> ids = new ArrayList<>();
        for (String part : side.split(",")) {
            String p = part.strip();
            try {
                int dash = p.indexOf('-', 1);
                if (dash < 0) {
                    ids.add(Integer.parseInt(p));
                } else {
                    ids.addAll(range(
                            Integer.parseInt(p.substring(0, dash).strip()),
                            Integer.parseInt(p.substring(dash + 1).strip())));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad class id or range '" + p + "' in split '" + spec + "'");
            }
        }
        return ids;
    }

    private static List<Integer> range(int first, int last) {
        if (last < first) {
            throw new IllegalArgumentException("empty class range " + first + "-" + last);
        }
        List<Integer> ids = new ArrayList<>(last - first + 1);
        for (int id = first; id <= last; id++) {
            ids.add(id);
        }
        return ids;
    }

    /**
     * Formats class ids compactly, e.g. {@code 1-20,25}.
     *
     * @param ids the ids
     * @return the text
     */
    static String formatIds(SortedSet<Integer> ids) {
        StringBuilder out = new StringBuilder();
        Integer start = null;
        Integer previous = null;
        for (int id : ids) {
            if (previous != null && id == previous + 1) {
                previous = id;
                continue;
            }
            if (start != null) {
                appendRange(out, start, previous);
            }
            start = id;
            previous = id;
        }
        if (start != null) {
            appendRange(out, start, previous);
        }
        return out.toString();
    }

    private static void appendRange(StringBuilder out, int first, int last) {
        if (out.length() > 0) {
            out.append(',');
        }
        out.append(first);
        if (last > first) {
            out.append('-').append(last);
        }
    }

    /**
     * The standard protocol: CUB classes 1-100 train, 101-200 test; CARS 1-98 / 99-196 (the {@code
     * class} field of {@code cars_annos.mat}); SOP {@code Ebay_train.txt} / {@code Ebay_test.txt};
     * In-Shop {@code train} versus {@code query} and {@code gallery}, with query/gallery halves;
     * Omniglot the background alphabets versus the evaluation alphabets, and for the small
     * background-only set the alphabets {@link #OMNIGLOT_SMALL_TEST_ALPHABETS} as test; image
     * folders the first half of the sorted classes. A subset on which a side would be empty is an
     * error asking for an explicit split.
     */
    record Standard() implements ClassSplit {

        @Override
        public DatasetSplit apply(Dataset dataset) {
            return switch (dataset.format()) {
                case CUB -> byIdRange(dataset, 100, 200);
                case CARS -> byIdRange(dataset, 98, 196);
                case SOP -> byPartition(dataset, Set.of(Partition.TEST));
                case INSHOP -> byPartition(dataset, Set.of(Partition.QUERY, Partition.GALLERY));
                case OMNIGLOT -> omniglot(dataset);
                case FOLDER -> new Fraction(0.5).apply(dataset);
            };
        }

        @Override
        public String description() {
            return "standard";
        }

        private static DatasetSplit byIdRange(Dataset dataset, int lastTrain, int lastTest) {
            DatasetSplit split = split(
                    dataset,
                    dataset.withClasses(dataset.name() + "/train", ids(dataset, 1, lastTrain)),
                    dataset.withClasses(dataset.name() + "/test", ids(dataset, lastTrain + 1, lastTest)),
                    "classes 1-" + lastTrain + " train, " + (lastTrain + 1) + "-" + lastTest + " test");
            int outside = dataset.size() - split.train().size() - split.test().size();
            if (outside > 0) {
                throw new DatasetException(dataset.name()
                        + ": "
                        + outside
                        + " images have class ids above "
                        + lastTest
                        + ", outside the standard "
                        + dataset.format()
                        + " split");
            }
            return split;
        }

        private static Set<Integer> ids(Dataset dataset, int first, int last) {
            return dataset.classIds().subSet(first, last + 1);
        }

        private static DatasetSplit byPartition(Dataset dataset, Set<Partition> test) {
            for (DatasetImage image : dataset.images()) {
                if (dataset.partitionOf(image) == null) {
                    throw new DatasetException(dataset.name() + ": image " + image.id() + " has no partition");
                }
            }
            Dataset train = dataset.filter(dataset.name() + "/train", i -> dataset.partitionOf(i) == Partition.TRAIN);
            Dataset testSet = dataset.filter(dataset.name() + "/test", i -> test.contains(dataset.partitionOf(i)));
            requireBoth(dataset, train, testSet, "the partition of its files");
            Optional<QueryGallery> queryGallery = Optional.empty();
            if (test.contains(Partition.QUERY)) {
                queryGallery = Optional.of(new QueryGallery(
                        dataset.filter(dataset.name() + "/query", i -> dataset.partitionOf(i) == Partition.QUERY),
                        dataset.filter(dataset.name() + "/gallery", i -> dataset.partitionOf(i) == Partition.GALLERY)));
            }
            return new DatasetSplit(train, testSet, queryGallery);
        }

        private static DatasetSplit omniglot(Dataset dataset) {
            if (dataset.partitions().containsValue(Partition.TEST)) {
                return byPartition(dataset, Set.of(Partition.TEST));
            }
            return split(
                    dataset,
                    dataset.filter(dataset.name() + "/train", i -> !isSmallTestAlphabet(i)),
                    dataset.filter(dataset.name() + "/test", ClassSplit.Standard::isSmallTestAlphabet),
                    "alphabets " + new TreeSet<>(OMNIGLOT_SMALL_TEST_ALPHABETS) + " test");
        }

        private static boolean isSmallTestAlphabet(DatasetImage image) {
            String name = image.className();
            int slash = name.indexOf('/');
            return OMNIGLOT_SMALL_TEST_ALPHABETS.contains(slash < 0 ? name : name.substring(0, slash));
        }
    }

    /**
     * Explicit class ids per side.
     *
     * @param train the training class ids
     * @param test the test class ids
     */
    record Explicit(SortedSet<Integer> train, SortedSet<Integer> test) implements ClassSplit {

        /** Validates and copies the sets. */
        public Explicit {
            train = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(train));
            test = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(test));
            if (train.isEmpty() || test.isEmpty()) {
                throw new IllegalArgumentException("a split needs train and test classes");
            }
            SortedSet<Integer> shared = new TreeSet<>(train);
            shared.retainAll(test);
            if (!shared.isEmpty()) {
                throw new IllegalArgumentException("train and test classes overlap: " + formatIds(shared));
            }
        }

        @Override
        public DatasetSplit apply(Dataset dataset) {
            SortedSet<Integer> missing = new TreeSet<>(train);
            missing.addAll(test);
            missing.removeAll(dataset.classIds());
            if (!missing.isEmpty()) {
                throw new DatasetException(dataset.name()
                        + " has no class "
                        + formatIds(missing)
                        + " of the split "
                        + description()
                        + " (its classes: "
                        + formatIds(dataset.classIds())
                        + ")");
            }
            return split(
                    dataset,
                    dataset.withClasses(dataset.name() + "/train", train),
                    dataset.withClasses(dataset.name() + "/test", test),
                    description());
        }

        @Override
        public String description() {
            return "classes " + formatIds(train) + " train, " + formatIds(test) + " test";
        }
    }

    /**
     * The first {@code round(trainFraction * C)} of the C sorted class ids train (at least one, and
     * at least one left for test), the rest test.
     *
     * @param trainFraction in (0, 1)
     */
    record Fraction(double trainFraction) implements ClassSplit {

        /** Validates the fraction. */
        public Fraction {
            if (!(trainFraction > 0 && trainFraction < 1)) {
                throw new IllegalArgumentException("split fraction must be in (0, 1): " + trainFraction);
            }
        }

        @Override
        public DatasetSplit apply(Dataset dataset) {
            List<Integer> ids = new ArrayList<>(dataset.classIds());
            if (ids.size() < 2) {
                throw new DatasetException(dataset.name() + " has " + ids.size() + " class(es); a split needs two");
            }
            int trainCount = (int) Math.max(1, Math.min(ids.size() - 1, Math.round(trainFraction * ids.size())));
            return split(
                    dataset,
                    dataset.withClasses(dataset.name() + "/train", Set.copyOf(ids.subList(0, trainCount))),
                    dataset.withClasses(dataset.name() + "/test", Set.copyOf(ids.subList(trainCount, ids.size()))),
                    description());
        }

        @Override
        public String description() {
            return "first " + trainFraction + " of the sorted classes train, the rest test";
        }
    }

    private static DatasetSplit split(Dataset dataset, Dataset train, Dataset test, String rule) {
        requireBoth(dataset, train, test, rule);
        return DatasetSplit.of(train, test);
    }

    private static void requireBoth(Dataset dataset, Dataset train, Dataset test, String rule) {
        if (train.size() == 0 || test.size() == 0) {
            throw new DatasetException("the split ("
                    + rule
                    + ") leaves no "
                    + (train.size() == 0 ? "training" : "test")
                    + " images in "
                    + dataset.name()
                    + " ("
                    + dataset.numClasses()
                    + " classes, ids "
                    + formatIds(dataset.classIds())
                    + "); give a split explicitly, e.g. TRAIN_IDS:TEST_IDS such as 1-20:21-30");
        }
    }
}
