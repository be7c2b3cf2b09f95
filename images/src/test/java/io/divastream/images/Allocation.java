package io.divastream.images;

import java.lang.management.ManagementFactory;

/** Heap bytes a piece of code allocates on the calling thread (HotSpot's per-thread allocation counter). */
public final class Allocation {

    private Allocation() {}

    /**
     * Runs code and returns the bytes it allocated on this thread.
     *
     * @param code the code
     * @return the bytes allocated
     */
    public static long during(Runnable code) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        code.run();
        return threads.getThreadAllocatedBytes(id) - before;
    }
}
