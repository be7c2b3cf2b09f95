package io.divastream.offline;

import io.divastream.datasets.ClassSplit;
import io.divastream.datasets.DatasetSplit;
import io.divastream.datasets.OmniglotReader;
import io.divastream.images.ImageDecoder;
import io.divastream.images.ImageSpec;
import java.io.IOException;
import java.nio.file.Path;

/**
 * An Omniglot zero-shot split decoded for the glyph network: for the two small zips of
 * {@code ../shared/data/omniglot-small}, train on Korean, Japanese (katakana), Sanskrit and Balinese
 * and test on Greek, Latin, Early_Aramaic and Tagalog; for the full set, background against
 * evaluation alphabets ({@link ClassSplit#standard()}).
 *
 * @param train the training images
 * @param test the test images
 */
public record OmniglotSplit(LabeledImages<float[]> train, LabeledImages<float[]> test) {

    /**
     * Reads the data with {@link OmniglotReader} and decodes every glyph.
     *
     * @param path the folder with the zips or the extracted {@code images_*} folders
     * @param side the decoded image side
     * @return the split
     * @throws IOException if an image cannot be read
     */
    public static OmniglotSplit load(Path path, int side) throws IOException {
        DatasetSplit split = ClassSplit.standard().apply(OmniglotReader.read(path));
        ImageDecoder decoder = new ImageDecoder(new ImageSpec(side, true));
        return new OmniglotSplit(
                DecodedImages.decode(split.train(), decoder::decode, 1),
                DecodedImages.decode(split.test(), decoder::decode, 1));
    }
}
