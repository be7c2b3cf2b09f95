package io.divastream.offline;

import io.divastream.evaluation.RetrievalEvaluator;
import io.divastream.evaluation.RetrievalScores;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The images a trained embedding is judged on: with no gallery every query is searched among all the others
 * (leave-one-out), else each query among the gallery only ({@link EvaluationProtocol}).
 *
 * @param queries the queries (with no gallery, every test image)
 * @param gallery the gallery, if the protocol has one
 * @param <T> the in-memory image type
 */
public record TestImages<T>(LabeledImages<T> queries, Optional<LabeledImages<T>> gallery) {

    /**
     * Transforms both parts alike (e.g. into their cached features).
     *
     * @param f the transformation
     * @param <U> the new image type
     * @return the transformed images
     */
    public <U> TestImages<U> map(Function<LabeledImages<T>, LabeledImages<U>> f) {
        return new TestImages<>(f.apply(queries), gallery.map(f));
    }

    /**
     * The class index of every query, then of every gallery image, over the labels of both.
     *
     * @return the indices, queries first
     */
    public int[] classIndices() {
        List<String> labels = new ArrayList<>(queries.labels());
        gallery.ifPresent(g -> labels.addAll(g.labels()));
        return LabeledImages.classIndices(labels);
    }

    /**
     * Scores embeddings of these images.
     *
     * @param evaluator the evaluator
     * @param embed embeds one part, row per image in its order
     * @return the scores under this protocol
     */
    public RetrievalScores evaluate(RetrievalEvaluator evaluator, Function<LabeledImages<T>, float[][]> embed) {
        int[] labels = classIndices();
        float[][] q = embed.apply(queries);
        if (gallery.isEmpty()) {
            return evaluator.evaluate(q, labels);
        }
        int n = queries.size();
        return evaluator.evaluate(
                q,
                java.util.Arrays.copyOfRange(labels, 0, n),
                embed.apply(gallery.get()),
                java.util.Arrays.copyOfRange(labels, n, labels.length));
    }

    /**
     * Says how the images are searched, for a report.
     *
     * @return e.g. "leave-one-out retrieval among the 586 test images"
     */
    public String describe() {
        return gallery.map(g -> String.format(
                        java.util.Locale.ROOT,
                        "the %d queries searched among the %d gallery images",
                        queries.size(),
                        g.size()))
                .orElse("leave-one-out retrieval among the " + queries.size() + " test images");
    }
}
