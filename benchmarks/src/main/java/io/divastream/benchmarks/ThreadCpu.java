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
 * threads), and the time they waited for a core while runnable, read from Linux's {@code
 * /proc/self/task/<tid>/schedstat} (nanoseconds on the CPU, nanoseconds waiting on a run queue),
 * grouped by the thread's kernel name from {@code stat} ({@code comm}: the Java thread name cut to
 * 15 characters; a native thread inherits its creator's name). The difference of two snapshots,
 * summed by group, says where a window's CPU time went and how much of it threads spent waiting for
 * a core (other threads of the process, or other processes on the machine, had it). Elsewhere than
 * Linux the snapshots are empty.
 */
final class ThreadCpu {

    private static final Path TASKS = Path.of("/proc/self/task");

    private final Map<Long, Sample> threads;
    private final long gcMillis;
    private final long nanos;

    private ThreadCpu(Map<Long, Sample> threads, long gcMillis, long nanos) {
        this.threads = threads;
        this.gcMillis = gcMillis;
        this.nanos = nanos;
    }

    private record Sample(String name, long cpuNanos, long waitNanos) {}

    /**
     * Takes a snapshot.
     *
     * @return the CPU and run-queue times of every live thread, the JVM's collection time and the wall clock
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
                        String[] sched = Files.readString(task.resolve("schedstat"))
                                .trim()
                                .split(" ");
                        threads.put(
                                Long.parseLong(task.getFileName().toString()),
                                new Sample(name, Long.parseLong(sched[0]), Long.parseLong(sched[1])));
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
     * CPU and run-queue seconds per thread group between an earlier snapshot and this one (threads
     * started in between count from zero; threads that ended in between are lost).
     *
     * @param earlier the earlier snapshot
     * @return per group {cpu seconds, wait seconds}, most CPU first
     */
    Map<String, double[]> since(ThreadCpu earlier) {
        Map<String, double[]> groups = new HashMap<>();
        for (Map.Entry<Long, Sample> e : threads.entrySet()) {
            Sample before = earlier.threads.get(e.getKey());
            long cpu = e.getValue().cpuNanos() - (before == null ? 0 : before.cpuNanos());
            long wait = e.getValue().waitNanos() - (before == null ? 0 : before.waitNanos());
            if (cpu > 0 || wait > 0) {
                double[] sum = groups.computeIfAbsent(group(e.getValue().name()), g -> new double[2]);
                sum[0] += cpu / 1e9;
                sum[1] += wait / 1e9;
            }
        }
        Map<String, double[]> sorted = new TreeMap<>((a, b) -> {
            int c = Double.compare(groups.get(b)[0], groups.get(a)[0]);
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
        Map<String, double[]> groups = since(earlier);
        double total = 0;
        double totalWait = 0;
        double rest = 0;
        double restWait = 0;
        out.printf(
                Locale.ROOT,
                "  CPU time by thread over %.1f s of wall time (%d cores); 'waited' = runnable but"
                        + " without a core:%n",
                wall,
                Runtime.getRuntime().availableProcessors());
        for (Map.Entry<String, double[]> e : groups.entrySet()) {
            double cpu = e.getValue()[0];
            double wait = e.getValue()[1];
            total += cpu;
            totalWait += wait;
            if (cpu >= 0.01 * wall || wait >= 0.01 * wall) {
                out.printf(
                        Locale.ROOT,
                        "    %-24s cpu %7.1f s (%5.1f%% of one core)  waited %6.1f s%n",
                        e.getKey(),
                        cpu,
                        100 * cpu / wall,
                        wait);
            } else {
                rest += cpu;
                restWait += wait;
            }
        }
        out.printf(
                Locale.ROOT,
                "    %-24s cpu %7.1f s                       waited %6.1f s%n",
                "(others)",
                rest,
                restWait);
        out.printf(
                Locale.ROOT,
                "    %-24s cpu %7.1f s (%5.1f%% of one core)  waited %6.1f s; JVM GC time: %.1f s%n",
                "total",
                total,
                100 * total / wall,
                totalWait,
                (gcMillis - earlier.gcMillis) / 1e3);
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
