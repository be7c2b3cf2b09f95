package io.divastream.jobs.testing;

import io.divastream.jobs.config.RouteOptions;
import io.divastream.producer.LabeledImage;
import io.divastream.producer.OmniglotDataset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Real Omniglot images for the integration tests, split by the job's default evaluation routing. */
public final class OmniglotSample {

    private OmniglotSample() {}

    /**
     * Real Omniglot images: the first classes of the training and of the evaluation alphabets.
     *
     * @param trainClasses training classes
     * @param evalClasses evaluation classes
     * @param perClass images of each
     * @return the images
     */
    public static List<LabeledImage> of(int trainClasses, int evalClasses, int perClass) {
        Map<String, List<LabeledImage>> byLabel = new LinkedHashMap<>();
        for (LabeledImage image : OmniglotDataset.loadEmbedded()) {
            byLabel.computeIfAbsent(image.label(), l -> new ArrayList<>()).add(image);
        }
        List<LabeledImage> out = new ArrayList<>();
        int train = 0;
        int eval = 0;
        for (Map.Entry<String, List<LabeledImage>> entry : byLabel.entrySet()) {
            if (isEval(entry.getKey()) ? eval++ < evalClasses : train++ < trainClasses) {
                out.addAll(entry.getValue().subList(0, perClass));
            }
        }
        return out;
    }

    /**
     * Tells whether the default routing holds a label out for evaluation.
     *
     * @param label the label
     * @return true for the evaluation alphabets
     */
    public static boolean isEval(String label) {
        return label.matches(RouteOptions.OMNIGLOT_EVAL_LABELS + ".*");
    }
}
