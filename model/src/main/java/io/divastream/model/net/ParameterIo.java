package io.divastream.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes a block's parameters (every parameter, BatchNorm statistics included) by name,
 * and loads them <em>into the existing arrays</em>. DJL's own {@code loadParameters} replaces the
 * parameter arrays, which a {@code ParameterStore} that already cached the old arrays would not
 * see, and which leaves the old arrays to their manager.
 */
public final class ParameterIo {

    private static final int FORMAT = 1;

    private ParameterIo() {}

    /**
     * Serializes the parameters.
     *
     * @param block the block
     * @return the bytes
     */
    public static byte[] toBytes(Block block) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(block, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Writes the parameters.
     *
     * @param block the block
     * @param out the stream
     * @throws IOException if writing fails
     */
    public static void write(Block block, DataOutputStream out) throws IOException {
        var parameters = block.getParameters();
        out.writeInt(FORMAT);
        out.writeInt(parameters.size());
        for (Pair<String, Parameter> p : parameters) {
            out.writeUTF(p.getKey());
            byte[] encoded = p.getValue().getArray().encode();
            out.writeInt(encoded.length);
            out.write(encoded);
        }
    }

    /**
     * Loads serialized parameters into a block of the same shape.
     *
     * @param block the block
     * @param bytes the serialized parameters
     * @throws IOException if they belong to another network shape or are corrupt
     */
    public static void load(Block block, byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            read(block, in);
        }
    }

    /**
     * Reads parameters written by {@link #write} into the block's arrays, in place.
     *
     * @param block the block
     * @param in the stream
     * @throws IOException if they belong to another network shape or are corrupt
     */
    public static void read(Block block, DataInputStream in) throws IOException {
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException("unknown parameter format " + format);
        }
        var parameters = block.getParameters();
        int count = in.readInt();
        if (count != parameters.size()) {
            throw new IOException("saved parameters have " + count + " arrays, the network has " + parameters.size());
        }
        if (parameters.isEmpty()) {
            return;
        }
        // Read and check everything before copying anything: a rejected input (another network
        // shape, a truncated stream) must leave the block as it was, not half loaded.
        NDManager owner = parameters.get(0).getValue().getArray().getManager();
        try (NDManager scope = owner.newSubManager()) {
            List<NDArray> values = new ArrayList<>(parameters.size());
            for (Pair<String, Parameter> p : parameters) {
                String name = in.readUTF();
                if (!name.equals(p.getKey())) {
                    throw new IOException("saved parameter " + name + " where " + p.getKey() + " was expected");
                }
                int length = in.readInt();
                if (length < 0 || length > (1 << 30)) {
                    throw new IOException("corrupt parameter " + name);
                }
                byte[] encoded = in.readNBytes(length);
                if (encoded.length != length) {
                    throw new IOException("truncated parameter " + name);
                }
                NDArray target = p.getValue().getArray();
                NDArray value = NDArray.decode(scope, encoded);
                if (!value.getShape().equals(target.getShape())) {
                    throw new IOException("parameter " + name + " has shape " + value.getShape() + ", the network "
                            + target.getShape());
                }
                values.add(value);
            }
            for (int i = 0; i < values.size(); i++) {
                values.get(i).copyTo(parameters.get(i).getValue().getArray());
            }
        }
    }

    /**
     * Counts the scalar parameters.
     *
     * @param block the block
     * @return the count
     */
    public static long count(Block block) {
        long count = 0;
        for (Parameter p : block.getParameters().values()) {
            count += p.getArray().getShape().size();
        }
        return count;
    }
}
