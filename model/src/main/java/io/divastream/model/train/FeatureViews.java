package io.divastream.model.train;

import java.util.random.RandomGenerator;

/**
 * The training views of an image whose frozen-backbone features were computed beforehand, one feature vector per
 * augmented view: a view is one of them drawn uniformly; the views of one step are distinct while the image has
 * enough of them (the two DaNCE views are then two different augmentations), drawn with replacement otherwise.
 */
public final class FeatureViews implements TrainingView<float[][]> {

    /** The one instance: it holds no state. */
    public static final FeatureViews INSTANCE = new FeatureViews();

    private FeatureViews() {}

    @Override
    public float[] make(float[][] views, RandomGenerator random) {
        requireViews(views);
        return views[random.nextInt(views.length)];
    }

    @Override
    public float[][] makeViews(float[][] views, int count, RandomGenerator random) {
        requireViews(views);
        if (count > views.length) {
            return TrainingView.super.makeViews(views, count, random);
        }
        int[] chosen = Draws.distinct(views.length, count, random);
        float[][] out = new float[count][];
        for (int v = 0; v < count; v++) {
            out[v] = views[chosen[v]];
        }
        return out;
    }

    private static void requireViews(float[][] views) {
        if (views.length == 0) {
            throw new IllegalArgumentException("an image with no feature views cannot be trained on");
        }
    }
}
