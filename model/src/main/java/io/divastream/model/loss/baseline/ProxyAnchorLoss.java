package io.divastream.model.loss.baseline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.divastream.model.tensor.Scalars;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Proxy-Anchor loss (Kim et al., CVPR 2020). With one learnable proxy per class, the cosine
 * similarities {@code s(x, p)} of the embeddings and the normalised proxies, P+ the proxies of the
 * classes present in the batch and P the proxies of all classes seen so far,
 *
 * <pre>L = 1/|P+| sum over p in P+ of log(1 + sum over x of class p of exp(-alpha (s(x, p) - delta)))
 *   + 1/|P|  sum over p in P  of log(1 + sum over x not of class p of exp(alpha (s(x, p) + delta))).</pre>
 *
 * Following the authors' code, the proxies are drawn from a Kaiming-normal (fan-out) distribution,
 * N(0, 2 / classCapacity), and learn {@code learningRateMultiplier} (100) times faster than the
 * network. The authors know all training classes up front; here P is the set of classes seen so
 * far (see {@link BaselineLoss#observeClasses}). Embeddings are used as given (unit vectors).
 */
public final class ProxyAnchorLoss implements BaselineLoss {

    private final double alpha;
    private final double delta;
    private final double learningRateMultiplier;
    private final int embeddingDim;
    private final int classCapacity;
    private final ClassRows proxies;

    /**
     * Creates the loss and its proxies.
     *
     * @param alpha the scale alpha
     * @param delta the margin delta
     * @param learningRateMultiplier the proxies' learning-rate factor
     * @param manager the manager under which the proxies' own manager is created
     * @param classCapacity the number of proxies
     * @param embeddingDim the embedding dimension d
     * @param seed the seed of the proxies' initial values
     */
    public ProxyAnchorLoss(
            double alpha,
            double delta,
            double learningRateMultiplier,
            NDManager manager,
            int classCapacity,
            int embeddingDim,
            long seed) {
        this.alpha = alpha;
        this.delta = delta;
        this.learningRateMultiplier = learningRateMultiplier;
        this.embeddingDim = embeddingDim;
        this.classCapacity = classCapacity;
        this.proxies = new ClassRows(manager, classCapacity, embeddingDim, Math.sqrt(2.0 / classCapacity), seed);
    }

    @Override
    public NDArray compute(NDArray embeddings, int[] classes, RandomGenerator random) {
        Batches.check(embeddings, classes, embeddingDim, classCapacity);
        NDManager manager = embeddings.getManager();
        NDArray p = Batches.normalizeRows(proxies.seenRows(classes, manager));
        int seen = proxies.seen();
        NDArray cos = embeddings.matMul(p.transpose());
        NDArray positive = Batches.oneHot(manager, classes, seen);
        NDArray negative = Scalars.add(positive.neg(), 1);
        NDArray pull = Scalars.mul(Scalars.add(cos, -delta), -alpha)
                .exp()
                .mul(positive)
                .sum(new int[] {0});
        NDArray push =
                Scalars.mul(Scalars.add(cos, delta), alpha).exp().mul(negative).sum(new int[] {0});
        long present = Arrays.stream(classes).distinct().count();
        NDArray pullTerm = Scalars.div(Scalars.add(pull, 1).log().sum(), present);
        NDArray pushTerm = Scalars.div(Scalars.add(push, 1).log().sum(), seen);
        return pullTerm.add(pushTerm);
    }

    @Override
    public List<NDArray> parameters() {
        return List.of(proxies.array());
    }

    @Override
    public double parameterLearningRateMultiplier() {
        return learningRateMultiplier;
    }

    @Override
    public void observeClasses(int classCount) {
        proxies.observe(classCount);
    }

    /**
     * Returns the number of classes whose proxies take part.
     *
     * @return the number of classes seen so far
     */
    public int seenClasses() {
        return proxies.seen();
    }

    @Override
    public void close() {
        proxies.close();
    }
}
