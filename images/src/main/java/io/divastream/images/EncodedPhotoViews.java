package io.divastream.images;

import io.divastream.model.net.backbone.InputSpec;
import io.divastream.model.train.TrainingView;
import java.util.random.RandomGenerator;

/**
 * The views of photos kept as their encoded bytes (the {@code finetune} training mode, which trains the whole network
 * on pixels): the evaluation view, and random training views drawn by the trainer (RandomResizedCrop and flip, the
 * backbone's normalisation; {@link PhotoTransforms}). A photo is decoded once per call, also when several views are
 * drawn from it.
 *
 * <p>The bytes are those the job's decoders accepted: they were decoded there within the configured {@link
 * ImageLimits}, so they are decoded here without limits of their own (the configured ones may exceed the defaults).
 * Nothing else may be given to this class.
 */
public final class EncodedPhotoViews implements TrainingView<byte[]> {

    /** No bound: the bytes were checked against the job's limits when they were accepted. */
    private static final ImageLimits ACCEPTED = new ImageLimits(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);

    private final PhotoTransforms transforms;

    /**
     * Creates the views of a backbone's input.
     *
     * @param input the backbone's input spec
     */
    public EncodedPhotoViews(InputSpec input) {
        this.transforms = new PhotoTransforms(input);
    }

    /**
     * The evaluation view (resize, centre crop, normalisation).
     *
     * @param encoded an accepted photo's bytes
     * @return the flat C x S x S view
     */
    public float[] evaluation(byte[] encoded) {
        return transforms.evalView(PhotoDecoder.decode(encoded, ACCEPTED));
    }

    @Override
    public float[] make(byte[] encoded, RandomGenerator random) {
        return makeViews(encoded, 1, random)[0];
    }

    @Override
    public float[][] makeViews(byte[] encoded, int count, RandomGenerator random) {
        RgbImage image = PhotoDecoder.decode(encoded, ACCEPTED);
        float[][] views = new float[count][];
        for (int v = 0; v < count; v++) {
            views[v] = transforms.trainView(image, random);
        }
        return views;
    }
}
