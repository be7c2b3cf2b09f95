package io.divastream.evaluation;

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
        RetrievalScores scores =
                new RetrievalEvaluator(EvaluationConfig.defaults().withSeed(5)).evaluate(x, labels);

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
        assertThat(scores.rPrecision()).isCloseTo(NaiveRetrieval.mapAtR(x, labels)[1], within(1e-12));
        assertThat(scores.precisionAt1()).isCloseTo(NaiveRetrieval.precisionAt1(x, labels), within(1e-12));
        assertThat(scores.mapAtC()).isCloseTo(NaiveRetrieval.mapAtC(x, labels), within(1e-12));
        assertThat(scores.f1()).isCloseTo(NaiveRetrieval.pairwiseF1(labels, clusters), within(1e-12));
        assertThat(scores.f1()).isBetween(0.05, 0.99);
        assertThat(scores.clusters()).isEqualTo(30);
        assertThat(scores.recallAtK()).containsOnlyKeys(1, 2, 4, 8);
        assertThat(scores.recallAt(4)).isEqualTo(scores.recallAt4());
    }

    @Test
    void furtherRecallKsAreEvaluatedAndReported() {
        int[] labels = NaiveRetrieval.randomLabels(40, 400, 8);
        float[][] x = normalised(NaiveRetrieval.clusteredEmbeddings(41, labels, 10, 1.5));
        EvaluationConfig config = EvaluationConfig.defaults().withRecallKs(java.util.List.of(10, 100, 2, 1000));
        assertThat(config.evaluatedRecallKs()).containsExactly(1, 2, 4, 8, 10, 100, 1000);
        RetrievalScores scores = new RetrievalEvaluator(config).evaluate(x, labels);
        int[] ks = {1, 2, 4, 8, 10, 100, 1000};
        double[] expected = NaiveRetrieval.recall(x, labels, ks, false);
        assertThat(scores.recallAtK()).containsOnlyKeys(1, 2, 4, 8, 10, 100, 1000);
        for (int i = 0; i < ks.length; i++) {
            assertThat(scores.recallAt(ks[i])).as("R@%d", ks[i]).isCloseTo(expected[i], within(1e-12));
        }
        assertThat(scores.recallAt(10)).isLessThan(1.0);
        assertThatThrownBy(() -> scores.recallAt(3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Recall@3");
        assertThatThrownBy(() -> EvaluationConfig.defaults().withRecallKs(java.util.List.of(0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clusterCountDefaultsToTheTestClassesAndCanBeSetToTheTrainingClassesForParity() {
        int[] labels = NaiveRetrieval.randomLabels(42, 240, 12);
        float[][] x = normalised(NaiveRetrieval.clusteredEmbeddings(43, labels, 10, 1.0));
        RetrievalScores byTest =
                new RetrievalEvaluator(EvaluationConfig.defaults().withSeed(3)).evaluate(x, labels);
        assertThat(byTest.clusters()).isEqualTo(12);
        int trainClasses = 20; // e.g. SOP: 11,318 training classes against 11,316 test classes
        RetrievalScores byTrain = new RetrievalEvaluator(
                        EvaluationConfig.defaults().withSeed(3).withClusters(trainClasses))
                .evaluate(x, labels);
        assertThat(byTrain.clusters()).isEqualTo(trainClasses);
        int[] clusters = new KMeans(KMeansConfig.of(trainClasses, 3)).fit(x).assignments();
        assertThat(byTrain.nmi()).isCloseTo(NaiveRetrieval.nmi(labels, clusters), within(1e-12));
        assertThat(byTrain.f1()).isCloseTo(NaiveRetrieval.pairwiseF1(labels, clusters), within(1e-12));
        assertThat(byTrain.nmi()).isNotEqualTo(byTest.nmi());
        assertThat(byTrain.recallAt1()).isEqualTo(byTest.recallAt1());
    }

    @Test
    void theSixArgumentScoresKeepTheirMeaning() {
        RetrievalScores old = new RetrievalScores(0.1, 0.2, 0.3, 0.4, 0.5, 0.6);
        assertThat(old.recallAtK())
                .containsExactly(
                        java.util.Map.entry(1, 0.1),
                        java.util.Map.entry(2, 0.2),
                        java.util.Map.entry(4, 0.3),
                        java.util.Map.entry(8, 0.4));
        assertThat(old.rPrecision()).isNaN();
        assertThat(old.precisionAt1()).isNaN();
        assertThat(old.mapAtC()).isNaN();
        assertThat(old.f1()).isNaN();
        assertThat(old.clusters()).isZero();
        assertThat(old).isEqualTo(new RetrievalScores(0.1, 0.2, 0.3, 0.4, 0.5, 0.6));
    }

    @Test
    void separableEmbeddingScoresOneEverywhereAndIsDeterministic() {
        int[] labels = NaiveRetrieval.randomLabels(32, 200, 10);
        float[][] x = NaiveRetrieval.clusteredEmbeddings(33, labels, 16, 0.001);
        RetrievalEvaluator evaluator =
                new RetrievalEvaluator(EvaluationConfig.defaults().withKMeansRestarts(3));
        RetrievalScores scores = evaluator.evaluate(x, labels);
        assertThat(scores.recallAt1()).isEqualTo(1.0);
        assertThat(scores.recallAt8()).isEqualTo(1.0);
        assertThat(scores.mapAtR()).isEqualTo(1.0);
        assertThat(scores.nmi()).isCloseTo(1.0, within(1e-12));
        assertThat(evaluator.evaluate(x, labels)).isEqualTo(scores);
        RetrievalEvaluator sequential =
                new RetrievalEvaluator(evaluator.config().withParallel(false));
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
    void queryGalleryScoresMatchTheirIndependentComputation() {
        int[] galleryLabels = NaiveRetrieval.randomLabels(50, 160, 20);
        int[] queryLabels = NaiveRetrieval.randomLabels(51, 70, 23); // classes 20..22 have no gallery item
        int[] all = new int[230];
        System.arraycopy(queryLabels, 0, all, 0, 70);
        System.arraycopy(galleryLabels, 0, all, 70, 160);
        float[][] union = normalised(NaiveRetrieval.clusteredEmbeddings(52, all, 10, 1.0));
        float[][] queries = java.util.Arrays.copyOfRange(union, 0, 70);
        float[][] gallery = java.util.Arrays.copyOfRange(union, 70, 230);
        EvaluationConfig config = EvaluationConfig.defaults().withSeed(4).withRecallKs(java.util.List.of(16));
        RetrievalScores scores = new RetrievalEvaluator(config).evaluate(queries, queryLabels, gallery, galleryLabels);

        int[] ks = {1, 2, 4, 8, 16};
        double[] recall = NaiveRetrieval.recall(queries, queryLabels, gallery, galleryLabels, ks, false);
        for (int i = 0; i < ks.length; i++) {
            assertThat(scores.recallAt(ks[i])).as("R@%d", ks[i]).isCloseTo(recall[i], within(1e-12));
        }
        double[] map = NaiveRetrieval.mapAtR(queries, queryLabels, gallery, galleryLabels);
        assertThat(scores.mapAtR()).isCloseTo(map[0], within(1e-12));
        assertThat(scores.rPrecision()).isCloseTo(map[1], within(1e-12));
        assertThat(scores.precisionAt1()).isCloseTo(map[2], within(1e-12));
        assertThat(scores.mapAtC()).isNaN();
        assertThat(scores.recallAt1()).isBetween(0.05, 0.95);
        assertThat(scores.clusters()).isEqualTo(23);
        int[] clusters = new KMeans(KMeansConfig.of(23, 4)).fit(union).assignments();
        assertThat(scores.nmi()).isCloseTo(NaiveRetrieval.nmi(all, clusters), within(1e-12));
        assertThat(scores.f1()).isCloseTo(NaiveRetrieval.pairwiseF1(all, clusters), within(1e-12));

        RetrievalScores excluding = new RetrievalEvaluator(
                        config.withSingletonPolicy(RecallAtK.SingletonPolicy.EXCLUDE))
                .evaluate(queries, queryLabels, gallery, galleryLabels);
        assertThat(excluding.recallAt1())
                .isCloseTo(
                        NaiveRetrieval.recall(queries, queryLabels, gallery, galleryLabels, ks, true)[0], within(1e-12))
                .isGreaterThan(scores.recallAt1());
    }

    @Test
    void exactTiesScoreLikeTheNaiveLoopsInBothModes() {
        // coordinates in {-1, 0, 1}: integer distances with many exact ties and duplicate rows
        int[] labels = NaiveRetrieval.randomLabels(53, 180, 9);
        float[][] x = NaiveRetrieval.tiedEmbeddings(54, 180, 3);
        RetrievalScores loo = new RetrievalEvaluator().evaluate(x, labels);
        double[] recall = NaiveRetrieval.recall(x, labels, new int[] {1, 2, 4, 8}, false);
        assertThat(new double[] {loo.recallAt1(), loo.recallAt2(), loo.recallAt4(), loo.recallAt8()})
                .containsExactly(recall, within(1e-12));
        assertThat(loo.mapAtR()).isCloseTo(NaiveRetrieval.mapAtR(x, labels)[0], within(1e-12));
        assertThat(loo.rPrecision()).isCloseTo(NaiveRetrieval.mapAtR(x, labels)[1], within(1e-12));
        assertThat(loo.precisionAt1()).isCloseTo(NaiveRetrieval.precisionAt1(x, labels), within(1e-12));
        assertThat(loo.mapAtC()).isCloseTo(NaiveRetrieval.mapAtC(x, labels), within(1e-12));

        float[][] queries = java.util.Arrays.copyOfRange(x, 0, 60);
        float[][] gallery = java.util.Arrays.copyOfRange(x, 60, 180);
        int[] queryLabels = java.util.Arrays.copyOfRange(labels, 0, 60);
        int[] galleryLabels = java.util.Arrays.copyOfRange(labels, 60, 180);
        RetrievalScores qg = new RetrievalEvaluator().evaluate(queries, queryLabels, gallery, galleryLabels);
        double[] qgRecall =
                NaiveRetrieval.recall(queries, queryLabels, gallery, galleryLabels, new int[] {1, 2, 4, 8}, false);
        assertThat(new double[] {qg.recallAt1(), qg.recallAt2(), qg.recallAt4(), qg.recallAt8()})
                .containsExactly(qgRecall, within(1e-12));
        double[] qgMap = NaiveRetrieval.mapAtR(queries, queryLabels, gallery, galleryLabels);
        assertThat(new double[] {qg.mapAtR(), qg.rPrecision(), qg.precisionAt1()})
                .containsExactly(qgMap, within(1e-12));
    }

    @Test
    void faissLikeSettingsAreUsedForTheClustering() {
        int[] labels = NaiveRetrieval.randomLabels(55, 200, 10);
        float[][] x = normalised(NaiveRetrieval.clusteredEmbeddings(56, labels, 8, 0.8));
        EvaluationConfig config = EvaluationConfig.defaults()
                .withSeed(2)
                .withKMeansMaxIterations(20)
                .withKMeansSeeding(KMeansConfig.Seeding.RANDOM_POINTS);
        assertThat(config.kMeansMaxIterations()).isEqualTo(20);
        RetrievalScores scores = new RetrievalEvaluator(config).evaluate(x, labels);
        int[] clusters = new KMeans(
                        KMeansConfig.of(10, 2).withMaxIterations(20).withSeeding(KMeansConfig.Seeding.RANDOM_POINTS))
                .fit(x)
                .assignments();
        assertThat(scores.nmi()).isCloseTo(NaiveRetrieval.nmi(labels, clusters), within(1e-12));
        assertThat(scores.f1()).isCloseTo(NaiveRetrieval.pairwiseF1(labels, clusters), within(1e-12));
    }

    @Test
    void rejectsMismatchedInput() {
        assertThatThrownBy(() -> new RetrievalEvaluator().evaluate(new float[2][2], new int[3]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetrievalEvaluator().evaluate(new float[1][2], new int[1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        new RetrievalEvaluator().evaluate(new float[2][2], new int[3], new float[2][2], new int[2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("query");
        assertThatThrownBy(() ->
                        new RetrievalEvaluator().evaluate(new float[2][2], new int[2], new float[2][3], new int[2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dimension");
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
