package io.divastream.dev;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM processes of a {@link FlinkSessionCluster}: the job manager and task managers, each with
 * the memory options of Flink's own calculation ({@code BashJavaUtils}, as {@code taskmanager.sh}
 * does), and the command-line client that submits a job. It keeps every process it starts until
 * {@link #destroyAll()}.
 */
final class FlinkProcesses {

    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    /** The options Flink 2 needs on Java 17 (as a distribution's default {@code env.java.opts}). */
    static final List<String> JAVA_OPENS = List.of(
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

    private final FlinkSessionCluster.Config config;
    private final Path confDir;
    private final Path logDir;
    private final List<Process> processes = new ArrayList<>();

    /**
     * Creates the (empty) set of processes of a cluster.
     *
     * @param config the cluster's configuration (class path, working directory)
     * @param confDir the configuration directory
     */
    FlinkProcesses(FlinkSessionCluster.Config config, Path confDir) {
        this.config = config;
        this.confDir = confDir;
        this.logDir = config.workDir().toAbsolutePath().resolve("log");
    }

    /**
     * The class path of every process: Flink's jars, then the shared libraries' jars.
     *
     * @param config the cluster's configuration
     * @return the class path, with wildcard entries
     */
    static String classPath(FlinkSessionCluster.Config config) {
        List<String> entries = new ArrayList<>();
        entries.add(config.libDir().toAbsolutePath() + File.separator + "*");
        for (Path shared : config.sharedLibraries()) {
            entries.add(shared.toAbsolutePath() + File.separator + "*");
        }
        return String.join(File.pathSeparator, entries);
    }

    private String classPath() {
        return classPath(config);
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Starts a job manager or task manager; its output goes to {@code log/<name>.out}.
     *
     * @param name the process's name, for its log files
     * @param mainClass its main class
     * @param resourceCommand the {@code BashJavaUtils} command of its memory options
     * @param env further environment variables
     */
    void launch(String name, String mainClass, String resourceCommand, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> resources = bashJavaUtils(resourceCommand);
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(Arrays.asList(resources.get(0).trim().split("\\s+")));
        command.addAll(JAVA_OPENS);
        command.add("-Dlog.file=" + logDir.resolve(name + ".log"));
        command.add("-Dlog4j.configurationFile="
                + confDir.resolve("log4j.properties").toUri());
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
        builder.redirectOutput(logDir.resolve(name + ".out").toFile());
        Process process = builder.start();
        synchronized (processes) {
            processes.add(process);
        }
    }

    /** Flink's memory calculation: the JVM options and the dynamic properties of a process. */
    private List<String> bashJavaUtils(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        javaExecutable(),
                        "-cp",
                        classPath(),
                        BASH_JAVA_UTILS,
                        command,
                        "--configDir",
                        confDir.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("Flink's memory calculation " + command + " failed: " + out);
        }
        return memoryResults(command, out);
    }

    /**
     * The last two results in the output of {@code BashJavaUtils}: the JVM options and the dynamic
     * properties.
     *
     * @param command the command, for the message
     * @param out the output
     * @return the two results
     * @throws IOException if there are fewer
     */
    static List<String> memoryResults(String command, String out) throws IOException {
        List<String> results = out.lines()
                .filter(l -> l.startsWith(RESULT_PREFIX))
                .map(l -> l.substring(RESULT_PREFIX.length()))
                .toList();
        if (results.size() < 2) {
            throw new IOException("unexpected output of Flink's memory calculation " + command + ": " + out);
        }
        return results.subList(results.size() - 2, results.size());
    }

    /**
     * Runs {@code flink run -d} in its own process (see {@link FlinkSessionCluster#submit(Path,
     * String, List, int, String)}).
     *
     * @return the job id
     * @throws IOException if the client fails (the message holds its output)
     */
    String submit(Path jar, String entryClass, List<String> args, int parallelism, String savepoint)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(JAVA_OPENS);
        command.add("-Dlog.file=" + logDir.resolve("client.log"));
        command.add("-Dlog4j.configurationFile="
                + confDir.resolve("log4j.properties").toUri());
        command.add("-cp");
        command.add(classPath());
        command.add(FlinkSessionCluster.CLI_CLASS);
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

    /** Whether every process is alive. */
    boolean allAlive() {
        synchronized (processes) {
            return processes.stream().allMatch(Process::isAlive);
        }
    }

    /** Stops every process and its children: SIGTERM, then SIGKILL after 20 s. */
    void destroyAll() {
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
}
