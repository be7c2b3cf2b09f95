package io.divastream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** Length-prefixed NDArray serialization for trainer checkpoints. */
final class ArrayCodec {

    private ArrayCodec() {}

    static void write(DataOutputStream out, NDArray array) throws IOException {
        byte[] bytes = array.encode();
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static NDArray read(DataInputStream in, NDManager manager) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > (1 << 30)) {
            throw new IOException("corrupt checkpoint: array of " + length + " bytes");
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException("corrupt checkpoint: truncated array");
        }
        return NDArray.decode(manager, bytes);
    }

    static void readInto(DataInputStream in, NDArray target) throws IOException {
        try (NDManager scope = target.getManager().newSubManager()) {
            NDArray value = read(in, scope);
            if (!value.getShape().equals(target.getShape())) {
                throw new IOException(
                        "checkpoint array has shape " + value.getShape() + ", expected " + target.getShape());
            }
            value.copyTo(target);
        }
    }
}
