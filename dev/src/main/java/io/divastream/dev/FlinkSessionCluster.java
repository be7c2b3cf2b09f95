package io.divastream.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A standalone Flink session cluster on 127.0.0.1 made of separate JVM processes: one job manager
 * ({@code StandaloneSessionClusterEntrypoint}) and N task managers ({@code TaskManagerRunner}), started
 * from a directory of Flink's jars (what a Flink distribution's {@code lib/} holds; the build puts
 * them in {@code jobs/target/flink-lib}), with a generated {@code config.yaml}. Their JVM memory
 * options come from Flink's own calculation ({@code BashJavaUtils}, as {@code taskmanager.sh} does).
 * Jobs are submitted with Flink's command-line client ({@code flink run}) in its own process. Every task manager runs with {@code DJL_OFFLINE=true},
 * {@code OPT_OUT_TRACKING=true}, {@code OMP_WAIT_POLICY=PASSIVE} and its own DJL cache directory, into
 * which DJL extracts the PyTorch native library.
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
    public static final String JOB_MANAGER_CLASS = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";

    /** Flink's task manager. */
    public static final String TASK_MANAGER_CLASS = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    /** Flink's command-line client ({@code bin/flink}). */
    public static final String CLI_CLASS = "org.apache.flink.client.cli.CliFrontend";

    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    /** Flink's option for packages a job's class loader takes from the cluster's class path first. */
    public static final String PARENT_FIRST_PATTERNS = "classloader.parent-first-patterns.additional";

    /** The packages of the shared libraries that must come from the cluster's class path. */
    public static final String SHARED_PACKAGES = "ai.djl.";

    private static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    private static final String HOST = "127.0.0.1";
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The job jar (DJL with the PyTorch native library) is larger than Flink's default 100 MiB. */
    private static final int MAX_CONTENT_LENGTH = 512 * 1024 * 1024;

    /** The options Flink 2 needs on Java 17 (as a distribution's default {@code env.java.opts}). */
    private static final List<String> JAVA_OPENS =
            List.of(
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

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
                throw new IllegalArgumentException(
                        "task managers and slots must be at least 1, got " + taskManagers + " and " + slotsPerTaskManager);
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
                    libDir, workDir, count, slots, taskManagerMemory, jobManagerMemory, startTimeout, extraConfig, sharedLibraries);
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
                    libDir, workDir, taskManagers, slotsPerTaskManager, taskManagerMemory, jobManagerMemory, startTimeout, all,
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
                    libDir, workDir, taskManagers, slotsPerTaskManager, taskManagerMemory, jobManagerMemory, startTimeout,
                    extraConfig, all);
        }
    }

    private final Config config;
    private final Path confDir;
    private final URI rest;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> processes = new ArrayList<>();
    private final Thread shutdownHook;

    private FlinkSessionCluster(Config config, Path confDir, int restPort) {
        this.config = config;
        this.confDir = confDir;
        this.rest = URI.create("http://" + HOST + ":" + restPort);
        this.shutdownHook = new Thread(this::destroyAll, "flink-session-cluster-shutdown");
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
                || !Files.list(config.libDir()).anyMatch(p -> p.getFileName().toString().startsWith("flink-runtime-"))) {
            throw new IOException("not a directory of Flink's jars (no flink-runtime-*.jar): " + config.libDir()
                    + "; build it with: mvn -pl jobs -am package -DskipTests");
        }
        for (Path shared : config.sharedLibraries()) {
            if (!Files.isDirectory(shared) || !Files.list(shared).anyMatch(p -> p.getFileName().toString().endsWith(".jar"))) {
                throw new IOException("not a directory of jars: " + shared + "; build it with: mvn -pl jobs -am package -DskipTests");
            }
        }
        Path work = Files.createDirectories(config.workDir().toAbsolutePath());
        Path conf = Files.createDirectories(work.resolve("conf"));
        Files.createDirectories(work.resolve("log"));
        int restPort = freePort();
        Map<String, String> yaml = new LinkedHashMap<>();
        yaml.put("jobmanager.rpc.address", HOST);
        yaml.put("jobmanager.rpc.port", Integer.toString(freePort()));
        yaml.put("jobmanager.bind-host", HOST);
        yaml.put("jobmanager.memory.process.size", config.jobManagerMemory());
        yaml.put("taskmanager.bind-host", HOST);
        yaml.put("taskmanager.host", HOST);
        yaml.put("taskmanager.numberOfTaskSlots", Integer.toString(config.slotsPerTaskManager()));
        yaml.put("taskmanager.memory.process.size", config.taskManagerMemory());
        yaml.put("taskmanager.memory.managed.fraction", "0.25");
        yaml.put("rest.address", HOST);
        yaml.put("rest.bind-address", HOST);
        yaml.put("rest.port", Integer.toString(restPort));
        yaml.put("rest.server.max-content-length", Integer.toString(MAX_CONTENT_LENGTH));
        yaml.put("rest.client.max-content-length", Integer.toString(MAX_CONTENT_LENGTH));
        yaml.put("io.tmp.dirs", Files.createDirectories(work.resolve("tmp")).toString());
        yaml.put("blob.server.port", "0");
        yaml.put("parallelism.default", "1");
        yaml.put("heartbeat.timeout", "60000");
        if (!config.sharedLibraries().isEmpty()) {
            yaml.put(PARENT_FIRST_PATTERNS, SHARED_PACKAGES);
        }
        yaml.putAll(config.extraConfig());
        StringBuilder text = new StringBuilder("# written by FlinkSessionCluster\n");
        yaml.forEach((k, v) -> text.append(k).append(": ").append(quote(v)).append('\n'));
        Files.writeString(conf.resolve("config.yaml"), text.toString());
        Files.writeString(conf.resolve("log4j.properties"), log4jProperties());

        FlinkSessionCluster cluster = new FlinkSessionCluster(config, conf, restPort);
        try {
            cluster.launch("jobmanager", JOB_MANAGER_CLASS, "GET_JM_RESOURCE_PARAMS", Map.of());
            for (int i = 0; i < config.taskManagers(); i++) {
                Path djlCache = Files.createDirectories(work.resolve("djl-cache-" + i));
                cluster.launch(
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
        return rest;
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
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(JAVA_OPENS);
        command.add("-Dlog.file=" + config.workDir().toAbsolutePath().resolve("log").resolve("client.log"));
        command.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        command.add("-cp");
        command.add(classPath());
        command.add(CLI_CLASS);
        command.addAll(List.of("run", "-d", "-c", entryClass));
        if (parallelism > 0) {
            command.addAll(List.of("-p", Integer.toString(parallelism)));
        }
        if (savepoint != null) {
            command.addAll(List.of("-s", savepoint));
        }
        command.add(jar.toAbsolutePath().toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("FLINK_CONF_DIR", confDir.toString());
        builder.environment().put("DJL_OFFLINE", "true");
        builder.environment().put("OPT_OUT_TRACKING", "true");
        Process client = builder.start();
        synchronized (processes) {
            processes.add(client);
        }
        String out;
        try {
            out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!client.waitFor(5, TimeUnit.MINUTES)) {
                client.destroyForcibly();
                throw new IOException("flink run did not finish within 5 minutes: " + out);
            }
        } finally {
            synchronized (processes) {
                processes.remove(client);
            }
        }
        Matcher id = JOB_ID.matcher(out);
        if (client.exitValue() != 0 || !id.find()) {
            throw new IOException("flink run of " + jar + " failed (exit " + client.exitValue() + "): " + out);
        }
        return id.group(1);
    }

    /**
     * The number of task managers registered with the job manager.
     *
     * @return the count
     * @throws IOException if the cluster does not answer
     * @throws InterruptedException if interrupted
     */
    public int taskManagerCount() throws IOException, InterruptedException {
        return get("/taskmanagers").path("taskmanagers").size();
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
        return get("/jobs/" + jobId).path("state").asText();
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
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = get("/jobs/" + jobId);
            String state = job.path("state").asText();
            if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
                throw new IOException("job " + jobId + " is " + state + ": " + rootException(jobId));
            }
            boolean all = job.path("vertices").size() > 0;
            for (JsonNode vertex : job.path("vertices")) {
                all &= vertex.path("status").asText().equals("RUNNING");
            }
            if (all) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IOException("the tasks of job " + jobId + " did not all run within " + timeout);
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
        Map<String, Integer> out = new LinkedHashMap<>();
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            out.put(vertex.path("name").asText(), vertex.path("parallelism").asInt());
        }
        return out;
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
        JsonNode history = get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries");
        return history.isArray() && history.size() > 0 ? history.get(0).path("stacktrace").asText("") : "";
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
        HttpRequest request =
                HttpRequest.newBuilder(rest.resolve("/jobs/" + jobId + "?mode=cancel"))
                        .timeout(Duration.ofSeconds(30))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build();
        http.send(request, HttpResponse.BodyHandlers.discarding());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String state = jobState(jobId);
            if (state.equals("CANCELED") || state.equals("FAILED") || state.equals("FINISHED")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IOException("job " + jobId + " was not cancelled within " + timeout);
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
        String body = JSON.createObjectNode()
                .put("targetDirectory", directory)
                .put("drain", false)
                .put("formatType", "CANONICAL")
                .toString();
        HttpRequest request =
                HttpRequest.newBuilder(rest.resolve("/jobs/" + jobId + "/stop"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build();
        String trigger = send(request, "POST /jobs/" + jobId + "/stop").path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if (status.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode operation = status.path("operation");
                if (operation.hasNonNull("failure-cause")) {
                    throw new IOException("stop with savepoint of job " + jobId + " failed: "
                            + operation.path("failure-cause").path("stack-trace").asText(operation.toString()));
                }
                return operation.path("location").asText();
            }
            Thread.sleep(500);
        }
        throw new IOException("the savepoint of job " + jobId + " did not complete within " + timeout + ": "
                + pendingCheckpoints(jobId));
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
        Map<String, String> names = new LinkedHashMap<>();
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            names.put(vertex.path("id").asText(), vertex.path("name").asText());
        }
        StringBuilder out = new StringBuilder();
        for (JsonNode checkpoint : get("/jobs/" + jobId + "/checkpoints").path("history")) {
            if (!checkpoint.path("status").asText().equals("IN_PROGRESS")) {
                continue;
            }
            long id = checkpoint.path("id").asLong();
            out.append(checkpoint.path("is_savepoint").asBoolean() ? "savepoint " : "checkpoint ").append(id).append(':');
            JsonNode tasks = get("/jobs/" + jobId + "/checkpoints/details/" + id).path("tasks");
            tasks.fields().forEachRemaining(task -> out.append(' ')
                    .append(names.getOrDefault(task.getKey(), task.getKey()))
                    .append(' ').append(task.getValue().path("num_acknowledged_subtasks").asInt())
                    .append('/').append(task.getValue().path("num_subtasks").asInt()).append(','));
            out.append('\n');
        }
        return out.length() == 0 ? "no checkpoint in progress" : out.toString();
    }

    /**
     * The log files of the processes (job manager, task managers), for diagnosis.
     *
     * @return the {@code .log} and {@code .out} files
     */
    public List<Path> logFiles() {
        try (var files = Files.list(config.workDir().toAbsolutePath().resolve("log"))) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The lines of the process logs that report errors, for a failure message.
     *
     * @param max at most this many lines
     * @return the lines, each prefixed with its file's name
     */
    public String errorLines(int max) {
        return logLines(l -> l.contains("ERROR") || l.contains("Exception") || l.contains("Error:"), max);
    }

    /**
     * The lines of the process logs that match a condition.
     *
     * @param match the condition
     * @param max at most this many lines
     * @return the lines, each prefixed with its file's name
     */
    public String logLines(java.util.function.Predicate<String> match, int max) {
        StringBuilder out = new StringBuilder();
        int[] count = {0};
        for (Path file : logFiles()) {
            try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
                lines.filter(match)
                        .limit(Math.max(0, max - count[0]))
                        .forEach(l -> {
                            out.append(file.getFileName()).append(": ").append(l).append('\n');
                            count[0]++;
                        });
            } catch (IOException | UncheckedIOException e) {
                out.append(file.getFileName()).append(": unreadable (").append(e.getMessage()).append(")\n");
            }
        }
        return out.toString();
    }

    /**
     * Whether every process is alive.
     *
     * @return true if none has exited
     */
    public boolean allAlive() {
        synchronized (processes) {
            return processes.stream().allMatch(Process::isAlive);
        }
    }

    /** Stops every process: SIGTERM, then SIGKILL after 20 s. */
    @Override
    public void close() {
        destroyAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs anyway
        }
    }

    private void destroyAll() {
        List<Process> all;
        synchronized (processes) {
            all = new ArrayList<>(processes);
        }
        for (Process p : all) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : all) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private void launch(String name, String mainClass, String resourceCommand, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> resources = bashJavaUtils(resourceCommand);
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(Arrays.asList(resources.get(0).trim().split("\\s+")));
        command.addAll(JAVA_OPENS);
        Path log = config.workDir().toAbsolutePath().resolve("log");
        command.add("-Dlog.file=" + log.resolve(name + ".log"));
        command.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        command.add("-Dai.djl.offline=true");
        command.add("-cp");
        command.add(classPath());
        command.add(mainClass);
        command.add("--configDir");
        command.add(confDir.toString());
        command.addAll(Arrays.asList(resources.get(1).trim().split("\\s+")));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("DJL_OFFLINE", "true");
        builder.environment().put("OPT_OUT_TRACKING", "true");
        builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        builder.environment().put("FLINK_CONF_DIR", confDir.toString());
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.redirectOutput(log.resolve(name + ".out").toFile());
        Process process = builder.start();
        synchronized (processes) {
            processes.add(process);
        }
    }

    /** Flink's memory calculation: the JVM options and the dynamic properties of a process. */
    private List<String> bashJavaUtils(String command) throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(javaExecutable(), "-cp", classPath(), BASH_JAVA_UTILS, command, "--configDir", confDir.toString())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("Flink's memory calculation " + command + " failed: " + out);
        }
        List<String> results =
                out.lines().filter(l -> l.startsWith(RESULT_PREFIX)).map(l -> l.substring(RESULT_PREFIX.length())).toList();
        if (results.size() < 2) {
            throw new IOException("unexpected output of Flink's memory calculation " + command + ": " + out);
        }
        return results.subList(results.size() - 2, results.size());
    }

    private void awaitTaskManagers(int count, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!allAlive()) {
                throw new IOException("a Flink process exited during start-up; see " + logFiles());
            }
            try {
                int registered = get("/taskmanagers").path("taskmanagers").size();
                if (registered >= count) {
                    return;
                }
                last = registered + " of " + count + " task managers registered";
            } catch (IOException e) {
                last = e.getMessage();
            }
            Thread.sleep(500);
        }
        throw new IOException("the Flink cluster did not come up within " + timeout + " (" + last + "); see " + logFiles());
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(rest.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build(), "GET " + path);
    }

    private JsonNode send(HttpRequest request, String what) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(what + " failed with HTTP " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private String classPath() {
        List<String> entries = new ArrayList<>();
        entries.add(config.libDir().toAbsolutePath() + java.io.File.separator + "*");
        for (Path shared : config.sharedLibraries()) {
            entries.add(shared.toAbsolutePath() + java.io.File.separator + "*");
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    private static String quote(String value) {
        return value.matches("[A-Za-z0-9._:/-]*") ? value : "'" + value.replace("'", "''") + "'";
    }

    private static String log4jProperties() {
        return String.join(
                "\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = MainAppender",
                "appender.main.name = MainAppender",
                "appender.main.type = File",
                "appender.main.append = false",
                "appender.main.fileName = ${sys:log.file}",
                "appender.main.layout.type = PatternLayout",
                "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                "");
    }
}
