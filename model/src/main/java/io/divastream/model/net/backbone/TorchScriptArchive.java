package io.divastream.model.net.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads every tensor of a TorchScript module file ({@code torch.jit.save}) by its {@code state_dict}
 * name, buffers included: the module tree in the archive's {@code data.pkl} (a pickle) is walked and
 * each tensor attribute is read from its {@code data/N} storage entry.
 *
 * <p>DJL's {@code PtSymbolBlock} exposes a module's parameters only, not its buffers; BatchNorm's
 * running statistics are buffers, and a frozen-BatchNorm ResNet needs them. This reader understands
 * the pickle opcodes that TorchScript's serializer emits (protocol 2), tensors rebuilt with
 * {@code torch._utils._rebuild_tensor_v2} over float, double, int and long storages, any strides.
 *
 * <p>A {@code state_dict} saved with {@code torch.save} (the zip format of PyTorch 1.6 and later) has
 * the same layout with an {@code OrderedDict} of named tensors as its root, and is read the same way;
 * the legacy (pre-zip) {@code torch.save} format is not.
 */
public final class TorchScriptArchive {

    private TorchScriptArchive() {}

    /**
     * Reads all tensors of a module.
     *
     * @param file the TorchScript file
     * @param manager the manager that owns the returned arrays
     * @return {@code state_dict} name ({@code layer1.0.bn1.running_mean}) to tensor, in file order
     * @throws IOException if the file is not a readable TorchScript archive (message names file and
     *     entry)
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        ZipFile opened;
        try {
            opened = new ZipFile(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + " is not a readable TorchScript archive: " + e.getMessage(), e);
        }
        try (ZipFile zip = opened) {
            ZipEntry pkl = zip.stream()
                    .filter(e -> e.getName().endsWith("/data.pkl")
                            && e.getName().indexOf('/') == e.getName().lastIndexOf('/'))
                    .findFirst()
                    .orElseThrow(
                            () -> new IOException(file + " is not a TorchScript archive: no <name>/data.pkl entry"));
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            ZipEntry order = zip.getEntry(prefix + "byteorder");
            if (order != null) {
                String byteOrder = new String(readAll(zip, order), StandardCharsets.US_ASCII).trim();
                if (!byteOrder.equals("little")) {
                    throw new IOException(file + ": unsupported byte order " + byteOrder);
                }
            }
            Object root;
            try {
                root = new Unpickler(readAll(zip, pkl)).load();
            } catch (RuntimeException e) {
                throw new IOException(file + ": cannot read " + pkl.getName() + ": " + e.getMessage(), e);
            }
            Map<String, TensorRef> refs = new LinkedHashMap<>();
            collect(root, "", refs);
            Map<String, NDArray> out = new LinkedHashMap<>();
            Map<String, ByteBuffer> storages = new HashMap<>();
            for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
                TensorRef t = e.getValue();
                ByteBuffer storage = storages.get(t.key);
                if (storage == null) {
                    ZipEntry entry = zip.getEntry(prefix + "data/" + t.key);
                    if (entry == null) {
                        throw new IOException(
                                file + ": tensor " + e.getKey() + " refers to missing entry data/" + t.key);
                    }
                    storage = ByteBuffer.wrap(readAll(zip, entry)).order(ByteOrder.LITTLE_ENDIAN);
                    storages.put(t.key, storage);
                }
                out.put(e.getKey(), t.toArray(storage, manager, file, e.getKey()));
            }
            return out;
        }
    }

    private static byte[] readAll(ZipFile zip, ZipEntry entry) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }

    private static void collect(Object value, String name, Map<String, TensorRef> out) {
        if (value instanceof TensorRef t) {
            out.put(name, t);
        } else if (value instanceof PyObject o) {
            // a module's attributes (its BUILD state), or a dict's entries (an OrderedDict state_dict)
            if (o.state instanceof Map<?, ?> state) {
                collectEntries(state, name, out);
            }
            if (o.items != null) {
                collectEntries(o.items, name, out);
            }
        }
    }

    private static void collectEntries(Map<?, ?> entries, String name, Map<String, TensorRef> out) {
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            if (e.getKey() instanceof String key) {
                collect(e.getValue(), name.isEmpty() ? key : name + "." + key, out);
            }
        }
    }

    /** A tensor in the archive: a view of one storage entry. */
    private record TensorRef(String key, String storageType, long offset, long[] size, long[] stride) {

