package io.divastream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link DjlRuntime#useIntraOpThreads}: each thread keeps its own libtorch intra-op thread count, and
 * the count decides where the work runs. With one thread, the CPU time the process spends on a run of
 * matrix products is the calling thread's own; with two, OpenMP's helper thread does a large part of
 * it. One thread setting 1 must not change another thread's 2 (a trainer and an embedder in one task
 * manager).
 */
class IntraOpThreadsTest {

    /** CPU time of the calling thread and of the whole process over one run of products. */
    private record CpuSplit(int threads, long threadNanos, long processNanos) {
        double ownShare() {
            return (double) threadNanos / processNanos;
        }
    }

    private static CpuSplit measure() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (NDManager manager = NDManager.newBaseManager(DjlRuntime.engine().defaultDevice(), "PyTorch")) {
            NDArray a = manager.randomUniform(0, 1, new Shape(512, 512));
            for (int i = 0; i < 5; i++) { // warm-up: first calls allocate and pick kernels
                try (NDArray c = a.matMul(a)) {
                    c.sum().getFloat();
                }
            }
            long process = os.getProcessCpuTime();
            long own = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < 80; i++) {
                try (NDArray c = a.matMul(a);
                        NDArray s = c.sum()) {
                    s.getFloat();
                }
            }
            return new CpuSplit(
                    DjlRuntime.intraOpThreads(),
                    threads.getCurrentThreadCpuTime() - own,
                    os.getProcessCpuTime() - process);
        }
    }

    @Test
    void eachThreadKeepsItsOwnCountAndOneThreadDoesTheWorkItself() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs two processors");
        CountDownLatch twoSet = new CountDownLatch(1);
        CountDownLatch oneSet = new CountDownLatch(1);
        AtomicReference<CpuSplit> two = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread trainerLike = new Thread(() -> {
            try {
                assertThat(DjlRuntime.useIntraOpThreads(2)).isEqualTo(2);
                twoSet.countDown();
                oneSet.await(); // the other thread has set 1 since, which must not reach this one
                two.set(measure());
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        trainerLike.start();
        twoSet.await();
        AtomicReference<CpuSplit> one = new AtomicReference<>();
        Thread embedderLike = new Thread(() -> {
            try {
                assertThat(DjlRuntime.useIntraOpThreads(1)).isEqualTo(1);
                oneSet.countDown();
                trainerLike.join();
                one.set(measure());
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        embedderLike.start();
        embedderLike.join();
        assertThat(failure.get()).isNull();

        assertThat(two.get().threads()).isEqualTo(2);
        assertThat(one.get().threads()).isEqualTo(1);
        // measured: about 0.52 with two threads, 0.97 to 0.99 with one (the rest: JIT, GC, Kafka-free JVM)
        assertThat(two.get().ownShare())
                .as("share of the CPU time on the calling thread, 2 threads: %s", two.get())
                .isLessThan(0.75);
        assertThat(one.get().ownShare())
                .as("share of the CPU time on the calling thread, 1 thread: %s", one.get())
                .isGreaterThan(0.85);
    }

    @Test
    void zeroMeansEveryProcessorAndNegativeIsRefused() throws Exception {
        AtomicReference<Integer> count = new AtomicReference<>();
        Thread t = new Thread(() -> count.set(DjlRuntime.useIntraOpThreads(0)));
        t.start();
        t.join();
        assertThat(count.get()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThatThrownBy(() -> DjlRuntime.useIntraOpThreads(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got -1");
    }
}
