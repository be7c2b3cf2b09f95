package io.divastream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam with parameter groups, each with its own learning rate and coupled L2 weight decay, with
 * the numerics of {@code torch.optim.Adam} (betas 0.9 / 0.999, eps 1e-8; bias-corrected moments,
 * eps added after the square root). DJL's own Adam has one weight decay per optimizer and folds
 * the bias correction into the learning rate, so DiVA's groups (DIVA_SPEC section 4.3) need this.
 *
 * <p>Updates happen in place outside any gradient collector, and every gradient is zeroed after
 * its update (PyTorch accumulates gradients otherwise). The moments live in a manager owned by
 * the optimizer and can be saved and restored for checkpoints.
 */
public final class ParamGroupAdam implements AutoCloseable {

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    /**
     * One parameter group.
     *
     * @param name a name for logs
     * @param parameters the parameter arrays, each with a gradient attached
     * @param learningRate the group's learning rate
     * @param weightDecay the group's coupled L2 weight decay
     */
    public record Group(String name, List<NDArray> parameters, double learningRate, double weightDecay) {

        /** Copies the list. */
        public Group {
            parameters = List.copyOf(parameters);
        }
    }

    private final NDManager manager;
    private final List<Group> groups;
    private final List<NDArray[]> moments = new ArrayList<>();
    private long step;
    private double learningRateScale = 1.0;
    private final java.util.Set<String> frozen = new java.util.HashSet<>();

    /**
     * Creates an optimizer with zero moments.
     *
     * @param parent the manager under which the moments are kept
     * @param groups the parameter groups
     */
    public ParamGroupAdam(NDManager parent, List<Group> groups) {
        this.manager = parent.newSubManager();
        this.groups = List.copyOf(groups);
        for (Group group : this.groups) {
            for (NDArray p : group.parameters()) {
                moments.add(new NDArray[] {manager.zeros(p.getShape()), manager.zeros(p.getShape())});
            }
        }
    }

    public long steps() {
        return step;
    }

    /**
     * Scales every group's learning rate, as a step schedule (MultiStepLR) does.
     *
     * @param scale the multiplier applied to the configured learning rates
     */
    public void setLearningRateScale(double scale) {
        this.learningRateScale = scale;
    }

    /**
     * Freezes or thaws a group: a frozen group's parameters and moments are left as they are by
     * {@link #step()} (their gradients are still zeroed), as during a warm-up that trains only the
     * heads.
     *
     * @param groupName the group's name
     * @param freeze whether to freeze it
     * @throws IllegalArgumentException if there is no such group
     */
    public void setFrozen(String groupName, boolean freeze) {
        if (groups.stream().noneMatch(g -> g.name().equals(groupName))) {
            throw new IllegalArgumentException("no parameter group '" + groupName + "'");
        }
        if (freeze) {
            frozen.add(groupName);
        } else {
            frozen.remove(groupName);
        }
    }

    /**
     * Zeroes both moments of one element of a parameter's first dimension (a recycled class's
     * beta), leaving everything else as it is.
     *
     * @param parameter one of the optimized parameters (the same array object)
     * @param index the element's index along dimension 0
     * @return the moments before, {@code {m, v}}, for {@link #setMoments}
     * @throws IllegalArgumentException if the parameter is not optimized here
     */
    public float[] resetMoments(NDArray parameter, long index) {
        NDArray[] mv = momentsOf(parameter);
        float[] before = {mv[0].getFloat(index), mv[1].getFloat(index)};
        setMoments(parameter, index, new float[] {0f, 0f});
        return before;
    }

    /**
     * Sets both moments of one element of a parameter's first dimension.
     *
     * @param parameter one of the optimized parameters
     * @param index the element's index along dimension 0
     * @param values {@code {m, v}}
     */
    public void setMoments(NDArray parameter, long index, float[] values) {
        NDArray[] mv = momentsOf(parameter);
        ai.djl.ndarray.index.NDIndex at = new ai.djl.ndarray.index.NDIndex(index);
        mv[0].set(at, values[0]);
        mv[1].set(at, values[1]);
    }

    private NDArray[] momentsOf(NDArray parameter) {
        int k = 0;
        for (Group group : groups) {
            for (NDArray p : group.parameters()) {
                if (p == parameter) {
                    return moments.get(k);
                }
                k++;
            }
        }
        throw new IllegalArgumentException("not a parameter of this optimizer: " + parameter.getShape());
    }

    /**
     * Checks that every gradient is finite: the sum of each gradient is computed in native code and
     * all sums are copied to Java at once (one synchronisation instead of one per tensor).
     *
     * @return the names of the groups and indices of parameters with a non-finite gradient, empty
     *     if all are finite
     */
    public List<String> nonFiniteGradients() {
        List<String> bad = new ArrayList<>();
        try (NDManager scope = manager.newSubManager()) {
            NDList sums = new NDList();
            for (Group group : groups) {
                for (NDArray parameter : group.parameters()) {
                    NDArray gradient = parameter.getGradient();
                    gradient.attach(scope);
                    sums.add(gradient.sum().reshape(1));
                }
            }
            if (sums.isEmpty()) {
                return bad;
            }
            float[] values = NDArrays.concat(sums).toFloatArray();
            int k = 0;
            for (Group group : groups) {
                for (int i = 0; i < group.parameters().size(); i++) {
                    if (!Float.isFinite(values[k++])) {
                        bad.add(group.name() + "[" + i + "]"
                                + group.parameters().get(i).getShape());
                    }
                }
            }
        }
        return bad;
    }

