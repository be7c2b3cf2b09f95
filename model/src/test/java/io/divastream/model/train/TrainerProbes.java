package io.divastream.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.divastream.model.DivaHead;
import io.divastream.model.DjlRuntime;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.net.DivaNetwork;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Looks inside a {@link DivaTrainer} for tests: gradients by parameter group, parameter values,
 * BatchNorm statistics, the queue's keys and the betas, through the trainer's package-private
 * {@link TrainerState}.
 */
final class TrainerProbes {

    private TrainerProbes() {}

    /**
     * Computes the gradients that chosen terms of the objective send to every parameter group,
     * without updating anything: the gradient-routing check of DIVA_SPEC section 2.5. Batch-norm
     * statistics are restored and the gradients zeroed afterwards; the queue is not changed.
     *
     * @param trainer the trainer
     * @param labels the class label of each image
     * @param views view A and view B as for {@link DivaTrainer#step(List, float[][])}
     * @param tasks the task losses to include (each with its alpha)
     * @param separation whether to include L_sep
     * @param reverseGradient false to compute L_sep without the gradient-reversal layer
     * @return the flattened gradient of each group: {@code backbone}, {@code head_<id>}, {@code
     *     beta_<id>}, {@code regressor_<source>_<target>}; and {@code key} holding the key
     *     encoder's gradients (all zero unless something leaks into it)
     */
    static Map<String, float[]> probeGradients(
            DivaTrainer trainer,
            List<String> labels,
            float[][] views,
            List<DivaHead> tasks,
            boolean separation,
            boolean reverseGradient) {
        DjlRuntime.disableGradientRecording();
        TrainerState state = trainer.state();
        NetworkSpec spec = state.spec();
        int b = labels.size();
        int[] classes = state.classIndex().indicesOf(labels);
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager stepManager = state.root().newSubManager();
                StatisticsBackup statistics = new StatisticsBackup(state.queryNet(), state.root())) {
            Shape shape = DivaNetwork.inputShape(spec, b);
            NDArray xA = stepManager.create(views[0], shape);
            NDArray xB = stepManager.create(views[1], shape);
            NDArray keys = null;
            if (spec.has(DivaHead.SELFSIM)) {
                if (state.queue().size() == 0) {
                    throw new IllegalStateException("fill the queue first");
                }
                keys = state.keyEncoder()
                        .forward(state.parameterStore(), new NDList(xB), false)
                        .get(spec.indexOf(DivaHead.SELFSIM));
            }
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDList e = state.queryNet().forward(state.parameterStore(), new NDList(xA), true);
                NDArray total = trainer.objective()
                        .compute(e, keys, classes, state.steps() + 1, tasks, separation, reverseGradient)
                        .total();
                if (total != null) {
                    collector.backward(total);
                }
            }
            for (Pair<String, Parameter> entry : state.queryNet().getParameters()) {
                append(
                        out,
                        ParameterGroups.partOf(spec, entry.getKey()),
                        gradientOf(entry.getValue().getArray(), stepManager));
            }
            for (Map.Entry<DivaHead, NDArray> beta : state.betas().entrySet()) {
                append(out, "beta_" + beta.getKey().id(), gradientOf(beta.getValue(), stepManager));
            }
            for (int i = 0; i < state.pairs().size(); i++) {
                String name = "regressor_" + state.pairs().get(i).source().id() + "_"
                        + state.pairs().get(i).target().id();
                for (Parameter p : state.regressors().get(i).getParameters().values()) {
                    append(out, name, gradientOf(p.getArray(), stepManager));
                }
            }
            for (Parameter p : state.keyEncoder().getParameters().values()) {
                append(out, "key", gradientOf(p.getArray(), stepManager));
            }
            state.optimizer().zeroGradients();
            statistics.restore();
        }
        return out;
    }

    /**
     * Returns the query network's parameter values by part ({@code backbone}, {@code head_<id>}),
     * flattened.
     *
     * @param trainer the trainer
     * @return the values of each part
     */
    static Map<String, float[]> parameterValues(DivaTrainer trainer) {
        TrainerState state = trainer.state();
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> entry : state.queryNet().getParameters()) {
            if (entry.getValue().requiresGradient()) {
                append(
                        out,
                        ParameterGroups.partOf(state.spec(), entry.getKey()),
                        entry.getValue().getArray().toFloatArray());
            }
        }
        return out;
    }

    /**
     * Returns the BatchNorm running statistics (the parameters that require no gradient) of the
     * query network or of the key encoder, by the query network's parameter names.
     *
     * @param trainer the trainer
     * @param keyEncoder the key encoder's rather than the query network's
     * @return the values of each statistic
     */
    static Map<String, float[]> batchNormStatistics(DivaTrainer trainer, boolean keyEncoder) {
        Map<String, float[]> out = new LinkedHashMap<>();
        PairList<String, Parameter> query = trainer.state().queryNet().getParameters();
        List<Parameter> key = trainer.state().keyEncoder().getParameters().values();
        for (int i = 0; i < query.size(); i++) {
            if (!query.valueAt(i).requiresGradient()) {
                Parameter p = keyEncoder ? key.get(i) : query.valueAt(i);
                out.put(query.keyAt(i), p.getArray().toFloatArray());
            }
        }
        return out;
    }

    /**
     * Returns the key encoder's trainable parameters, flattened in order.
     *
     * @param trainer the trainer
     * @return the values
     */
    static float[] keyParameterValues(DivaTrainer trainer) {
        PairList<String, Parameter> query = trainer.state().queryNet().getParameters();
        List<Parameter> key = trainer.state().keyEncoder().getParameters().values();
        float[] out = new float[0];
        for (int i = 0; i < query.size(); i++) {
            if (query.valueAt(i).requiresGradient()) {
                out = concat(out, key.get(i).getArray().toFloatArray());
            }
        }
        return out;
    }

    /**
     * Returns the DaNCE queue's keys, oldest first, one row each.
     *
     * @param trainer the trainer
     * @return the keys
     */
    static float[][] queueKeys(DivaTrainer trainer) {
        FeatureQueue queue = trainer.state().queue();
        return queue.size() == 0 ? new float[0][] : DivaObjective.rows(queue.keys());
    }

    /**
     * Returns the betas of one head's margin loss.
     *
     * @param trainer the trainer
     * @param head the head
     * @return the betas
     */
    static float[] betaValues(DivaTrainer trainer, DivaHead head) {
        return trainer.state().betas().get(head).toFloatArray();
    }

    /** A parameter's gradient (zeros without one); the temporary wrapper is released with {@code scope}. */
    private static float[] gradientOf(NDArray parameter, NDManager scope) {
        if (!parameter.hasGradient()) {
            return new float[(int) parameter.size()];
        }
        NDArray g = parameter.getGradient();
        g.attach(scope);
        return g.toFloatArray();
    }

    private static void append(Map<String, float[]> out, String group, float[] values) {
        float[] old = out.get(group);
        out.put(group, old == null ? values : concat(old, values));
    }

    private static float[] concat(float[] a, float[] b) {
        float[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
