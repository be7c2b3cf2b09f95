package io.divastream.offline;

import io.divastream.datasets.DatasetSplit;
import io.divastream.datasets.QueryGallery;
import io.divastream.images.RgbImage;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How the test images are searched (DIVA_SPEC section 6): every test image against all the others
 * (CUB, Cars, SOP), or the split's queries against its gallery (In-Shop); {@code auto} takes the split's own.
 */
public enum EvaluationProtocol {
    /** The split's own: query/gallery where the split has them, else leave-one-out. */
    AUTO("auto"),
    /** Every test image is a query against all other test images. */
    LEAVE_ONE_OUT("leave-one-out"),
    /** The split's queries against its gallery only. */
    QUERY_GALLERY("query-gallery");

    private final String text;

    EvaluationProtocol(String text) {
        this.text = text;
    }

    /**
     * Parses a protocol name.
     *
     * @param text auto, leave-one-out or query-gallery
     * @return the protocol
     * @throws IllegalArgumentException for any other name, listing the valid ones
     */
    public static EvaluationProtocol parse(String text) {
        for (EvaluationProtocol p : values()) {
            if (p.text.equals(text.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown evaluation protocol '" + text + "': use "
                + Arrays.stream(values()).map(p -> p.text).collect(Collectors.joining(", ")));
    }

    /**
     * The protocol a split is evaluated with.
     *
     * @param split the split
     * @return leave-one-out or query-gallery
     * @throws IllegalArgumentException for query-gallery on a split without a query/gallery partition
     */
    public EvaluationProtocol resolve(DatasetSplit split) {
        boolean partitioned = split.queryGallery().isPresent();
        if (this == AUTO) {
            return partitioned ? QUERY_GALLERY : LEAVE_ONE_OUT;
        }
        if (this == QUERY_GALLERY && !partitioned) {
            throw new IllegalArgumentException("the query-gallery protocol needs a split with query and gallery"
                    + " images (In-Shop's standard split); " + split.test().name()
                    + " has none: use leave-one-out");
        }
        return this;
    }

    /**
     * Decodes a split's test images as this protocol searches them.
     *
     * @param split the split
     * @return the test images: the split's test images alone, or its queries and gallery
     * @throws IOException if an image cannot be read
     */
    public TestImages<RgbImage> testImages(DatasetSplit split) throws IOException {
        if (resolve(split) == QUERY_GALLERY) {
            QueryGallery halves = split.queryGallery().orElseThrow();
            return new TestImages<>(
                    DecodedImages.photos(halves.query()), Optional.of(DecodedImages.photos(halves.gallery())));
        }
        return new TestImages<>(DecodedImages.photos(split.test()), Optional.empty());
    }

    @Override
    public String toString() {
        return text;
    }
}
