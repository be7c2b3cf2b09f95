package io.divastream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.divastream.model.DivaHead;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.config.OptimizerSpec;
import io.divastream.model.loss.baseline.BaselineLoss;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DiVA's Adam parameter groups (DIVA_SPEC section 4.3), in creation order: the query network
 * (one group {@code network}, or {@code backbone} and {@code heads} when the heads have their own
 * learning-rate factor), one {@code beta_<id>} group per margin loss, the {@code decorrelation}
 * regressors, and a baseline's own parameters ({@code baseline}). Only parameters that require a
 * gradient join a group; the order fixes the optimizer's saved moments.
 */
final class ParameterGroups {

    /** The group of the backbone's parameters when the heads have their own. */
    static final String BACKBONE = "backbone";

    /** The group of the heads' parameters when they have their own learning-rate factor. */
    static final String HEADS = "heads";

    private ParameterGroups() {}

    /**
     * Builds the groups.
     *
     * @param o the learning rates and weight decay
     * @param spec the network's heads
     * @param queryNet the query network
     * @param betas each margin loss's beta vector, in order
     * @param regressors the decorrelation regressors
     * @param baseline the baseline loss, or null
     * @return the groups in creation order
     */
    static List<ParamGroupAdam.Group> of(
            OptimizerSpec o,
            NetworkSpec spec,
            Block queryNet,
            Map<DivaHead, NDArray> betas,
            List<Block> regressors,
            BaselineLoss baseline) {
        List<ParamGroupAdam.Group> groups = new ArrayList<>();
        if (o.headLearningRateFactor() == 1.0) {
            groups.add(new ParamGroupAdam.Group("network", trainable(queryNet), o.learningRate(), o.weightDecay()));
        } else {
            List<NDArray> backboneParams = new ArrayList<>();
            List<NDArray> headParams = new ArrayList<>();
            for (Pair<String, Parameter> p : queryNet.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    (isHeadParameter(spec, p.getKey()) ? headParams : backboneParams)
                            .add(p.getValue().getArray());
                }
            }
            groups.add(new ParamGroupAdam.Group(BACKBONE, backboneParams, o.learningRate(), o.weightDecay()));
            groups.add(new ParamGroupAdam.Group(
                    HEADS, headParams, o.learningRate() * o.headLearningRateFactor(), o.weightDecay()));
        }
        for (Map.Entry<DivaHead, NDArray> beta : betas.entrySet()) {
            groups.add(new ParamGroupAdam.Group(
                    "beta_" + beta.getKey().id(), List.of(beta.getValue()), o.betaLearningRate(), 0));
        }
        List<NDArray> regressorParams = new ArrayList<>();
        for (Block regressor : regressors) {
            regressorParams.addAll(trainable(regressor));
        }
        if (!regressorParams.isEmpty()) {
            groups.add(new ParamGroupAdam.Group("decorrelation", regressorParams, o.decorrelationLearningRate(), 0));
        }
        if (baseline != null && !baseline.parameters().isEmpty()) {
            groups.add(new ParamGroupAdam.Group(
                    "baseline",
                    baseline.parameters(),
                    o.learningRate() * baseline.parameterLearningRateMultiplier(),
                    0));
        }
        return groups;
    }

    /**
     * The part of the query network a parameter belongs to: {@code head_<id>} for a head's
     * parameter, else {@code backbone}.
     *
     * @param spec the network's heads
     * @param parameterName the parameter's name in the query network
     * @return the part's name
     */
    static String partOf(NetworkSpec spec, String parameterName) {
        for (DivaHead head : spec.heads()) {
            if (parameterName.contains("head_" + head.id() + "_")) {
                return "head_" + head.id();
            }
        }
        return BACKBONE;
    }

    private static boolean isHeadParameter(NetworkSpec spec, String name) {
        return !partOf(spec, name).equals(BACKBONE);
    }

    private static List<NDArray> trainable(Block block) {
        List<NDArray> out = new ArrayList<>();
        for (Parameter p : block.getParameters().values()) {
            if (p.requiresGradient()) {
                out.add(p.getArray());
            }
        }
        return out;
    }
}
