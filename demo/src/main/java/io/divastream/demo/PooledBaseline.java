package io.divastream.demo;

import io.divastream.evaluation.EmbeddingCombiner;
import io.divastream.evaluation.EvaluationConfig;
import io.divastream.evaluation.RetrievalEvaluator;
import io.divastream.evaluation.RetrievalScores;
import io.divastream.images.ImageLimits;
import io.divastream.jobs.decode.SampleDecoding;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.producer.LabeledImage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The starting point a photo run must beat: the frozen backbone's pooled features of the held-out images, used
 * directly as the embedding (L2-normalised), scored leave-one-out as the job scores its versions. The features are
 * the job's own stored evaluation features: the same decoding, transform, backbone and storage precision.
 */
final class PooledBaseline {

    private PooledBaseline() {}

    /**
     * Scores the pooled features.
     *
     * @param heldOut the held-out images
     * @param decoding the job's decoding (a frozen backbone's features)
     * @param limits the job's image limits
     * @param evaluation the job's evaluation settings
     * @return the scores
     */
    static RetrievalScores score(
            List<LabeledImage> heldOut, SampleDecoding decoding, ImageLimits limits, EvaluationConfig evaluation) {
        float[][] features = new float[heldOut.size()][];
        int[] labels = new int[heldOut.size()];
        Map<String, Integer> classes = new HashMap<>();
        try (SampleDecoding.Decoder decoder = decoding.open(limits)) {
            for (int i = 0; i < features.length; i++) {
                LabeledImage image = heldOut.get(i);
                byte[] stored = decoder.decode(image.imageId(), image.bytes(), false);
                features[i] = StoredFeatures.fromBytes(stored).evaluation();
                labels[i] = classes.computeIfAbsent(image.label(), l -> classes.size());
            }
        }
        float[][] unit = EmbeddingCombiner.unitRows(features);
        return new RetrievalEvaluator(evaluation).evaluate(unit, labels);
    }
}
