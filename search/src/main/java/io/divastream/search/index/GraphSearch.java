package io.divastream.search.index;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Approximate search on a proximity graph built by JVector (a Vamana / DiskANN-style graph kept in
 * memory) under the dot-product similarity of unit vectors. A query walks the graph with a beam of
 * {@code max(k, efSearch)} candidates; the returned scores are recomputed with {@link
 * VectorSearch#dot}, so they are comparable with {@link ExactSearch}'s. The rows are referenced, not
 * copied (JVector wraps them). Building uses the common fork-join pool.
 */
public final class GraphSearch implements VectorSearch {

    /**
     * Graph parameters.
     *
     * @param maxDegree the most neighbours per node (JVector's M)
     * @param beamWidth candidates kept while inserting a node (construction effort)
     * @param neighborOverflow how far a node's list may overflow before it is pruned
     * @param alpha the diversity factor of the pruning (above 1 keeps longer edges)
     * @param efSearch candidates kept while searching (at least k)
     */
    public record Params(int maxDegree, int beamWidth, float neighborOverflow, float alpha, int efSearch) {

        /** Defaults measured in the tests and the benchmark: degree 32, beam 100, overflow 1.2, alpha 1.2, ef 200. */
        public static final Params DEFAULT = new Params(32, 100, 1.2f, 1.2f, 200);

        /** Validates. */
        public Params {
            if (maxDegree < 2 || beamWidth < 1 || efSearch < 1 || !(neighborOverflow >= 1f) || !(alpha >= 1f)) {
                throw new IllegalArgumentException("bad graph parameters: " + this);
            }
        }
    }

    private static final VectorTypeSupport VTS =
            VectorizationProvider.getInstance().getVectorTypeSupport();

    private final float[][] rows;
    private final RandomAccessVectorValues values;
    private final OnHeapGraphIndex graph;
    private final Params params;

    /**
     * Builds the graph.
     *
     * @param rows the unit-length rows (not copied; must not change afterwards), at least one
     * @param params the graph parameters
     */
    public GraphSearch(float[][] rows, Params params) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("a graph needs at least one row");
        }
        this.rows = rows;
        this.params = params;
        List<VectorFloat<?>> vectors = new ArrayList<>(rows.length);
        for (float[] row : rows) {
            vectors.add(VTS.createFloatVector(row));
        }
        this.values = new ListRandomAccessVectorValues(vectors, rows[0].length);
        BuildScoreProvider scores =
                BuildScoreProvider.randomAccessScoreProvider(values, VectorSimilarityFunction.DOT_PRODUCT);
        try (GraphIndexBuilder builder = new GraphIndexBuilder(
                scores,
                values.dimension(),
                params.maxDegree(),
                params.beamWidth(),
                params.neighborOverflow(),
                params.alpha())) {
            this.graph = builder.build(values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int size() {
        return rows.length;
    }

    /**
     * Returns the graph's heap use as JVector estimates it.
     *
     * @return bytes used by the graph (not by the rows)
     */
    public long graphBytes() {
        return graph.ramBytesUsed();
    }

    @Override
    public List<Hit> search(float[] query, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        if (query.length != values.dimension()) {
            throw new IllegalArgumentException(
                    "query has dimension " + query.length + ", the rows " + values.dimension());
        }
        VectorFloat<?> q = VTS.createFloatVector(query);
        SearchResult result;
        try (GraphSearcher searcher = new GraphSearcher(graph)) {
            SearchScoreProvider ssp = SearchScoreProvider.exact(q, VectorSimilarityFunction.DOT_PRODUCT, values);
            result = searcher.search(ssp, k, Math.max(k, params.efSearch()), 0f, 0f, Bits.ALL);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Hit> hits = new ArrayList<>(k);
        for (SearchResult.NodeScore node : result.getNodes()) {
            hits.add(new Hit(node.node, VectorSearch.dot(query, rows[node.node])));
        }
        hits.sort(ExactSearch::compare);
        return List.copyOf(hits.subList(0, Math.min(k, hits.size())));
    }
}
