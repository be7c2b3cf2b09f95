package io.divastream.model.net.backbone;

import ai.djl.ndarray.NDArray;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Test helper: writes the tensor part of a TorchScript archive (the {@code data.pkl} module tree and
 * the {@code data/N} storages) the way {@code torch.jit.save} lays it out, for float tensors named
 * like a {@code state_dict}. Enough for {@link TorchScriptArchive}, not loadable by PyTorch (no code).
 */
final class MiniTorchArchive {

    /**
     * One float tensor: its values (row-major over the given strides) and layout.
     *
     * @param storage the storage's values
     * @param offset the first element's index in the storage
     * @param size the shape
     * @param stride the step in the storage per index of each axis
     */
    record Tensor(float[] storage, long offset, long[] size, long[] stride) {

        /**
         * A contiguous copy of an array.
         *
         * @param array a float array
         * @return the tensor, row-major
         */
        static Tensor of(NDArray array) {
            long[] size = array.getShape().getShape();
            long[] stride = new long[size.length];
            long step = 1;
            for (int d = size.length - 1; d >= 0; d--) {
                stride[d] = step;
                step *= size[d];
            }
            return new Tensor(array.toFloatArray(), 0, size, stride);
        }
    }

    private MiniTorchArchive() {}

    /**
     * Writes the tensors.
     *
     * @param file the file to write
     * @param tensors state_dict name to tensor
     * @throws IOException if the file cannot be written
     */
    static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        // the module tree: nested maps keyed by the dotted name's parts
        Map<String, Object> root = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String[] parts = e.getKey().split("\\.");
            Map<String, Object> node = root;
            for (int i = 0; i < parts.length - 1; i++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> child =
                        (Map<String, Object>) node.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
                node = child;
            }
            node.put(parts[parts.length - 1], e.getValue());
        }
        List<Tensor> order = new ArrayList<>();
        ByteArrayOutputStream pkl = new ByteArrayOutputStream();
        pkl.write(new byte[] {(byte) 0x80, 2});
        module(pkl, "Root", root, order);
        pkl.write('.');
        zip(file, pkl, order);
    }

    /**
     * Writes the tensors the way {@code torch.save(model.state_dict())} does: an {@code OrderedDict}
     * of the dotted names whose entries are set before its {@code _metadata} attribute is built.
     *
     * @param file the file to write
     * @param tensors state_dict name to tensor
     * @throws IOException if the file cannot be written
     */
    static void writeStateDict(Path file, Map<String, Tensor> tensors) throws IOException {
        List<Tensor> order = new ArrayList<>();
        ByteArrayOutputStream pkl = new ByteArrayOutputStream();
        pkl.write(new byte[] {(byte) 0x80, 2});
        global(pkl, "collections", "OrderedDict");
        pkl.write(')');
        pkl.write('R');
        pkl.write('(');
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            string(pkl, e.getKey());
            tensor(pkl, e.getValue(), order);
        }
        pkl.write('u'); // SETITEMS
        pkl.write('}'); // the instance dict: {'_metadata': OrderedDict([('', {'version': 1})])}
        string(pkl, "_metadata");
        global(pkl, "collections", "OrderedDict");
        pkl.write(')');
        pkl.write('R');
        string(pkl, "");
        pkl.write('}');
        string(pkl, "version");
        integer(pkl, 1);
        pkl.write('s');
        pkl.write('s');
        pkl.write('s');
        pkl.write('b'); // BUILD
        pkl.write('.');
        zip(file, pkl, order);
    }

    private static void zip(Path file, ByteArrayOutputStream pkl, List<Tensor> order) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            put(zip, "archive/data.pkl", pkl.toByteArray());
            put(zip, "archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < order.size(); i++) {
                float[] v = order.get(i).storage();
                ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : v) {
                    b.putFloat(f);
                }
                put(zip, "archive/data/" + i, b.array());
            }
        }
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    private static void module(ByteArrayOutputStream out, String type, Map<String, Object> attrs, List<Tensor> order)
            throws IOException {
        global(out, "__torch__", type);
        out.write(')'); // EMPTY_TUPLE
        out.write(0x81); // NEWOBJ
        out.write('}'); // EMPTY_DICT
        out.write('(');
        string(out, "training");
        out.write(0x89); // NEWFALSE
        for (Map.Entry<String, Object> e : attrs.entrySet()) {
            string(out, e.getKey());
            if (e.getValue() instanceof Tensor t) {
                tensor(out, t, order);
            } else {
                @SuppressWarnings("unchecked")
                Map<String, Object> child = (Map<String, Object>) e.getValue();
                module(out, "Module", child, order);
            }
        }
        out.write('u'); // SETITEMS
        out.write('b'); // BUILD
    }

    private static void tensor(ByteArrayOutputStream out, Tensor t, List<Tensor> order) throws IOException {
        String key = String.valueOf(order.size());
        order.add(t);
        global(out, "torch._utils", "_rebuild_tensor_v2");
        out.write('(');
        out.write('(');
        string(out, "storage");
        global(out, "torch", "FloatStorage");
        string(out, key);
        string(out, "cpu");
        integer(out, t.storage().length);
        out.write('t');
        out.write('Q'); // BINPERSID
        integer(out, t.offset());
        tuple(out, t.size());
        tuple(out, t.stride());
        out.write(0x89);
        global(out, "collections", "OrderedDict");
        out.write(')');
        out.write('R');
        out.write('t');
        out.write('R');
    }

    private static void tuple(ByteArrayOutputStream out, long[] values) throws IOException {
        out.write('(');
        for (long v : values) {
            integer(out, v);
        }
        out.write('t');
    }

    private static void integer(ByteArrayOutputStream out, long v) {
        out.write('J');
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v);
        out.writeBytes(b.array());
    }

    private static void global(OutputStream out, String module, String name) throws IOException {
        out.write('c');
        out.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        out.writeBytes(ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(b.length)
                .array());
        out.writeBytes(b);
    }
}
