package io.divastream.model.net.backbone;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * The small convolutional backbone used for glyph images (Omniglot): blocks of 3x3 convolution,
 * BatchNorm, ReLU and 2x2 max-pooling, followed by global average pooling. This is the classic
 * "Conv-4" family of few-shot learning, sized by {@code channels}.
 */
public final class GlyphBackbone {

    private GlyphBackbone() {}

    /**
     * Builds the backbone.
     *
     * @param channels output channels of each block
     * @return a block mapping (B, 1, S, S) images to (B, channels.last) features
     */
    public static Block build(List<Integer> channels) {
        SequentialBlock backbone = new SequentialBlock();
        for (int out : channels) {
            backbone.add(Conv2d.builder()
                            .setKernelShape(new Shape(3, 3))
                            .optPadding(new Shape(1, 1))
                            .setFilters(out)
                            .build())
                    .add(BatchNorm.builder().optMomentum(0.9f).build())
                    .add(Activation.reluBlock())
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        }
        backbone.add(Pool.globalAvgPool2dBlock());
        return backbone;
    }
}
