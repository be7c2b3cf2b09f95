package io.divastream.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a Flink task manager sees when a second job brings its own copy of DJL: the engine, started in
 * this class loader, is started again from a second class loader over the same class path (as a job's
 * class loader over its job jar), and the JVM refuses the native library to it.
 */
class DjlRuntimeTest {

    @Test
    void aSecondClassLoaderGetsTheNativeLibraryConflictExplained() throws Exception {
        assertThat(DjlRuntime.engine().getEngineName()).isEqualTo("PyTorch");
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader job = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            // DJL finds its engine through the context class loader, as in a Flink task
            Thread.currentThread().setContextClassLoader(job);
            Class<?> runtime = Class.forName(DjlRuntime.class.getName(), true, job);
            assertThat(runtime).isNotSameAs(DjlRuntime.class);
            Throwable thrown = null;
            try {
                runtime.getMethod("engine").invoke(null);
            } catch (InvocationTargetException e) {
                thrown = e.getCause();
            }
            assertThat(thrown).isInstanceOf(IllegalStateException.class);
            assertThat(thrown.getMessage())
                    .contains("already loaded in this JVM by another class loader")
                    .contains("jobs/target/djl-lib")
                    .contains("classloader.parent-first-patterns.additional: ai.djl.")
                    .contains("already loaded in another classloader");
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Test
    void otherFailuresPassUnchanged() {
        RuntimeException other = new IllegalArgumentException("Deep learning engine not found: PyTorch");
        assertThat(DjlRuntime.explainNativeLibraryConflict(other)).isSameAs(other);
        RuntimeException wrapped = new RuntimeException(
                "Failed to load PyTorch native library",
                new UnsatisfiedLinkError("libtorch.so: cannot open shared object file"));
        assertThat(DjlRuntime.explainNativeLibraryConflict(wrapped)).isSameAs(wrapped);
    }
}
