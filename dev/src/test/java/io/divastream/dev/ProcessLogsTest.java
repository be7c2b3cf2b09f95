package io.divastream.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessLogsTest {

    @TempDir
    Path dir;

    @Test
    void errorLinesComeFileByFileInNameOrderUpToTheLimit() throws IOException {
        Files.writeString(
                dir.resolve("taskmanager-0.log"), "INFO fine\nERROR one\nWARN x\njava.lang.IllegalStateException\n");
        Files.writeString(dir.resolve("jobmanager.log"), "ERROR zero\nINFO fine\n");
        ProcessLogs logs = new ProcessLogs(dir);
        assertThat(logs.files())
                .extracting(p -> p.getFileName().toString())
                .containsExactly("jobmanager.log", "taskmanager-0.log");
        assertThat(logs.errorLines(10))
                .isEqualTo(
                        "jobmanager.log: ERROR zero\ntaskmanager-0.log: ERROR one\ntaskmanager-0.log: java.lang.IllegalStateException\n");
        assertThat(logs.errorLines(2)).isEqualTo("jobmanager.log: ERROR zero\ntaskmanager-0.log: ERROR one\n");
        assertThat(logs.lines(l -> l.startsWith("WARN"), 5)).isEqualTo("taskmanager-0.log: WARN x\n");
        assertThat(logs.lines(l -> true, 0)).isEmpty();
    }
}
