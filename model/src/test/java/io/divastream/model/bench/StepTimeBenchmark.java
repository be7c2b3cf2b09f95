package io.divastream.model.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.divastream.model.DivaHead;
import io.divastream.model.DjlRuntime;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.LossSpec;
import io.divastream.model.config.MomentumSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.config.ObjectiveSpec;
import io.divastream.model.config.OptimizerSpec;
import io.divastream.model.net.DivaNetwork;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.ViewAugmenter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Times one DiVA training step against a discriminative-only step with the same backbone, batch and
 * seed (prints, asserts nothing): the step-time bar, where no Python PyTorch is at hand to
 * time the same step written directly in PyTorch.
 *
 * <p><b>The baseline.</b> The discriminative-only step is {@link DivaTrainer#step(List, float[][])}
 * of a trainer configured as the project's {@code --objective discriminative} ablation: the same
 * backbone, batch, optimizer and seed, one discriminative head of the total embedding size (512 =
 * 4 x 128), margin loss with distance-weighted mining, no key encoder, no queue, no decorrelation.
 * It is what a DiVA user would train instead, and it runs through the same trainer code, so the
 * ratio measures exactly what DiVA adds: the key encoder's forward pass on view B, three more
 * heads with their miners and losses (DaNCE against the queue, class-shared, intra-class), the
 * decorrelation regressors, the momentum (EMA) update of the key encoder and the queue update. Both
 * trainers receive the same two prepared views per step (the float[][] entry point the photo
 * trainer uses), so the host-to-native copy of view A is in both; view B's copy only in DiVA's.
 *
 * <p><b>The floor.</b> The key encoder's forward pass cannot be avoided; with a backbone whose cost
 * dominates, a step costs at least {@code 1 + t(key forward) / t(discriminative step)} times the
 * baseline, about 1.33 when the backward pass costs twice the forward. The program measures the
 * forward pass of the DiVA network in inference mode on the batch and prints that floor, and splits
 * each step into forward-only, forward plus backward of a trivial loss on a copy of the network, and
 * the rest (mining, losses, optimizer, momentum update, copies).
 *
 * <p><b>Timing.</b> Each trainer first takes {@code warmup} steps. Then {@code blocks} blocks follow;
 * in each, {@code steps} DiVA steps and {@code steps} baseline steps run back to back, in an order
 * that alternates from block to block (DiVA first, then baseline first), and the forward-pass probes
 * run after them, so machine noise hits both sides alike. Printed: median and mean ms per step of
 * each, the ratio of the medians (the figure) and the per-block ratios' median, minimum and maximum
 * (its spread). Every figure is given twice: in wall-clock time, which is what the bar asks for, and
 * in the process's CPU time (all threads), which other processes on a shared machine disturb far
 * less; where the two disagree, the machine was busy. The CPU clock ticks in steps of 10 ms on Linux,
 * so its per-step medians are coarse for the glyph CNN.
 *
 * <p>Run from the repository root (with {@code ../shared} beside it for the MobileNetV2 weights):
 *
 * <pre>
 * DJL_OFFLINE=true OPT_OUT_TRACKING=true OMP_WAIT_POLICY=PASSIVE \
 *   mvn -B -q -pl model test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.divastream.model.bench.StepTimeBenchmark \
 *   -Dexec.args="--backbone resnet18 --batch 32"
 * </pre>
 *
 * or, after {@code mvn -pl model test-compile} and {@code mvn -pl model dependency:build-classpath
 * -Dmdep.includeScope=test -Dmdep.outputFile=cp.txt}, in a JVM of its own:
 *
 * <pre>
 * DJL_OFFLINE=true OPT_OUT_TRACKING=true OMP_WAIT_POLICY=PASSIVE java -Xmx4g \
 *   -cp "model/target/classes:model/target/test-classes:$(cat cp.txt)" \
 *   io.divastream.model.bench.StepTimeBenchmark --backbone resnet18 --batch 32
 * </pre>
 *
 * Options: {@code --backbone} {@code resnet18} (default; random weights, frozen BatchNorm, 224 px,
 * the only crop the ResNet backbones take), {@code resnet50}, {@code mobilenetv2} (the ImageNet
 * MobileNetV2 of {@code --weights}, default {@code ../shared/weights}, 224 px) or {@code glyph}
 * (the Conv-4 glyph CNN at 28 px, where the backbone is cheap and the per-step overheads show);
 * {@code --batch} (32; 16 for mobilenetv2; 112 for glyph), images per step in classes of two as the
 * paper samples; {@code --warmup} (5), {@code --blocks} (6), {@code --steps} (3) steps per block and
 * side; {@code --queue-batches} (30, the paper's n_key_batches: the queue holds that many batches of
 * keys, filled before timing).
 */
public final class StepTimeBenchmark {

    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private static final List<String> OPTIONS =
            List.of("backbone", "batch", "warmup", "blocks", "steps", "queue-batches", "weights");

    private StepTimeBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args {@code --name value} pairs, see the class comment
     */
    public static void main(String[] args) {
        Map<String, String> options = options(args);
        String backboneName = options.getOrDefault("backbone", "resnet18");
        Path weights = Path.of(options.getOrDefault("weights", "../shared/weights"));
        BackboneSpec backbone = switch (backboneName) {
            case "resnet18" -> BackboneSpec.ResNet.untrained(18);
            case "resnet50" -> BackboneSpec.ResNet.untrained(50);
            case "mobilenetv2" -> BackboneSpec.TorchScript.mobileNetV2Imagenet(weights);
            case "glyph" -> new BackboneSpec.GlyphCnn(List.of(64, 64, 64, 64), 28);
            default ->
                throw new IllegalArgumentException(
                        "unknown --backbone " + backboneName + " (expected resnet18, resnet50, mobilenetv2 or glyph)");
        };
        int defaultBatch = switch (backboneName) {
            case "mobilenetv2" -> 16;
            case "glyph" -> 112;
            default -> 32;
        };
        int batch = intOption(options, "batch", defaultBatch);
        int warmup = intOption(options, "warmup", 5);
        int blocks = intOption(options, "blocks", 6);
        int steps = intOption(options, "steps", 3);
        int queueBatches = intOption(options, "queue-batches", 30);
        if (batch < 4 || batch % 2 != 0) {
            throw new IllegalArgumentException("--batch must be even and at least 4, got " + batch);
        }

        DjlRuntime.disableGradientRecording();
        System.out.printf(
                Locale.ROOT,
                "threads: %d intra-op, %d cores%n",
                ai.djl.pytorch.jni.JniUtils.getNumThreads(),
                Runtime.getRuntime().availableProcessors());
        System.out.printf(
                Locale.ROOT,
                "backbone %s, crop %d, batch %d (%d classes x 2), queue %d keys, "
                        + "warm-up %d, %d blocks x %d steps per side%n",
                backbone.id(),
                backbone.input().cropSize(),
                batch,
                batch / 2,
                queueBatches * batch,
                warmup,
                blocks,
                steps);

        DivaConfig diva =
                config(backbone, List.of(DivaHead.values()), 128, ObjectiveSpec.published(), queueBatches * batch);
        DivaConfig discriminative = config(
                backbone,
                List.of(DivaHead.DISCRIMINATIVE),
                512,
                ObjectiveSpec.withoutDecorrelation(),
                queueBatches * batch);
        List<String> labels = labels(batch);
        float[][] views = views(DivaNetwork.inputShape(diva.network(), batch).size(), 7);
        ViewAugmenter unused = (image, size, random) -> {
            throw new UnsupportedOperationException("the benchmark passes prepared views");
        };

        try (DivaTrainer divaTrainer = new DivaTrainer(diva, unused);
                DivaTrainer discTrainer = new DivaTrainer(discriminative, unused);
                NDManager probeManager = DjlRuntime.engine().newBaseManager();
                DivaNetwork probe = DivaNetwork.create(diva.network(), probeManager)) {
            List<float[]> images = images(views[0], batch);
            for (int i = 0; i < queueBatches; i++) {
                divaTrainer.enqueueKeys(images, (image, random) -> image);
            }
            ParameterStore store = new ParameterStore(probeManager, false);
            Runnable divaStep = () -> divaTrainer.step(labels, views);
            Runnable discStep = () -> discTrainer.step(labels, views);
            Runnable forward = () -> forward(probe, store, probeManager, views[1], diva.network(), batch);
            Runnable forwardBackward =
                    () -> forwardBackward(probe, store, probeManager, views[0], diva.network(), batch);
            for (int i = 0; i < warmup; i++) {
                divaStep.run();
                discStep.run();
                forward.run();
                forwardBackward.run();
            }

            Series divaSteps = new Series();
            Series discSteps = new Series();
            Series forwards = new Series();
            Series forwardBackwards = new Series();
            double[][] blockRatios = new double[2][blocks];
            for (int block = 0; block < blocks; block++) {
                if (block % 2 == 0) {
                    divaSteps.time(divaStep, steps);
                    discSteps.time(discStep, steps);
                } else {
                    discSteps.time(discStep, steps);
                    divaSteps.time(divaStep, steps);
                }
                forwards.time(forward, 1);
                forwardBackwards.time(forwardBackward, 1);
                blockRatios[0][block] = mean(divaSteps.lastWall(steps)) / mean(discSteps.lastWall(steps));
                blockRatios[1][block] = mean(divaSteps.lastCpu(steps)) / mean(discSteps.lastCpu(steps));
                System.out.printf(
                        Locale.ROOT,
                        "block %d: DiVA %.1f ms, discriminative %.1f ms, ratio %.3f " + "(CPU time ratio %.3f)%n",
                        block + 1,
                        mean(divaSteps.lastWall(steps)),
                        mean(discSteps.lastWall(steps)),
                        blockRatios[0][block],
                        blockRatios[1][block]);
            }
            report(divaSteps, discSteps, forwards, forwardBackwards, blockRatios);
        }
    }

    private static void report(
            Series diva, Series disc, Series forward, Series forwardBackward, double[][] blockRatios) {
        System.out.printf(
                Locale.ROOT,
                "%-32s %12s %12s %12s %12s%n",
                "per step, ms",
                "wall median",
                "wall mean",
                "CPU median",
                "CPU mean");
        line("DiVA step", diva);
        line("discriminative step", disc);
        line("forward (inference) = key enc.", forward);
        line("forward + backward (training)", forwardBackward);
        for (int clock = 0; clock < 2; clock++) {
            boolean wall = clock == 0;
            double d = diva.median(wall);
            double c = disc.median(wall);
            double f = forward.median(wall);
            double fb = forwardBackward.median(wall);
            double[] sorted = blockRatios[clock].clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "%s time:%n", wall ? "wall-clock" : "process CPU");
            System.out.printf(
                    Locale.ROOT,
                    "  DiVA step = key forward %.1f + query forward and backward %.1f + rest %.1f ms "
                            + "(miners, losses, decorrelation, optimizer, momentum update, queue, copies); "
                            + "discriminative step = forward and backward %.1f + rest %.1f ms%n",
                    f,
                    fb,
                    d - f - fb,
                    fb,
                    c - fb);
            System.out.printf(Locale.ROOT, "  floor 1 + key forward / discriminative step = %.3f%n", 1 + f / c);
            System.out.printf(
                    Locale.ROOT,
                    "  ratio DiVA / discriminative = %.3f (medians); per block: median %.3f, "
                            + "min %.3f, max %.3f over %d blocks%n",
                    d / c,
                    median(sorted),
                    sorted[0],
                    sorted[sorted.length - 1],
                    sorted.length);
        }
    }

    private static void line(String name, Series series) {
        System.out.printf(
                Locale.ROOT,
                "%-32s %12.1f %12.1f %12.1f %12.1f%n",
                name,
                series.median(true),
                mean(series.wall),
                series.median(false),
                mean(series.cpu));
    }

    /** Wall-clock and process CPU milliseconds of each timed call. */
    private static final class Series {

        private final List<Double> wall = new ArrayList<>();
        private final List<Double> cpu = new ArrayList<>();

        void time(Runnable call, int count) {
            for (int i = 0; i < count; i++) {
                long cpuStart = PROCESS.getProcessCpuTime();
                long start = System.nanoTime();
                call.run();
                wall.add((System.nanoTime() - start) / 1e6);
                cpu.add((PROCESS.getProcessCpuTime() - cpuStart) / 1e6);
            }
        }

        List<Double> lastWall(int count) {
            return wall.subList(wall.size() - count, wall.size());
        }

        List<Double> lastCpu(int count) {
            return cpu.subList(cpu.size() - count, cpu.size());
        }

        double median(boolean wallClock) {
            return StepTimeBenchmark.median((wallClock ? wall : cpu)
                    .stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    /** The published loss constants and optimizer; the heads and embedding size vary. */
    private static DivaConfig config(
            BackboneSpec backbone, List<DivaHead> heads, int dim, ObjectiveSpec objective, int queueSize) {
        return new DivaConfig(
                new NetworkSpec(backbone, dim, heads, 512),
                new LossSpec(0.2, 1.2, 0.5, 0.3, 0.3, 0.3, 1500, 0.01, 1.4, false),
                new OptimizerSpec(1e-5, 4e-4, 5e-4, 1e-5),
                new MomentumSpec(0.9, queueSize),
                objective,
                0L);
    }

    /** Classes of two images each, as the paper's sampler draws them. */
    private static List<String> labels(int batch) {
        List<String> labels = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            labels.add("class" + i / 2);
        }
        return labels;
    }

    /** Two views of standard-normal values, fixed by the seed. */
    private static float[][] views(long size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] out = new float[2][Math.toIntExact(size)];
        for (float[] view : out) {
            for (int i = 0; i < view.length; i++) {
                view[i] = (float) gaussian(random);
            }
        }
        return out;
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    private static List<float[]> images(float[] view, int batch) {
        int size = view.length / batch;
        List<float[]> out = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            out.add(Arrays.copyOfRange(view, i * size, (i + 1) * size));
        }
        return out;
    }

    /** The key encoder's work: the network's forward pass in inference mode, outside any collector. */
    private static void forward(
            DivaNetwork network, ParameterStore store, NDManager parent, float[] view, NetworkSpec spec, int batch) {
        DjlRuntime.disableGradientRecording();
        try (NDManager scope = parent.newSubManager()) {
            NDArray x = scope.create(view, DivaNetwork.inputShape(spec, batch));
            network.forward(store, new NDList(x), false);
        }
    }

    /** The query network's forward and backward pass in training mode, with a trivial loss. */
    private static void forwardBackward(
            DivaNetwork network, ParameterStore store, NDManager parent, float[] view, NetworkSpec spec, int batch) {
        DjlRuntime.disableGradientRecording();
        try (NDManager scope = parent.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray x = scope.create(view, DivaNetwork.inputShape(spec, batch));
            NDList e = network.forward(store, new NDList(x), true);
            NDArray loss = null;
            for (NDArray head : e) {
                NDArray term = head.sum();
                loss = loss == null ? term : loss.add(term);
            }
            collector.backward(loss);
        }
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + String.join(" ", args) + "'");
            }
            String name = args[i].substring(2);
            if (!OPTIONS.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + " (expected one of " + OPTIONS + ")");
            }
            out.put(name, args[i + 1]);
        }
        return out;
    }

    private static int intOption(Map<String, String> options, String name, int defaultValue) {
        String value = options.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < 1) {
                throw new IllegalArgumentException("--" + name + " must be positive, got " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + value + "'", e);
        }
    }
}
