package io.divastream.jobs.deploy;

import static io.divastream.jobs.deploy.YamlTrees.list;
import static io.divastream.jobs.deploy.YamlTrees.map;
import static io.divastream.jobs.deploy.YamlTrees.read;
import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.dev.FlinkSessionCluster;
import io.divastream.jobs.config.DivaOption;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.model.DeviceRequest;
import io.divastream.model.DeviceSelection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker deployment ({@code docker/compose.yaml}, its GPU override, {@code docker/prometheus.yml},
 * {@code docker/Dockerfile}) is consistent with itself and with the job's configuration: images
 * built or pinned, volumes declared and used, bind mounts present, the job's command line a valid
 * configuration whose brokers are a Kafka listener, the topics created as the job names them,
 * Prometheus scraping the reporter's port. {@code docker compose config} validates both files when
 * the Compose plug-in is installed (skipped otherwise).
 */
class DockerDeploymentTest {

    private static final Path DOCKER = Path.of("..", "docker");
    private static final Path COMPOSE = DOCKER.resolve("compose.yaml");
    private static final Path COMPOSE_GPU = DOCKER.resolve("compose.gpu.yaml");
    private static final String DIVA_IMAGE = "diva-stream:";

    private static Map<String, Object> services() throws IOException {
        return map(read(COMPOSE).get("services"));
    }

    private static Map<String, Object> service(String name) throws IOException {
        Map<String, Object> service = map(services().get(name));
        assertThat(service).as("service %s", name).isNotEmpty();
        return service;
    }

    /** A command given as a folded string or a list, split into words. */
    private static List<String> words(Object command) {
        if (command instanceof String s) {
            return Arrays.asList(s.trim().split("\\s+"));
        }
        return list(command).stream().map(String::valueOf).toList();
    }

    /** The value after {@code --key} in a command line. */
    private static String argument(List<String> words, String key) {
        int i = words.indexOf("--" + key);
        assertThat(i).as("--%s in %s", key, words).isGreaterThanOrEqualTo(0);
        return words.get(i + 1);
    }

    /**
     * The job's arguments: everything after the entry point's own {@code --job-classname X --}. The
     * {@code --} is required: Flink's entry point parses abbreviated long options, so a {@code
     * --config FILE} before it would be taken for Flink's {@code --configDir}.
     */
    private static List<String> jobArguments(List<String> command) {
        int i = command.indexOf("--job-classname");
        assertThat(command.get(0)).isEqualTo("standalone-job");
        assertThat(command.get(i + 1)).isEqualTo("io.divastream.jobs.DivaStreamJob");
        assertThat(command.get(i + 2)).as("'--' ends Flink's options").isEqualTo("--");
        return command.subList(i + 3, command.size());
    }

