package io.divastream.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The calls {@link FlinkSessionCluster} makes to a Flink cluster's REST API: task managers, job
 * states and vertices, failures, cancelling, stopping with a savepoint and the checkpoints in
 * progress. Every answer other than 2xx is an {@link IOException} with the status and body.
 */
final class FlinkRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI rest;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Creates a client of a REST endpoint.
     *
     * @param rest the endpoint, e.g. {@code http://127.0.0.1:8081}
     */
    FlinkRestClient(URI rest) {
        this.rest = rest;
    }

    /** The endpoint. */
    URI address() {
        return rest;
    }

    /** The number of task managers registered with the job manager. */
    int taskManagerCount() throws IOException, InterruptedException {
        return get("/taskmanagers").path("taskmanagers").size();
    }

    /** A job's state as the cluster reports it ({@code RUNNING}, {@code FAILED}, ...). */
    String jobState(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /**
     * Waits until every task of a job runs.
     *
     * @throws IOException if the job ends or does not run in time
     */
    void awaitRunning(String jobId, Duration timeout) throws IOException, InterruptedException {
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

    /** The job's vertices by name with their parallelism. */
    Map<String, Integer> vertexParallelism(String jobId) throws IOException, InterruptedException {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            out.put(vertex.path("name").asText(), vertex.path("parallelism").asInt());
        }
        return out;
    }

    /** The root cause of a job's failures, or an empty string. */
    String rootException(String jobId) throws IOException, InterruptedException {
        JsonNode history =
                get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries");
        return history.isArray() && history.size() > 0
                ? history.get(0).path("stacktrace").asText("")
                : "";
    }

    /**
     * Cancels a job and waits until it is no longer running.
     *
     * @throws IOException if the job still runs after the timeout
     */
    void cancel(String jobId, Duration timeout) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(rest.resolve("/jobs/" + jobId + "?mode=cancel"))
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
     * Stops a job with a savepoint and waits for it.
     *
     * @return the savepoint's location
     * @throws IOException if the cluster refuses, the savepoint fails or does not complete in time
     */
    String stopWithSavepoint(String jobId, String directory, Duration timeout)
            throws IOException, InterruptedException {
        String body = JSON.createObjectNode()
                .put("targetDirectory", directory)
                .put("drain", false)
                .put("formatType", "CANONICAL")
                .toString();
        HttpRequest request = HttpRequest.newBuilder(rest.resolve("/jobs/" + jobId + "/stop"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        String trigger = send(request, "POST /jobs/" + jobId + "/stop")
                .path("request-id")
                .asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if (status.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode operation = status.path("operation");
                if (operation.hasNonNull("failure-cause")) {
                    throw new IOException("stop with savepoint of job " + jobId + " failed: "
                            + operation
                                    .path("failure-cause")
                                    .path("stack-trace")
                                    .asText(operation.toString()));
                }
                return operation.path("location").asText();
            }
            Thread.sleep(500);
        }
        throw new IOException("the savepoint of job " + jobId + " did not complete within " + timeout + ": "
                + pendingCheckpoints(jobId));
    }

    /**
     * The checkpoints and savepoints of a job still in progress, with the subtasks of each vertex
     * that have acknowledged them.
     *
     * @return one line per pending checkpoint, e.g. {@code savepoint 7: diva-trainer 0/1, embed-images 2/2,}
     */
    String pendingCheckpoints(String jobId) throws IOException, InterruptedException {
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
            out.append(checkpoint.path("is_savepoint").asBoolean() ? "savepoint " : "checkpoint ")
                    .append(id)
                    .append(':');
            JsonNode tasks =
                    get("/jobs/" + jobId + "/checkpoints/details/" + id).path("tasks");
            tasks.fields()
                    .forEachRemaining(task -> out.append(' ')
                            .append(names.getOrDefault(task.getKey(), task.getKey()))
                            .append(' ')
                            .append(task.getValue()
                                    .path("num_acknowledged_subtasks")
                                    .asInt())
                            .append('/')
                            .append(task.getValue().path("num_subtasks").asInt())
                            .append(','));
            out.append('\n');
        }
        return out.length() == 0 ? "no checkpoint in progress" : out.toString();
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(rest.resolve(path))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                "GET " + path);
    }

    private JsonNode send(HttpRequest request, String what) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(what + " failed with HTTP " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
