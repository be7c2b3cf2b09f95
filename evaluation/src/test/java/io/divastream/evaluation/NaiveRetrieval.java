package io.divastream.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Obviously-correct reference implementations for the tests: full sorts of directly computed double
 * distances, and label counting by nested loops.
 */
final class NaiveRetrieval {

    private NaiveRetrieval() {}

    static double squaredDistance(float[] a, float[] b) {
        double s = 0.0;
        for (int t = 0; t < a.length; t++) {
            double diff = (double) a[t] - (double) b[t];
            s += diff * diff;
        }
        return s;
    }

    /** All indices except q, sorted by (distance to q, index). */
    static int[] ranking(float[][] x, int q) {
        List<Integer> others = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (i != q) {
                others.add(i);
            }
        }
        double[] dist = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            dist[i] = squaredDistance(x[q], x[i]);
        }
        others.sort(Comparator.<Integer>comparingDouble(i -> dist[i]).thenComparingInt(i -> i));
        return others.stream().mapToInt(Integer::intValue).toArray();
    }

    /** All gallery indices, sorted by (distance to query, index). */
    static int[] ranking(float[] query, float[][] gallery) {
        double[] dist = new double[gallery.length];
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < gallery.length; i++) {
            dist[i] = squaredDistance(query, gallery[i]);
            all.add(i);
        }
        all.sort(Comparator.<Integer>comparingDouble(i -> dist[i]).thenComparingInt(i -> i));
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    static int galleryMatches(int label, int[] galleryLabels) {
        int count = 0;
        for (int g : galleryLabels) {
            count += g == label ? 1 : 0;
        }
        return count;
    }

    /** Query/gallery Recall@k by full sorts: hit if a same-label gallery item is among the k nearest. */
    static double[] recall(
            float[][] queries,
            int[] queryLabels,
            float[][] gallery,
            int[] galleryLabels,
            int[] ks,
            boolean excludeSingletons) {
        double[] hits = new double[ks.length];
        int counted = 0;
        for (int q = 0; q < queries.length; q++) {
            if (excludeSingletons && galleryMatches(queryLabels[q], galleryLabels) == 0) {
                continue;
            }
            counted++;
            int[] rank = ranking(queries[q], gallery);
            for (int a = 0; a < ks.length; a++) {
                for (int i = 0; i < Math.min(ks[a], rank.length); i++) {
                    if (galleryLabels[rank[i]] == queryLabels[q]) {
                        hits[a]++;
                        break;
                    }
                }
            }
        }
        for (int a = 0; a < ks.length; a++) {
            hits[a] /= counted;
        }
        return hits;
    }

    /** Query/gallery {MAP@R, R-Precision, Precision@1} over queries with R = gallery matches >= 1. */
    static double[] mapAtR(float[][] queries, int[] queryLabels, float[][] gallery, int[] galleryLabels) {
        double map = 0.0;
        double rPrecision = 0.0;
        double precisionAt1 = 0.0;
        int counted = 0;
        for (int q = 0; q < queries.length; q++) {
            int r = galleryMatches(queryLabels[q], galleryLabels);
            if (r == 0) {
                continue;
            }
            int[] rank = ranking(queries[q], gallery);
            double ap = 0.0;
            for (int i = 1; i <= r; i++) {
                if (galleryLabels[rank[i - 1]] == queryLabels[q]) {
                    int upToI = 0;
                    for (int j = 1; j <= i; j++) {
                        upToI += galleryLabels[rank[j - 1]] == queryLabels[q] ? 1 : 0;
                    }
                    ap += (double) upToI / i;
                }
            }
            int inR = 0;
            for (int i = 0; i < r; i++) {
                inR += galleryLabels[rank[i]] == queryLabels[q] ? 1 : 0;
            }
            map += ap / r;
            rPrecision += (double) inR / r;
            precisionAt1 += galleryLabels[rank[0]] == queryLabels[q] ? 1 : 0;
            counted++;
        }
        return new double[] {map / counted, rPrecision / counted, precisionAt1 / counted};
    }

    /**
     * Small-integer embeddings: every coordinate in {-1, 0, 1}, so every squared distance is an exact small
     * integer and most queries have many exactly tied neighbours (and some rows are exact duplicates).
     */
    static float[][] tiedEmbeddings(long seed, int n, int d) {
        Random random = new Random(seed);
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < d; t++) {
                x[i][t] = random.nextInt(3) - 1;
            }
        }
        return x;
    }

    static int sameLabelOthers(int[] labels, int q) {
        int count = 0;
        for (int i = 0; i < labels.length; i++) {
            if (i != q && labels[i] == labels[q]) {
                count++;
            }
        }
        return count;
    }

    static double[] recall(float[][] x, int[] labels, int[] ks, boolean excludeSingletons) {
        return recall(
                x, labels, ks, excludeSingletons, IntStream.range(0, x.length).toArray());
    }

    /** Leave-one-out Recall@k counting only the listed queries, each ranked against all other items. */
    static double[] recall(float[][] x, int[] labels, int[] ks, boolean excludeSingletons, int[] queries) {
        double[] hits = new double[ks.length];
        int counted = 0;
        for (int q : queries) {
            if (excludeSingletons && sameLabelOthers(labels, q) == 0) {
                continue;
            }
            counted++;
            int[] rank = ranking(x, q);
            for (int a = 0; a < ks.length; a++) {
                for (int i = 0; i < Math.min(ks[a], rank.length); i++) {
                    if (labels[rank[i]] == labels[q]) {
                        hits[a]++;
                        break;
                    }
                }
            }
        }
        for (int a = 0; a < ks.length; a++) {
            hits[a] /= counted;
        }
        return hits;
    }

    /** {MAP@R, R-Precision}, averaged over queries with R >= 1. */
    static double[] mapAtR(float[][] x, int[] labels) {
        return mapAtR(x, labels, IntStream.range(0, x.length).toArray());
    }

    /** {MAP@R, R-Precision} over the listed queries with R >= 1, each ranked against all other items. */
    static double[] mapAtR(float[][] x, int[] labels, int[] listed) {
        double map = 0.0;
        double rPrecision = 0.0;
        int queries = 0;
        for (int q : listed) {
            int r = sameLabelOthers(labels, q);
            if (r == 0) {
                continue;
            }
            int[] rank = ranking(x, q);
            double ap = 0.0;
            for (int i = 1; i <= r; i++) {
                boolean relevant = labels[rank[i - 1]] == labels[q];
                if (relevant) {
                    int relevantUpToI = 0;
                    for (int j = 1; j <= i; j++) {
                        if (labels[rank[j - 1]] == labels[q]) {
                            relevantUpToI++;
                        }
                    }
                    ap += (double) relevantUpToI / i;
                }
            }
            int relevantInR = 0;
            for (int i = 0; i < r; i++) {
                if (labels[rank[i]] == labels[q]) {
                    relevantInR++;
                }
            }
            map += ap / r;
            rPrecision += (double) relevantInR / r;
            queries++;
        }
        return new double[] {map / queries, rPrecision / queries};
    }

    /** The original code's mAP_c as DIVA_SPEC 6.4 words it: R = class size with the query, over all queries. */
    static double mapAtC(float[][] x, int[] labels) {
        double total = 0.0;
        for (int q = 0; q < x.length; q++) {
            int r = sameLabelOthers(labels, q) + 1;
            int[] rank = ranking(x, q);
            double ap = 0.0;
            for (int i = 1; i <= Math.min(r, rank.length); i++) {
                if (labels[rank[i - 1]] == labels[q]) {
                    int relevantSoFar = 0;
                    for (int j = 1; j <= i; j++) {
                        relevantSoFar += labels[rank[j - 1]] == labels[q] ? 1 : 0;
                    }
                    ap += (double) relevantSoFar / i;
                }
            }
            total += ap / r;
        }
        return total / x.length;
    }

    /** Precision@1 over the queries with another item of their label. */
    static double precisionAt1(float[][] x, int[] labels) {
        int hits = 0;
        int queries = 0;
        for (int q = 0; q < x.length; q++) {
            if (sameLabelOthers(labels, q) > 0) {
                queries++;
                hits += labels[ranking(x, q)[0]] == labels[q] ? 1 : 0;
            }
        }
        return (double) hits / queries;
    }

    /** Pairwise F1 by a loop over all unordered pairs. */
    static double pairwiseF1(int[] labels, int[] clusters) {
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < labels.length; i++) {
            for (int j = i + 1; j < labels.length; j++) {
                boolean sameClass = labels[i] == labels[j];
                boolean sameCluster = clusters[i] == clusters[j];
                tp += sameClass && sameCluster ? 1 : 0;
                fp += !sameClass && sameCluster ? 1 : 0;
                fn += sameClass && !sameCluster ? 1 : 0;
            }
        }
        double precision = (double) tp / (tp + fp);
        double recall = (double) tp / (tp + fn);
        return tp == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
    }

    /** NMI straight from the definition, counting every contingency cell with a loop over items. */
    static double nmi(int[] u, int[] v) {
        int n = u.length;
        int[] cu = Arrays.stream(u).distinct().toArray();
        int[] cv = Arrays.stream(v).distinct().toArray();
        if (cu.length == 1 && cv.length == 1) {
            return 1.0;
        }
        double hu = entropy(u, cu);
        double hv = entropy(v, cv);
        double mi = 0.0;
        for (int a : cu) {
            for (int b : cv) {
                int nij = 0;
                int ai = 0;
                int bj = 0;
                for (int i = 0; i < n; i++) {
                    if (u[i] == a && v[i] == b) {
                        nij++;
                    }
                    if (u[i] == a) {
                        ai++;
                    }
                    if (v[i] == b) {
                        bj++;
                    }
                }
                if (nij > 0) {
                    mi += (double) nij / n * Math.log((double) n * nij / ((double) ai * bj));
                }
            }
        }
        return mi / ((hu + hv) / 2.0);
    }

    private static double entropy(int[] labels, int[] distinct) {
        double h = 0.0;
        for (int c : distinct) {
            double p = Arrays.stream(labels).filter(l -> l == c).count() / (double) labels.length;
            h -= p * Math.log(p);
        }
        return h;
    }

    static float[][] randomEmbeddings(long seed, int n, int d, boolean normalise) {
        Random random = new Random(seed);
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            double norm = 0.0;
            for (int t = 0; t < d; t++) {
                x[i][t] = (float) random.nextGaussian();
                norm += x[i][t] * x[i][t];
            }
            if (normalise) {
                for (int t = 0; t < d; t++) {
                    x[i][t] = (float) (x[i][t] / Math.sqrt(norm));
                }
            }
        }
        return x;
    }

    /** Labels 0..classes-1, each repeated, in shuffled order. */
    static int[] randomLabels(long seed, int n, int classes) {
        Random random = new Random(seed);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = labels[i];
            labels[i] = labels[j];
            labels[j] = tmp;
        }
        return labels;
    }

    /** Embeddings in which items of the same label lie close together (noisy class centres). */
    static float[][] clusteredEmbeddings(long seed, int[] labels, int d, double noise) {
        Random random = new Random(seed);
        int classes = Arrays.stream(labels).max().orElse(0) + 1;
        double[][] centres = new double[classes][d];
        for (double[] c : centres) {
            for (int t = 0; t < d; t++) {
                c[t] = random.nextGaussian();
            }
        }
        float[][] x = new float[labels.length][d];
        for (int i = 0; i < labels.length; i++) {
            for (int t = 0; t < d; t++) {
                x[i][t] = (float) (centres[labels[i]][t] + noise * random.nextGaussian());
            }
        }
        return x;
    }

    /** 1-D points embedded in 2-D (second coordinate 0), exact in float. */
    static float[][] line(double... xs) {
        float[][] x = new float[xs.length][];
        for (int i = 0; i < xs.length; i++) {
            x[i] = new float[] {(float) xs[i], 0f};
        }
        return x;
    }
}
