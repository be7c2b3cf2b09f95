package io.divastream.model.loss.baseline;

import java.io.Serializable;
import java.util.Objects;

/**
 * The chosen baseline and the hyperparameters of every baseline (only the chosen kind's are
 * used, so that switching the kind keeps the others' settings). {@link #defaults} gives the values
 * of the papers:
 *
 * <ul>
 *   <li>triplet: margin 0.2 on Euclidean distances of unit embeddings (Schroff et al., FaceNet,
 *       CVPR 2015, used 0.2 on squared distances; 0.2 on plain distances is the convention of
 *       Roth et al.'s "Revisiting" code base that DiVA builds on);
 *   <li>contrastive: hinges on Euclidean (not squared) distance, positive margin 0 and negative
 *       margin 0.5 (the hinge variant of Hadsell et al. 2006 used in DML benchmarks, see
 *       {@link ContrastiveLoss});
 *   <li>multi-similarity: alpha 2, beta 50, mining epsilon 0.1 (Wang et al., CVPR 2019) and
 *       lambda 0.5, the threshold of the authors' released code (the paper's text gives 1);
 *   <li>Proxy-Anchor: alpha 32, delta 0.1, proxies learning 100 times faster than the network
 *       (Kim et al., CVPR 2020, and their released code);
 *   <li>N-pair: L2 embedding regulariser weight 0.002 (Sohn, NeurIPS 2016);
 *   <li>ArcFace: scale 64 and additive angular margin 0.5 (Deng et al., CVPR 2019).
 * </ul>
 *
 * @param kind the baseline to train
 * @param tripletMargin triplet margin m in {@code max(0, d_ap - d_an + m)}
 * @param contrastivePositiveMargin positive pairs are pulled in until their distance is below this
 * @param contrastiveNegativeMargin negative pairs are pushed out until their distance exceeds this
 * @param msAlpha multi-similarity positive scale alpha
 * @param msBeta multi-similarity negative scale beta
 * @param msLambda multi-similarity similarity threshold lambda
 * @param msEpsilon multi-similarity mining margin epsilon
 * @param proxyAlpha Proxy-Anchor scale alpha
 * @param proxyDelta Proxy-Anchor margin delta
 * @param proxyLearningRateMultiplier learning-rate factor of the proxies
 * @param npairL2Weight N-pair weight lambda of the mean squared embedding norm
 * @param arcFaceScale ArcFace logit scale s
 * @param arcFaceMargin ArcFace additive angular margin m, in radians
 */
public record BaselineSpec(
        BaselineKind kind,
        double tripletMargin,
        double contrastivePositiveMargin,
        double contrastiveNegativeMargin,
        double msAlpha,
        double msBeta,
        double msLambda,
        double msEpsilon,
        double proxyAlpha,
        double proxyDelta,
        double proxyLearningRateMultiplier,
        double npairL2Weight,
        double arcFaceScale,
        double arcFaceMargin)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Validates the hyperparameters. */
    public BaselineSpec {
        Objects.requireNonNull(kind, "kind");
        requirePositive("tripletMargin", tripletMargin);
        requireNonNegative("contrastivePositiveMargin", contrastivePositiveMargin);
        requirePositive("contrastiveNegativeMargin", contrastiveNegativeMargin);
        if (contrastivePositiveMargin >= contrastiveNegativeMargin) {
            throw new IllegalArgumentException("contrastivePositiveMargin (" + contrastivePositiveMargin
                    + ") must be below contrastiveNegativeMargin (" + contrastiveNegativeMargin + ")");
        }
        requirePositive("msAlpha", msAlpha);
        requirePositive("msBeta", msBeta);
        if (!(msLambda >= -1 && msLambda <= 1)) {
            throw new IllegalArgumentException("msLambda must be a cosine similarity in [-1, 1], got " + msLambda);
        }
        requireNonNegative("msEpsilon", msEpsilon);
        requirePositive("proxyAlpha", proxyAlpha);
        requireNonNegative("proxyDelta", proxyDelta);
        requirePositive("proxyLearningRateMultiplier", proxyLearningRateMultiplier);
        requireNonNegative("npairL2Weight", npairL2Weight);
        requirePositive("arcFaceScale", arcFaceScale);
        if (!(arcFaceMargin >= 0 && arcFaceMargin < Math.PI / 2)) {
            throw new IllegalArgumentException("arcFaceMargin must be an angle in [0, pi/2), got " + arcFaceMargin);
        }
    }

    /**
     * Returns the papers' standard hyperparameters (see the type's documentation).
     *
     * @param kind the baseline to train
     * @return the specification
     */
    public static BaselineSpec defaults(BaselineKind kind) {
        return new BaselineSpec(kind, 0.2, 0.0, 0.5, 2, 50, 0.5, 0.1, 32, 0.1, 100, 0.002, 64, 0.5);
    }

    private static void requirePositive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
        }
    }

    private static void requireNonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
        }
    }
}
