package io.divastream.jobs.decode;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * Lowers the CPU priority of the calling thread alone, on Linux: {@code setpriority(PRIO_PROCESS, tid, nice)} with
 * the thread's own id, which Linux applies to that thread only. A process may always raise its threads' niceness;
 * lowering it again needs a privilege, so a thread is never given a lower niceness than it has. Elsewhere, or where
 * the C library refuses, nothing changes.
 */
final class ThreadNiceness {

    private static final int PRIO_PROCESS = 0;
    /** The field of {@code /proc/<pid>/task/<tid>/stat} holding the niceness, counted after the command's ')'. */
    private static final int NICE_FIELD_AFTER_COMMAND = 17;

    private ThreadNiceness() {}

    /**
     * Gives the calling thread at least the niceness {@code niceness}.
     *
     * @param niceness 0 (leave it) to 19 (the lowest priority)
     * @return the thread's niceness afterwards, empty where it cannot be read or set (not Linux, no procfs)
     */
    static OptionalInt atLeast(int niceness) {
        if (niceness < 0 || niceness > 19) {
            throw new IllegalArgumentException("niceness must be 0 to 19, got " + niceness);
        }
        if (!Platform.isLinux()) {
            return OptionalInt.empty();
        }
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
            int tid = Integer.parseInt(self.getFileName().toString());
            int current = current();
            if (niceness > current) {
                NativeLibrary.getInstance(Platform.C_LIBRARY_NAME)
                        .getFunction("setpriority")
                        .invokeInt(new Object[] {PRIO_PROCESS, tid, niceness});
            }
            return OptionalInt.of(current());
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            return OptionalInt.empty();
        }
    }

    /**
     * Returns the calling thread's niceness, from {@code /proc/thread-self/stat}.
     *
     * @return the niceness
     * @throws IOException if procfs cannot be read
     */
    static int current() throws IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"), StandardCharsets.US_ASCII);
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[NICE_FIELD_AFTER_COMMAND - 1]);
    }
}
