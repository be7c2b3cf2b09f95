package io.divastream.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The naive baseline of {@link EvaluationBenchmark}: the full {@code n x n} matrix of squared Euclidean
 * distances (float32, accumulated in double), every row fully sorted by (distance, index), and the
 * retrieval metrics counted with plain loops over the sorted rows (leave-one-out). Written independently
 * of the model's evaluation package.
 */
final class NaiveFullMatrix {

    private NaiveFullMatrix() {}

    /**
     * Recall@k for every k, then MAP@R, R-Precision, Precision@1 and mAP_c.
     *
     * @param x {@code n x d} embeddings
     * @param labels class of every row
     * @param ks the k values of Recall@k
     * @return the scores in the order above
     */
    static double[] retrieval(float[][] x, int[] labels, List<Integer> ks) {
        int n = x.length;
        float[] distances = new float[Math.multiplyExact(n, n)];
        IntStream.range(0, n).parallel().forEach(i -> {
            for (int j = 0; j < n; j++) {
                double s = 0.0;
                for (int t = 0; t < x[i].length; t++) {
                    double diff = (double) x[i][t] - x[j][t];
                    s += diff * diff;
                }
                distances[i * n + j] = (float) s;
            }
        });
        int[] classSize = new int[Arrays.stream(labels).max().orElse(0) + 1];
        for (int label : labels) {
            classSize[label]++;
        }
        double[][] perQuery = new double[n][];
        IntStream.range(0, n).parallel().forEach(q -> {
            long[] keys = new long[n - 1];
            int c = 0;
            for (int j = 0; j < n; j++) {
                if (j != q) {
                    // non-negative floats order like their bit patterns
                    keys[c++] = ((long) Float.floatToIntBits(distances[q * n + j]) << 32) | j;
                }
            }
            Arrays.sort(keys);
            int[] rank = new int[n - 1];
            for (int i = 0; i < n - 1; i++) {
                rank[i] = (int) keys[i];
            }
            perQuery[q] = scoresOfQuery(rank, labels, q, classSize[labels[q]], ks);
        });
        double[] totals = new double[ks.size() + 4];
        int withOthers = 0;
        for (int q = 0; q < n; q++) {
            for (int i = 0; i < ks.size(); i++) {
                totals[i] += perQuery[q][i];
            }
            if (classSize[labels[q]] > 1) {
                withOthers++;
                totals[ks.size()] += perQuery[q][ks.size()];
                totals[ks.size() + 1] += perQuery[q][ks.size() + 1];
                totals[ks.size() + 2] += perQuery[q][ks.size() + 2];
            }
            totals[ks.size() + 3] += perQuery[q][ks.size() + 3];
        }
        for (int i = 0; i < ks.size(); i++) {
            totals[i] /= n;
        }
        for (int i = ks.size(); i < ks.size() + 3; i++) {
            totals[i] /= withOthers;
        }
        totals[ks.size() + 3] /= n;
        return totals;
    }

    private static double[] scoresOfQuery(int[] rank, int[] labels, int q, int classSize, List<Integer> ks) {
        double[] out = new double[ks.size() + 4];
        for (int i = 0; i < ks.size(); i++) {
            for (int r = 0; r < Math.min(ks.get(i), rank.length); r++) {
                if (labels[rank[r]] == labels[q]) {
                    out[i] = 1.0;
                    break;
                }
            }
        }
        int big = classSize - 1; // R: other items of the class
        if (big > 0) {
            double ap = 0.0;
            int hits = 0;
            for (int r = 0; r < big; r++) {
                if (labels[rank[r]] == labels[q]) {
                    hits++;
                    ap += (double) hits / (r + 1);
                }
            }
            out[ks.size()] = ap / big;
            out[ks.size() + 1] = (double) hits / big;
            out[ks.size() + 2] = labels[rank[0]] == labels[q] ? 1.0 : 0.0;
        }
        double apC = 0.0;
        int hitsC = 0;
        for (int r = 0; r < Math.min(classSize, rank.length); r++) {
            if (labels[rank[r]] == labels[q]) {
                hitsC++;
                apC += (double) hitsC / (r + 1);
            }
        }
        out[ks.size() + 3] = apC / classSize;
        return out;
    }
}
