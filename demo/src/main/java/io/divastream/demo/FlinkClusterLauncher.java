package io.divastream.demo;

import io.divastream.dev.FlinkSessionCluster;

import io.divastream.jobs.DivaStreamJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Starts a standalone Flink session cluster on 127.0.0.1 (a job manager and task managers as separate
 * JVM processes, from Flink's Maven jars) and optionally submits the DiVA job jar to it; runs until
 * interrupted (Ctrl-C stops every process). From the repository root, after {@code mvn -pl jobs -am
 * package -DskipTests}:
 *
 * <pre>
 * java -cp "jobs/target/flink-lib/*:demo/target/classes:demo/target/lib/*" \
 *     io.divastream.demo.FlinkClusterLauncher --work-dir .cluster \
 *     --jar jobs/target/diva-jobs-0.1.0-SNAPSHOT-job.jar --parallelism 2 \
 *     -- --kafka.bootstrap-servers 127.0.0.1:9092 --checkpoint.dir file:///tmp/diva-checkpoints
 * </pre>
 *
 * Options before {@code --}: {@code --lib} (Flink's jars, default {@code jobs/target/flink-lib}),
 * {@code --shared-lib} (jars on every process's class path, as in a distribution's {@code lib/}; default
 * {@code jobs/target/djl-lib}, DJL and the PyTorch native library, so that jobs can be stopped and
 * submitted again on the same task managers; {@code none}: DJL only from the job jar, one job per task
 * manager's lifetime), {@code --work-dir} (default {@code .cluster}), {@code --task-managers} (2), {@code
 * --slots} (2 per task manager), {@code --jar} (the job jar; none: only the cluster), {@code --savepoint}
 * (restore the job from this savepoint), {@code --parallelism} (the job's default parallelism; 0: the
 * job's {@code --parallelism}). Everything after {@code --} goes to {@link DivaStreamJob}.
 */
public final class FlinkClusterLauncher {

    private FlinkClusterLauncher() {}

    /**
     * Starts the cluster, submits the job if a jar is given, and waits until interrupted.
     *
     * @param args the options
     * @throws Exception if the cluster cannot start or the job cannot be submitted
     */
    public static void main(String[] args) throws Exception {
        Path lib = Path.of("jobs/target/flink-lib");
        String sharedLib = "jobs/target/djl-lib";
        String savepoint = null;
        Path work = Path.of(".cluster");
        int taskManagers = 2;
        int slots = 2;
        Path jar = null;
        int parallelism = 0;
        List<String> jobArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                jobArgs.addAll(List.of(args).subList(i + 1, args.length));
                break;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--lib" -> lib = Path.of(v);
                case "--shared-lib" -> sharedLib = v;
                case "--savepoint" -> savepoint = v;
                case "--work-dir" -> work = Path.of(v);
                case "--task-managers" -> taskManagers = Integer.parseInt(v);
                case "--slots" -> slots = Integer.parseInt(v);
                case "--jar" -> jar = Path.of(v);
                case "--parallelism" -> parallelism = Integer.parseInt(v);
                default -> throw new IllegalArgumentException(
                        "unknown option " + a + " (expected --lib, --shared-lib, --work-dir, --task-managers, --slots, --jar,"
                                + " --savepoint, --parallelism, --)");
            }
        }
        FlinkSessionCluster.Config config =
                FlinkSessionCluster.Config.of(lib, work)
                        .withTaskManagers(taskManagers, slots)
                        .withExtraConfig(Map.of("taskmanager.load-balance.mode", "slots"));
        if (!sharedLib.equals("none")) {
            config = config.withSharedLibraries(Path.of(sharedLib));
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (FlinkSessionCluster cluster = FlinkSessionCluster.start(config)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            System.out.println("Flink session cluster up: " + cluster.restAddress() + " (logs in " + work.resolve("log") + ")");
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
