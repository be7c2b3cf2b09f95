package io.divastream.model.tensor;

import ai.djl.ndarray.NDArray;

/**
 * Scalar operands for arithmetic on arrays that take part in a backward pass.
 *
 * <p>DJL's PyTorch engine implements {@code array.mul(2f)} (and {@code div}, {@code maximum}, ...)
 * by creating a scalar array over a Java direct buffer and closing it right after the operation.
 * Autograd, however, saves that scalar for the backward pass of {@code mul}, {@code div} and
 * {@code maximum}; once the closed array's buffer is garbage-collected, the backward pass reads
 * freed memory, which shows up as rare non-finite gradients or a crash. The scalars made here
 * belong to the operand's manager (the training step's), so they live until the step ends.
 */
public final class Scalars {

    private Scalars() {}

    /**
     * Returns a float scalar owned by the same manager as {@code like}.
     *
     * @param like an array whose manager owns the scalar (it must be a per-step manager)
     * @param value the value
     * @return a 0-dimensional array of {@code like}'s data type
     */
    public static NDArray of(NDArray like, double value) {
        return like.getManager().create((float) value).toType(like.getDataType(), false);
    }

    /**
     * {@code array * value}, safe to differentiate.
     *
     * @param array the array
     * @param value the factor
     * @return the product
     */
    public static NDArray mul(NDArray array, double value) {
        return array.mul(of(array, value));
    }

    /**
     * {@code array / value}, safe to differentiate.
     *
     * @param array the array
     * @param value the divisor
     * @return the quotient
     */
    public static NDArray div(NDArray array, double value) {
        return array.div(of(array, value));
    }

    /**
     * {@code array + value}, safe to differentiate.
     *
     * @param array the array
     * @param value the summand
     * @return the sum
     */
    public static NDArray add(NDArray array, double value) {
        return array.add(of(array, value));
    }

    /**
     * {@code max(array, value)} element-wise, safe to differentiate.
     *
     * @param array the array
     * @param value the lower bound
     * @return the element-wise maximum
     */
    public static NDArray maximum(NDArray array, double value) {
        return array.maximum(of(array, value));
    }
}
