package io.divastream.model.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.divastream.model.DjlRuntime;
import io.divastream.model.net.backbone.Backbone;
import io.divastream.model.net.backbone.BackboneSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Measures backbone throughput on this CPU (prints, asserts nothing): images per second of forward
 * only (evaluation mode) and of forward plus backward (training mode), at the backbone's crop size.
 *
 * <p>Run from the repository root after {@code mvn -pl model test-compile}, with {@code DJL_OFFLINE=true
 * OPT_OUT_TRACKING=true OMP_WAIT_POLICY=PASSIVE} and the model module's test classpath; system
 * properties {@code batch} (32), {@code rounds} (3) and {@code weights} ({@code ../shared/weights}).
 */
public final class BackboneThroughput {

    private BackboneThroughput() {}

    public static void main(String[] args) throws Exception {
        int batch = Integer.getInteger("batch", 32);
        int rounds = Integer.getInteger("rounds", 3);
        Path weights = Path.of(System.getProperty("weights", "../shared/weights"));
        DjlRuntime.disableGradientRecording();
        System.out.printf(
                Locale.ROOT,
                "threads: %d intra-op, %d cores%n",
                ai.djl.pytorch.jni.JniUtils.getNumThreads(),
                Runtime.getRuntime().availableProcessors());
        List<BackboneSpec> specs = List.of(
                BackboneSpec.TorchScript.mobileNetV2Imagenet(weights),
                BackboneSpec.ResNet.untrained(18),
                BackboneSpec.ResNet.untrained(50));
        String only = System.getProperty("only", "");
        for (BackboneSpec spec : specs) {
            if (!spec.id().contains(only)) {
                continue;
            }
            try (NDManager m = DjlRuntime.engine().newBaseManager();
                    Backbone backbone = spec.build(m)) {
                Block block = backbone.block();
                ParameterStore store = new ParameterStore(m, false);
                Shape shape = spec.inputShape(batch);
                double forward = measure(rounds, () -> {
                    try (NDManager step = m.newSubManager()) {
                        NDArray x = step.randomNormal(shape);
                        block.forward(store, new NDList(x), false)
                                .singletonOrThrow()
                                .toFloatArray();
                    }
                });
                double training = measure(rounds, () -> {
                    try (NDManager step = m.newSubManager();
                            GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray x = step.randomNormal(shape);
                        NDArray y = block.forward(store, new NDList(x), true).singletonOrThrow();
                        collector.backward(y.square().mean());
                    }
                });
                System.out.printf(
                        Locale.ROOT,
                        "%-45s crop %d batch %d: forward %.1f img/s, forward+backward %.1f img/s%n",
                        spec.id(),
                        spec.input().cropSize(),
                        batch,
                        batch / forward,
                        batch / training);
            }
        }
    }

    /** Seconds per call: two warm-up calls (TorchScript profiles its first runs), then the median of {@code rounds} timed calls. */
    private static double measure(int rounds, Runnable call) {
        call.run();
        call.run();
        double[] t = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            call.run();
            t[i] = (System.nanoTime() - start) / 1e9;
        }
        java.util.Arrays.sort(t);
        return t[rounds / 2];
    }
}
