package io.divastream.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.LibUtils;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device the trainer and the embedders put every array on, resolved once from a {@link
 * DeviceRequest} against what DJL's PyTorch engine can use: {@code auto} takes the first GPU if
 * the engine sees one and otherwise the CPU, {@code cpu} always the CPU, {@code gpu} the first GPU
 * or a clear failure. The native library's flavour ({@code cpu}, or a CUDA build such as {@code
 * cu128}) is chosen before the engine starts, by the {@code PYTORCH_FLAVOR} environment variable or
 * system property when no native jar is on the class path (the CUDA image); it is logged with the
 * device.
 *
 * @param device the chosen device
 * @param request what was asked for
 * @param engineVersion the PyTorch version of the engine, e.g. {@code 2.7.1}
 * @param flavour the loaded native library's flavour, e.g. {@code cpu} or {@code cu128}
 * @param gpuCount how many GPUs the engine sees
 */
public record DeviceSelection(
        Device device, DeviceRequest request, String engineVersion, String flavour, int gpuCount) {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceSelection.class);

    /**
     * The form of a flavour in DJL's library directory names: {@code cpu}, or {@code cu} and the CUDA
     * version (3 digits), with {@code -precxx11} for the builds of older PyTorch versions.
     */
    public static final Pattern FLAVOUR = Pattern.compile("(cpu|cu\\d{3})(-precxx11)?");

    /**
     * The flavours this build can load: DJL 0.36.0 has PyTorch 2.7.1 for the CPU and for CUDA 12.8 only.
     * Its {@code pytorch-jni-2.7.1-0.36.0.jar} carries the JNI library for {@code linux-x86_64/cpu} and
     * {@code linux-x86_64/cu128} and no other CUDA version, DJL's PyTorch engine README lists {@code
     * pytorch-native-cu128:2.7.1} for Linux GPUs, and there are no {@code precxx11} builds since PyTorch
     * 2.7.1. (PyTorch itself also builds 2.7.1 for CUDA 11.8 and 12.6; DJL does not.)
     */
    public static final List<String> SUPPORTED_FLAVOURS = List.of("cpu", "cu128");

    /** Configured flavour meaning "whatever the process loaded". */
    public static final String ANY_FLAVOUR = "auto";

    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    /**
     * Resolves a request against the engine of this process (starting it offline if needed),
     * checks the flavour and logs {@link #describe()} once per process and device.
     *
     * @param request what the configuration asks for
     * @param expectedFlavour the flavour the configuration expects, or {@link #ANY_FLAVOUR}
     * @return the selection
     * @throws IllegalStateException if a GPU is asked for and none is usable, or the loaded
     *     flavour is not the expected one
     */
    public static DeviceSelection select(DeviceRequest request, String expectedFlavour) {
        return select(
                request,
                expectedFlavour,
                line -> {
                    if (LOGGED.add(line)) {
                        LOG.info(line);
                    }
                },
                LOG::warn);
    }

    /**
     * As {@link #select(DeviceRequest, String)}, reporting to the given sinks (every time).
     *
     * @param request what the configuration asks for
     * @param expectedFlavour the flavour the configuration expects, or {@link #ANY_FLAVOUR}
     * @param info receives {@link #describe()}
     * @param warn receives {@link #warning()}, if any
     * @return the selection
     */
    static DeviceSelection select(
            DeviceRequest request, String expectedFlavour, Consumer<String> info, Consumer<String> warn) {
        if (!ANY_FLAVOUR.equals(expectedFlavour)
                && System.getenv("PYTORCH_FLAVOR") == null
                && System.getProperty("PYTORCH_FLAVOR") == null) {
            // Read by DJL when it downloads or finds a cached library (no native jar on the class path).
            System.setProperty("PYTORCH_FLAVOR", expectedFlavour);
        }
        Engine engine = DjlRuntime.engine();
        DeviceSelection selection =
                resolve(request, expectedFlavour, engine.getGpuCount(), engine.getVersion(), loadedFlavour());
        if (selection.device().isGpu()) {
            probe(engine, selection);
        }
        info.accept(selection.describe());
        selection.warning().ifPresent(warn);
        return selection;
    }

    /**
     * The decision itself, without an engine: what {@link #select} does with the engine's facts.
     *
     * @param request what the configuration asks for
     * @param expectedFlavour the flavour the configuration expects, or {@link #ANY_FLAVOUR}
     * @param gpuCount the GPUs the engine sees
     * @param engineVersion the engine's PyTorch version
     * @param flavour the loaded native library's flavour
     * @return the selection
     * @throws IllegalStateException if a GPU is asked for and none is there, or the flavour differs
     */
    public static DeviceSelection resolve(
            DeviceRequest request, String expectedFlavour, int gpuCount, String engineVersion, String flavour) {
        if (!ANY_FLAVOUR.equals(expectedFlavour) && !expectedFlavour.equals(flavour)) {
            throw new IllegalStateException(
                    "the PyTorch engine loaded the native library flavour '" + flavour + "' but '" + expectedFlavour
                            + "' is configured: set PYTORCH_FLAVOR=" + expectedFlavour
                            + " in the environment of every process that trains or embeds, with no"
                            + " pytorch-native-cpu jar on its class path (the CUDA image does both),"
                            + " or configure train.engine-flavour=auto");
        }
        Device device = switch (request) {
            case CPU -> Device.cpu();
            case AUTO -> gpuCount > 0 ? Device.gpu() : Device.cpu();
            case GPU -> {
                if (gpuCount == 0) {
                    throw new IllegalStateException(noGpu(engineVersion, flavour));
                }
                yield Device.gpu();
            }
        };
        return new DeviceSelection(device, request, engineVersion, flavour, gpuCount);
    }

    /**
     * Returns the start-up line: {@code training on <device> (engine PyTorch <version>, flavour <f>)}.
     *
     * @return the line
     */
    public String describe() {
        return "training on " + device + " (engine PyTorch " + engineVersion + ", flavour " + flavour + "; device "
                + request.id() + ", " + gpuCount + " GPU(s) visible)";
    }

    /**
     * Returns the warning that goes with an automatic choice that may surprise: a CUDA library
     * loaded but no GPU visible, so {@code auto} fell back to the CPU.
     *
     * @return the warning, if any
     */
    public java.util.Optional<String> warning() {
        if (request == DeviceRequest.AUTO && !device.isGpu() && flavour.startsWith("cu")) {
            return java.util.Optional.of("device auto fell back to the CPU: the CUDA library (flavour " + flavour
                    + ") is loaded but no GPU is visible (check the NVIDIA driver and the"
                    + " container's GPU reservation)");
        }
        return java.util.Optional.empty();
    }

    /**
     * Returns the flavour of the native library the engine loaded, read from the name of its
     * directory ({@code <version>-<flavour>-<os>-<arch>}); {@code unknown} if it cannot be read.
     *
     * @return the flavour
     */
    public static String loadedFlavour() {
        DjlRuntime.engine();
        return flavourOfLibraryDirectory(
                Path.of(LibUtils.getLibtorchPath()).getFileName().toString());
    }

    /**
     * Reads the flavour from a DJL library directory name such as {@code
     * 2.7.1-20250812-cpu-linux-x86_64} or {@code 2.7.1-cu128-precxx11-linux-x86_64}.
     *
     * @param name the directory name
     * @return the flavour, or {@code unknown}
     */
    static String flavourOfLibraryDirectory(String name) {
        java.util.regex.Matcher m = Pattern.compile(".*-((?:cpu|cu\\d{3})(?:-precxx11)?)-[a-z]+-[a-z0-9_]+")
                .matcher(name);
        return m.matches() ? m.group(1) : "unknown";
    }

    private static String noGpu(String engineVersion, String flavour) {
        String why = flavour.startsWith("cu")
                ? "the CUDA library (flavour " + flavour + ") is loaded but the engine sees no GPU: check the"
                        + " NVIDIA driver and that the container has a GPU reserved"
                : "the loaded PyTorch library is the CPU build (flavour " + flavour + "): use the CUDA"
                        + " image (docker build --build-arg DJL_FLAVOR=cu128) on a host with an NVIDIA GPU";
        return "device gpu was asked for but no GPU is usable (engine PyTorch " + engineVersion + "): " + why
                + "; or set train.device=auto or cpu";
    }

    private static void probe(Engine engine, DeviceSelection selection) {
        try (NDManager manager = engine.newBaseManager(selection.device())) {
            manager.ones(new Shape(2)).sum().getFloat();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new IllegalStateException(
                    "device gpu was asked for but " + selection.device() + " is not usable (engine PyTorch "
                            + selection.engineVersion() + ", flavour " + selection.flavour() + "): " + e.getMessage(),
                    e);
        }
    }

    /**
     * Prints the selection of this process: {@code java -cp ... io.divastream.model.DeviceSelection
     * [auto|cpu|gpu]}. With {@code --fetch} first, the engine may download its native library
     * (the flavour of {@code PYTORCH_FLAVOR}) into DJL's cache: the CUDA image does so once at
     * build time, every later start is offline.
     *
     * @param args optional {@code --fetch}, then optional device
     */
    public static void main(String[] args) {
        int i = 0;
        if (args.length > 0 && args[0].equals("--fetch")) {
            System.setProperty("ai.djl.offline", "false");
            OneDnnCpuGuard.apply();
            Engine engine = Engine.getEngine("PyTorch");
            System.out.println("fetched PyTorch " + engine.getVersion() + " into " + LibUtils.getLibtorchPath());
            i = 1;
        }
        DeviceRequest request = args.length > i ? DeviceRequest.parse(args[i]) : DeviceRequest.AUTO;
        System.out.println(select(request, ANY_FLAVOUR).describe());
    }
}
