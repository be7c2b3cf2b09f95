package io.divastream.model.embed;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.divastream.model.DjlRuntime;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.net.DivaNetwork;
import io.divastream.model.net.ParameterIo;
import java.io.IOException;

/**
 * Computes the per-head embeddings of images with a model snapshot (inference only). One embedder
 * owns one copy of the network in its own NDManager; {@link #load} swaps the parameters in place.
 * Not thread-safe: use one per thread.
 */
public final class Embedder implements AutoCloseable {

    private static final int CHUNK = 256;

    private final NetworkSpec spec;
    private final NDManager manager;
    private final DivaNetwork network;
    private final ParameterStore parameterStore;
    private long version = -1;

    /**
     * Creates an embedder with randomly initialised parameters (version -1) until a snapshot is
     * loaded.
     *
     * @param spec the network's shape; must match the snapshots' network
     */
    public Embedder(NetworkSpec spec) {
        this(spec, DjlRuntime.engine().defaultDevice());
    }

    /**
     * Creates an embedder on a device (version -1 until a snapshot is loaded): the network lives
     * there; images go to it and embeddings come back once per chunk.
     *
     * @param spec the network's shape; must match the snapshots' network
     * @param device the device, usually {@link io.divastream.model.DeviceSelection#device()}
     */
    public Embedder(NetworkSpec spec, Device device) {
        this.spec = spec;
        DjlRuntime.disableGradientRecording();
        this.manager = DjlRuntime.engine().newBaseManager(device);
        this.network = DivaNetwork.create(spec, manager);
        this.parameterStore = new ParameterStore(manager, false);
    }

    /**
     * Loads a snapshot's parameters.
     *
     * @param snapshot the snapshot
     * @throws IllegalArgumentException if the parameters do not fit the network
     */
    public void load(ModelSnapshot snapshot) {
        try {
            ParameterIo.load(network, snapshot.parameters());
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "snapshot " + snapshot.version() + " does not fit the network: " + e.getMessage(), e);
        }
        version = snapshot.version();
    }

    /**
     * Returns the version of the loaded snapshot.
     *
     * @return the version, or -1 before the first load
     */
    public long version() {
        return version;
    }

    public NetworkSpec spec() {
        return spec;
    }

    /**
     * Embeds images.
     *
     * @param images the images in the network's input format, each a flat C x S x S array
     * @return per head (in network order), per image, its L2-normalised embedding: [h][n][d]
     */
    public float[][][] embed(float[][] images) {
        DjlRuntime.disableGradientRecording();
        int heads = spec.heads().size();
        int d = spec.embeddingDim();
        int size = (int) DivaNetwork.inputShape(spec, 1).size();
        float[][][] out = new float[heads][images.length][];
        for (int start = 0; start < images.length; start += CHUNK) {
            int n = Math.min(CHUNK, images.length - start);
            float[] flat = new float[n * size];
            for (int i = 0; i < n; i++) {
                float[] image = images[start + i];
                if (image.length != size) {
                    throw new IllegalArgumentException("image has " + image.length + " values, expected " + size);
                }
                System.arraycopy(image, 0, flat, i * size, size);
            }
            try (NDManager scope = manager.newSubManager()) {
                NDArray x = scope.create(flat, DivaNetwork.inputShape(spec, n));
                NDList e = network.forward(parameterStore, new NDList(x), false);
                for (int h = 0; h < heads; h++) {
                    float[] values = e.get(h).toFloatArray();
                    for (int i = 0; i < n; i++) {
                        float[] row = new float[d];
                        System.arraycopy(values, i * d, row, 0, d);
                        out[h][start + i] = row;
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        network.close();
        manager.close();
    }
}