    /** Flink's properties of a service ({@code FLINK_PROPERTIES}: one {@code key: value} per line). */
    private static Map<String, String> flinkProperties(Map<String, Object> service) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String line : String.valueOf(map(service.get("environment")).get("FLINK_PROPERTIES"))
                .split("\n")) {
            if (!line.isBlank()) {
                int colon = line.indexOf(':');
                properties.put(
                        line.substring(0, colon).trim(),
                        line.substring(colon + 1).trim());
            }
        }
        return properties;
    }

    private static String defaultOf(String key) {
        return JobOptions.ALL.options().stream()
                .filter(o -> o.key().equals(key))
                .findFirst()
                .map(DivaOption::defaultText)
                .orElseThrow();
    }

    /** Mounts of a service: container path to source (a named volume, or a path relative to docker/). */
    private static Map<String, String> mounts(Map<String, Object> service) {
        Map<String, String> mounts = new LinkedHashMap<>();
        for (Object v : list(service.get("volumes"))) {
            String[] parts = String.valueOf(v).split(":");
            mounts.put(parts[1], parts[0]);
        }
        return mounts;
    }

    @Test
    void everyImageIsBuiltHereOrPinnedToAVersion() throws IOException {
        Set<String> built = new HashSet<>();
        for (Map.Entry<String, Object> s : services().entrySet()) {
            Map<String, Object> build = map(map(s.getValue()).get("build"));
            if (!build.isEmpty()) {
                built.add(String.valueOf(map(s.getValue()).get("image")));
                Path context = DOCKER.resolve(String.valueOf(build.get("context")));
                assertThat(context.resolve(String.valueOf(build.get("dockerfile"))))
                        .isRegularFile();
                String flavour = String.valueOf(map(build.get("args")).get("DJL_FLAVOR"));
                assertThat(DeviceSelection.SUPPORTED_FLAVOURS).as(flavour).contains(flavour);
            }
        }
        for (Map.Entry<String, Object> s : services().entrySet()) {
            String image = String.valueOf(map(s.getValue()).get("image"));
            if (image.startsWith(DIVA_IMAGE)) {
                assertThat(built)
                        .as("service %s uses %s, which a service builds", s.getKey(), image)
                        .contains(image);
            } else {
                assertThat(image)
                        .as("service %s pulls a pinned image", s.getKey())
                        .matches("[a-z0-9./-]+:v?\\d+(\\.\\d+)*");
            }
        }
    }

    @Test
    void everyVolumeIsDeclaredAndUsedAndEveryBindMountExists() throws IOException {
        Set<String> declared = map(read(COMPOSE).get("volumes")).keySet();
        Set<String> used = new HashSet<>();
        for (Object s : services().values()) {
            for (String source : mounts(map(s)).values()) {
                if (source.startsWith(".") || source.startsWith("/")) {
                    assertThat(DOCKER.resolve(source))
                            .as("bind mount %s", source)
                            .exists();
                } else {
                    assertThat(declared).as("named volume %s", source).contains(source);
                    used.add(source);
                }
            }
        }
        assertThat(used).containsExactlyInAnyOrderElementsOf(declared);
    }

    @Test
    void theJobsCommandLineIsAValidConfigurationOnThisDeployment() throws IOException {
        Map<String, Object> jobmanager = service("jobmanager");
        List<String> args = new ArrayList<>(jobArguments(words(jobmanager.get("command"))));
        // the config file is the mounted one: read the repository's copy in its place
        String inContainer = argument(args, "config");
        String source = mounts(jobmanager).get(inContainer);
        assertThat(source).as("a mount at %s", inContainer).isNotNull();
        assertThat(DOCKER.resolve(source).normalize())
                .isEqualTo(Path.of("..", JobOptions.CONFIG_FILE).normalize());
        args.set(args.indexOf(inContainer), DOCKER.resolve(source).toString());
        JobConfig config = JobOptions.parse(args.toArray(String[]::new));

        // the brokers are the Kafka service's internal listener
        Map<String, Object> kafkaEnv = map(service("kafka").get("environment"));
        String bootstrap = config.kafka().bootstrapServers();
        assertThat(String.valueOf(kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS"))).contains("PLAINTEXT://" + bootstrap);
        String port = bootstrap.substring(bootstrap.indexOf(':') + 1);
        assertThat(String.valueOf(kafkaEnv.get("KAFKA_LISTENERS"))).contains("PLAINTEXT://:" + port);
        assertThat(services()).containsKey(bootstrap.substring(0, bootstrap.indexOf(':')));
        List<String> producer = words(service("producer").get("command"));
        assertThat(argument(producer, "bootstrap-servers")).isEqualTo(bootstrap);
        assertThat(argument(producer, "topic")).isEqualTo(config.kafka().imagesTopic());

        // checkpoints go to the volume that job manager and task managers share, in RocksDB
        String dir = config.runtime().checkpointDirectory();
        assertThat(dir).startsWith("file:///");
        String mountPoint = dir.substring("file://".length());
        for (String name : List.of("jobmanager", "taskmanager")) {
            Map<String, Object> s = service(name);
            assertThat(mounts(s)).as("%s mounts %s", name, mountPoint).containsKey(mountPoint);
            assertThat(flinkProperties(s))
                    .containsEntry("execution.checkpointing.dir", dir)
                    .containsEntry("state.backend.type", "rocksdb")
                    .containsEntry("jobmanager.rpc.address", "jobmanager");
        }
        assertThat(mounts(service("jobmanager")).get(mountPoint))
                .isEqualTo(mounts(service("taskmanager")).get(mountPoint));
        assertThat(config.runtime().rocksDb()).isTrue();

        // model artefacts go to a volume that job manager and task managers share (the trainer runs in either)
        assertThat(config.export().enabled()).isTrue();
        String exports = config.export().dir();
        for (String name : List.of("jobmanager", "taskmanager")) {
            assertThat(mounts(service(name))).as("%s mounts %s", name, exports).containsKey(exports);
        }
        assertThat(mounts(service("jobmanager")).get(exports))
                .isEqualTo(mounts(service("taskmanager")).get(exports));
    }

    @Test
    void theTopicsAreCreatedAsTheJobNamesThemCompactedOrRetained() throws IOException {
        String script = String.join("\n", words(service("topics").get("command")));
        Map<String, String> created = new LinkedHashMap<>();
        Matcher m =
                Pattern.compile("--topic\\s+(\\S+)((?:\\s+--config\\s+\\S+)*)").matcher(script);
        while (m.find()) {
            created.put(m.group(1), m.group(2));
        }
        List<String> topicKeys = List.of(
                "topic.images",
                "topic.embeddings",
                "topic.metrics",
                "topic.model-versions",
                "topic.promotions",
                "topic.promotion-commands",
                "topic.dead-letters");
        assertThat(created.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        topicKeys.stream().map(DockerDeploymentTest::defaultOf).toList());
        assertThat(created.get(defaultOf("topic.embeddings"))).contains("cleanup.policy=compact");
        assertThat(created.get(defaultOf("topic.images")))
                .contains("cleanup.policy=delete")
                .containsPattern("retention.ms=\\d+");
        assertThat(created.get(defaultOf("topic.dead-letters"))).containsPattern("retention.ms=\\d+");
    }

    @Test
    void prometheusScrapesTheReportersPortOnEveryFlinkProcess() throws IOException {
        Map<String, String> jm = flinkProperties(service("jobmanager"));
        Map<String, String> tm = flinkProperties(service("taskmanager"));
        String reporterPort = jm.get("metrics.reporter.prom.port");
        assertThat(jm.get("metrics.reporter.prom.factory.class"))
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        // the factory of flink-metrics-prometheus 2.2 (the Flink image has it in plugins/metrics-prometheus)
        assertThat(org.apache.flink.metrics.reporter.MetricReporterFactory.class.isAssignableFrom(
                        loadClass(jm.get("metrics.reporter.prom.factory.class"))))
                .isTrue();
        assertThat(tm).containsEntry("metrics.reporter.prom.port", reporterPort);

        Map<String, String> prometheusMounts = mounts(service("prometheus"));
        Path config = DOCKER.resolve(prometheusMounts.get("/etc/prometheus/prometheus.yml"));
        assertThat(config.normalize())
                .isEqualTo(DOCKER.resolve("prometheus.yml").normalize());
        Set<String> scraped = new HashSet<>();
        for (Object job : list(read(config).get("scrape_configs"))) {
            if (String.valueOf(map(job).get("job_name")).equals("diva-search")) {
                continue; // SearchDeploymentTest
            }
            for (Object sc : list(map(job).get("static_configs"))) {
                for (Object target : list(map(sc).get("targets"))) {
                    String[] hostPort = String.valueOf(target).split(":");
                    assertThat(hostPort[1]).as("target %s", target).isEqualTo(reporterPort);
                    scraped.add(hostPort[0]);
                }
            }
            for (Object dns : list(map(job).get("dns_sd_configs"))) {
                assertThat(String.valueOf(map(dns).get("port"))).isEqualTo(reporterPort);
                list(map(dns).get("names")).forEach(n -> scraped.add(String.valueOf(n)));
            }
        }
        assertThat(scraped).containsExactlyInAnyOrder("jobmanager", "taskmanager");
    }

    @Test
    void theDockerfileShipsTheShadedJarOfflineAndHonoursTheFlavour() throws IOException {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        assertThat(dockerfile)
                .contains("cp jobs/target/diva-jobs-*-job.jar /out/usrlib/")
                .contains("FLINK_IMAGE=flink:2.2.0-java17")
                .contains("DJL_OFFLINE=true")
                .contains("OPT_OUT_TRACKING=true")
                .contains("OMP_WAIT_POLICY=PASSIVE")
                .contains("PYTORCH_FLAVOR=${DJL_FLAVOR}")
                .contains("io.divastream.model.DeviceSelection --fetch")
                .contains("COPY " + JobOptions.CONFIG_FILE + " /opt/diva/diva-stream.properties");
        assertThat(Path.of("..", JobOptions.CONFIG_FILE)).isRegularFile();
        // a CUDA build leaves the CPU library out of the job jar too, through the jobs pom's shade exclude
        assertThat(dockerfile).contains("-Djob-jar.exclude=ai.djl.pytorch:pytorch-native-cpu");
        assertThat(Files.readString(Path.of("pom.xml"))).contains("<exclude>${job-jar.exclude}</exclude>");
    }

    @Test
    void theBuildStageHasEveryModuleOfTheReactor() throws IOException {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        Matcher module =
                Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(Path.of("..", "pom.xml")));
        int modules = 0;
        while (module.find()) {
            assertThat(dockerfile)
                    .as("module %s copied into the build stage", module.group(1))
                    .contains("COPY " + module.group(1) + " " + module.group(1) + "\n");
            modules++;
        }
        assertThat(modules).isGreaterThanOrEqualTo(4);
    }

    @Test
    void flinksLibGetsDjlAndTheFlinkProcessesLoadItParentFirst() throws IOException {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        assertThat(dockerfile)
                .contains("for jar in jobs/target/djl-lib/*.jar")
                .contains("COPY --from=build /out/lib/ /opt/flink/lib/");
        for (String name : List.of("jobmanager", "taskmanager")) {
            assertThat(Arrays.asList(flinkProperties(service(name))
                            .getOrDefault(FlinkSessionCluster.PARENT_FIRST_PATTERNS, "")
                            .split(";")))
                    .as(name)
                    .contains(FlinkSessionCluster.SHARED_PACKAGES);
        }
    }

    @Test
    void theGpuOverrideUsesTheCudaImageItBuildsAndAsksForTheGpu() throws IOException {
        Map<String, Object> gpu = map(read(COMPOSE_GPU).get("services"));
        Map<String, Object> jobmanager = map(gpu.get("jobmanager"));
        String image = String.valueOf(jobmanager.get("image"));
        String flavour =
                String.valueOf(map(map(jobmanager.get("build")).get("args")).get("DJL_FLAVOR"));
        assertThat(image).isEqualTo(DIVA_IMAGE + flavour);
        assertThat(flavour).startsWith("cu");
        assertThat(DeviceSelection.SUPPORTED_FLAVOURS).contains(flavour);
        for (String name : List.of("taskmanager", "producer")) {
            assertThat(map(gpu.get(name)).get("image")).as(name).isEqualTo(image);
        }
        List<String> args = new ArrayList<>(jobArguments(words(jobmanager.get("command"))));
        args.set(
                args.indexOf(argument(args, "config")),
                Path.of("..", JobOptions.CONFIG_FILE).toString());
        JobConfig config = JobOptions.parse(args.toArray(String[]::new));
        assertThat(config.training().device()).isEqualTo(DeviceRequest.GPU);
        assertThat(config.training().engineFlavour()).isEqualTo(flavour);
        assertThat(String.valueOf(gpu.get("taskmanager")))
                .contains("driver=nvidia")
                .contains("capabilities=[gpu]");
    }

    @Test
    void dockerComposeAcceptsBothFiles(@TempDir Path tmp) throws Exception {
        if (run("docker", "compose", "version") == 0) {
            assertThat(run("docker", "compose", "-f", COMPOSE.toString(), "config", "-q"))
                    .isZero();
            assertThat(run("docker", "compose", "-f", COMPOSE.toString(), "-f", COMPOSE_GPU.toString(), "config", "-q"))
                    .isZero();
            return;
        }
        // Compose v1 (docker-compose 1.29) predates only the top-level project name: check copies without it.
        Assumptions.assumeTrue(
                run("docker-compose", "version") == 0, "neither docker compose nor docker-compose is installed");
        Path v1 = tmp.resolve("compose.yaml");
        Files.writeString(v1, Files.readString(COMPOSE).replaceFirst("(?m)^name: .*\\n", ""));
        Path gpu = Files.copy(COMPOSE_GPU, tmp.resolve("compose.gpu.yaml"));
        assertThat(run("docker-compose", "-f", v1.toString(), "config", "-q")).isZero();
        assertThat(run("docker-compose", "-f", v1.toString(), "-f", gpu.toString(), "config", "-q"))
                .isZero();
    }

    private static Class<?> loadClass(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("no class " + name, e);
        }
    }

    private static int run(String... command) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return -1; // no docker binary
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        if (process.exitValue() != 0) {
            System.err.println(String.join(" ", command) + ": " + output);
        }
        return process.exitValue();
    }
}
