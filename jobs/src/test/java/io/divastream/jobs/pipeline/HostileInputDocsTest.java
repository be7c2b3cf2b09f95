package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.jobs.testing.HostileInputs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/operations.md has a row for every input of the hostile-input suite, with its outcome. */
class HostileInputDocsTest {

    @Test
    void everyHostileInputHasARowNamingItsReason() throws Exception {
        List<String> rows = Files.readAllLines(Path.of("..", "docs", "operations.md")).stream()
                .filter(line -> line.startsWith("| `"))
                .toList();
        for (HostileInputs.Input input :
                HostileInputs.all("t", "id", new byte[] {1}, "Korean/c1", "Korean/c2", "Greek/c1")) {
            assertThat(rows).as(input.name()).anySatisfy(row -> {
                assertThat(row).startsWith("| `" + input.name() + "`");
                assertThat(row).contains(input.reason() == null ? "embedded" : "`" + input.reason() + "`");
            });
        }
    }
}
