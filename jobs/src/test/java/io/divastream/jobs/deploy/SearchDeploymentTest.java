package io.divastream.jobs.deploy;

import static io.divastream.jobs.deploy.YamlTrees.list;
import static io.divastream.jobs.deploy.YamlTrees.map;
import static io.divastream.jobs.deploy.YamlTrees.read;
import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.kafka.KafkaClientArguments;
import io.divastream.connectors.kafka.KafkaTopics;
import io.divastream.search.SearchServiceMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * The search service as a deployable: its compose service and Kubernetes manifest run the image's {@code search}
 * target with a command line its own parser accepts, its own Kafka client properties, the job's topics and the
 * job's exported models; the health checks fail while the index is empty; Prometheus scrapes its /metrics.
 */
class SearchDeploymentTest {

    private static final Path DOCKER = Path.of("..", "docker");

    private static Map<String, Object> composeService(String name) throws IOException {
        return map(map(read(DOCKER.resolve("compose.yaml")).get("services")).get(name));
    }

    private static List<String> strings(Object node) {
        return list(node).stream().map(String::valueOf).toList();
    }

    /**
     * Parses a {@code serve} command line with the service's own parser, client properties taken out first (the
     * file they name is the container's).
     */
    private static CommandLine.ParseResult parseServe(List<String> args) {
        List<String> here = new ArrayList<>(args);
        int file = here.indexOf(KafkaClientArguments.FILE_OPTION);
        assertThat(file).as("the service's own client properties").isNotNegative();
        here.subList(file, file + 2).clear();
        KafkaClientArguments.Split split = KafkaClientArguments.split(here.toArray(String[]::new));
        CommandLine.ParseResult result = new CommandLine(new SearchServiceMain()).parseArgs(split.restArray());
        assertThat(result.subcommand().commandSpec().name()).isEqualTo("serve");
        return result.subcommand();
    }

    private static String value(CommandLine.ParseResult serve, String option) {
        return String.valueOf((Object) serve.matchedOptionValue(option, null));
    }

    private static void assertServesTheJobsTopicsOnAllInterfaces(CommandLine.ParseResult serve, int port) {
        assertThat(value(serve, "--host")).isEqualTo("0.0.0.0");
        assertThat(value(serve, "--port")).isEqualTo(Integer.toString(port));
        assertThat(value(serve, "--models")).isEqualTo("/models");
        assertThat(value(serve, "--model-versions-topic")).isEqualTo(KafkaTopics.MODEL_VERSIONS);
        assertThat(value(serve, "--promotions-topic")).isEqualTo(KafkaTopics.PROMOTIONS);
    }

    @Test
    void composeRunsTheSearchTargetWithItsOwnClientPropertiesAndTheJobsModels() throws IOException {
        Map<String, Object> search = composeService("search");
        assertThat(map(search.get("build"))).containsEntry("target", "search");
        List<String> command = strings(search.get("command"));
        CommandLine.ParseResult serve = parseServe(command);
        assertServesTheJobsTopicsOnAllInterfaces(serve, 8080);
        assertThat(value(serve, "--bootstrap-servers")).isEqualTo("kafka:9092");

        List<String> mounts = strings(search.get("volumes"));
        assertThat(mounts).contains("models:/models:ro");
        assertThat(strings(composeService("jobmanager").get("volumes"))).contains("models:/models");
        String file = command.get(command.indexOf(KafkaClientArguments.FILE_OPTION) + 1);
        String source = mounts.stream()
                .filter(m -> m.split(":")[1].equals(file))
                .map(m -> m.split(":")[0])
                .findFirst()
                .orElseThrow();
        Properties client = new Properties();
        client.load(Files.newBufferedReader(DOCKER.resolve(source), StandardCharsets.UTF_8));
        assertThat(client).containsEntry("client.id", "diva-search");
        assertThat(KafkaClientArguments.split(
                                KafkaClientArguments.FILE_OPTION,
                                DOCKER.resolve(source).toString())
                        .properties())
                .containsEntry("client.id", "diva-search");
        assertThat(strings(search.get("ports"))).contains("8080:8080");
    }

    @Test
    void composesHealthCheckIsTheHealthCommandOnTheServedPort() throws IOException {
        List<String> test =
                strings(map(composeService("search").get("healthcheck")).get("test"));
        assertThat(test.get(0)).isEqualTo("CMD");
        int main = test.indexOf(SearchServiceMain.class.getName());
        assertThat(main).isPositive();
        List<String> args = test.subList(main + 1, test.size());
        CommandLine.ParseResult health = new CommandLine(new SearchServiceMain())
                .parseArgs(args.toArray(String[]::new))
                .subcommand();
        assertThat(health.commandSpec().name()).isEqualTo("health");
        assertThat(value(health, "--url")).isEqualTo("http://127.0.0.1:8080/health");
        assertThat(test.get(main - 1)).isEqualTo("/opt/diva-search/lib/*");
    }

