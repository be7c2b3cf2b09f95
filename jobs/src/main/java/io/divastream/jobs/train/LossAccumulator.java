package io.divastream.jobs.train;

import io.divastream.model.DivaHead;
import io.divastream.model.train.StepResult;

/** Mean losses over the steps since the last model version. */
final class LossAccumulator {

    /** Names of the reported losses, in order. */
    static final String[] NAMES = {
        "total", "discriminative", "selfsim", "shared", "intra", "decorrelation"
    };

    private final double[] sums = new double[NAMES.length];
    private final int[] counts = new int[NAMES.length];

    void add(StepResult result) {
        add(0, result.total());
        for (DivaHead head : DivaHead.values()) {
            Double value = result.taskLosses().get(head);
            if (value != null) {
                add(head.ordinal() + 1, value);
            }
        }
        if (result.taskLosses().size() > 1) {
            add(NAMES.length - 1, result.decorrelation());
        }
    }

    private void add(int index, double value) {
        sums[index] += value;
        counts[index]++;
    }

    /** Returns the means (NaN where nothing was added) and resets. */
    double[] drain() {
        double[] means = new double[NAMES.length];
        for (int i = 0; i < means.length; i++) {
            means[i] = counts[i] == 0 ? Double.NaN : sums[i] / counts[i];
            sums[i] = 0;
            counts[i] = 0;
        }
        return means;
    }
}
