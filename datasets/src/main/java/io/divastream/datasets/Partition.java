package io.divastream.datasets;

/** The part of a dataset an image belongs to according to the dataset's own files. */
public enum Partition {
    /** Training images (SOP {@code Ebay_train.txt}, In-Shop {@code train}, Omniglot background). */
    TRAIN,
    /** Test images (SOP {@code Ebay_test.txt}, Omniglot evaluation). */
    TEST,
    /** In-Shop query images. */
    QUERY,
    /** In-Shop gallery images. */
    GALLERY
}
