package io.divastream.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.search.http.ModelDirectory;
import io.divastream.search.http.SearchServer;
import io.divastream.search.index.VersionedIndex;
import io.divastream.search.testing.TestCatalogue;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The container health check: 0 for a service with a served index, 1 for an empty one or none. */
class HealthCommandTest {

    @TempDir
    Path models;

    private static int health(String url) {
        return new CommandLine(new HealthCommand()).execute("--url", url, "--timeout", "5");
    }

    @Test
    void aServingIndexIsHealthyAndAnEmptyOneIsNot() {
        TestCatalogue catalogue = TestCatalogue.create(models, 5);
        try (ModelDirectory directory = new ModelDirectory(models);
                SearchServer serving = new SearchServer(
                                catalogue.index(), directory, SearchServer.Limits.DEFAULT, Map::of)
                        .start("127.0.0.1", 0);
                SearchServer empty = new SearchServer(
                                VersionedIndex.exact(), directory, SearchServer.Limits.DEFAULT, Map::of)
                        .start("127.0.0.1", 0)) {
            assertThat(health("http://127.0.0.1:" + serving.port() + "/health")).isZero();
            assertThat(health("http://127.0.0.1:" + empty.port() + "/health")).isEqualTo(1);
        }
    }

    @Test
    void noServiceIsUnhealthy() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        assertThat(health("http://127.0.0.1:" + port + "/health")).isEqualTo(1);
    }
}
