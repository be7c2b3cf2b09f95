package io.divastream.benchmarks;

import io.divastream.jobs.config.DivaOption;
import io.divastream.jobs.config.OptionSet;
import io.divastream.jobs.config.OptionType;
import io.divastream.model.logging.ConsoleLogging;
import io.divastream.search.index.ExactSearch;
import io.divastream.search.index.GraphSearch;
import io.divastream.search.index.VectorSearch;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;

/**
 * Build time, memory and query latency of the search service's exact scan and JVector graph on
 * clustered unit vectors, and the graph's recall@k against the exact scan.
 *
 * <p>Options (all optional; {@code --help} lists them): {@code --n} (1000000), {@code --dim} (512),
 * {@code --clusters} (1000), {@code --queries} (200), {@code --k} (10), {@code --mode} exact, graph or both
 * (both). Vectors: {@code clusters} random unit centres, each row a
 * centre plus Gaussian noise of norm about 0.6, normalised. Queries are drawn the same way (not from
 * the set). Latency is per single query, one at a time (the exact scan uses the common pool).
 */
public final class SearchBenchmark {

    private static final DivaOption<Integer> N =
            DivaOption.of("n", OptionType.integer(1, 100_000_000), "1000000", "vectors indexed");
    private static final DivaOption<Integer> DIM =
            DivaOption.of("dim", OptionType.integer(1, 65_536), "512", "dimension");
    private static final DivaOption<Integer> CLUSTERS =
            DivaOption.of("clusters", OptionType.integer(1, 10_000_000), "1000", "random unit centres");
    private static final DivaOption<Integer> QUERIES =
            DivaOption.of("queries", OptionType.integer(1, 10_000_000), "200", "queries timed");
    private static final DivaOption<Integer> K =
            DivaOption.of("k", OptionType.integer(1, 10_000), "10", "neighbours per query");
    private static final DivaOption<String> MODE = DivaOption.of(
            "mode", OptionType.oneOf("exact", "graph", "both"), "both", "the indexes to build: exact, graph or both");

    private static final OptionSet OPTIONS = OptionSet.of(List.of(N, DIM, CLUSTERS, QUERIES, K, MODE));

    private SearchBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args {@code --name value} options, see the class documentation
     */
    public static void main(String[] args) {
        ConsoleLogging.start(SearchBenchmark.class);
        Configuration options = OPTIONS.parse(args);
        int n = N.get(options);
        int dim = DIM.get(options);
        int clusters = CLUSTERS.get(options);
        int queries = QUERIES.get(options);
        int k = K.get(options);
        String mode = MODE.get(options);
        System.out.printf(
                Locale.ROOT,
                "SearchBenchmark: n=%,d dim=%d clusters=%d queries=%d k=%d, %d cores, max heap %d MB%n",
                n,
                dim,
                clusters,
                queries,
                k,
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);

        long t0 = System.nanoTime();
        float[][] centres = rows(clusters, dim, 1, null, 0.0);
        float[][] data = rows(n, dim, 2, centres, 0.6);
        float[][] q = rows(queries, dim, 3, centres, 0.6);
        System.out.printf(
                Locale.ROOT,
                "generated in %.1f s; heap used %d MB; %s%n",
                seconds(t0),
                heapUsedMb(),
                PeakMemory.residentSummary());

        PeakMemory.reset();
        long b0 = System.nanoTime();
        ExactSearch exact = new ExactSearch(data, true);
        double exactBuild = seconds(b0);
        int[][] truth = new int[queries][];
        long[] exactNanos = new long[queries];
        for (int i = 0; i < queries; i++) {
            long s = System.nanoTime();
            truth[i] = exact.search(q[i], k).stream()
                    .mapToInt(VectorSearch.Hit::row)
                    .toArray();
            exactNanos[i] = System.nanoTime() - s;
        }
        System.out.printf(
                Locale.ROOT,
                "exact: build %.3f s, query p50 %.1f ms p99 %.1f ms, heap used %d MB, %s%n",
                exactBuild,
                percentile(exactNanos, 50),
                percentile(exactNanos, 99),
                heapUsedMb(),
                PeakMemory.residentSummary());

        if (mode.equals("exact")) {
            return;
        }
        PeakMemory.reset();
        long g0 = System.nanoTime();
        GraphSearch graph = new GraphSearch(data, GraphSearch.Params.DEFAULT);
        double graphBuild = seconds(g0);
        long[] graphNanos = new long[queries];
        long found = 0;
        for (int i = 0; i < queries; i++) {
            long s = System.nanoTime();
            List<VectorSearch.Hit> hits = graph.search(q[i], k);
            graphNanos[i] = System.nanoTime() - s;
            Set<Integer> expected = new HashSet<>();
            Arrays.stream(truth[i]).forEach(expected::add);
            found += hits.stream().filter(h -> expected.contains(h.row())).count();
        }
        System.out.printf(
                Locale.ROOT,
                "graph %s: build %.1f s, graph %d MB (JVector's estimate), query p50 %.2f ms p99 %.2f ms, "
                        + "recall@%d %.4f, heap used %d MB, heap peak %d MB, %s%n",
                GraphSearch.Params.DEFAULT,
                graphBuild,
                graph.graphBytes() >> 20,
                percentile(graphNanos, 50),
                percentile(graphNanos, 99),
                k,
                found / (double) (k * queries),
                heapUsedMb(),
                PeakMemory.heapPeakBytes() >> 20,
                PeakMemory.residentSummary());
    }

    private static float[][] rows(int n, int dim, long seed, float[][] centres, double noise) {
        float[][] out = new float[n][];
        IntStream.range(0, n).parallel().forEach(i -> {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + i);
            float[] centre = centres == null ? null : centres[random.nextInt(centres.length)];
            float[] v = new float[dim];
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                double g =
                        Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
                v[j] = (float) ((centre == null ? g : centre[j] + noise * g / Math.sqrt(dim)));
                norm += v[j] * (double) v[j];
            }
            double inv = 1 / Math.sqrt(norm);
            for (int j = 0; j < dim; j++) {
                v[j] = (float) (v[j] * inv);
            }
            out[i] = v;
        });
        return out;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static long heapUsedMb() {
        System.gc();
        Runtime r = Runtime.getRuntime();
        return (r.totalMemory() - r.freeMemory()) >> 20;
    }

    private static double percentile(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, index)] / 1e6;
    }
}
