package io.divastream.dev;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A standalone Flink session cluster on 127.0.0.1 made of separate JVM processes: one job manager
 * ({@code StandaloneSessionClusterEntrypoint}) and N task managers ({@code TaskManagerRunner}), started
 * from a directory of Flink's jars (what a Flink distribution's {@code lib/} holds; the build puts
 * them in {@code jobs/target/flink-lib}), with a generated {@code config.yaml}. Their JVM memory
 * options come from Flink's own calculation ({@code BashJavaUtils}, as {@code taskmanager.sh} does;
 * {@link FlinkProcesses}). Jobs are submitted with Flink's command-line client ({@code flink run}) in
 * its own process. Every task manager runs with {@code DJL_OFFLINE=true}, {@code OPT_OUT_TRACKING=true},
 * {@code OMP_WAIT_POLICY=PASSIVE} and its own DJL cache directory, into which DJL extracts the PyTorch
 * native library. The cluster is watched and steered through its REST API ({@link FlinkRestClient}).
 *
 * <p>{@link Config#withSharedLibraries} adds directories of jars to every process's class path, as a
 * distribution's {@code lib/} would hold them: with DJL's jars there ({@code jobs/target/djl-lib}) and
 * {@code ai.djl.} loaded parent-first, DJL and its native library belong to the task manager, not to a
 * job, so a second job or the same job resubmitted (from a savepoint) finds the library loaded. Without
 * them DJL comes from the job jar, and the JVM, which binds a native library to one class loader, refuses
 * the library to every later job on the same task managers.
 *
 * <pre>{@code
 * try (FlinkSessionCluster cluster = FlinkSessionCluster.start(FlinkSessionCluster.Config.of(libDir, workDir))) {
 *     String jobId = cluster.submit(jobJar, "io.divastream.jobs.DivaStreamJob", args, 2);
 * }
 * }</pre>
 *
 * {@link #close()} stops every process (forcibly after a grace period), also from a shutdown hook if
 * the launching JVM exits first.
 */
public final class FlinkSessionCluster implements AutoCloseable {

    /** Flink's session-cluster job manager. */
    public static final String JOB_MANAGER_CLASS =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";

    /** Flink's task manager. */
    public static final String TASK_MANAGER_CLASS = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    /** Flink's command-line client ({@code bin/flink}). */
    public static final String CLI_CLASS = "org.apache.flink.client.cli.CliFrontend";

    /** Flink's option for packages a job's class loader takes from the cluster's class path first. */
    public static final String PARENT_FIRST_PATTERNS = "classloader.parent-first-patterns.additional";

    /** The packages of the shared libraries that must come from the cluster's class path. */
    public static final String SHARED_PACKAGES = "ai.djl.";

    private static final String HOST = "127.0.0.1";
    /** The job jar (DJL with the PyTorch native library) is larger than Flink's default 100 MiB. */
    private static final int MAX_CONTENT_LENGTH = 512 * 1024 * 1024;

    /**
     * How to start the cluster.
     *
     * @param libDir directory of Flink's jars (the cluster's class path)
     * @param workDir directory for the configuration, logs, uploaded jars and DJL caches (created)
     * @param taskManagers number of task manager processes
     * @param slotsPerTaskManager task slots of each
     * @param taskManagerMemory {@code taskmanager.memory.process.size}, e.g. {@code 2304m}
     * @param jobManagerMemory {@code jobmanager.memory.process.size}, e.g. {@code 1024m}
     * @param startTimeout how long to wait for the REST endpoint and every task manager
     * @param extraConfig further {@code config.yaml} entries (override the generated ones)
     * @param sharedLibraries directories whose jars join Flink's on every process's class path (none: the
     *     job jar brings DJL)
     */
    public record Config(
            Path libDir,
            Path workDir,
            int taskManagers,
            int slotsPerTaskManager,
            String taskManagerMemory,
            String jobManagerMemory,
            Duration startTimeout,
            Map<String, String> extraConfig,
            List<Path> sharedLibraries) {

        /** Validates and copies the arguments. */
        public Config {
            Objects.requireNonNull(libDir, "libDir");
            Objects.requireNonNull(workDir, "workDir");
            if (taskManagers < 1 || slotsPerTaskManager < 1) {
                throw new IllegalArgumentException("task managers and slots must be at least 1, got " + taskManagers
                        + " and " + slotsPerTaskManager);
            }
            Objects.requireNonNull(taskManagerMemory, "taskManagerMemory");
            Objects.requireNonNull(jobManagerMemory, "jobManagerMemory");
            Objects.requireNonNull(startTimeout, "startTimeout");
            extraConfig = extraConfig == null ? Map.of() : Map.copyOf(extraConfig);
            sharedLibraries = sharedLibraries == null ? List.of() : List.copyOf(sharedLibraries);
        }

        /**
         * Two task managers of two slots, 2304 MB each (a quarter of it managed memory for RocksDB), a
         * 1 GB job manager, two minutes to start.
         *
         * @param libDir directory of Flink's jars
         * @param workDir working directory
         * @return the configuration
         */
        public static Config of(Path libDir, Path workDir) {
            return new Config(libDir, workDir, 2, 2, "2304m", "1024m", Duration.ofMinutes(2), Map.of(), List.of());
        }

        /**
         * The same with other task managers.
         *
         * @param count number of task managers
         * @param slots slots of each
         * @return the configuration
         */
        public Config withTaskManagers(int count, int slots) {
            return new Config(
                    libDir,
                    workDir,
                    count,
                    slots,
                    taskManagerMemory,
                    jobManagerMemory,
                    startTimeout,
                    extraConfig,
                    sharedLibraries);
        }

        /**
         * The same with further configuration entries.
         *
         * @param entries the entries, added to the present ones
         * @return the configuration
         */
        public Config withExtraConfig(Map<String, String> entries) {
            Map<String, String> all = new LinkedHashMap<>(extraConfig);
            all.putAll(entries);
            return new Config(
                    libDir,
                    workDir,
                    taskManagers,
                    slotsPerTaskManager,
                    taskManagerMemory,
                    jobManagerMemory,
                    startTimeout,
                    all,
                    sharedLibraries);
        }

        /**
         * The same with directories of jars on every process's class path, after Flink's: the layout of
         * a long-lived cluster, DJL's jars in Flink's {@code lib/}. The generated configuration then loads
         * {@code ai.djl.} parent-first ({@code classloader.parent-first-patterns.additional}, unless the
         * extra configuration sets that key), so a job jar that bundles DJL too uses the cluster's copy.
         *
         * @param directories the directories (each must hold jars)
         * @return the configuration
         */
        public Config withSharedLibraries(Path... directories) {
            List<Path> all = new ArrayList<>(sharedLibraries);
            all.addAll(List.of(directories));
            return new Config(
                    libDir,
                    workDir,
                    taskManagers,
                    slotsPerTaskManager,
                    taskManagerMemory,
                    jobManagerMemory,
                    startTimeout,
                    extraConfig,
                    all);
        }
    }

    private final Config config;
    private final Path confDir;
    private final FlinkRestClient rest;
    private final FlinkProcesses processes;
    private final ProcessLogs logs;
    private final Thread shutdownHook;

    private FlinkSessionCluster(Config config, Path confDir, int restPort) {
        this.config = config;
        this.confDir = confDir;
        this.rest = new FlinkRestClient(URI.create("http://" + HOST + ":" + restPort));
        this.processes = new FlinkProcesses(config, confDir);
        this.logs = new ProcessLogs(config.workDir().toAbsolutePath().resolve("log"));
        this.shutdownHook = new Thread(processes::destroyAll, "flink-session-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Writes the configuration, starts the job manager and the task managers, and waits until the
     * REST endpoint lists every task manager.
     *
     * @param config how to start
     * @return the running cluster
     * @throws IOException if a process cannot be started or the cluster does not come up in time (all
     *     its processes are then stopped)
     * @throws InterruptedException if interrupted while waiting
     */
    public static FlinkSessionCluster start(Config config) throws IOException, InterruptedException {
        if (!Files.isDirectory(config.libDir())
                || !Files.list(config.libDir())
                        .anyMatch(p -> p.getFileName().toString().startsWith("flink-runtime-"))) {
            throw new IOException("not a directory of Flink's jars (no flink-runtime-*.jar): " + config.libDir()
                    + "; build it with: mvn -pl jobs -am package -DskipTests");
        }
        for (Path shared : config.sharedLibraries()) {
            if (!Files.isDirectory(shared)
                    || !Files.list(shared)
                            .anyMatch(p -> p.getFileName().toString().endsWith(".jar"))) {
                throw new IOException(
                        "not a directory of jars: " + shared + "; build it with: mvn -pl jobs -am package -DskipTests");
            }
        }
        Path work = Files.createDirectories(config.workDir().toAbsolutePath());
        Path conf = Files.createDirectories(work.resolve("conf"));
        Files.createDirectories(work.resolve("log"));
        int restPort = freePort();
        Map<String, String> entries = FlinkConfigFiles.entries(
                config,
                HOST,
                restPort,
                freePort(),
                Files.createDirectories(work.resolve("tmp")).toString(),
                MAX_CONTENT_LENGTH);
        Files.writeString(conf.resolve("config.yaml"), FlinkConfigFiles.yaml(entries));
        Files.writeString(conf.resolve("log4j.properties"), FlinkConfigFiles.log4jProperties());

        FlinkSessionCluster cluster = new FlinkSessionCluster(config, conf, restPort);
        try {
            cluster.processes.launch("jobmanager", JOB_MANAGER_CLASS, "GET_JM_RESOURCE_PARAMS", Map.of());
            for (int i = 0; i < config.taskManagers(); i++) {
                Path djlCache = Files.createDirectories(work.resolve("djl-cache-" + i));
                cluster.processes.launch(
                        "taskmanager-" + i,
                        TASK_MANAGER_CLASS,
                        "GET_TM_RESOURCE_PARAMS",
                        Map.of("DJL_CACHE_DIR", djlCache.toString(), "ENGINE_CACHE_DIR", djlCache.toString()));
            }
            cluster.awaitTaskManagers(config.taskManagers(), config.startTimeout());
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * The REST endpoint (also the web UI).
     *
     * @return its address
     */
    public URI restAddress() {
        return rest.address();
    }

    /**
     * The configuration directory ({@code config.yaml}, {@code log4j.properties}).
     *
     * @return its path
     */
    public Path configDirectory() {
        return confDir;
    }

    /**
     * Submits a program of a job jar with {@code flink run -d}: Flink's command-line client ({@code
     * CliFrontend}) runs as a separate process on the cluster's class path and configuration, builds
     * the job graph (the program's {@code main} runs in a class loader of the jar) and sends it with
     * the jar through the REST API. The task managers load the job's classes, DJL and its native
     * library from that jar.
     *
     * @param jar the job jar
     * @param entryClass the program's main class
     * @param args its arguments
     * @param parallelism the job's default parallelism ({@code -p}), or 0 for the program's own
     * @return the job id
     * @throws IOException if the client fails (the message holds its output)
     * @throws InterruptedException if interrupted
     */
    public String submit(Path jar, String entryClass, List<String> args, int parallelism)
            throws IOException, InterruptedException {
        return submit(jar, entryClass, args, parallelism, null);
    }

    /**
     * As {@link #submit(Path, String, List, int)}, restoring the job's state from a savepoint or a
     * retained checkpoint ({@code flink run -s}).
     *
     * @param jar the job jar
     * @param entryClass the program's main class
     * @param args its arguments
     * @param parallelism the job's default parallelism ({@code -p}), or 0 for the program's own
     * @param savepoint the savepoint's path (as {@link #stopWithSavepoint} returns it), or null to start
     *     without state
     * @return the job id
     * @throws IOException if the client fails (the message holds its output)
     * @throws InterruptedException if interrupted
     */
    public String submit(Path jar, String entryClass, List<String> args, int parallelism, String savepoint)
            throws IOException, InterruptedException {
        return processes.submit(jar, entryClass, args, parallelism, savepoint);
    }

    /**
     * The number of task managers registered with the job manager.
     *
     * @return the count
     * @throws IOException if the cluster does not answer
     * @throws InterruptedException if interrupted
     */
    public int taskManagerCount() throws IOException, InterruptedException {
        return rest.taskManagerCount();
    }

    /**
     * A job's state as the cluster reports it ({@code RUNNING}, {@code FAILED}, ...).
     *
     * @param jobId the job
     * @return the state
     * @throws IOException if the cluster does not answer
     * @throws InterruptedException if interrupted
     */
    public String jobState(String jobId) throws IOException, InterruptedException {
        return rest.jobState(jobId);
    }

    /**
     * Waits until every task of a job runs.
     *
     * @param jobId the job
     * @param timeout how long to wait
     * @throws IOException if the job fails or does not run in time
     * @throws InterruptedException if interrupted
     */
    public void awaitRunning(String jobId, Duration timeout) throws IOException, InterruptedException {
        rest.awaitRunning(jobId, timeout);
    }

    /**
     * The job's vertices with their parallelism and state, as the REST API lists them.
     *
     * @param jobId the job
     * @return name to parallelism
     * @throws IOException if the cluster does not answer
     * @throws InterruptedException if interrupted
     */
    public Map<String, Integer> vertexParallelism(String jobId) throws IOException, InterruptedException {
        return rest.vertexParallelism(jobId);
    }

    /**
     * The root cause of a job's failures, if the cluster recorded one.
     *
     * @param jobId the job
     * @return the exception text, or an empty string
     * @throws IOException if the cluster does not answer
     * @throws InterruptedException if interrupted
     */
    public String rootException(String jobId) throws IOException, InterruptedException {
        return rest.rootException(jobId);
    }

    /**
     * Cancels a job and waits until it is no longer running.
     *
     * @param jobId the job
     * @param timeout how long to wait
     * @throws IOException if the cluster does not answer
     * @throws InterruptedException if interrupted
     */
    public void cancel(String jobId, Duration timeout) throws IOException, InterruptedException {
        rest.cancel(jobId, timeout);
    }

    /**
     * Stops a job with a savepoint ({@code flink stop}: a synchronous savepoint, the sinks commit, the job
     * finishes) and waits for it.
     *
     * @param jobId the job
     * @param directory where the savepoint goes (a URI such as {@code file:///...} or a path)
     * @param timeout how long to wait for the savepoint
     * @return the savepoint's location, for {@link #submit(Path, String, List, int, String)}
     * @throws IOException if the cluster refuses, the savepoint fails or does not complete in time
     * @throws InterruptedException if interrupted
     */
    public String stopWithSavepoint(String jobId, String directory, Duration timeout)
            throws IOException, InterruptedException {
        return rest.stopWithSavepoint(jobId, directory, timeout);
    }

    /**
     * The checkpoints and savepoints of a job still in progress, with the subtasks of each vertex that have
     * acknowledged them, for a failure message.
     *
     * @param jobId the job
     * @return one line per pending checkpoint, e.g. {@code savepoint 7: diva-trainer 0/1, embed-images 2/2}
     * @throws IOException if the cluster does not answer
     * @throws InterruptedException if interrupted
     */
    public String pendingCheckpoints(String jobId) throws IOException, InterruptedException {
        return rest.pendingCheckpoints(jobId);
    }

    /**
     * The log files of the processes (job manager, task managers), for diagnosis.
     *
     * @return the {@code .log} and {@code .out} files
     */
    public List<Path> logFiles() {
        return logs.files();
    }

    /**
     * The lines of the process logs that report errors, for a failure message.
     *
     * @param max at most this many lines
     * @return the lines, each prefixed with its file's name
     */
    public String errorLines(int max) {
        return logs.errorLines(max);
    }

    /**
     * The lines of the process logs that match a condition.
     *
     * @param match the condition
     * @param max at most this many lines
     * @return the lines, each prefixed with its file's name
     */
    public String logLines(Predicate<String> match, int max) {
        return logs.lines(match, max);
    }

    /**
     * Whether every process is alive.
     *
     * @return true if none has exited
     */
    public boolean allAlive() {
        return processes.allAlive();
    }

    /** Stops every process: SIGTERM, then SIGKILL after 20 s. */
    @Override
    public void close() {
        processes.destroyAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs anyway
        }
    }

    private void awaitTaskManagers(int count, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!allAlive()) {
                throw new IOException("a Flink process exited during start-up; see " + logFiles());
            }
            try {
                int registered = rest.taskManagerCount();
                if (registered >= count) {
                    return;
                }
                last = registered + " of " + count + " task managers registered";
            } catch (IOException e) {
                last = e.getMessage();
            }
            Thread.sleep(500);
        }
        throw new IOException(
                "the Flink cluster did not come up within " + timeout + " (" + last + "); see " + logFiles());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }
}
