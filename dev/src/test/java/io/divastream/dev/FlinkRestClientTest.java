package io.divastream.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a fake REST endpoint that answers fixed JSON per path. */
class FlinkRestClientTest {

    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private HttpServer server;
    private FlinkRestClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String key = exchange.getRequestMethod() + " " + exchange.getRequestURI();
            String body = answers.get(key);
            byte[] bytes = (body == null ? "{\"errors\":[\"" + key + "\"]}" : body).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        client = new FlinkRestClient(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static final String JOB = "{\"state\":\"RUNNING\",\"vertices\":["
            + "{\"id\":\"v1\",\"name\":\"diva-trainer\",\"parallelism\":1,\"status\":\"RUNNING\"},"
            + "{\"id\":\"v2\",\"name\":\"embed-images\",\"parallelism\":2,\"status\":\"RUNNING\"}]}";

    @Test
    void jobsAndTaskManagersAreReadFromTheirResources() throws Exception {
        answers.put("GET /taskmanagers", "{\"taskmanagers\":[{},{},{}]}");
        answers.put("GET /jobs/j1", JOB);
        assertThat(client.taskManagerCount()).isEqualTo(3);
        assertThat(client.jobState("j1")).isEqualTo("RUNNING");
        assertThat(client.vertexParallelism("j1"))
                .containsExactly(Map.entry("diva-trainer", 1), Map.entry("embed-images", 2));
        client.awaitRunning("j1", Duration.ofSeconds(5));
    }

    @Test
    void aFailedJobReportsItsRootExceptionAndAnErrorStatusIsAnException() throws Exception {
        answers.put("GET /jobs/j2", "{\"state\":\"FAILED\",\"vertices\":[]}");
        answers.put(
                "GET /jobs/j2/exceptions",
                "{\"exceptionHistory\":{\"entries\":[{\"stacktrace\":\"java.lang.Boom\"}]}}");
        assertThat(client.rootException("j2")).isEqualTo("java.lang.Boom");
        assertThatThrownBy(() -> client.awaitRunning("j2", Duration.ofSeconds(5)))
                .isInstanceOf(IOException.class)
                .hasMessage("job j2 is FAILED: java.lang.Boom");
        assertThatThrownBy(() -> client.jobState("missing"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("GET /jobs/missing failed with HTTP 404");
    }

    @Test
    void pendingCheckpointsNameTheVerticesWithTheirAcknowledgedSubtasks() throws Exception {
        answers.put("GET /jobs/j1", JOB);
        answers.put(
                "GET /jobs/j1/checkpoints",
                "{\"history\":[{\"id\":7,\"status\":\"IN_PROGRESS\",\"is_savepoint\":true},"
                        + "{\"id\":6,\"status\":\"COMPLETED\",\"is_savepoint\":false}]}");
        answers.put(
                "GET /jobs/j1/checkpoints/details/7",
                "{\"tasks\":{\"v1\":{\"num_acknowledged_subtasks\":0,"
                        + "\"num_subtasks\":1},\"v3\":{\"num_acknowledged_subtasks\":2,\"num_subtasks\":2}}}");
        assertThat(client.pendingCheckpoints("j1")).isEqualTo("savepoint 7: diva-trainer 0/1, v3 2/2,\n");
        answers.put("GET /jobs/j1/checkpoints", "{\"history\":[]}");
        assertThat(client.pendingCheckpoints("j1")).isEqualTo("no checkpoint in progress");
    }

    @Test
    void stoppingWithASavepointReturnsItsLocation() throws Exception {
        answers.put("POST /jobs/j1/stop", "{\"request-id\":\"t1\"}");
        answers.put(
                "GET /jobs/j1/savepoints/t1",
                "{\"status\":{\"id\":\"COMPLETED\"},\"operation\":{\"location\":\"file:/sp/savepoint-1\"}}");
        assertThat(client.stopWithSavepoint("j1", "file:/sp", Duration.ofSeconds(5)))
                .isEqualTo("file:/sp/savepoint-1");
        answers.put(
                "GET /jobs/j1/savepoints/t1",
                "{\"status\":{\"id\":\"COMPLETED\"},\"operation\":"
                        + "{\"failure-cause\":{\"stack-trace\":\"no space\"}}}");
        assertThatThrownBy(() -> client.stopWithSavepoint("j1", "file:/sp", Duration.ofSeconds(5)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("failed: no space");
    }
}
