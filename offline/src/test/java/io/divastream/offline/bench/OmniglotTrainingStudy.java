package io.divastream.offline.bench;

import io.divastream.evaluation.EmbeddingCombiner;
import io.divastream.evaluation.RecallAtK;
import io.divastream.evaluation.RetrievalEvaluator;
import io.divastream.evaluation.RetrievalScores;
import io.divastream.images.ImageDecoder;
import io.divastream.images.ImageSpec;
import io.divastream.model.DivaHead;
import io.divastream.model.augment.AugmentationSpec;
import io.divastream.model.augment.GlyphAugmenter;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.LossSpec;
import io.divastream.model.config.MomentumSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.config.OptimizerSpec;
import io.divastream.model.embed.Embedder;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.LabeledBatch;
import io.divastream.model.train.StepResult;
import io.divastream.model.train.TrainingDivergedException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * An offline training study (no Kafka, no Flink): trains DiVA on the Omniglot training alphabets
 * with the trainer the job uses and prints, every {@code evalEvery} steps, Recall@1 of every head
 * and of the combined embedding (for a few head weightings) on the 89 held-out characters, plus
 * the time per step. It is how the job's defaults were chosen; the numbers are not asserted.
 *
 * <p>Run from the repository root (with {@code ../shared} beside it), after {@code mvn -pl offline -am
 * test-compile}:
 *
 * <pre>
 * DJL_OFFLINE=true OPT_OUT_TRACKING=true OMP_WAIT_POLICY=PASSIVE java -Dsteps=3000 \
 *   -cp "offline/target/classes:offline/target/test-classes:$(cat offline/cp.txt)" \
 *   io.divastream.offline.bench.OmniglotTrainingStudy
 * </pre>
 *
 * where {@code cp.txt}  comes from {@code mvn -pl offline dependency:build-classpath
 * -Dmdep.includeScope=test -Dmdep.outputFile=cp.txt}. Properties: steps, evalEvery, P, K, lr,
 * decorrLr, wd, alpha, rho, channels, heads, dim, queue, decayAt, gamma, side, aug (default|none).
 */
public final class OmniglotTrainingStudy {

    private static final Set<String> EVAL_ALPHABETS = Set.of("Greek", "Latin", "Early_Aramaic", "Tagalog");
    private static final double[][] WEIGHTINGS = {{1, 1, 1, 1}, {1.5, 1, 1, 1}, {2, 1, 1, 1}, {1, 0.5, 0.5, 0.5}};

    private OmniglotTrainingStudy() {}

    private static String prop(String key, String defaultValue) {
        return System.getProperty(key, defaultValue);
    }

    /**
     * Runs the study.
     *
     * @param args unused; configuration comes from system properties
     * @throws IOException if the Omniglot zips cannot be read
     */
    public static void main(String[] args) throws IOException {
        int steps = Integer.parseInt(prop("steps", "3000"));
        int evalEvery = Integer.parseInt(prop("evalEvery", "250"));
        int p = Integer.parseInt(prop("P", "28"));
        int k = Integer.parseInt(prop("K", "4"));
        DivaConfig config = config();
        int side = config.network().inputSize();
        Map<String, List<float[]>> train = new TreeMap<>();
        List<float[]> evalImages = new ArrayList<>();
        List<String> evalLabels = new ArrayList<>();
        load(side, train, evalImages, evalLabels);
        Map<String, Integer> ids = new HashMap<>();
        int[] evalY = evalLabels.stream()
                .mapToInt(l -> ids.computeIfAbsent(l, x -> ids.size()))
                .toArray();
        float[][] evalX = evalImages.toArray(new float[0][]);
        System.out.printf(
                "%s%ntraining classes %d, evaluation images %d of %d classes%n",
                config, train.size(), evalX.length, ids.size());

        GlyphAugmenter augmenter = new GlyphAugmenter(
                prop("aug", "default").equals("none") ? AugmentationSpec.none() : AugmentationSpec.omniglotDefault());
        Random random = new Random(1);
        List<String> classes = new ArrayList<>(train.keySet());
        long trainingNanos = 0;
        int diverged = 0;
        try (DivaTrainer trainer = new DivaTrainer(config, augmenter::augment)) {
            for (int s = 1; s <= steps; s++) {
                LabeledBatch batch = batch(train, classes, p, k, random);
                long start = System.nanoTime();
                try {
                    StepResult ignored = trainer.step(batch);
                } catch (TrainingDivergedException e) {
                    diverged++;
                    System.out.println("step " + s + " skipped: " + e.getMessage());
                }
                trainingNanos += System.nanoTime() - start;
                if (s % evalEvery == 0 || s == steps) {
                    report(trainer, config, evalX, evalY, trainingNanos / 1e6 / s, diverged);
                }
            }
        }
    }

