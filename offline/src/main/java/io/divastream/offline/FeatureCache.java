package io.divastream.offline;

import io.divastream.model.embed.FeatureExtractor;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Embeds images once with a frozen backbone, so that DiVA's heads can be trained for many steps on
 * the cached features ({@link io.divastream.model.net.backbone.BackboneSpec.Features}, {@link
 * ImagePipeline#cachedFeatures()}): each training image becomes the raw features of a fixed number
 * of its random training views (RandomResizedCrop and flip, as the trainer draws them), each test
 * image the features of its evaluation view (the center crop).
 */
public final class FeatureCache {

    private static final int CHUNK = 32;

    private static final String MAGIC = "diva-feature-cache-1";

    private FeatureCache() {}

    /**
     * Computes the features of {@code views} random training views of every image. View v of image i
     * is drawn from a generator that depends only on the seed and i, so the cache does not depend on
     * the chunking.
     *
     * @param extractor the loaded backbone
     * @param images the images
     * @param pipeline makes the training views in the backbone's input format
     * @param views views per image, positive
     * @param seed the seed of the views' augmentation
     * @param progress receives the number of images done after every chunk
     * @param <T> the in-memory image type
     * @return the same images, each as its {@code views} feature vectors
     */
    public static <T> LabeledImages<float[][]> trainViews(
            FeatureExtractor extractor,
            LabeledImages<T> images,
            ImagePipeline<T> pipeline,
            int views,
            long seed,
            IntConsumer progress) {
        if (views < 1) {
            throw new IllegalArgumentException("views per image must be positive, got " + views);
        }
        float[][][] out = new float[images.size()][views][];
        List<float[]> pending = new ArrayList<>(CHUNK + views);
        List<int[]> targets = new ArrayList<>(CHUNK + views);
        for (int i = 0; i < images.size(); i++) {
            SplittableRandom random = new SplittableRandom(viewSeed(seed, i));
            for (int v = 0; v < views; v++) {
                pending.add(pipeline.trainView(images.images().get(i), random));
                targets.add(new int[] {i, v});
            }
            if (pending.size() >= CHUNK || i == images.size() - 1) {
                float[][] features = extractor.features(pending.toArray(new float[0][]));
                for (int k = 0; k < features.length; k++) {
                    out[targets.get(k)[0]][targets.get(k)[1]] = features[k];
                }
                pending.clear();
                targets.clear();
                progress.accept(i + 1);
            }
        }
        return new LabeledImages<>(images.ids(), images.labels(), List.of(out));
    }

    /**
     * Computes the features of every image's evaluation view.
     *
     * @param extractor the loaded backbone
     * @param images the images
     * @param pipeline makes the evaluation views in the backbone's input format
     * @param <T> the in-memory image type
     * @return the same images, each as one feature vector (an array of one view)
     */
    public static <T> LabeledImages<float[][]> evalViews(
            FeatureExtractor extractor, LabeledImages<T> images, ImagePipeline<T> pipeline) {
        List<float[][]> out = new ArrayList<>(images.size());
        for (int start = 0; start < images.size(); start += CHUNK) {
            int n = Math.min(CHUNK, images.size() - start);
            float[][] inputs = new float[n][];
            for (int k = 0; k < n; k++) {
                inputs[k] = pipeline.evalView(images.images().get(start + k));
            }
            for (float[] f : extractor.features(inputs)) {
                out.add(new float[][] {f});
            }
        }
        return new LabeledImages<>(images.ids(), images.labels(), out);
    }

    /**
     * Writes cached features to a file, under a key that describes how they were made (data, split,
     * backbone, views, seed), so a later run reuses them only for the same settings.
     *
     * @param file the file
     * @param key the description of the cache
     * @param sets the cached image sets, in order (e.g. training, test)
     * @throws IOException if the file cannot be written
     */
    public static void save(Path file, String key, List<LabeledImages<float[][]>> sets) throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeUTF(MAGIC);
            out.writeUTF(key);
            out.writeInt(sets.size());
            for (LabeledImages<float[][]> set : sets) {
                out.writeInt(set.size());
                for (int i = 0; i < set.size(); i++) {
                    out.writeUTF(set.ids().get(i));
                    out.writeUTF(set.labels().get(i));
                    float[][] views = set.images().get(i);
                    out.writeInt(views.length);
                    out.writeInt(views[0].length);
                    for (float[] view : views) {
                        for (float v : view) {
                            out.writeFloat(v);
                        }
                    }
                }
            }
        }
    }

    /**
     * Reads cached features written by {@link #save} with the same key.
     *
     * @param file the file
     * @param key the description the cache must have been saved under
     * @return the cached image sets, in the order saved
     * @throws IOException if the file cannot be read, is not a feature cache, or was made with other
     *     settings (the message names the file and both keys)
     */
    public static List<LabeledImages<float[][]>> load(Path file, String key) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (!MAGIC.equals(in.readUTF())) {
                throw new IOException(file + " is not a feature cache");
            }
            String saved = in.readUTF();
            if (!saved.equals(key)) {
                throw new IOException(
                        file + " holds features made with other settings: " + saved + "; this run needs " + key);
            }
            int count = in.readInt();
            List<LabeledImages<float[][]>> sets = new ArrayList<>(count);
            for (int s = 0; s < count; s++) {
                int n = in.readInt();
                List<String> ids = new ArrayList<>(n);
                List<String> labels = new ArrayList<>(n);
                List<float[][]> images = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ids.add(in.readUTF());
                    labels.add(in.readUTF());
                    float[][] views = new float[in.readInt()][in.readInt()];
                    for (float[] view : views) {
                        for (int k = 0; k < view.length; k++) {
                            view[k] = in.readFloat();
                        }
                    }
                    images.add(views);
                }
                sets.add(new LabeledImages<>(ids, labels, images));
            }
            return sets;
        } catch (EOFException e) {
            throw new IOException(file + " is truncated", e);
        }
    }

    /** The seed of image i's views: SplitMix64's finaliser over the seed and the index. */
    static long viewSeed(long seed, int image) {
        long z = seed * 0x9E3779B97F4A7C15L + image + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
