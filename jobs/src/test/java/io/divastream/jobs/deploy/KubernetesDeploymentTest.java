package io.divastream.jobs.deploy;

import static io.divastream.jobs.deploy.YamlTrees.list;
import static io.divastream.jobs.deploy.YamlTrees.map;
import static io.divastream.jobs.deploy.YamlTrees.read;
import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.dev.FlinkSessionCluster;
import io.divastream.jobs.DivaStreamJob;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.config.RuntimeConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.Test;

/**
 * The Flink Kubernetes operator's {@code docker/k8s/flinkdeployment.yaml}, which no Kubernetes cluster
 * here can apply, checked against the operator's resource, the image {@code docker/Dockerfile} builds,
 * {@code docker/compose.yaml} and the job's own option parser: the CRD's group, version and kind, a
 * {@code flinkVersion} the operator accepts for the Flink the job is built with, the image and the jar's
 * path inside it, arguments the job accepts, checkpoint and savepoint storage the state backend and the
 * upgrade mode need (with the S3 plug-in for {@code s3://}), DJL's environment and class loading, the
 * Prometheus reporter and resources that fit the job's parallelism.
 */
class KubernetesDeploymentTest {

    private static final Path DOCKER = Path.of("..", "docker");
    private static final Path MANIFEST = DOCKER.resolve("k8s").resolve("flinkdeployment.yaml");

    /**
     * The {@code FlinkVersion} values of the operator's CRD for Flink 1.19 and later: {@code v2_0} came with
     * operator 1.11, {@code v2_1} with 1.13 (FLINK-38147, apache/flink-kubernetes-operator#1001), {@code
     * v2_2} with 1.15 (operators before it refuse it, e.g. sap1ens/heimdall#13 quotes the refusal).
     */
    private static final List<String> OPERATOR_FLINK_VERSIONS = List.of("v1_19", "v1_20", "v2_0", "v2_1", "v2_2");

    private static Map<String, Object> manifest() throws IOException {
        return read(MANIFEST);
    }

    private static Map<String, Object> spec() throws IOException {
        return map(manifest().get("spec"));
    }

    private static Map<String, String> flinkConfiguration() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        map(spec().get("flinkConfiguration")).forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    private static Map<String, Object> job() throws IOException {
        return map(spec().get("job"));
    }

    private static List<String> jobArgs() throws IOException {
        return list(job().get("args")).stream().map(String::valueOf).toList();
    }

    private static JobConfig jobConfig() throws IOException {
        return JobOptions.parse(jobArgs().toArray(String[]::new));
    }

