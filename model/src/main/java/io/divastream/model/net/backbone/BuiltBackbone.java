package io.divastream.model.net.backbone;

import ai.djl.nn.Block;
import java.util.Objects;

/** A backbone that holds a block and, optionally, the model that owns its arrays. Package-private. */
final class BuiltBackbone implements Backbone {

    private final Block block;
    private final BackboneSpec spec;
    private final AutoCloseable owner;

    BuiltBackbone(Block block, BackboneSpec spec, AutoCloseable owner) {
        this.block = Objects.requireNonNull(block, "block");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.owner = owner;
    }

    @Override
    public Block block() {
        return block;
    }

    @Override
    public BackboneSpec spec() {
        return spec;
    }

    @Override
    public void close() {
        if (owner != null) {
            try {
                owner.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close backbone " + spec.id(), e);
            }
        }
    }
}
