package io.divastream.model.loss.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.divastream.model.DjlRuntime;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BaselineTrainingTest {

    private static final int CLASSES = 4;
    private static final int PER_CLASS = 4;
    private static final int DIM = 8;

    /** Four well-separated class centres plus noise wide enough that every loss starts above zero. */
    private static float[][] clusters(SplittableRandom random, int[] labels) {
        float[][] centres = BaselineTesting.randomUnit(random, CLASSES, DIM);
        float[][] x = new float[labels.length][DIM];
        for (int i = 0; i < labels.length; i++) {
            for (int c = 0; c < DIM; c++) {
                x[i][c] = (float) (centres[labels[i]][c] + 0.45 * BaselineTesting.gaussian(random));
            }
        }
        return x;
    }

    private static int[] labels() {
        int[] labels = new int[CLASSES * PER_CLASS];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i / PER_CLASS;
        }
        return labels;
    }

    /** The loss of the normalised rows of the leaf x, with a fixed draw for the random mining. */
    private static double evaluate(BaselineLoss loss, float[][] x, int[] labels) {
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            return loss.compute(BaselineTesting.normalize(m.create(x)), labels, new SplittableRandom(0))
                    .getFloat();
        }
    }

    private static double learningRate(BaselineKind kind) {
        return switch (kind) {
            case PROXY_ANCHOR -> 0.05;
            case ARCFACE -> 0.02;
            default -> 0.5;
        };
    }

    @ParameterizedTest
    @EnumSource(BaselineKind.class)
    void plainGradientStepsOnALeafEmbeddingMatrixReduceTheLoss(BaselineKind kind) {
        int[] labels = labels();
        float[][] x = clusters(new SplittableRandom(kind.ordinal() + 100), labels);
        double lr = learningRate(kind);
        try (NDManager root = DjlRuntime.engine().newBaseManager();
                BaselineLoss loss = BaselineLosses.create(BaselineSpec.defaults(kind), root, CLASSES, DIM, 5)) {
            double initial = evaluate(loss, x, labels);
            assertThat(initial).as("%s starts above zero", kind.id()).isGreaterThan(1e-3);
            for (int step = 0; step < 40; step++) {
                float[] gradient;
                try (NDManager m = root.newSubManager();
                        GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
                    NDArray leaf = m.create(x);
                    leaf.setRequiresGradient(true);
                    collector.backward(
                            loss.compute(BaselineTesting.normalize(leaf), labels, new SplittableRandom(step)));
                    gradient = leaf.getGradient().toFloatArray();
                }
                for (int i = 0; i < x.length; i++) {
                    for (int c = 0; c < DIM; c++) {
                        x[i][c] -= (float) (lr * gradient[i * DIM + c]);
                    }
                }
                // the loss's own parameters take the same plain step
                for (NDArray p : loss.parameters()) {
                    try (NDArray g = p.getGradient();
                            NDManager scope = root.newSubManager()) {
                        p.subi(g.mul(scope.create((float) lr)));
                        g.subi(g);
                    }
                }
            }
            double last = evaluate(loss, x, labels);
            assertThat(last).as("%s: %.4f -> %.4f", kind.id(), initial, last).isLessThan(0.7 * initial);
        }
    }

    @ParameterizedTest
    @EnumSource(BaselineKind.class)
    void repeatedStepsInSubManagersLeakNoArrays(BaselineKind kind) {
        int[] labels = labels();
        float[][] x = clusters(new SplittableRandom(1), labels);
        try (NDManager root = DjlRuntime.engine().newBaseManager();
                BaselineLoss loss = BaselineLosses.create(BaselineSpec.defaults(kind), root, 16, DIM, 5)) {
            int afterWarmUp = 0;
            SplittableRandom random = new SplittableRandom(2);
            for (int step = 0; step < 30; step++) {
                try (NDManager m = root.newSubManager();
                        GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
                    NDArray leaf = m.create(x);
                    leaf.setRequiresGradient(true);
                    NDArray value = loss.compute(BaselineTesting.normalize(leaf), labels, random);
                    assertThat(value.getManager()).isSameAs(m);
                    collector.backward(value);
                }
                if (step == 2) {
                    afterWarmUp = root.getManagedArrays().size();
                }
            }
            // getManagedArrays() is recursive: it counts the parameters' own manager too
            assertThat(afterWarmUp).isEqualTo(loss.parameters().size());
            assertThat(root.getManagedArrays()).hasSize(afterWarmUp);
        }
    }
}
