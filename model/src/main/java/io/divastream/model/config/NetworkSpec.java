package io.divastream.model.config;

import io.divastream.model.DivaHead;
import io.divastream.model.net.backbone.BackboneSpec;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Shape of the DiVA network: a backbone (the small CNN for glyphs, a ResNet with frozen BatchNorm,
 * or a pretrained TorchScript network), one linear embedding head per enabled task, and the
 * decorrelation regressors.
 *
 * @param backbone the backbone, which also fixes the input format
 * @param embeddingDim dimension of each head's L2-normalised embedding
 * @param heads the enabled heads in network order; must contain {@link DivaHead#DISCRIMINATIVE}
 * @param decorrelationHidden hidden width of each decorrelation regressor MLP
 */
public record NetworkSpec(BackboneSpec backbone, int embeddingDim, List<DivaHead> heads, int decorrelationHidden)
        implements Serializable {

    private static final long serialVersionUID = 2L;

    /** The published hidden width of each decorrelation regressor (DIVA_SPEC section 3). */
    public static final int PUBLISHED_DECORRELATION_HIDDEN = 512;

    /** Validates the specification and copies the list. */
    public NetworkSpec {
        Objects.requireNonNull(backbone, "backbone");
        heads = List.copyOf(heads);
        if (embeddingDim < 4) {
            throw new IllegalArgumentException("embeddingDim must be at least 4");
        }
        if (heads.isEmpty() || heads.get(0) != DivaHead.DISCRIMINATIVE) {
            throw new IllegalArgumentException("heads must start with discriminative, got " + heads);
        }
        if (heads.stream().distinct().count() != heads.size()) {
            throw new IllegalArgumentException("heads must not repeat, got " + heads);
        }
        if (decorrelationHidden < 1) {
            throw new IllegalArgumentException("decorrelationHidden must be positive");
        }
    }

    /**
     * Creates the glyph network: the small CNN on single-channel images.
     *
     * @param inputSize side of the square, single-channel input image in pixels
     * @param channels output channels of each convolution block (conv 3x3, BatchNorm, ReLU, max-pool
     *     2x2); the backbone feature is the global average of the last block
     * @param embeddingDim dimension of each head's embedding
     * @param heads the enabled heads
     * @param decorrelationHidden hidden width of each decorrelation regressor
     */
    public NetworkSpec(
            int inputSize, List<Integer> channels, int embeddingDim, List<DivaHead> heads, int decorrelationHidden) {
        this(new BackboneSpec.GlyphCnn(channels, inputSize), embeddingDim, heads, decorrelationHidden);
    }

    /**
     * Returns the side of the square network input.
     *
     * @return the backbone's crop size
     */
    public int inputSize() {
        return backbone.input().cropSize();
    }

    /**
     * Returns the glyph CNN's block widths.
     *
     * @return the channels of each convolution block
     * @throws IllegalStateException if the backbone is not the glyph CNN
     */
    public List<Integer> channels() {
        if (backbone instanceof BackboneSpec.GlyphCnn glyph) {
            return glyph.channels();
        }
        throw new IllegalStateException("the " + backbone.id() + " backbone has no glyph channels");
    }

    /**
     * Returns a copy with other heads.
     *
     * @param newHeads the heads
     * @return the new specification
     */
    public NetworkSpec withHeads(List<DivaHead> newHeads) {
        return new NetworkSpec(backbone, embeddingDim, newHeads, decorrelationHidden);
    }

    /**
     * Returns a copy with another embedding size per head.
     *
     * @param newDim the dimension
     * @return the new specification
     */
    public NetworkSpec withEmbeddingDim(int newDim) {
        return new NetworkSpec(backbone, newDim, heads, decorrelationHidden);
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
