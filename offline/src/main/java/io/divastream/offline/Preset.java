package io.divastream.offline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Ready-made batch runs. The six paper presets carry the values of the original sample runs
 * (DIVA_SPEC section 4.6): batch 112 of 56 classes x 2 images drawn with replacement, 4 x 128-d
 * heads, lr 1e-5 and weight decay 4e-4 for the network, 5e-4 for the betas, 1e-5 for the
 * regressors, one learning-rate milestone {@code tau} (an epoch) with factor {@code gamma}, a DaNCE
 * queue of {@code n_key_batches} x 112 keys, and the paper's head weightings evaluated at test
 * time. {@code cub-mobilenetv2} runs the CUB ResNet-50 values with the offline pretrained MobileNetV2.
 *
 * @param id the preset's name on the command line
 * @param dataset the dataset format it expects ({@code cub}, {@code cars}, {@code sop},
 *     {@code omniglot})
 * @param backbone the backbone ({@code resnet50}, {@code bninception}, {@code mobilenetv2},
 *     {@code conv4})
 * @param alpha the weight of each auxiliary task (alpha_ssl = alpha_shared = alpha_intra)
 * @param rho the weight of each decorrelation pair
 * @param tauEpoch the epoch from which every learning rate is multiplied by {@code gamma}
 * @param gamma the learning-rate factor at the milestone
 * @param keyBatches batches embedded into the DaNCE queue before training ({@code n_key_batches})
 * @param epochs epochs of floor(N_train / B) batches
 * @param seed the seed
 * @param learningRate the network's learning rate
 * @param decorrelationLearningRate the regressors' learning rate
 * @param weightings head weightings evaluated besides equal weights, by name
 */
public record Preset(
        String id,
        String dataset,
        String backbone,
        double alpha,
        double rho,
        int tauEpoch,
        double gamma,
        int keyBatches,
        int epochs,
        long seed,
        double learningRate,
        double decorrelationLearningRate,
        Map<String, double[]> weightings) {

    /** Batch size of every paper preset. */
    public static final int BATCH_SIZE = 112;

    /** Images per class in a batch in every paper preset. */
    public static final int SAMPLES_PER_CLASS = 2;

    private static final Map<String, double[]> CUB_CARS_WEIGHTINGS =
            weightings("0.75-1.25-1.25-1.25", "0.5-1-1-1", "0.5-1.5-1.5-1.5");
    private static final Map<String, double[]> SOP_WEIGHTINGS = weightings("0.5-1-1-1", "1-0.5-0.5-0.5", "1.5-1-1-1");

    /** Copies the weightings. */
    public Preset {
        weightings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weightings));
    }

    /**
     * Every preset.
     *
     * @return the presets, paper runs first
     */
    public static List<Preset> all() {
        return List.of(
                paper("cub-resnet50", "cub", "resnet50", 0.3, 1500, 55, 0.2, 30, 350, 0, CUB_CARS_WEIGHTINGS),
                paper("cub-bninception", "cub", "bninception", 0.1, 300, 70, 0.3, 30, 350, 0, CUB_CARS_WEIGHTINGS),
                paper("cars-resnet50", "cars", "resnet50", 0.15, 100, 70, 0.2, 30, 350, 0, CUB_CARS_WEIGHTINGS),
                paper("cars-bninception", "cars", "bninception", 0.15, 100, 160, 0.3, 30, 350, 1, CUB_CARS_WEIGHTINGS),
                paper("sop-resnet50", "sop", "resnet50", 0.2, 150, 70, 0.3, 70, 150, 0, SOP_WEIGHTINGS),
                paper("sop-bninception", "sop", "bninception", 0.1, 150, 80, 0.3, 70, 150, 0, SOP_WEIGHTINGS),
                // In-Shop has no DiVA run (the paper reports CUB, CARS and SOP): the SOP ResNet-50 run's values,
                // evaluated query against gallery
                paper("inshop-resnet50", "inshop", "resnet50", 0.2, 150, 70, 0.3, 70, 150, 0, SOP_WEIGHTINGS),
                // the CUB ResNet-50 run's values with the offline ImageNet MobileNetV2 of ../shared/weights
                paper("cub-mobilenetv2", "cub", "mobilenetv2", 0.3, 1500, 55, 0.2, 30, 350, 0, CUB_CARS_WEIGHTINGS));
    }

    private static Preset paper(
            String id,
            String dataset,
            String backbone,
            double alpha,
            double rho,
            int tau,
            double gamma,
            int keyBatches,
            int epochs,
            long seed,
            Map<String, double[]> weightings) {
        return new Preset(
                id, dataset, backbone, alpha, rho, tau, gamma, keyBatches, epochs, seed, 1e-5, 1e-5, weightings);
    }

    /**
     * Finds a preset by name.
     *
     * @param id the name
     * @return the preset
     * @throws IllegalArgumentException listing the valid names if there is none
     */
    public static Preset named(String id) {
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        return all().stream()
                .filter(p -> p.id().equals(wanted))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown preset '" + id + "' (expected one of "
                        + all().stream().map(Preset::id).toList() + ")"));
    }

    /**
     * The optimizer step at which the learning-rate milestone falls: the original code steps its
     * scheduler after each epoch's evaluation, so epochs {@code tau} and later run at the decayed rate.
     *
     * @param stepsPerEpoch floor(N_train / B)
     * @return tau x stepsPerEpoch
     */
    public long milestoneStep(int stepsPerEpoch) {
        return (long) tauEpoch * stepsPerEpoch;
    }

    private static Map<String, double[]> weightings(String... names) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (String name : names) {
            String[] parts = name.split("-");
            double[] w = new double[parts.length];
            for (int i = 0; i < parts.length; i++) {
                w[i] = Double.parseDouble(parts[i]);
            }
            out.put(name, w);
        }
        return out;
    }
}