        NDArray toArray(ByteBuffer storage, NDManager manager, Path file, String name) throws IOException {
            DataType type;
            int bytes;
            switch (storageType) {
                case "FloatStorage" -> {
                    type = DataType.FLOAT32;
                    bytes = 4;
                }
                case "DoubleStorage" -> {
                    type = DataType.FLOAT64;
                    bytes = 8;
                }
                case "LongStorage" -> {
                    type = DataType.INT64;
                    bytes = 8;
                }
                case "IntStorage" -> {
                    type = DataType.INT32;
                    bytes = 4;
                }
                default -> throw new IOException(file + ": tensor " + name + " has unsupported storage " + storageType);
            }
            long count = 1;
            for (long s : size) {
                count *= s;
            }
            ByteBuffer dense = ByteBuffer.allocateDirect((int) (count * bytes)).order(ByteOrder.nativeOrder());
            long[] index = new long[size.length];
            for (long i = 0; i < count; i++) {
                long element = offset;
                for (int d = 0; d < size.length; d++) {
                    element += index[d] * stride[d];
                }
                long at = element * bytes;
                if (at < 0 || at + bytes > storage.capacity()) {
                    throw new IOException(file + ": tensor " + name + " reads past its storage data/" + key);
                }
                switch (bytes) {
                    case 4 -> dense.putInt(storage.getInt((int) at));
                    default -> dense.putLong(storage.getLong((int) at));
                }
                for (int d = size.length - 1; d >= 0; d--) {
                    if (++index[d] < size[d]) {
                        break;
                    }
                    index[d] = 0;
                }
            }
            dense.rewind();
            return manager.create(dense, new Shape(size), type);
        }
    }

    /**
     * An instance of a class named by a pickle GLOBAL (module, OrderedDict), with the state given by
     * BUILD and, for a dict subclass, the entries given by SETITEM(S).
     */
    private static final class PyObject {
        Object state;
        Map<Object, Object> items;
    }

    /** A class or function named by a pickle GLOBAL. */
    private record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /** The subset of the pickle machine that TorchScript's serializer uses. */
    private static final class Unpickler {
        private static final Object MARK = new Object();
        private final ByteBuffer in;
        private final Deque<Object> stack = new ArrayDeque<>();
        private final Map<Long, Object> memo = new HashMap<>();

