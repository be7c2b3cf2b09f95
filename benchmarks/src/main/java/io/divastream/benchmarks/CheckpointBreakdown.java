package io.divastream.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.SubtaskStateStats;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.jobgraph.JobVertexID;

/**
 * Where the time of a run's completed checkpoints went, per task (chain of operators), from
 * Flink's checkpoint statistics: for each task the time from the checkpoint's trigger to the
 * task's acknowledgement ("ack"), and its parts: the start delay (trigger to the first barrier
 * reaching the task, which includes the time upstream tasks held the barrier), the alignment (first
 * to last barrier of its inputs), the synchronous part of the snapshot (in the task thread) and the
 * asynchronous part (upload). The task with the latest ack is the one the checkpoint waited for.
 *
 * @param checkpoints completed checkpoints counted
 * @param endToEnd their end-to-end durations in ms, sorted
 * @param tasks per task name, in topological order: the figures of its subtasks over the checkpoints
 * @param slowest per task name: how many checkpoints acknowledged it last
 */
record CheckpointBreakdown(
        int checkpoints, long[] endToEnd, Map<String, TaskFigures> tasks, Map<String, Integer> slowest) {

    /**
     * A task's figures over the counted checkpoints, one entry per subtask and checkpoint, in ms.
     *
     * @param ack trigger to acknowledgement
     * @param startDelay trigger to the first barrier
     * @param alignment first to last barrier
     * @param sync synchronous snapshot
     * @param async asynchronous snapshot
     * @param unaligned how many of the entries were unaligned
     */
    record TaskFigures(long[] ack, long[] startDelay, long[] alignment, long[] sync, long[] async, int unaligned) {}

    /**
     * Collects the completed checkpoints triggered in a time range (wall clock, ms) that the
     * statistics' history still holds (size {@code web.checkpoints.history}).
     *
     * @param graph the job's execution graph (for the task names)
     * @param stats the statistics
     * @param fromMs earliest trigger time counted
     * @param toMs latest trigger time counted
     * @return the breakdown
     */
    static CheckpointBreakdown of(AccessExecutionGraph graph, CheckpointStatsSnapshot stats, long fromMs, long toMs) {
        Map<JobVertexID, String> names = new LinkedHashMap<>();
        for (AccessExecutionJobVertex v : graph.getVerticesTopologically()) {
            names.put(v.getJobVertexId(), v.getName());
        }
        Map<String, List<long[]>> rows = new LinkedHashMap<>();
        Map<String, Integer> slowest = new LinkedHashMap<>();
        names.values().forEach(n -> rows.put(n, new ArrayList<>()));
        List<Long> endToEnd = new ArrayList<>();
        for (AbstractCheckpointStats c : stats.getHistory().getCheckpoints()) {
            if (c.getStatus() != CheckpointStatsStatus.COMPLETED
                    || c.getTriggerTimestamp() < fromMs
                    || c.getTriggerTimestamp() > toMs) {
                continue;
            }
            endToEnd.add(c.getEndToEndDuration());
            String last = null;
            long lastAck = Long.MIN_VALUE;
            for (TaskStateStats task : c.getAllTaskStateStats()) {
                String name = names.getOrDefault(
                        task.getJobVertexId(), task.getJobVertexId().toString());
                for (SubtaskStateStats s : task.getSubtaskStats()) {
                    if (s == null) {
                        continue;
                    }
                    long ack = s.getAckTimestamp() - c.getTriggerTimestamp();
                    rows.computeIfAbsent(name, n -> new ArrayList<>()).add(new long[] {
                        ack,
                        s.getCheckpointStartDelay(),
                        s.getAlignmentDuration(),
                        s.getSyncCheckpointDuration(),
                        s.getAsyncCheckpointDuration(),
                        s.getUnalignedCheckpoint() ? 1 : 0
                    });
                    if (ack > lastAck) {
                        lastAck = ack;
                        last = name;
                    }
                }
            }
            if (last != null) {
                slowest.merge(last, 1, Integer::sum);
            }
        }
        Map<String, TaskFigures> tasks = new LinkedHashMap<>();
        rows.forEach((name, list) -> {
            if (!list.isEmpty()) {
                tasks.put(
                        name,
                        new TaskFigures(
                                column(list, 0),
                                column(list, 1),
                                column(list, 2),
                                column(list, 3),
                                column(list, 4),
                                (int) list.stream().filter(r -> r[5] == 1).count()));
            }
        });
        long[] durations = endToEnd.stream().mapToLong(Long::longValue).sorted().toArray();
        return new CheckpointBreakdown(durations.length, durations, tasks, slowest);
    }

    private static long[] column(List<long[]> rows, int i) {
        return rows.stream().mapToLong(r -> r[i]).sorted().toArray();
    }

    /**
     * The nearest-rank percentile of sorted values.
     *
     * @param sorted ascending values
     * @param q the quantile in (0, 1]
     * @return the value, -1 if there are none
     */
    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[(int) Math.max(0, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1))];
    }

    private static String triple(long[] sorted) {
        double mean = Arrays.stream(sorted).average().orElse(-1);
        return String.format(Locale.ROOT, "%5.0f %5d %5d", mean, percentile(sorted, 0.5), percentile(sorted, 1.0));
    }

    /**
     * Prints the end-to-end durations and the per-task table (mean, median and maximum of each part).
     *
     * @param out where to print
     */
    void print(PrintStream out) {
        out.printf(
                Locale.ROOT,
                "  checkpoints completed: %d; end-to-end ms p50 %d, p90 %d, max %d, mean %.0f%n",
                checkpoints,
                percentile(endToEnd, 0.5),
                percentile(endToEnd, 0.9),
                percentile(endToEnd, 1.0),
                Arrays.stream(endToEnd).average().orElse(-1));
        out.println("  per task, ms (mean p50 max): ack = trigger to acknowledgement; start delay = trigger to first"
                + " barrier; last = checkpoints this task acknowledged last");
        out.printf(
                Locale.ROOT,
                "    %-60s | %-17s | %-17s | %-17s | %-17s | %-17s | %9s | %4s%n",
                "task",
                "ack",
                "start delay",
                "alignment",
                "sync",
                "async",
                "unaligned",
                "last");
        tasks.forEach((name, f) -> out.printf(
                Locale.ROOT,
                "    %-60s | %s | %s | %s | %s | %s | %4d/%-4d | %4d%n",
                name.length() > 60 ? name.substring(0, 57) + "..." : name,
                triple(f.ack()),
                triple(f.startDelay()),
                triple(f.alignment()),
                triple(f.sync()),
                triple(f.async()),
                f.unaligned(),
                f.ack().length,
                slowest.getOrDefault(name, 0)));
    }
}
