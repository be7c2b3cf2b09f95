package io.divastream.model.loss.baseline;

import ai.djl.ndarray.NDManager;

/** Creates the baseline losses from their specification. */
public final class BaselineLosses {

    private BaselineLosses() {}

    /**
     * Creates a baseline loss.
     *
     * @param spec the baseline and its hyperparameters
     * @param manager the manager under which a loss with parameters creates its own (closed by the
     *     loss's {@link BaselineLoss#close()})
     * @param classCapacity the largest number of training classes (rows of proxies or weights)
     * @param embeddingDim the embedding dimension d
     * @param seed the seed of the parameters' initial values
     * @return the loss
     * @throws IllegalArgumentException if the capacity or dimension is not positive
     */
    public static BaselineLoss create(
            BaselineSpec spec, NDManager manager, int classCapacity, int embeddingDim, long seed) {
        if (classCapacity <= 0) {
            throw new IllegalArgumentException("classCapacity must be positive, got " + classCapacity);
        }
        if (embeddingDim <= 0) {
            throw new IllegalArgumentException("embeddingDim must be positive, got " + embeddingDim);
        }
        return switch (spec.kind()) {
            case TRIPLET_SEMIHARD -> new TripletSemihardLoss(spec.tripletMargin(), embeddingDim, classCapacity);
            case CONTRASTIVE ->
                new ContrastiveLoss(
                        spec.contrastivePositiveMargin(),
                        spec.contrastiveNegativeMargin(),
                        embeddingDim,
                        classCapacity);
            case MULTI_SIMILARITY ->
                new MultiSimilarityLoss(
                        spec.msAlpha(), spec.msBeta(), spec.msLambda(), spec.msEpsilon(), embeddingDim, classCapacity);
            case PROXY_ANCHOR ->
                new ProxyAnchorLoss(
                        spec.proxyAlpha(),
                        spec.proxyDelta(),
                        spec.proxyLearningRateMultiplier(),
                        manager,
                        classCapacity,
                        embeddingDim,
                        seed);
            case NPAIR -> new NPairLoss(spec.npairL2Weight(), embeddingDim, classCapacity);
            case ARCFACE ->
                new ArcFaceLoss(spec.arcFaceScale(), spec.arcFaceMargin(), manager, classCapacity, embeddingDim, seed);
        };
    }
}
