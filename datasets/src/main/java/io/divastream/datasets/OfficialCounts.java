package io.divastream.datasets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image and class counts of the official datasets (DIVA_SPEC 5.1) and their check. A dataset
 * whose class count equals the official one is taken to be the full dataset, and then every count,
 * including those of its standard split, must match; any other dataset is a subset, whose counts
 * are only logged.
 *
 * @param format the format
 * @param classes classes of the full dataset
 * @param images images of the full dataset
 * @param trainClasses classes of the standard training split
 * @param trainImages images of the standard training split
 * @param testClasses classes of the standard test split
 * @param testImages images of the standard test split (In-Shop: query and gallery)
 */
record OfficialCounts(
        DatasetFormat format,
        int classes,
        int images,
        int trainClasses,
        int trainImages,
        int testClasses,
        int testImages) {

    private static final Logger LOG = LoggerFactory.getLogger(OfficialCounts.class);

    /** CUB-200-2011. */
    static final OfficialCounts CUB = new OfficialCounts(DatasetFormat.CUB, 200, 11_788, 100, 5_864, 100, 5_924);

    /** CARS196. */
    static final OfficialCounts CARS = new OfficialCounts(DatasetFormat.CARS, 196, 16_185, 98, 8_054, 98, 8_131);

    /** Stanford Online Products. */
    static final OfficialCounts SOP =
            new OfficialCounts(DatasetFormat.SOP, 22_634, 120_053, 11_318, 59_551, 11_316, 60_502);

    /** In-Shop Clothes Retrieval (test = 14,218 query + 12,612 gallery images). */
    static final OfficialCounts INSHOP =
            new OfficialCounts(DatasetFormat.INSHOP, 7_982, 52_712, 3_997, 25_882, 3_985, 26_830);

    /** In-Shop query images. */
    static final int INSHOP_QUERY_IMAGES = 14_218;

    /** In-Shop gallery images. */
    static final int INSHOP_GALLERY_IMAGES = 12_612;

    /** Omniglot background set: 964 characters of 30 alphabets, 20 drawings each. */
    static final int OMNIGLOT_BACKGROUND_CHARACTERS = 964;

    /** Omniglot evaluation set: 659 characters of 20 alphabets, 20 drawings each. */
    static final int OMNIGLOT_EVALUATION_CHARACTERS = 659;

    /** Drawings per Omniglot character. */
    static final int OMNIGLOT_DRAWINGS = 20;

    /**
     * Checks a dataset against these counts if it is the full dataset, else logs its counts.
     *
     * @param dataset the dataset just read
     * @return the dataset
     * @throws DatasetException if the full dataset's counts differ from the official ones
     */
    Dataset check(Dataset dataset) {
        if (dataset.numClasses() != classes) {
            LOG.info(
                    "{}: {} images of {} classes, a subset of the {} classes of the full {} dataset"
                            + " (counts not checked)",
                    dataset.name(),
                    dataset.size(),
                    dataset.numClasses(),
                    classes,
                    format);
            return dataset;
        }
        require(dataset, "images", dataset.size(), images);
        DatasetSplit split = ClassSplit.standard().apply(dataset);
        require(dataset, "training classes", split.train().numClasses(), trainClasses);
        require(dataset, "training images", split.train().size(), trainImages);
        require(dataset, "test classes", split.test().numClasses(), testClasses);
        require(dataset, "test images", split.test().size(), testImages);
        if (format == DatasetFormat.INSHOP) {
            QueryGallery qg = split.queryGallery().orElseThrow();
            require(dataset, "query images", qg.query().size(), INSHOP_QUERY_IMAGES);
            require(dataset, "gallery images", qg.gallery().size(), INSHOP_GALLERY_IMAGES);
        }
        LOG.info(
                "{}: full {} dataset, {} images of {} classes, official counts verified",
                dataset.name(),
                format,
                dataset.size(),
                dataset.numClasses());
        return dataset;
    }

    private static void require(Dataset dataset, String what, int actual, int expected) {
        if (actual != expected) {
            throw new DatasetException(dataset.name()
                    + " has all "
                    + dataset.numClasses()
                    + " classes of the full dataset but "
                    + actual
                    + " "
                    + what
                    + " instead of the official "
                    + expected);
        }
    }
}
