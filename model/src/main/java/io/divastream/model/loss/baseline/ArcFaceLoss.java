package io.divastream.model.loss.baseline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.divastream.model.tensor.Scalars;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * ArcFace, the additive angular margin softmax (Deng et al., CVPR 2019). With learnable class
 * weights W, normalised row-wise, and {@code cos(theta_j) = x . w_j} for the (unit) embedding x of
 * class y, the logits are {@code s cos(theta_j)} for j != y and {@code s phi(theta_y)} for y, where
 *
 * <pre>phi = cos(theta_y + m)              if cos(theta_y) &gt; cos(pi - m),
 * phi = cos(theta_y) - m sin(pi - m)    otherwise,</pre>
 *
 * the second branch (from the authors' released code) keeping the target logit monotone once
 * {@code theta_y + m} would pass pi. {@code cos(theta + m)} is computed as {@code cos theta cos m -
 * sin theta sin m} with {@code sin theta = sqrt(max(1 - cos^2 theta, 1e-12))}. The loss is the mean
 * softmax cross-entropy over the classes seen so far (see {@link BaselineLoss#observeClasses}).
 * The weights start as N(0, 0.01^2), as in the authors' code, and learn at the network's rate.
 */
public final class ArcFaceLoss implements BaselineLoss {

    /** Standard deviation of the initial class weights. */
    public static final double INIT_STD = 0.01;

    /** Lower bound of {@code 1 - cos^2} under the square root. */
    static final double MIN_SINE_SQUARED = 1e-12;

    private final double scale;
    private final double margin;
    private final int embeddingDim;
    private final int classCapacity;
    private final ClassRows weights;

    /**
     * Creates the loss and its class weights.
     *
     * @param scale the logit scale s
     * @param margin the angular margin m in radians
     * @param manager the manager under which the weights' own manager is created
     * @param classCapacity the number of weight rows
     * @param embeddingDim the embedding dimension d
     * @param seed the seed of the weights' initial values
     */
    public ArcFaceLoss(double scale, double margin, NDManager manager, int classCapacity, int embeddingDim, long seed) {
        this.scale = scale;
        this.margin = margin;
        this.embeddingDim = embeddingDim;
        this.classCapacity = classCapacity;
        this.weights = new ClassRows(manager, classCapacity, embeddingDim, INIT_STD, seed);
    }

    @Override
    public NDArray compute(NDArray embeddings, int[] classes, RandomGenerator random) {
        int n = Batches.check(embeddings, classes, embeddingDim, classCapacity);
        NDManager manager = embeddings.getManager();
        NDArray w = Batches.normalizeRows(weights.seenRows(classes, manager));
        NDArray target = Batches.oneHot(manager, classes, weights.seen());
        NDArray cos = embeddings.matMul(w.transpose());
        NDArray cosY = cos.mul(target).sum(new int[] {1});
        NDArray sinY = Scalars.maximum(Scalars.add(cosY.square().neg(), 1), MIN_SINE_SQUARED)
                .sqrt();
        NDArray shifted = Scalars.mul(cosY, Math.cos(margin)).sub(Scalars.mul(sinY, Math.sin(margin)));
        NDArray linear = Scalars.add(cosY, -margin * Math.sin(Math.PI - margin));
        float[] cosYValues = Batches.detached(cosY);
        float[] useShifted = new float[n];
        double threshold = Math.cos(Math.PI - margin);
        for (int i = 0; i < n; i++) {
            useShifted[i] = cosYValues[i] > threshold ? 1 : 0;
        }
        NDArray choose = manager.create(useShifted, new Shape(n));
        NDArray phi = shifted.mul(choose).add(linear.mul(Scalars.add(choose.neg(), 1)));
        NDArray logits = Scalars.mul(cos.add(target.mul(phi.sub(cosY).expandDims(1))), scale);
        return Scalars.div(logits.logSoftmax(1).mul(target).sum().neg(), n);
    }

    @Override
    public List<NDArray> parameters() {
        return List.of(weights.array());
    }

    @Override
    public double parameterLearningRateMultiplier() {
        return 1;
    }

    @Override
    public void observeClasses(int classCount) {
        weights.observe(classCount);
    }

    /**
     * Returns the number of classes whose weights take part.
     *
     * @return the number of classes seen so far
     */
    public int seenClasses() {
        return weights.seen();
    }

    @Override
    public void close() {
        weights.close();
    }
}
