package io.divastream.dev;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.ErrorInfo;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.SerializedThrowable;

/**
 * A Flink MiniCluster in this JVM running one job, which tells whether that job has failed since it
 * started: the local runner stops on the first failure rather than watching a restart loop (Flink
 * restarts a failed job from its last checkpoint without end, and its status stays RUNNING meanwhile).
 */
public final class LocalCluster implements AutoCloseable {

    private final MiniCluster cluster;
    private JobID job;

    /**
     * A failure of the job.
     *
     * @param timestamp when it failed, epoch milliseconds
     * @param rootCause the innermost cause, as {@code Class: message} on one line
     */
    public record Failure(long timestamp, String rootCause) {}

    private LocalCluster(MiniCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * Starts a cluster of one task manager.
     *
     * @param conf the cluster's configuration (also the job's)
     * @param slots the task manager's slots
     * @return the running cluster
     * @throws Exception if it does not start
     */
    public static LocalCluster start(Configuration conf, int slots) throws Exception {
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
        cluster.start();
        return new LocalCluster(cluster);
    }

    /**
     * Starts a cluster and submits the job an environment defines; the cluster is closed if the
     * submission fails.
     *
     * @param conf the cluster's configuration
     * @param slots the task manager's slots
     * @param env the environment with the job's graph
     * @param name the job's name
     * @return the cluster running the job
     * @throws Exception if the cluster or the job does not start
     */
    public static LocalCluster run(Configuration conf, int slots, StreamExecutionEnvironment env, String name)
            throws Exception {
        LocalCluster cluster = start(conf, slots);
        try {
            cluster.submit(env, name);
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * Submits the job an environment defines.
     *
     * @param env the environment with the job's graph
     * @param name the job's name
     * @return the job's id
     * @throws Exception if the submission fails
     */
    public JobID submit(StreamExecutionEnvironment env, String name) throws Exception {
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(name);
        JobID id = new JobID();
        graph.setJobId(id);
        cluster.submitJob(graph).get();
        job = id;
        return job;
    }

    /**
     * The submitted job's id.
     *
     * @return the id, or null before a job was submitted
     */
    public JobID jobId() {
        return job;
    }

    /**
     * The job's status.
     *
     * @return the status
     * @throws Exception if it is unavailable
     */
    public JobStatus status() throws Exception {
        return cluster.getJobStatus(job).get();
    }

    /**
     * The job's execution graph: its tasks, checkpoint statistics and failure.
     *
     * @return the graph
     * @throws Exception if it is unavailable
     */
    public AccessExecutionGraph executionGraph() throws Exception {
        return cluster.getExecutionGraph(job).get();
    }

    /**
     * The cluster's REST endpoint.
     *
     * @return its address
     * @throws Exception if the endpoint is not up
     */
    public URI restAddress() throws Exception {
        return cluster.getRestAddress().get();
    }

    /**
     * The job's latest failure, if it failed since it started (a restarting job included).
     *
     * @return the failure, or empty
     * @throws Exception if the execution graph is unavailable
     */
    public Optional<Failure> failure() throws Exception {
        ErrorInfo info = executionGraph().getFailureInfo();
        if (info == null) {
            return Optional.empty();
        }
        Throwable root = info.getException();
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String type = root instanceof SerializedThrowable s
                ? s.getOriginalErrorClassName()
                : root.getClass().getName();
        String message =
                String.valueOf(root.getMessage()).replaceAll("\\s+", " ").trim();
        // a SerializedThrowable's message is already the original's "Class: message"
        String text = message.startsWith(type) ? message : type + ": " + message;
        return Optional.of(
                new Failure(info.getTimestamp(), text.length() > 500 ? text.substring(0, 500) + "..." : text));
    }

    /**
     * The job's completed checkpoints so far.
     *
     * @return the count
     * @throws Exception if the execution graph is unavailable
     */
    public long completedCheckpoints() throws Exception {
        var stats = executionGraph().getCheckpointStatsSnapshot();
        return stats == null ? 0 : stats.getCounts().getNumberOfCompletedCheckpoints();
    }

    /**
     * Cancels the job and waits for it.
     *
     * @throws Exception if the cancellation fails
     */
    public void cancel() throws Exception {
        cluster.cancelJob(job).get(2, TimeUnit.MINUTES);
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
