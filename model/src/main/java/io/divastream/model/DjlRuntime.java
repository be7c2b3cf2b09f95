package io.divastream.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Starts DJL's PyTorch engine the way this project must always run it: offline, with no
 * telemetry, with autograd recording switched off outside gradient collectors, and with oneDNN kept off
 * the kernels that fail on CPUs reporting no cache sizes ({@link OneDnnCpuGuard}).
 *
 * <p>DJL contacts a cloud metadata address at start-up unless it runs offline; {@link #engine()}
 * sets {@code ai.djl.offline} before the engine starts, so every code path that touches DJL goes
 * through here first.
 */
public final class DjlRuntime {

    private DjlRuntime() {}

    /**
     * Held while parameters are drawn from PyTorch's process-wide random generator: a trainer seeds
     * it and initialises all its networks under this lock, and every network creation takes it, so
     * another network created at the same time in the JVM (an embedder in the same task manager)
     * cannot take draws out of the trainer's seeded sequence.
     */
    public static final Object INITIALISATION_LOCK = new Object();

    /**
     * Returns the PyTorch engine, starting it offline on first use.
     *
     * @return the engine
     */
    public static Engine engine() {
        OneDnnCpuGuard.apply();
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.telemetry.disabled", "true");
        Engine engine;
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (RuntimeException e) {
            throw explainNativeLibraryConflict(e);
        }
        NnpackSwitch.apply();
        return engine;
    }

    /**
     * Explains the failure a Flink task manager reports when a job loads DJL from its job jar after an
     * earlier job did: the JVM binds a native library to the first class loader that loads it, so the
     * later job's copy of DJL gets {@code UnsatisfiedLinkError: ... already loaded in another classloader}.
     * Other failures are returned unchanged.
     *
     * @param failure what starting the engine threw
     * @return an {@link IllegalStateException} naming the fix (with the failure as its cause), or the failure
     */
    static RuntimeException explainNativeLibraryConflict(RuntimeException failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnsatisfiedLinkError
                    && String.valueOf(t.getMessage()).contains("already loaded in another classloader")) {
                return new IllegalStateException(
                        "PyTorch's native library is already loaded in this JVM by another class loader (an earlier"
                                + " job on this task manager loaded DJL from its job jar): put the jars of"
                                + " jobs/target/djl-lib into Flink's lib/ and set classloader.parent-first-patterns.additional:"
                                + " ai.djl. (README, \"Running on a Flink cluster\"), or restart the task managers; "
                                + t.getMessage(),
                        failure);
            }
        }
        return failure;
    }

    /**
     * Sets how many threads libtorch's intra-op parallelism (OpenMP, oneDNN, MKL) may use for
     * operations called from the calling thread, and returns the count now in effect there.
     *
     * <p>libtorch keeps this count per calling thread: each thread reads a process-wide default once,
     * on its first parallel operation, and keeps its own count from then on (so this method first
     * makes the calling thread take the default, then overrides it). Setting it also changes that
     * process-wide default for threads that have not run a parallel operation yet, which is why
     * every operator of the job that runs PyTorch sets its own count when it opens rather than
     * relying on the default. On a machine whose cores the trainer shares with embedders and the
     * metrics scorer, giving those one thread each keeps their short operations from waking a team
     * of OpenMP threads that competes with the trainer's team for the same cores.
     *
     * @param threads the count, at least 1, or 0 for the number of processors the JVM sees ({@link
     *     Runtime#availableProcessors()})
     * @return the count in effect for the calling thread
     * @throws IllegalArgumentException if {@code threads} is negative
     */
    public static int useIntraOpThreads(int threads) {
        checkIntraOpThreads(threads);
        engine();
        int count = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        JniUtils.getNumThreads();
        JniUtils.setNumThreads(count);
        return JniUtils.getNumThreads();
    }

    /**
     * Checks an intra-op thread count as {@link #useIntraOpThreads} takes it, so that an operator can
     * refuse a bad count when it is built rather than when it opens.
     *
     * @param threads the count
     * @return the count
     * @throws IllegalArgumentException if {@code threads} is negative
     */
    public static int checkIntraOpThreads(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException(
                    "intra-op threads must be 0 (all processors) or positive, got " + threads);
        }
        return threads;
    }

    /**
     * Returns the number of intra-op threads libtorch uses for operations called from the calling
     * thread (see {@link #useIntraOpThreads}).
     *
     * @return the count
     */
    public static int intraOpThreads() {
        engine();
        return JniUtils.getNumThreads();
    }

    /**
     * Switches autograd recording off for the calling thread. PyTorch keeps this flag per thread,
     * so every thread that runs inference or in-place parameter updates calls this first.
     */
    public static void disableGradientRecording() {
        engine();
        JniUtils.setGradMode(false);
    }
}