    private static DivaConfig config() {
        double lr = Double.parseDouble(prop("lr", "1e-3"));
        double alpha = Double.parseDouble(prop("alpha", "0.3"));
        List<Integer> channels = Arrays.stream(prop("channels", "64,64,64,64").split(","))
                .map(Integer::parseInt)
                .toList();
        List<DivaHead> heads = Arrays.stream(
                        prop("heads", "discriminative,selfsim,shared,intra").split(","))
                .map(DivaHead::parse)
                .toList();
        String decayAt = prop("decayAt", "");
        return new DivaConfig(
                new NetworkSpec(
                        Integer.parseInt(prop("side", "28")),
                        channels,
                        Integer.parseInt(prop("dim", "128")),
                        heads,
                        512),
                new LossSpec(
                        0.2, 1.2, 0.5, alpha, alpha, alpha, Double.parseDouble(prop("rho", "1500")), 0.01, 1.4, false),
                new OptimizerSpec(
                        lr,
                        Double.parseDouble(prop("wd", "4e-4")),
                        5e-4,
                        Double.parseDouble(prop("decorrLr", String.valueOf(lr))),
                        decayAt.isEmpty() ? List.of() : List.of(Long.parseLong(decayAt)),
                        Double.parseDouble(prop("gamma", "0.2"))),
                new MomentumSpec(0.9, Integer.parseInt(prop("queue", "1024"))),
                0);
    }

    private static void load(
            int side, Map<String, List<float[]>> train, List<float[]> evalImages, List<String> evalLabels)
            throws IOException {
        ImageDecoder decoder = new ImageDecoder(new ImageSpec(side, true));
        Map<String, String> labelOf = new TreeMap<>();
        Map<String, float[]> pixels = new TreeMap<>();
        for (String zipName : new String[] {"images_background_small1.zip", "images_background_small2.zip"}) {
            try (ZipFile zip = new ZipFile(
                    Path.of("..", "shared", "data", "omniglot-small", zipName).toFile())) {
                for (ZipEntry entry : Collections.list(zip.entries())) {
                    String[] parts = entry.getName().split("/");
                    if (!entry.getName().endsWith(".png") || parts.length != 4) {
                        continue;
                    }
                    String label = parts[1] + "/" + parts[2];
                    String id = label + "/" + parts[3];
                    if (!pixels.containsKey(id)) {
                        labelOf.put(id, label);
                        pixels.put(id, decoder.decode(zip.getInputStream(entry).readAllBytes()));
                    }
                }
            }
        }
        for (Map.Entry<String, float[]> image : pixels.entrySet()) {
            String label = labelOf.get(image.getKey());
            if (EVAL_ALPHABETS.contains(label.split("/")[0])) {
                evalImages.add(image.getValue());
                evalLabels.add(label);
            } else {
                train.computeIfAbsent(label, x -> new ArrayList<>()).add(image.getValue());
            }
        }
    }

    private static LabeledBatch batch(
            Map<String, List<float[]>> train, List<String> classes, int p, int k, Random random) {
        List<String> labels = new ArrayList<>();
        List<float[]> images = new ArrayList<>();
        Collections.shuffle(classes, random);
        for (String label : classes.subList(0, p)) {
            List<float[]> members = new ArrayList<>(train.get(label));
            Collections.shuffle(members, random);
            for (float[] image : members.subList(0, k)) {
                labels.add(label);
                images.add(image);
            }
        }
        return new LabeledBatch(labels, images.toArray(new float[0][]));
    }

    private static void report(
            DivaTrainer trainer, DivaConfig config, float[][] evalX, int[] evalY, double msPerStep, int diverged) {
        try (Embedder embedder = new Embedder(config.network())) {
            embedder.load(trainer.snapshot(trainer.steps()));
            float[][][] heads = embedder.embed(evalX);
            StringBuilder line = new StringBuilder(String.format(
                    Locale.ROOT, "step %5d  %5.0f ms/step  skipped %d |", trainer.steps(), msPerStep, diverged));
            RecallAtK recall = new RecallAtK();
            for (int h = 0; h < heads.length; h++) {
                line.append(String.format(
                        Locale.ROOT,
                        " %s %.4f",
                        config.network().heads().get(h).id(),
                        recall.compute(heads[h], evalY)[0]));
            }
            RetrievalScores combined =
                    new RetrievalEvaluator().evaluate(EmbeddingCombiner.combine(heads, WEIGHTINGS[0]), evalY);
            line.append(String.format(
                    Locale.ROOT,
                    " | combined r@1 %.4f nmi %.4f map@r %.4f",
                    combined.recallAt1(),
                    combined.nmi(),
                    combined.mapAtR()));
            if (heads.length == WEIGHTINGS[0].length) {
                for (double[] w : Arrays.copyOfRange(WEIGHTINGS, 1, WEIGHTINGS.length)) {
                    line.append(String.format(
                            Locale.ROOT,
                            " | w%s r@1 %.4f",
                            Arrays.toString(w).replace(" ", ""),
                            recall.compute(EmbeddingCombiner.combine(heads, w), evalY)[0]));
                }
            }
            System.out.println(line);
        }
    }
}
