package io.divastream.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FlinkProcessesTest {

    @Test
    void theClassPathIsFlinksJarsThenTheSharedLibraries() {
        FlinkSessionCluster.Config config = FlinkSessionCluster.Config.of(Path.of("lib"), Path.of("work"))
                .withSharedLibraries(Path.of("djl"), Path.of("more"));
        String[] entries = FlinkProcesses.classPath(config).split(File.pathSeparator);
        assertThat(entries)
                .containsExactly(
                        Path.of("lib").toAbsolutePath() + File.separator + "*",
                        Path.of("djl").toAbsolutePath() + File.separator + "*",
                        Path.of("more").toAbsolutePath() + File.separator + "*");
    }

    @Test
    void theMemoryCalculationsLastTwoResultsAreTheJvmOptionsAndTheDynamicProperties() throws IOException {
        String out = "some log line\nBASH_JAVA_UTILS_EXEC_RESULT:-Xmx1g\nnoise\n"
                + "BASH_JAVA_UTILS_EXEC_RESULT:-Xmx2g -Xms2g\nBASH_JAVA_UTILS_EXEC_RESULT:-D a=b -D c=d\n";
        assertThat(FlinkProcesses.memoryResults("GET_TM_RESOURCE_PARAMS", out))
                .containsExactly("-Xmx2g -Xms2g", "-D a=b -D c=d");
        assertThatThrownBy(
                        () -> FlinkProcesses.memoryResults("GET_JM_RESOURCE_PARAMS", "BASH_JAVA_UTILS_EXEC_RESULT:x"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("GET_JM_RESOURCE_PARAMS");
    }

    @Test
    void withoutProcessesAllAreAliveAndDestroyingIsANoOp() {
        FlinkProcesses none =
                new FlinkProcesses(FlinkSessionCluster.Config.of(Path.of("lib"), Path.of("work")), Path.of("conf"));
        assertThat(none.allAlive()).isTrue();
        none.destroyAll();
        assertThat(none.allAlive()).isTrue();
    }
}
