package io.divastream.jobs.train;

import io.divastream.model.DivaHead;
import io.divastream.model.train.StepResult;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** Mean losses over the steps since the last model version. */
final class LossAccumulator {

    /** Names of the reported losses, in order. */
    static final String[] NAMES = {"total", "discriminative", "selfsim", "shared", "intra", "decorrelation"};

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

    /**
     * Returns one step's losses in the order of {@link #NAMES}: NaN for a disabled head, and for
     * the decorrelation when only one head is enabled.
     */
    static double[] values(StepResult result) {
        double[] values = new double[NAMES.length];
        java.util.Arrays.fill(values, Double.NaN);
        values[0] = result.total();
        for (DivaHead head : DivaHead.values()) {
            Double value = result.taskLosses().get(head);
            if (value != null) {
                values[head.ordinal() + 1] = value;
            }
        }
        if (result.taskLosses().size() > 1) {
            values[NAMES.length - 1] = result.decorrelation();
        }
        return values;
    }

    private void add(int index, double value) {
        sums[index] += value;
        counts[index]++;
    }

    /** Writes the running sums and counts (part of the trainer's checkpoint). */
    void save(DataOutputStream out) throws IOException {
        out.writeInt(NAMES.length);
        for (int i = 0; i < NAMES.length; i++) {
            out.writeDouble(sums[i]);
            out.writeInt(counts[i]);
        }
    }

    /** Reads what {@link #save} wrote. */
    void load(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n != NAMES.length) {
            throw new IOException("the checkpoint holds " + n + " loss sums, expected " + NAMES.length);
        }
        for (int i = 0; i < n; i++) {
            sums[i] = in.readDouble();
            counts[i] = in.readInt();
        }
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