        Unpickler(byte[] bytes) {
            this.in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        Object load() {
            while (true) {
                int op = in.get() & 0xFF;
                switch (op) {
                    case 0x80 -> in.get(); // PROTO
                    case 0x95 -> in.getLong(); // FRAME
                    case '.' -> {
                        return stack.pop();
                    } // STOP
                    case '(' -> stack.push(MARK);
                    case 'N' -> stack.push(None.NONE);
                    case 0x88 -> stack.push(Boolean.TRUE);
                    case 0x89 -> stack.push(Boolean.FALSE);
                    case 'J' -> stack.push((long) in.getInt());
                    case 'K' -> stack.push((long) (in.get() & 0xFF));
                    case 'M' -> stack.push((long) (in.getShort() & 0xFFFF));
                    case 0x8a -> stack.push(long1(in.get() & 0xFF));
                    case 'G' -> stack.push(ByteBuffer.wrap(bytes(8)).getDouble()); // BINFLOAT, big-endian
                    case 'X' -> stack.push(string(in.getInt()));
                    case 0x8c -> stack.push(string(in.get() & 0xFF));
                    case 'B' -> stack.push(bytes(in.getInt()));
                    case 'C' -> stack.push(bytes(in.get() & 0xFF));
                    case 'c' -> stack.push(new Global(line(), line()));
                    case 'q' -> memo.put((long) (in.get() & 0xFF), stack.peek());
                    case 'r' -> memo.put(in.getInt() & 0xFFFFFFFFL, stack.peek());
                    case 0x94 -> memo.put((long) memo.size(), stack.peek());
                    case 'h' -> stack.push(get(in.get() & 0xFF));
                    case 'j' -> stack.push(get(in.getInt() & 0xFFFFFFFFL));
                    case ')' -> stack.push(List.of());
                    case 0x85 -> stack.push(tuple(1));
                    case 0x86 -> stack.push(tuple(2));
                    case 0x87 -> stack.push(tuple(3));
                    case 't' -> stack.push(popToMark());
                    case ']' -> stack.push(new ArrayList<>());
                    case '}' -> stack.push(new LinkedHashMap<>());
                    case 'a' -> {
                        Object v = stack.pop();
                        list(stack.peek()).add(v);
                    }
                    case 'e' -> {
                        List<Object> items = popToMark();
                        list(stack.peek()).addAll(items);
                    }
                    case 's' -> {
                        Object v = stack.pop();
                        Object k = stack.pop();
                        map(stack.peek()).put(k, v);
                    }
                    case 'u' -> {
                        List<Object> items = popToMark();
                        Map<Object, Object> m = map(stack.peek());
                        for (int i = 0; i + 1 < items.size(); i += 2) {
                            m.put(items.get(i), items.get(i + 1));
                        }
                    }
                    case 'Q' -> stack.push(persistent(stack.pop()));
                    case 'R', 0x81 -> {
                        Object args = stack.pop();
                        Object callable = stack.pop();
                        stack.push(call(callable, args));
                    }
                    case 'b' -> {
                        Object state = stack.pop();
                        Object target = stack.peek();
                        if (target instanceof PyObject o) {
                            o.state = state;
                        }
                    }
                    default ->
                        throw new IllegalStateException("unsupported pickle opcode 0x" + Integer.toHexString(op)
                                + " at byte " + (in.position() - 1));
                }
            }
        }

        private Object get(long index) {
            Object v = memo.get(index);
            if (v == null) {
                throw new IllegalStateException("pickle memo entry " + index + " is missing");
            }
            return v;
        }

        /** LONG1: a little-endian two's complement integer of {@code length} bytes (at most 8 here). */
        private long long1(int length) {
            if (length > 8) {
                throw new IllegalStateException("pickled integer of " + length + " bytes is too large");
            }
            long v = 0;
            for (int i = 0; i < length; i++) {
                v |= (in.get() & 0xFFL) << (8 * i);
            }
            if (length > 0 && length < 8 && (v & (1L << (8 * length - 1))) != 0) {
                v |= -1L << (8 * length);
            }
            return v;
        }

        private String string(int length) {
            byte[] b = new byte[length];
            in.get(b);
            return new String(b, StandardCharsets.UTF_8);
        }

        private byte[] bytes(int length) {
            byte[] b = new byte[length];
            in.get(b);
            return b;
        }

        private String line() {
            StringBuilder sb = new StringBuilder();
            for (byte b = in.get(); b != '\n'; b = in.get()) {
                sb.append((char) b);
            }
            return sb.toString();
        }

        private List<Object> tuple(int n) {
            Object[] items = new Object[n];
            for (int i = n - 1; i >= 0; i--) {
                items[i] = stack.pop();
            }
            return List.of(items);
        }

        private List<Object> popToMark() {
            List<Object> items = new ArrayList<>();
            for (Object v = stack.pop(); v != MARK; v = stack.pop()) {
                items.add(0, v);
            }
            return items;
        }

        @SuppressWarnings("unchecked")
        private static List<Object> list(Object o) {
            if (o instanceof ArrayList<?>) {
                return (List<Object>) o;
            }
            throw new IllegalStateException("APPEND to a non-list " + o);
        }

        @SuppressWarnings("unchecked")
        private static Map<Object, Object> map(Object o) {
            if (o instanceof Map<?, ?>) {
                return (Map<Object, Object>) o;
            }
            if (o instanceof PyObject p) { // an OrderedDict built by REDUCE; its BUILD state (_metadata) is apart
                if (p.items == null) {
                    p.items = new LinkedHashMap<>();
                }
                return p.items;
            }
            throw new IllegalStateException("SETITEM on a non-dict " + o);
        }

        private static Object persistent(Object pid) {
            // ('storage', <storage class>, key, location, numel)
            if (pid instanceof List<?> t
                    && t.size() >= 3
                    && "storage".equals(t.get(0))
                    && t.get(1) instanceof Global g) {
                return new Storage(g.name(), String.valueOf(t.get(2)));
            }
            throw new IllegalStateException("unsupported persistent id " + pid);
        }

        private static Object call(Object callable, Object args) {
            if (!(callable instanceof Global g)) {
                throw new IllegalStateException("call of a non-global " + callable);
            }
            List<?> a = args instanceof List<?> l ? l : List.of();
            if (g.qualified().equals("torch._utils._rebuild_tensor_v2")) {
                if (a.size() < 4 || !(a.get(0) instanceof Storage s)) {
                    throw new IllegalStateException("malformed _rebuild_tensor_v2 arguments");
                }
                return new TensorRef(s.key(), s.type(), (Long) a.get(1), longs(a.get(2)), longs(a.get(3)));
            }
            return new PyObject();
        }

        private static long[] longs(Object tuple) {
            List<?> t = (List<?>) tuple;
            long[] out = new long[t.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (Long) t.get(i);
            }
            return out;
        }
    }

    /** A storage reference from a persistent id. */
    private record Storage(String type, String key) {}

    /** Python's None (the stack's {@code ArrayDeque} refuses null). */
    private enum None {
        NONE
    }
}