    @Test
    void theDockerfilesSearchTargetHasTheServiceAndRunsOffline() throws IOException {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        assertThat(dockerfile)
                .contains("FROM eclipse-temurin:17-jre AS search")
                .contains("-pl jobs,search -am package")
                .contains("cp search/target/diva-search-*.jar search/target/lib/*.jar /out/search/lib/")
                .contains("COPY --from=build /out/search/lib/ /opt/diva-search/lib/")
                .contains("\"io.divastream.search.SearchServiceMain\"]");
        String stage = dockerfile.substring(dockerfile.indexOf("AS search"), dockerfile.indexOf("FROM ${FLINK_IMAGE}"));
        assertThat(stage).contains("DJL_OFFLINE=true", "OPT_OUT_TRACKING=true", "USER diva", "EXPOSE 8080");
        assertThat(dockerfile.lastIndexOf("FROM "))
                .as("the Flink image stays the default target")
                .isEqualTo(dockerfile.indexOf("FROM ${FLINK_IMAGE}"));
    }

    @Test
    void prometheusScrapesTheSearchServicesMetrics() throws IOException {
        Map<String, Object> job = list(read(DOCKER.resolve("prometheus.yml")).get("scrape_configs")).stream()
                .map(YamlTrees::map)
                .filter(j -> "diva-search".equals(j.get("job_name")))
                .findFirst()
                .orElseThrow();
        assertThat(job).containsEntry("metrics_path", "/metrics");
        assertThat(strings(map(list(job.get("static_configs")).get(0)).get("targets")))
                .containsExactly("search:8080");
    }

    @Test
    void kubernetesRunsItReadyOnlyWithAnIndexAndScrapedByPrometheus() throws IOException {
        Map<String, Map<String, Object>> byKind = new HashMap<>();
        for (Object document :
                new Yaml().loadAll(Files.readString(DOCKER.resolve("k8s").resolve("search.yaml")))) {
            Map<String, Object> resource = map(document);
            byKind.put(String.valueOf(resource.get("kind")), resource);
        }
        assertThat(byKind).containsKeys("Deployment", "Service", "Secret", "PersistentVolumeClaim");
        Map<String, Object> pod = map(
                map(map(byKind.get("Deployment").get("spec")).get("template")).get("spec"));
        Map<String, Object> container = map(list(pod.get("containers")).get(0));
        assertThat(String.valueOf(container.get("image"))).endsWith("diva-stream:search");
        List<String> args = new ArrayList<>(strings(container.get("args")));
        assertServesTheJobsTopicsOnAllInterfaces(parseServe(args), 8080);
        assertThat(map(map(container.get("readinessProbe")).get("httpGet"))).containsEntry("path", "/health");
        assertThat(map(container.get("livenessProbe"))).containsKey("tcpSocket");
        Map<String, String> env = new HashMap<>();
        list(container.get("env"))
                .forEach(e -> env.put(String.valueOf(map(e).get("name")), String.valueOf(map(e).get("value"))));
        assertThat(env).containsEntry("DJL_OFFLINE", "true").containsEntry("OPT_OUT_TRACKING", "true");

        Map<String, String> mounts = new HashMap<>();
        list(container.get("volumeMounts"))
                .forEach(m -> mounts.put(String.valueOf(map(m).get("name")), String.valueOf(map(m).get("mountPath"))));
        String clientFile = args.get(args.indexOf(KafkaClientArguments.FILE_OPTION) + 1);
        assertThat(clientFile).startsWith(mounts.get("kafka") + "/");
        String key = clientFile.substring(mounts.get("kafka").length() + 1);
        assertThat(map(byKind.get("Secret").get("stringData"))).containsKey(key);
        assertThat(mounts).containsEntry("models", "/models");
        String claim = String.valueOf(map(map(list(pod.get("volumes")).stream()
                        .map(YamlTrees::map)
                        .filter(v -> "models".equals(v.get("name")))
                        .findFirst()
                        .orElseThrow()
                        .get("persistentVolumeClaim")))
                .get("claimName"));
        assertThat(map(byKind.get("PersistentVolumeClaim").get("metadata"))).containsEntry("name", claim);
        assertThat(strings(map(byKind.get("PersistentVolumeClaim").get("spec")).get("accessModes")))
                .containsExactly("ReadWriteMany");

        String job = Files.readString(DOCKER.resolve("k8s").resolve("flinkdeployment.yaml"));
        assertThat(job).contains("claimName: " + claim).contains("- --export.dir\n      - /models");
        assertThat(map(map(map(byKind.get("Deployment").get("spec")).get("template"))
                        .get("metadata")))
                .extracting(m -> map(m.get("annotations")))
                .satisfies(a -> assertThat(a)
                        .containsEntry("prometheus.io/path", "/metrics")
                        .containsEntry("prometheus.io/port", "8080"));
    }
}
