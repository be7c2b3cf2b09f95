package io.divastream.model;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps PyTorch's oneDNN off its AVX2 and AVX-512 convolution kernels on a CPU that reports no cache
 * sizes (virtual machines whose Linux kernel lists no {@code /sys/devices/system/cpu/cpu0/cache}). Those
 * kernels size their blocks from the caches: on such a machine (an AMD EPYC virtual machine here) the
 * backward convolution of libtorch 2.7.1 divides by zero and kills the JVM with SIGFPE, and training steps
 * yield non-finite gradients at random. Before PyTorch loads, this sets {@code ONEDNN_MAX_CPU_ISA=AVX} in
 * the process environment (libc's {@code setenv}, through JNA), which oneDNN reads once, and logs a
 * warning. A value the operator set ({@code ONEDNN_MAX_CPU_ISA} or {@code DNNL_MAX_CPU_ISA}, e.g. {@code
 * ALL}) is left alone. docs/operations.md, "Known native-library issues".
 */
final class OneDnnCpuGuard {

    private static final Logger LOG = LoggerFactory.getLogger(OneDnnCpuGuard.class);

    /** The oneDNN setting, and the ISA it is limited to. */
    static final String VARIABLE = "ONEDNN_MAX_CPU_ISA";

    static final String LIMIT = "AVX";
    private static final String OLD_VARIABLE = "DNNL_MAX_CPU_ISA";
    private static final Path CACHE_TOPOLOGY = Path.of("/sys/devices/system/cpu/cpu0/cache");

    private static volatile boolean applied;

    private OneDnnCpuGuard() {}

    /** libc's environment. */
    private interface LibC extends Library {
        int setenv(String name, String value, int overwrite);
    }

    /** Applies the limit to this process if needed; once. */
    static void apply() {
        if (applied) {
            return;
        }
        synchronized (OneDnnCpuGuard.class) {
            if (!applied) {
                decide(System::getenv, Path.of("/proc/cpuinfo"), CACHE_TOPOLOGY, OneDnnCpuGuard::setenv);
                applied = true;
            }
        }
    }

    /**
     * Decides and, if needed, sets the limit.
     *
     * @param environment reads an environment variable
     * @param cpuinfo Linux's CPU description (its absence means another operating system: nothing to do)
     * @param cacheTopology the directory where Linux lists the first CPU's caches
     * @param setenv sets an environment variable of the process
     * @return true if the limit was set
     */
    static boolean decide(
            Function<String, String> environment, Path cpuinfo, Path cacheTopology, BiConsumer<String, String> setenv) {
        if (environment.apply(VARIABLE) != null || environment.apply(OLD_VARIABLE) != null) {
            return false;
        }
        if (!Files.exists(cpuinfo) || Files.isDirectory(cacheTopology)) {
            return false;
        }
        setenv.accept(VARIABLE, LIMIT);
        LOG.warn(
                "this CPU reports no cache sizes ({} is missing): PyTorch's oneDNN convolution kernels for AVX2"
                        + " and AVX-512 divide by them (SIGFPE) or compute wrong gradients here, so they are off"
                        + " ({}={}); set {} yourself to choose",
                cacheTopology,
                VARIABLE,
                LIMIT,
                VARIABLE);
        return true;
    }

    private static void setenv(String name, String value) {
        LibC libc = Native.load("c", LibC.class);
        if (libc.setenv(name, value, 0) != 0) {
            LOG.warn("could not set {}={} in the process environment", name, value);
        }
    }
}
