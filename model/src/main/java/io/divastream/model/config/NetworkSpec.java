package io.divastream.model.config;

import java.io.Serializable;

import io.divastream.model.DivaHead;
import java.util.List;

/**
 * Shape of the DiVA network: a small convolutional backbone for single-channel glyphs, one linear
 * embedding head per enabled task, and the decorrelation regressors.
 *
 * @param inputSize side of the square, single-channel input image in pixels
 * @param channels output channels of each convolution block (conv 3x3, BatchNorm, ReLU, max-pool
 *     2x2); the backbone feature is the global average of the last block
 * @param embeddingDim dimension of each head's L2-normalised embedding
 * @param heads the enabled heads in network order; must contain {@link DivaHead#DISCRIMINATIVE}
 * @param decorrelationHidden hidden width of each decorrelation regressor MLP
 */
public record NetworkSpec(
        int inputSize,
        List<Integer> channels,
        int embeddingDim,
        List<DivaHead> heads,
        int decorrelationHidden) implements Serializable {

    private static final long serialVersionUID = 1L;


    /** Validates the specification and copies the lists. */
    public NetworkSpec {
        channels = List.copyOf(channels);
        heads = List.copyOf(heads);
        if (inputSize < 8) {
            throw new IllegalArgumentException("inputSize must be at least 8, got " + inputSize);
        }
        if (channels.isEmpty() || channels.stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("channels must be positive, got " + channels);
        }
        if (inputSize >> channels.size() < 1) {
            throw new IllegalArgumentException(
                    channels.size() + " pooling blocks are too many for input size " + inputSize);
        }
        if (embeddingDim < 4) {
            throw new IllegalArgumentException("embeddingDim must be at least 4");
        }
        if (heads.isEmpty() || heads.get(0) != DivaHead.DISCRIMINATIVE) {
            throw new IllegalArgumentException(
                    "heads must start with discriminative, got " + heads);
        }
        if (heads.stream().distinct().count() != heads.size()) {
            throw new IllegalArgumentException("heads must not repeat, got " + heads);
        }
        if (decorrelationHidden < 1) {
            throw new IllegalArgumentException("decorrelationHidden must be positive");
        }
    }

    /**
     * Tells whether a head is enabled.
     *
     * @param head the head
     * @return true if the network has it
     */
    public boolean has(DivaHead head) {
        return heads.contains(head);
    }

    /**
     * Returns the position of a head in the network's output list.
     *
     * @param head an enabled head
     * @return its index in {@link #heads()}
     */
    public int indexOf(DivaHead head) {
        int index = heads.indexOf(head);
        if (index < 0) {
            throw new IllegalArgumentException("head " + head.id() + " is not enabled");
        }
        return index;
    }
}
