package io.divastream.benchmarks;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of this process's threads, native ones included (PyTorch's OpenMP workers, RocksDB's
 * threads), read from Linux's {@code /proc/self/task/<tid>/stat}, grouped by the thread's kernel
 * name ({@code comm}: the Java thread name cut to 15 characters; a native thread inherits its
 * creator's name). A snapshot is a map from thread id to name and CPU ticks; the difference of two
 * snapshots, summed by group, says where a window's CPU time went. Elsewhere than Linux the
 * snapshots are empty.
 */
final class ThreadCpu {

    private static final Path TASKS = Path.of("/proc/self/task");

    /** Kernel clock ticks per second ({@code getconf CLK_TCK}; 100 on every Linux build in use). */
    private static final double TICKS_PER_SECOND = 100.0;

    private final Map<Long, Sample> threads;
    private final long gcMillis;
    private final long nanos;

    private ThreadCpu(Map<Long, Sample> threads, long gcMillis, long nanos) {
        this.threads = threads;
        this.gcMillis = gcMillis;
        this.nanos = nanos;
    }

    private record Sample(String name, long ticks) {}

    /**
     * Takes a snapshot.
     *
     * @return the CPU ticks of every live thread, the JVM's collection time and the wall clock
     */
    static ThreadCpu now() {
        Map<Long, Sample> threads = new HashMap<>();
        if (Files.isDirectory(TASKS)) {
            try (Stream<Path> tasks = Files.list(TASKS)) {
                for (Path task : tasks.toList()) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        int open = stat.indexOf('(');
                        int close = stat.lastIndexOf(')');
                        String name = stat.substring(open + 1, close);
                        String[] fields = stat.substring(close + 2).split(" ");
                        // after the name: state(0) ppid ... utime is field 14 of the line, index 11 here
                        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                        threads.put(Long.parseLong(task.getFileName().toString()), new Sample(name, ticks));
                    } catch (IOException | RuntimeException e) {
                        // the thread ended while reading
                    }
                }
            } catch (IOException e) {
                // no per-thread figures
            }
        }
        long gc = 0;
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            gc += Math.max(0, bean.getCollectionTime());
        }
        return new ThreadCpu(threads, gc, System.nanoTime());
    }

    /**
     * CPU seconds per thread group between an earlier snapshot and this one (threads started in
     * between count from zero; threads that ended in between are lost).
     *
     * @param earlier the earlier snapshot
     * @return seconds per group, largest first
     */
    Map<String, Double> since(ThreadCpu earlier) {
        Map<String, Double> groups = new HashMap<>();
        for (Map.Entry<Long, Sample> e : threads.entrySet()) {
            Sample before = earlier.threads.get(e.getKey());
            long ticks = e.getValue().ticks() - (before == null ? 0 : before.ticks());
            if (ticks > 0) {
                groups.merge(group(e.getValue().name()), ticks / TICKS_PER_SECOND, Double::sum);
            }
        }
        Map<String, Double> sorted = new TreeMap<>((a, b) -> {
            int c = Double.compare(groups.get(b), groups.get(a));
            return c != 0 ? c : a.compareTo(b);
        });
        sorted.putAll(groups);
        return sorted;
    }

    /**
     * Prints where the CPU time of a window went: every group with at least 1% of the window's
     * wall time, then the rest, the total against the cores, and the JVM's collection time.
     *
     * @param earlier the snapshot at the start of the window
     * @param out where to print
     */
    void print(ThreadCpu earlier, java.io.PrintStream out) {
        double wall = (nanos - earlier.nanos) / 1e9;
        Map<String, Double> groups = since(earlier);
        double total = groups.values().stream().mapToDouble(Double::doubleValue).sum();
        double rest = 0;
        out.printf(Locale.ROOT, "  CPU time by thread over %.1f s of wall time (%d cores):%n", wall,
                Runtime.getRuntime().availableProcessors());
        for (Map.Entry<String, Double> e : groups.entrySet()) {
            if (e.getValue() >= 0.01 * wall) {
                out.printf(Locale.ROOT, "    %-24s %7.1f s  %5.1f%% of one core%n", e.getKey(), e.getValue(),
                        100 * e.getValue() / wall);
            } else {
                rest += e.getValue();
            }
        }
        out.printf(Locale.ROOT, "    %-24s %7.1f s%n", "(others)", rest);
        out.printf(Locale.ROOT, "    %-24s %7.1f s  %5.1f%% of one core; JVM GC pauses+concurrent: %.1f s%n",
                "total", total, 100 * total / wall, (gcMillis - earlier.gcMillis) / 1e3);
    }

    /** Merges numbered threads of one pool (e.g. {@code pool-3-thread-1}) into one group. */
    private static String group(String name) {
        for (String prefix : List.of("kafka", "RocksDB", "rocksdb", "flink-", "G1 ", "GC ", "C1 ", "C2 ")) {
            if (name.startsWith(prefix)) {
                return prefix.trim() + "*";
            }
        }
        return name.replaceAll("[0-9]+", "#");
    }
}
