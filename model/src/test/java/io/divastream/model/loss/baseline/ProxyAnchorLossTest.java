package io.divastream.model.loss.baseline;

import static io.divastream.model.loss.baseline.BaselineTesting.assertGradient;
import static io.divastream.model.loss.baseline.BaselineTesting.assertRelativelyClose;
import static io.divastream.model.loss.baseline.BaselineTesting.dot;
import static io.divastream.model.loss.baseline.BaselineTesting.parameter;
import static io.divastream.model.loss.baseline.BaselineTesting.randomUnit;
import static io.divastream.model.loss.baseline.BaselineTesting.toDouble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.divastream.model.DjlRuntime;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ProxyAnchorLossTest {

    private static final double ALPHA = 32;
    private static final double DELTA = 0.1;

    /** Kim et al.'s loss over the first {@code seen} proxies, one proxy at a time, in doubles. */
    static double naiveLoss(double[][] x, int[] labels, double[][] proxies, int seen) {
        double pullSum = 0;
        double pushSum = 0;
        int present = 0;
        for (int c = 0; c < seen; c++) {
            double norm = Math.sqrt(dot(proxies[c], proxies[c]));
            double pos = 0;
            double neg = 0;
            boolean any = false;
            for (int i = 0; i < x.length; i++) {
                double s = dot(x[i], proxies[c]) / norm;
                if (labels[i] == c) {
                    pos += Math.exp(-ALPHA * (s - DELTA));
                    any = true;
                } else {
                    neg += Math.exp(ALPHA * (s + DELTA));
                }
            }
            if (any) {
                pullSum += Math.log(1 + pos);
                present++;
            }
            pushSum += Math.log(1 + neg);
        }
        return pullSum / present + pushSum / seen;
    }

    private static ProxyAnchorLoss create(NDManager m, int capacity, int d, long seed) {
        return new ProxyAnchorLoss(ALPHA, DELTA, 100, m, capacity, d, seed);
    }

    @Test
    void matchesTheNaiveLossWithAbsentSeenClassesAsNegativesOnly() {
        // classes 0..5 seen, 2 and 4 absent from the batch: |P+| = 4, |P| = 6
        int[] labels = {0, 0, 1, 1, 3, 3, 3, 5};
        SplittableRandom random = new SplittableRandom(2);
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                ProxyAnchorLoss loss = create(m, 10, 5, 7)) {
            for (int set = 0; set < 5; set++) {
                float[][] e = randomUnit(random, labels.length, 5);
                double value = BaselineTesting.value(loss, e, labels, 0);
                assertThat(loss.seenClasses()).isEqualTo(6);
                assertRelativelyClose("set " + set, value, naiveLoss(toDouble(e), labels, parameter(loss, 0), 6));
            }
            // a later batch of one class: the six seen proxies all remain negatives
            float[][] e = randomUnit(random, 2, 5);
            assertRelativelyClose(
                    "one class",
                    BaselineTesting.value(loss, e, new int[] {1, 1}, 0),
                    naiveLoss(toDouble(e), new int[] {1, 1}, parameter(loss, 0), 6));
            assertThat(loss.seenClasses()).isEqualTo(6);
        }
    }

    @Test
    void gradientsReachEmbeddingsAndSeenProxiesAndMatchFiniteDifferences() {
        int[] labels = {0, 0, 1, 1, 1, 3};
        float[][] e = randomUnit(new SplittableRandom(12), labels.length, 4);
        double[][] x = toDouble(e);
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                ProxyAnchorLoss loss = create(m, 6, 4, 3)) {
            double[][] proxies = parameter(loss, 0);
            BaselineTesting.Run r = BaselineTesting.run(loss, e, labels, 0);
            assertRelativelyClose("loss", r.loss(), naiveLoss(x, labels, proxies, 4));
            assertGradient("dL/dx", x, r.embeddingGradient(), v -> naiveLoss(v, labels, proxies, 4), 1e-4);
            double[][] proxyGradient = r.parameterGradients().get(0);
            double[][] seenProxies = Arrays.copyOf(proxies, 4);
            assertGradient(
                    "dL/dproxies", seenProxies, Arrays.copyOf(proxyGradient, 4), p -> naiveLoss(x, labels, p, 4), 1e-4);
            // the proxy of the absent but seen class 2 gets a (push) gradient; unseen proxies 4 and 5 none
            assertThat(Arrays.stream(proxyGradient[2]).map(Math::abs).max().getAsDouble())
                    .isPositive();
            assertThat(proxyGradient[4]).containsOnly(0.0);
            assertThat(proxyGradient[5]).containsOnly(0.0);
            assertThat(loss.parameterLearningRateMultiplier()).isEqualTo(100);
        }
    }

    @Test
    void noGradientReachesTheProxiesFromOutsideTheLoss() {
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                ProxyAnchorLoss loss = create(m, 4, 3, 1)) {
            NDArray proxies = loss.parameters().get(0);
            float[] before = proxies.toFloatArray();
            try (NDManager step = m.newSubManager();
                    GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
                NDArray e = step.create(randomUnit(new SplittableRandom(1), 3, 3));
                e.setRequiresGradient(true);
                loss.compute(e, new int[] {0, 1, 1}, new SplittableRandom(0)); // computed, not backwarded
                collector.backward(e.square().sum());
            }
            try (NDArray g = proxies.getGradient()) {
                assertThat(g.toFloatArray()).containsOnly(0f);
            }
            assertThat(proxies.toFloatArray())
                    .as("the step's close leaves the proxies alive")
                    .containsExactly(before);
            assertThat(proxies.getManager()).isNotSameAs(m);
        }
    }

    @Test
    void observeClassesAddsSeenProxiesAndValidates() {
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                ProxyAnchorLoss loss = create(m, 8, 3, 5)) {
            float[][] e = randomUnit(new SplittableRandom(3), 4, 3);
            int[] labels = {0, 0, 1, 1};
            loss.observeClasses(7);
            assertThat(loss.seenClasses()).isEqualTo(7);
            assertRelativelyClose(
                    "7 proxies",
                    BaselineTesting.value(loss, e, labels, 0),
                    naiveLoss(toDouble(e), labels, parameter(loss, 0), 7));
            loss.observeClasses(2);
            assertThat(loss.seenClasses()).as("never shrinks").isEqualTo(7);
            assertThatThrownBy(() -> loss.observeClasses(9)).hasMessageContaining("class count 9");
            assertThatThrownBy(() -> BaselineTesting.value(loss, e, new int[] {0, 0, 8, 1}, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("class index 8 of row 2");
        }
    }

    @Test
    void proxiesStartKaimingNormalWithFanOutAndDependOnTheSeed() {
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                ProxyAnchorLoss a = create(m, 200, 16, 42);
                ProxyAnchorLoss b = create(m, 200, 16, 42);
                ProxyAnchorLoss c = create(m, 200, 16, 43)) {
            float[] values = a.parameters().get(0).toFloatArray();
            double sum = 0;
            double sq = 0;
            for (float v : values) {
                sum += v;
                sq += (double) v * v;
            }
            double mean = sum / values.length;
            double std = Math.sqrt(sq / values.length - mean * mean);
            // 3200 draws: the sample std is within 5% of sqrt(2 / 200) = 0.1 with overwhelming probability
            assertThat(std).isCloseTo(0.1, within(0.005));
            assertThat(mean).isCloseTo(0, within(0.01));
            assertThat(b.parameters().get(0).toFloatArray()).containsExactly(values);
            assertThat(c.parameters().get(0).toFloatArray()).isNotEqualTo(values);
            assertThat(a.parameters().get(0).hasGradient()).isTrue();
        }
    }
}
