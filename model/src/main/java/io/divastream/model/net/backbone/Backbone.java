package io.divastream.model.net.backbone;

import ai.djl.nn.Block;

/**
 * A built, initialised backbone: a block mapping normalised images (B, C, crop, crop), as described
 * by {@link BackboneSpec#input()}, to features (B, {@link BackboneSpec#featureDim()}).
 *
 * <p>The block is meant to be a child of the DiVA network ({@code addChildBlock("backbone", block())}):
 * it takes part in the parent's {@code initialize}, {@code forward} and {@code getParameters}, so
 * optimisers, the momentum copy, {@code ParameterIo} and the statistics backup see its parameters by
 * name. {@link #close()} releases what the block holds outside the manager it was built on (a loaded
 * TorchScript module); closing the backbone invalidates the block.
 */
public interface Backbone extends AutoCloseable {

    /**
     * Returns the block.
     *
     * @return the initialised block, (B, C, crop, crop) to (B, featureDim)
     */
    Block block();

    /**
     * Returns the spec the backbone was built from.
     *
     * @return the spec
     */
    BackboneSpec spec();

    /** Releases native resources not owned by the build manager; never throws. */
    @Override
    void close();
}
