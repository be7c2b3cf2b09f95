package io.divastream.model;

import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns libtorch's NNPACK off on a CPU where it cannot run. libtorch 2.7.1 then asks NNPACK at every convolution
 * oneDNN does not take (batch-1 forwards of a frozen backbone's 3x3 and 1x1 layers) and, on hardware NNPACK does not
 * support, writes "Could not initialize NNPACK! Reason: Unsupported hardware." to standard error each time: about 280
 * lines a second in the photo demo. With NNPACK off, as {@code torch.backends.nnpack} does in Python, those
 * convolutions go straight to the native kernels they already ended up in, so results do not change. DJL has no
 * call for it, so this calls libtorch's {@code at::globalContext().setUserEnabledNNPACK(false)} through JNA; where the
 * library or its symbols are not found (another platform or build), nothing is changed.
 */
final class NnpackSwitch {

    private static final Logger LOG = LoggerFactory.getLogger(NnpackSwitch.class);

    private static volatile boolean applied;

    private NnpackSwitch() {}

    /** Turns NNPACK off once, after the engine loaded, if it is unavailable. */
    static void apply() {
        if (applied) {
            return;
        }
        synchronized (NnpackSwitch.class) {
            if (!applied) {
                applied = true;
                try {
                    turnOffIfUnavailable();
                } catch (RuntimeException | UnsatisfiedLinkError e) {
                    LOG.debug("NNPACK left as it is: {}", e.toString());
                }
            }
        }
    }

    private static void turnOffIfUnavailable() {
        Optional<NativeLibrary> torch = libtorch();
        if (torch.isEmpty() || available(torch.get())) {
            return;
        }
        Pointer context = context(torch.get());
        torch.get()
                .getFunction("_ZN2at7Context20setUserEnabledNNPACKEb")
                .invokeVoid(new Object[] {context, Boolean.FALSE});
        LOG.info(
                "NNPACK is not supported on this CPU: turned off ({}), so libtorch stops warning at every"
                        + " convolution",
                enabled(torch.get()) ? "still on" : "off");
    }

    /**
     * NNPACK's state in this process, for tests: whether the hardware supports it and whether it is enabled.
     *
     * @return the two flags, or empty where libtorch's symbols are not found
     */
    static Optional<boolean[]> state() {
        return libtorch().map(torch -> new boolean[] {available(torch), enabled(torch)});
    }

    private static Optional<NativeLibrary> libtorch() {
        Path library = Path.of(LibUtils.getLibtorchPath()).resolve("libtorch_cpu.so");
        return Files.isRegularFile(library)
                ? Optional.of(NativeLibrary.getInstance(library.toString()))
                : Optional.empty();
    }

    /** {@code at::native::_nnpack_available()}; logs the warning once more when it is false. */
    private static boolean available(NativeLibrary torch) {
        return (torch.getFunction("_ZN2at6native17_nnpack_availableEv").invokeInt(new Object[0]) & 0xFF) != 0;
    }

    private static boolean enabled(NativeLibrary torch) {
        Function enabled = torch.getFunction("_ZNK2at7Context17userEnabledNNPACKEv");
        return (enabled.invokeInt(new Object[] {context(torch)}) & 0xFF) != 0;
    }

    private static Pointer context(NativeLibrary torch) {
        return (Pointer) torch.getFunction("_ZN2at13globalContextEv").invoke(Pointer.class, new Object[0]);
    }
}