    /**
     * Sets every gradient to zero without updating anything (after a rejected step).
     *
     * <p>This zeroes the gradient tensors in place in native code. It must not use {@code
     * copyTo}: on the PyTorch engine {@code copyTo} makes the target alias a Java direct buffer
     * that only the target's Java wrapper keeps alive, and a gradient's wrapper is a temporary, so
     * the parameter's gradient would soon point to freed memory (heap corruption in the next
     * backward pass).
     */
    public void zeroGradients() {
        for (Group group : groups) {
            for (NDArray parameter : group.parameters()) {
                if (parameter.hasGradient()) {
                    ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) parameter);
                }
            }
        }
    }

    /**
     * Applies one Adam update to every parameter from its gradient, then zeroes the gradients.
     *
     * <p>The scalar operands are made once per step rather than once per operation, and the
     * temporaries are updated in place; each element sees the same float operations in the same
     * order as {@code g = grad + wd * p; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr / c1
     * * m / (sqrt(v / c2) + eps)}, so the results are bit for bit those of the plain formulation.
     */
    public void step() {
        step++;
        double correction1 = 1 - Math.pow(BETA1, step);
        double correction2 = 1 - Math.pow(BETA2, step);
        try (NDManager scope = manager.newSubManager()) {
            Constants c = new Constants(scope, correction2);
            int k = 0;
            for (Group group : groups) {
                if (frozen.contains(group.name())) {
                    k += group.parameters().size();
                    for (NDArray parameter : group.parameters()) {
                        if (parameter.hasGradient()) {
                            ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) parameter);
                        }
                    }
                    continue;
                }
                NDArray lr = scalar(scope, group.learningRate() * learningRateScale / correction1);
                NDArray weightDecay = group.weightDecay() > 0 ? scalar(scope, group.weightDecay()) : null;
                for (NDArray parameter : group.parameters()) {
                    NDArray[] m = moments.get(k++);
                    update(parameter, m[0], m[1], lr, weightDecay, c);
                }
            }
        }
    }

    /** The scalar operands shared by every parameter's update in one step. */
    private record Constants(
            NDArray beta1,
            NDArray oneMinusBeta1,
            NDArray beta2,
            NDArray oneMinusBeta2,
            NDArray correction2,
            NDArray epsilon,
            NDArray zero) {

        Constants(NDManager scope, double correction2) {
            this(
                    scalar(scope, BETA1),
                    scalar(scope, 1 - BETA1),
                    scalar(scope, BETA2),
                    scalar(scope, 1 - BETA2),
                    scalar(scope, correction2),
                    scalar(scope, EPSILON),
                    scalar(scope, 0));
        }
    }

    /** A float32 scalar, as DJL makes for {@code array.mul(float)}. */
    private static NDArray scalar(NDManager scope, double value) {
        return scope.create((float) value);
    }

    private void update(
            NDArray parameter, NDArray m, NDArray v, NDArray lrOverCorrection1, NDArray weightDecay, Constants c) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray gradient = parameter.getGradient();
            gradient.attach(scope);
            scope.tempAttachAll(new NDList(parameter, m, v));
            // wd * p + grad: float addition commutes, so this equals grad + wd * p
            NDArray g = weightDecay != null ? parameter.mul(weightDecay).addi(gradient) : gradient;
            m.muli(c.beta1()).addi(g.mul(c.oneMinusBeta1()));
            v.muli(c.beta2()).addi(g.square().muli(c.oneMinusBeta2()));
            NDArray increment = v.div(c.correction2()).sqrt().addi(c.epsilon());
            increment = m.div(increment).muli(lrOverCorrection1);
            parameter.subi(increment);
            gradient.muli(c.zero());
        }
    }

    /**
     * Writes the step count and the moments.
     *
     * @param out the stream
     * @throws IOException if writing fails
     */
    public void save(DataOutputStream out) throws IOException {
        out.writeLong(step);
        out.writeInt(moments.size());
        for (NDArray[] m : moments) {
            ArrayCodec.write(out, m[0]);
            ArrayCodec.write(out, m[1]);
        }
    }

    /**
     * Restores the step count and the moments written by {@link #save}.
     *
     * @param in the stream
     * @throws IOException if reading fails or the saved optimizer has other parameters
     */
    public void load(DataInputStream in) throws IOException {
        long savedStep = in.readLong();
        int count = in.readInt();
        if (count != moments.size()) {
            throw new IOException("optimizer state has " + count + " parameters, expected " + moments.size());
        }
        for (NDArray[] m : moments) {
            ArrayCodec.readInto(in, m[0]);
            ArrayCodec.readInto(in, m[1]);
        }
        step = savedStep;
    }

    @Override
    public void close() {
        manager.close();
    }
}
