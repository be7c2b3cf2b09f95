package io.divastream.model.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Class-balanced batches of synthetic 28 x 28 "glyphs": a few strokes per class, jittered per image. */
public final class SyntheticGlyphs {

    public static final int SIDE = 28;

    private SyntheticGlyphs() {}

    /** The class's prototype: three random strokes, deterministic in the class number. */
    public static float[] prototype(int classNumber) {
        SplittableRandom random = new SplittableRandom(1000L + classNumber);
        float[] image = new float[SIDE * SIDE];
        for (int stroke = 0; stroke < 3; stroke++) {
            double x0 = 4 + 20 * random.nextDouble();
            double y0 = 4 + 20 * random.nextDouble();
            double x1 = 4 + 20 * random.nextDouble();
            double y1 = 4 + 20 * random.nextDouble();
            for (int s = 0; s <= 40; s++) {
                int x = (int) Math.round(x0 + (x1 - x0) * s / 40.0);
                int y = (int) Math.round(y0 + (y1 - y0) * s / 40.0);
                image[y * SIDE + x] = 1f;
            }
        }
        return image;
    }

    /** The prototype shifted by up to one pixel, with a little pixel noise. */
    public static float[] sample(int classNumber, SplittableRandom random) {
        float[] proto = prototype(classNumber);
        int dx = random.nextInt(3) - 1;
        int dy = random.nextInt(3) - 1;
        float[] image = new float[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int sx = x - dx;
                int sy = y - dy;
                float v = sx >= 0 && sy >= 0 && sx < SIDE && sy < SIDE ? proto[sy * SIDE + sx] : 0f;
                v += (float) (0.1 * random.nextDouble());
                image[y * SIDE + x] = Math.min(1f, v);
            }
        }
        return image;
    }

    /** P classes drawn from {@code 0 .. classPool - 1} (distinct), K images each. */
    public static LabeledBatch batch(SplittableRandom random, int p, int k, int classPool) {
        List<Integer> pool = new ArrayList<>();
        for (int c = 0; c < classPool; c++) {
            pool.add(c);
        }
        List<String> labels = new ArrayList<>();
        float[][] images = new float[p * k][];
        for (int i = 0; i < p; i++) {
            int c = pool.remove(random.nextInt(pool.size()));
            for (int j = 0; j < k; j++) {
                labels.add("class-" + c);
                images[i * k + j] = sample(c, random);
            }
        }
        return new LabeledBatch(labels, images);
    }
}
