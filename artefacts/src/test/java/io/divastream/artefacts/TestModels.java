package io.divastream.artefacts;

import io.divastream.images.ImageSpec;
import io.divastream.model.DivaHead;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.LossSpec;
import io.divastream.model.config.MomentumSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.config.OptimizerSpec;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.ViewAugmenter;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/** A small glyph network trained for a few steps, its export, and encoded test images. */
public final class TestModels {

    /** The network: 28 px glyphs, two 8-channel blocks, 8-d heads, all four heads. */
    public static final NetworkSpec SPEC = new NetworkSpec(28, List.of(8, 8), 8, List.of(DivaHead.values()), 16);

    /** Omniglot-style decoding at the network's size. */
    public static final ImageSpec IMAGE_SPEC = new ImageSpec(28, true);

    /** Head weights of the combined embedding. */
    public static final double[] WEIGHTS = {0.5, 1, 1, 1};

    private TestModels() {}

    /**
     * Trains the network for a few steps on random glyph classes and snapshots it.
     *
     * @param version the version to stamp
     * @param steps optimizer steps
     * @return the snapshot
     */
    public static ModelSnapshot snapshot(long version, int steps) {
        DivaConfig config = new DivaConfig(
                SPEC,
                new LossSpec(0.2, 1.2, 0.5, 0.3, 0.3, 0.3, 1500, 0.01, 1.4, false),
                new OptimizerSpec(1e-3, 4e-4, 5e-4, 1e-3),
                new MomentumSpec(0.9, 64),
                3L);
        SplittableRandom random = new SplittableRandom(version);
        try (DivaTrainer trainer = new DivaTrainer(config, ViewAugmenter.IDENTITY, 64)) {
            for (int s = 0; s < steps; s++) {
                List<String> labels = new ArrayList<>();
                float[][] views = new float[2][16 * 28 * 28];
                for (int c = 0; c < 4; c++) {
                    for (int i = 0; i < 4; i++) {
                        int row = labels.size();
                        labels.add("c" + c);
                        System.arraycopy(glyph(c, random), 0, views[0], row * 28 * 28, 28 * 28);
                        System.arraycopy(glyph(c, random), 0, views[1], row * 28 * 28, 28 * 28);
                    }
                }
                trainer.step(labels, views);
            }
            return trainer.snapshot(version);
        }
    }

    /**
     * Exports a snapshot of {@link #SPEC}.
     *
     * @param dir the artefact directory
     * @param snapshot the snapshot
     * @return the directory
     */
    public static Path export(Path dir, ModelSnapshot snapshot) {
        try {
            ModelExport.write(dir, SPEC, IMAGE_SPEC, WEIGHTS, snapshot);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /**
     * A 28 x 28 glyph of class {@code c}: a bar at a class-dependent position plus noise, values in [0, 1].
     *
     * @param c the class
     * @param random noise source
     * @return the glyph, ink = 1
     */
    public static float[] glyph(int c, SplittableRandom random) {
        float[] g = new float[28 * 28];
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                boolean ink = (c % 2 == 0) ? Math.abs(x - 4 - 5 * (c / 2)) < 2 : Math.abs(y - 4 - 5 * (c / 2)) < 2;
                g[y * 28 + x] = (float) Math.min(1, Math.max(0, (ink ? 0.9 : 0.05) + 0.1 * random.nextDouble()));
            }
        }
        return g;
    }

    /**
     * Encodes a glyph as a PNG of dark ink on white paper (the inverse of the decoder's inversion).
     *
     * @param glyph values in [0, 1], ink = 1
     * @param side the PNG side (resampled by nearest neighbour)
     * @return the PNG bytes
     */
    public static byte[] png(float[] glyph, int side) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                float v = glyph[(y * 28 / side) * 28 + x * 28 / side];
                int gray = Math.round(255 * (1 - v));
                image.getRaster().setSample(x, y, 0, gray);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
