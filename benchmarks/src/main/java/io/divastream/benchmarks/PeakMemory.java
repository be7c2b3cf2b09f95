package io.divastream.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Peak memory of the running process: the heap as the JVM's memory pools see it, and the resident set
 * (heap, native allocations such as PyTorch's tensors, code) as Linux reports it in
 * {@code /proc/self/status}.
 */
final class PeakMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");
    private static boolean residentPeakReset;

    private PeakMemory() {}

    /** Resets the heap pools' peaks and, if the kernel allows it, the resident-set peak (VmHWM). */
    static void reset() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
        try {
            Files.writeString(CLEAR_REFS, "5");
            residentPeakReset = true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            residentPeakReset = false;
        }
    }

    /** Sum over the heap pools of their peak usage since the last reset (an upper bound of the peak heap). */
    static long heapPeakBytes() {
        long total = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                total += pool.getPeakUsage().getUsed();
            }
        }
        return total;
    }

    /** "peak RSS=... MB (since phase start | since process start) RSS now=... MB". */
    static String residentSummary() {
        try {
            List<String> lines = Files.readAllLines(STATUS);
            return "peak RSS=" + kilobytes(lines, "VmHWM:") / 1024 + " MB ("
                    + (residentPeakReset ? "since phase start" : "since process start") + "), RSS now="
                    + kilobytes(lines, "VmRSS:") / 1024 + " MB";
        } catch (IOException e) {
            return "RSS unavailable (" + e.getMessage() + ")";
        }
    }

    private static long kilobytes(List<String> lines, String key) {
        for (String line : lines) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }
}
