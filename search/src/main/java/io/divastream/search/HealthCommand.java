package io.divastream.search;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code health}: asks a running search service for its {@code /health} and exits 0 only if it answers 200 (UP or
 * DEGRADED); an empty index (EMPTY), a failed follower (DOWN) or no answer exit 1. For container health checks,
 * where the image has no HTTP client of its own.
 */
@Command(
        name = "health",
        mixinStandardHelpOptions = true,
        description = "Exit 0 if the search service at --url answers its /health with 200, 1 otherwise.")
public final class HealthCommand implements Callable<Integer> {

    @Option(
            names = "--url",
            defaultValue = "http://127.0.0.1:8080/health",
            description = "the service's health endpoint (default: ${DEFAULT-VALUE})")
    URI url;

    @Option(
            names = "--timeout",
            defaultValue = "5",
            description = "seconds to wait for the answer (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Override
    public Integer call() {
        Duration timeout = Duration.ofSeconds(Math.max(1, timeoutSeconds));
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        try {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(url).timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofString());
            String body = response.body().replace('\n', ' ');
            System.out.println(response.statusCode() + " " + body.substring(0, Math.min(body.length(), 300)));
            return response.statusCode() == 200 ? 0 : 1;
        } catch (java.io.IOException e) {
            System.out.println("no answer from " + url + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