    /** The environment of the operator's main container ({@code flink-main-container}). */
    private static Map<String, String> environment() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object c : list(map(map(spec().get("podTemplate")).get("spec")).get("containers"))) {
            if ("flink-main-container".equals(map(c).get("name"))) {
                for (Object e : list(map(c).get("env"))) {
                    env.put(String.valueOf(map(e).get("name")), String.valueOf(map(e).get("value")));
                }
            }
        }
        return env;
    }

    private static String dockerfile() throws IOException {
        return Files.readString(DOCKER.resolve("Dockerfile"), StandardCharsets.UTF_8);
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("%s in the Dockerfile", regex).isTrue();
        return m.group(1);
    }

    /** Mebibytes of a Kubernetes or Flink memory size ({@code 4096m}, {@code 4g}, {@code 2Gi}). */
    private static long mebibytes(String size) {
        Matcher m = Pattern.compile("(\\d+)(m|mb|Mi|g|gb|Gi)").matcher(size.trim());
        assertThat(m.matches()).as("memory size %s", size).isTrue();
        long n = Long.parseLong(m.group(1));
        return m.group(2).toLowerCase().startsWith("g") ? n * 1024 : n;
    }

    @Test
    void itIsAFlinkDeploymentOfTheOperatorsV1beta1Api() throws IOException {
        Map<String, Object> manifest = manifest();
        assertThat(manifest.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
        assertThat(manifest.get("kind")).isEqualTo("FlinkDeployment");
        assertThat(String.valueOf(map(manifest.get("metadata")).get("name"))).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        assertThat(String.valueOf(job().get("upgradeMode"))).isIn("savepoint", "last-state", "stateless");
    }

    @Test
    void theFlinkVersionIsTheOneTheJobIsBuiltWithAndTheImageRuns() throws IOException {
        String[] built = EnvironmentInformation.getVersion().split("\\.");
        String expected = "v" + built[0] + "_" + built[1];
        assertThat(spec().get("flinkVersion")).isEqualTo(expected);
        assertThat(OPERATOR_FLINK_VERSIONS).contains(expected);
        String imageTag = group(dockerfile(), "ARG FLINK_IMAGE=flink:(\\d+\\.\\d+)\\.\\d+-java17");
        assertThat(expected).isEqualTo("v" + imageTag.replace('.', '_'));
    }

    @Test
    void theImageIsComposesAndTheJarIsWhereTheDockerfilePutsIt() throws IOException {
        Map<String, Object> compose = read(DOCKER.resolve("compose.yaml"));
        String composeImage = String.valueOf(
                map(map(map(compose.get("services")).get("jobmanager"))).get("image"));
        String image = String.valueOf(spec().get("image"));
        assertThat(image)
                .as("a registry's copy of compose's image %s", composeImage)
                .endsWith("/" + composeImage);

        String dockerfile = dockerfile();
        String jarName = group(dockerfile, "cp jobs/target/diva-jobs-\\*-job\\.jar /out/usrlib/(\\S+)");
        String usrlib = group(dockerfile, "COPY --from=build /out/usrlib/ (\\S+)");
        URI jarUri = URI.create(String.valueOf(job().get("jarURI")));
        assertThat(jarUri.getScheme()).isEqualTo("local");
        assertThat(Path.of(jarUri.getPath())).isEqualTo(Path.of(usrlib, jarName));
        assertThat(job().get("entryClass")).isEqualTo(DivaStreamJob.class.getName());
    }

    @Test
    void theArgumentsAreAValidJobConfigurationWhoseParallelismFitsTheSlots() throws IOException {
        JobConfig config = jobConfig();
        RuntimeConfig runtime = config.runtime();
        int jobParallelism = ((Number) job().get("parallelism")).intValue();
        assertThat(runtime.parallelism())
                .as("--parallelism and job.parallelism")
                .isEqualTo(jobParallelism);
        int largest =
                Math.max(runtime.parallelism(), Math.max(runtime.sourceParallelism(), runtime.embeddingParallelism()));
        Map<String, Object> taskManager = map(spec().get("taskManager"));
        int slots = Integer.parseInt(flinkConfiguration().get("taskmanager.numberOfTaskSlots"))
                * ((Number) taskManager.get("replicas")).intValue();
        assertThat(slots).as("slots for the largest parallelism %d", largest).isGreaterThanOrEqualTo(largest);
        assertThat(config.kafka().bootstrapServers()).matches("[a-z0-9.-]+:\\d+");
    }

    @Test
    void checkpointsAndSavepointsGoToDurableStorageTheImageCanWrite() throws IOException {
        Map<String, String> flink = flinkConfiguration();
        JobConfig config = jobConfig();
        String checkpoints = config.runtime().checkpointDirectory();
        assertThat(flink).containsEntry("execution.checkpointing.dir", checkpoints);
        assertThat(flink).containsEntry("state.backend.type", "rocksdb");
        assertThat(config.runtime().rocksDb()).isTrue();
        // the operator's savepoint upgrade mode needs a savepoint directory
        if ("savepoint".equals(job().get("upgradeMode"))) {
            assertThat(flink.get("execution.checkpointing.savepoint-dir"))
                    .as("savepoint directory")
                    .isNotBlank();
        }
        // every s3:// location needs Flink's S3 file system, enabled from the image's opt/ by its entry point
        boolean s3 = flink.values().stream().anyMatch(v -> v.startsWith("s3://")) || checkpoints.startsWith("s3://");
        if (s3) {
            String plugins = environment().getOrDefault("ENABLE_BUILT_IN_PLUGINS", "");
            assertThat(Arrays.asList(plugins.split(";")))
                    .as("ENABLE_BUILT_IN_PLUGINS")
                    .anyMatch(p -> p.matches("flink-s3-fs-(presto|hadoop)-"
                            + Pattern.quote(EnvironmentInformation.getVersion()) + "\\.jar"));
        }
    }

    @Test
    void djlRunsOfflineAndLoadsFromTheClusterClassPath() throws IOException {
        Map<String, String> env = environment();
        assertThat(env)
                .containsEntry("DJL_OFFLINE", "true")
                .containsEntry("OPT_OUT_TRACKING", "true")
                .containsEntry("OMP_WAIT_POLICY", "PASSIVE");
        assertThat(env.get("DJL_CACHE_DIR")).isEqualTo(group(dockerfile(), "DJL_CACHE_DIR=(\\S+)"));
        assertThat(Arrays.asList(flinkConfiguration()
                        .getOrDefault(FlinkSessionCluster.PARENT_FIRST_PATTERNS, "")
                        .split(";")))
                .contains(FlinkSessionCluster.SHARED_PACKAGES);
    }

    @Test
    void prometheusReportsAsInComposeThroughAFactoryFlinkHas() throws Exception {
        Map<String, String> flink = flinkConfiguration();
        String factory = flink.get("metrics.reporter.prom.factory.class");
        assertThat(MetricReporterFactory.class.isAssignableFrom(Class.forName(factory)))
                .as(factory)
                .isTrue();
        String compose = Files.readString(DOCKER.resolve("compose.yaml"), StandardCharsets.UTF_8);
        assertThat(compose)
                .contains("metrics.reporter.prom.factory.class: " + factory)
                .contains("metrics.reporter.prom.port: " + flink.get("metrics.reporter.prom.port"));
    }

    @Test
    void theResourcesLeavePyTorchRoomAboveFlinksMemory() throws IOException {
        Map<String, Object> jm = map(map(spec().get("jobManager")).get("resource"));
        Map<String, Object> tm = map(map(spec().get("taskManager")).get("resource"));
        assertThat(mebibytes(String.valueOf(jm.get("memory")))).isBetween(1024L, 8192L);
        // a task manager holds a trainer or embedders (libtorch, model copies) beside RocksDB
        assertThat(mebibytes(String.valueOf(tm.get("memory")))).isGreaterThanOrEqualTo(3072L);
        assertThat(((Number) jm.get("cpu")).doubleValue()).isPositive();
        assertThat(((Number) tm.get("cpu")).doubleValue()).isGreaterThanOrEqualTo(1.0);
        double managed =
                Double.parseDouble(flinkConfiguration().getOrDefault("taskmanager.memory.managed.fraction", "0.4"));
        assertThat(managed).as("managed (RocksDB) share of the task manager").isBetween(0.1, 0.4);
    }
}
