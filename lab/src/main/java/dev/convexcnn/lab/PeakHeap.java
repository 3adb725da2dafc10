package dev.convexcnn.lab;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * The peak heap in use over a stretch of code: the sum of the heap pools' peaks since {@link #reset}. It counts
 * everything live in the JVM, so the data sets loaded before the run are included, and a pool's peak can be
 * reached before a collection frees garbage: an upper bound on what the method needs, not an exact figure.
 */
public final class PeakHeap {
    private PeakHeap() {}

    /** Collects garbage, then restarts the peaks at the current usage. */
    public static void reset() {
        System.gc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid()) p.resetPeakUsage();
        }
    }

    /** Bytes: the sum over heap pools of their peak usage since the last reset. */
    public static long bytes() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid() && p.getPeakUsage() != null) sum += p.getPeakUsage().getUsed();
        }
        return sum;
    }
}
