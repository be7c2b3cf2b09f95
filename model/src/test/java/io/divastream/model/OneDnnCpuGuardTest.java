package io.divastream.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the oneDNN limit is set: only on Linux, only without cache topology, never over the operator's value. */
class OneDnnCpuGuardTest {

    @TempDir
    Path dir;

    private final Map<String, String> set = new HashMap<>();

    private boolean decide(Map<String, String> env, boolean linux, boolean caches) throws Exception {
        Path cpuinfo = dir.resolve("cpuinfo");
        Path cache = dir.resolve("cache");
        if (linux) {
            Files.writeString(cpuinfo, "processor : 0\n");
        }
        if (caches) {
            Files.createDirectories(cache);
        }
        return OneDnnCpuGuard.decide(env::get, cpuinfo, cache, set::put);
    }

    @Test
    void aLinuxCpuWithoutCacheTopologyGetsTheLimit() throws Exception {
        assertThat(decide(Map.of(), true, false)).isTrue();
        assertThat(set).containsExactly(Map.entry("ONEDNN_MAX_CPU_ISA", "AVX"));
    }

    @Test
    void aCpuThatReportsItsCachesIsLeftAlone() throws Exception {
        assertThat(decide(Map.of(), true, true)).isFalse();
        assertThat(set).isEmpty();
    }

    @Test
    void theOperatorsSettingWins() throws Exception {
        assertThat(decide(Map.of("ONEDNN_MAX_CPU_ISA", "ALL"), true, false)).isFalse();
        assertThat(decide(Map.of("DNNL_MAX_CPU_ISA", "AVX2"), true, false)).isFalse();
        assertThat(set).isEmpty();
    }

    @Test
    void anotherOperatingSystemIsLeftAlone() throws Exception {
        assertThat(decide(Map.of(), false, false)).isFalse();
        assertThat(set).isEmpty();
    }

    /** On this machine the engine runs with the limit exactly when the CPU reports no caches. */
    @Test
    void theEngineStartsWithTheLimitWhereCachesAreUnknown() {
        DjlRuntime.engine();
        boolean unknown = Files.exists(Path.of("/proc/cpuinfo"))
                && !Files.isDirectory(Path.of("/sys/devices/system/cpu/cpu0/cache"));
        if (unknown && System.getenv("ONEDNN_MAX_CPU_ISA") == null && System.getenv("DNNL_MAX_CPU_ISA") == null) {
            assertThat(CLib.INSTANCE.getenv("ONEDNN_MAX_CPU_ISA")).isEqualTo("AVX");
        }
    }

    /** libc's getenv, which sees what setenv did (Java's System.getenv is a copy taken at start-up). */
    private interface CLib extends com.sun.jna.Library {
        CLib INSTANCE = com.sun.jna.Native.load("c", CLib.class);

        String getenv(String name);
    }
}
