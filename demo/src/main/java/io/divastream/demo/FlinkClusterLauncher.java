package io.divastream.demo;

import io.divastream.dev.FlinkSessionCluster;
import io.divastream.jobs.DivaStreamJob;
import io.divastream.jobs.config.DivaOption;
import io.divastream.jobs.config.OptionSet;
import io.divastream.jobs.config.OptionType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.Configuration;

/**
 * Starts a standalone Flink session cluster on 127.0.0.1 (a job manager and task managers as separate JVM
 * processes, from Flink's Maven jars) and optionally submits the DiVA job jar to it; runs until interrupted (Ctrl-C
 * stops every process). Design notes: docs/design-notes.md#flinkclusterlauncher.
 */
public final class FlinkClusterLauncher {

    private static final DivaOption<String> LIB =
            DivaOption.of("lib", OptionType.nonBlank(), "jobs/target/flink-lib", "Flink's jars");
    private static final DivaOption<String> SHARED_LIB = DivaOption.of(
            "shared-lib",
            OptionType.nonBlank(),
            "jobs/target/djl-lib",
            "jars on every process's class path (none: DJL only from the job jar)");
    private static final DivaOption<String> WORK_DIR =
            DivaOption.of("work-dir", OptionType.nonBlank(), ".cluster", "the cluster's configuration, logs and state");
    private static final DivaOption<Integer> TASK_MANAGERS =
            DivaOption.of("task-managers", OptionType.integer(1, 64), "2", "task manager processes");
    private static final DivaOption<Integer> SLOTS =
            DivaOption.of("slots", OptionType.integer(1, 256), "2", "slots per task manager");
    private static final DivaOption<String> JAR =
            DivaOption.of("jar", OptionType.text(), "", "the job jar (empty: only the cluster)");
    private static final DivaOption<String> SAVEPOINT =
            DivaOption.of("savepoint", OptionType.text(), "", "restore the job from this savepoint (empty: none)");
    private static final DivaOption<Integer> PARALLELISM = DivaOption.of(
            "parallelism",
            OptionType.integer(0, 1024),
            "0",
            "the job's default parallelism (0: the job's --parallelism)");

    private static final OptionSet OPTIONS =
            OptionSet.of(List.of(LIB, SHARED_LIB, WORK_DIR, TASK_MANAGERS, SLOTS, JAR, SAVEPOINT, PARALLELISM));

    private FlinkClusterLauncher() {}

    /**
     * Starts the cluster, submits the job if a jar is given, and waits until interrupted.
     *
     * @param args the options
     * @throws Exception if the cluster cannot start or the job cannot be submitted
     */
    public static void main(String[] args) throws Exception {
        int separator = Arrays.asList(args).indexOf("--");
        String[] own = separator < 0 ? args : Arrays.copyOfRange(args, 0, separator);
        List<String> jobArgs = separator < 0 ? List.of() : List.of(args).subList(separator + 1, args.length);
        if (OptionSet.helpRequested(own)) {
            System.out.print(OPTIONS.usage("FlinkClusterLauncher [OPTIONS] -- [job options]"));
            return;
        }
        Configuration given = OPTIONS.parse(own);
        Path lib = Path.of(LIB.get(given));
        String sharedLib = SHARED_LIB.get(given);
        String savepoint = SAVEPOINT.get(given).isEmpty() ? null : SAVEPOINT.get(given);
        Path work = Path.of(WORK_DIR.get(given));
        int taskManagers = TASK_MANAGERS.get(given);
        int slots = SLOTS.get(given);
        Path jar = JAR.get(given).isEmpty() ? null : Path.of(JAR.get(given));
        int parallelism = PARALLELISM.get(given);
        FlinkSessionCluster.Config config = FlinkSessionCluster.Config.of(lib, work)
                .withTaskManagers(taskManagers, slots)
                .withExtraConfig(Map.of("taskmanager.load-balance.mode", "slots"));
        if (!sharedLib.equals("none")) {
            config = config.withSharedLibraries(Path.of(sharedLib));
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (FlinkSessionCluster cluster = FlinkSessionCluster.start(config)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            System.out.println(
                    "Flink session cluster up: " + cluster.restAddress() + " (logs in " + work.resolve("log") + ")");
            if (jar != null) {
                String jobId = cluster.submit(jar, DivaStreamJob.class.getName(), jobArgs, parallelism, savepoint);
                System.out.println("job " + jobId + " submitted: " + cluster.restAddress() + "/#/job/running/" + jobId);
            }
            while (!stop.await(5, java.util.concurrent.TimeUnit.SECONDS)) {
                if (!cluster.allAlive()) {
                    System.err.println("a Flink process exited; see " + cluster.logFiles());
                    break;
                }
            }
        }
    }
}
