package io.divastream.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

class RetrievalEvaluatorTest {

    @Test
    void everyScoreMatchesItsIndependentComputation() {
        int[] labels = NaiveRetrieval.randomLabels(30, 300, 30);
        float[][] x = normalised(NaiveRetrieval.clusteredEmbeddings(31, labels, 10, 1.0));
        RetrievalScores scores = new RetrievalEvaluator(EvaluationConfig.defaults().withSeed(5)).evaluate(x, labels);

        double[] recall = NaiveRetrieval.recall(x, labels, new int[] {1, 2, 4, 8}, false);
        assertThat(scores.recallAt1()).isCloseTo(recall[0], within(1e-12));
        assertThat(scores.recallAt2()).isCloseTo(recall[1], within(1e-12));
        assertThat(scores.recallAt4()).isCloseTo(recall[2], within(1e-12));
        assertThat(scores.recallAt8()).isCloseTo(recall[3], within(1e-12));
        assertThat(scores.mapAtR()).isCloseTo(NaiveRetrieval.mapAtR(x, labels)[0], within(1e-12));
        int[] clusters = new KMeans(KMeansConfig.of(30, 5)).fit(x).assignments();
        assertThat(scores.nmi()).isCloseTo(NaiveRetrieval.nmi(labels, clusters), within(1e-12));
        assertThat(scores.recallAt1()).isBetween(0.05, 0.95);
        assertThat(scores.nmi()).isBetween(0.05, 0.99);
    }

    @Test
    void separableEmbeddingScoresOneEverywhereAndIsDeterministic() {
        int[] labels = NaiveRetrieval.randomLabels(32, 200, 10);
        float[][] x = NaiveRetrieval.clusteredEmbeddings(33, labels, 16, 0.001);
        RetrievalEvaluator evaluator = new RetrievalEvaluator(EvaluationConfig.defaults().withKMeansRestarts(3));
        RetrievalScores scores = evaluator.evaluate(x, labels);
        assertThat(scores.recallAt1()).isEqualTo(1.0);
        assertThat(scores.recallAt8()).isEqualTo(1.0);
        assertThat(scores.mapAtR()).isEqualTo(1.0);
        assertThat(scores.nmi()).isCloseTo(1.0, within(1e-12));
        assertThat(evaluator.evaluate(x, labels)).isEqualTo(scores);
        RetrievalEvaluator sequential = new RetrievalEvaluator(evaluator.config().withParallel(false));
        assertThat(sequential.evaluate(x, labels)).isEqualTo(scores);
    }

    @Test
    void usesAsManyNeighboursAsTheLargestClassNeeds() {
        // one class of 30 items: MAP@R needs 29 neighbours, more than the 8 that Recall@8 needs
        int[] labels = new int[40];
        for (int i = 30; i < 40; i++) {
            labels[i] = i;
        }
        float[][] x = NaiveRetrieval.randomEmbeddings(34, 40, 3, false);
        RetrievalScores scores = new RetrievalEvaluator().evaluate(x, labels);
        assertThat(scores.mapAtR()).isCloseTo(NaiveRetrieval.mapAtR(x, labels)[0], within(1e-12));
    }

    @Test
    void rejectsMismatchedInput() {
        assertThatThrownBy(() -> new RetrievalEvaluator().evaluate(new float[2][2], new int[3]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetrievalEvaluator().evaluate(new float[1][2], new int[1]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Not an assertion: prints the wall time on a test set of the size reported in the brief (n = 1780,
     * d = 512, 89 classes), and publishes it as a JUnit report entry.
     */
    @Test
    void reportsTimeOnATypicalTestSet(TestReporter reporter) {
        int[] labels = NaiveRetrieval.randomLabels(35, 1780, 89);
        float[][] x = normalised(projected(NaiveRetrieval.clusteredEmbeddings(36, labels, 32, 1.2), 512, 37));
        RetrievalEvaluator evaluator = new RetrievalEvaluator();
        evaluator.evaluate(x, labels); // warm-up
        long start = System.nanoTime();
        RetrievalScores scores = evaluator.evaluate(x, labels);
        long millis = (System.nanoTime() - start) / 1_000_000;
        String report = "RetrievalEvaluator n=1780 d=512 labels=89: " + millis + " ms on "
                + Runtime.getRuntime().availableProcessors() + " cores, " + scores;
        reporter.publishEntry("timing", report);
        System.out.println(report);
        assertThat(scores.recallAt1()).isBetween(0.0, 1.0);
    }

    /** Random linear map of the rows to {@code dim} dimensions: realistic, correlated embeddings. */
    private static float[][] projected(float[][] latent, int dim, long seed) {
        java.util.Random random = new java.util.Random(seed);
        double[][] map = new double[latent[0].length][dim];
        for (double[] row : map) {
            for (int t = 0; t < dim; t++) {
                row[t] = random.nextGaussian();
            }
        }
        float[][] out = new float[latent.length][dim];
        for (int i = 0; i < latent.length; i++) {
            for (int l = 0; l < map.length; l++) {
                for (int t = 0; t < dim; t++) {
                    out[i][t] += (float) (latent[i][l] * map[l][t]);
                }
            }
        }
        return out;
    }

    private static float[][] normalised(float[][] x) {
        for (float[] row : x) {
            double norm = 0.0;
            for (float v : row) {
                norm += v * v;
            }
            for (int t = 0; t < row.length; t++) {
                row[t] = (float) (row[t] / Math.sqrt(norm));
            }
        }
        return x;
    }
}
