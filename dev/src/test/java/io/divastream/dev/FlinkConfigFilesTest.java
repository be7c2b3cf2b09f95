package io.divastream.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlinkConfigFilesTest {

    private static final FlinkSessionCluster.Config CONFIG =
            FlinkSessionCluster.Config.of(Path.of("lib"), Path.of("work")).withTaskManagers(3, 4);

    @Test
    void everyProcessIsBoundToTheHostWithTheConfiguredPortsMemoryAndSlots() {
        Map<String, String> e = FlinkConfigFiles.entries(CONFIG, "127.0.0.1", 8123, 6123, "tmp", 99);
        assertThat(e)
                .containsEntry("rest.port", "8123")
                .containsEntry("jobmanager.rpc.port", "6123")
                .containsEntry("jobmanager.rpc.address", "127.0.0.1")
                .containsEntry("taskmanager.host", "127.0.0.1")
                .containsEntry("taskmanager.numberOfTaskSlots", "4")
                .containsEntry("taskmanager.memory.process.size", "2304m")
                .containsEntry("jobmanager.memory.process.size", "1024m")
                .containsEntry("rest.server.max-content-length", "99")
                .containsEntry("io.tmp.dirs", "tmp")
                .doesNotContainKey(FlinkSessionCluster.PARENT_FIRST_PATTERNS);
        assertThat(e.keySet()).startsWith("jobmanager.rpc.address", "jobmanager.rpc.port");
    }

    @Test
    void sharedLibrariesLoadDjlParentFirstAndExtraEntriesOverrideLast() {
        FlinkSessionCluster.Config shared = CONFIG.withSharedLibraries(Path.of("djl"))
                .withExtraConfig(Map.of("rest.port", "9000", "state.backend.type", "rocksdb"));
        Map<String, String> e = FlinkConfigFiles.entries(shared, "127.0.0.1", 8123, 6123, "tmp", 99);
        assertThat(e)
                .containsEntry(FlinkSessionCluster.PARENT_FIRST_PATTERNS, FlinkSessionCluster.SHARED_PACKAGES)
                .containsEntry("rest.port", "9000")
                .containsEntry("state.backend.type", "rocksdb");
        List<String> keys = List.copyOf(e.keySet());
        assertThat(keys.get(keys.size() - 1)).isEqualTo("state.backend.type");
    }

    @Test
    void valuesAreQuotedOnlyWhenYamlNeedsIt() {
        assertThat(FlinkConfigFiles.quote("127.0.0.1")).isEqualTo("127.0.0.1");
        assertThat(FlinkConfigFiles.quote("file:///data/a-b_c")).isEqualTo("file:///data/a-b_c");
        assertThat(FlinkConfigFiles.quote("")).isEmpty();
        assertThat(FlinkConfigFiles.quote("a b")).isEqualTo("'a b'");
        assertThat(FlinkConfigFiles.quote("it's;x")).isEqualTo("'it''s;x'");
        assertThat(FlinkConfigFiles.yaml(Map.of("k", "v w"))).isEqualTo("# written by FlinkSessionCluster\nk: 'v w'\n");
    }

    @Test
    void eachProcessLogsToTheFileItIsGiven() {
        String log4j = FlinkConfigFiles.log4jProperties();
        assertThat(log4j)
                .contains("appender.main.fileName = ${sys:log.file}")
                .contains("logger.kafka.level = WARN")
                .endsWith("\n");
    }
}
