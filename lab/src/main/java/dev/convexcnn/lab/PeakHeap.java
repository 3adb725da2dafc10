package dev.convexcnn.lab;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The memory a stretch of code needed, measured two ways:
 * <ul>
 *   <li>{@link #bytes()}: the peak heap after a garbage collection, the largest heap in use right after any
 *       collection since {@link #reset} (and after a final one). Garbage does not count, so it does not grow with
 *       -Xmx the way the pools' peaks do (a pool can fill with garbage before a collection); what is live before the
 *       run (the data sets) is included. A collection that never came would hide a peak between collections, so
 *       it is a lower bound of the heap needed; the smallest -Xmx that completes (bench/dccnn-memory.sh) is the
 *       upper one.</li>
 *   <li>{@link #rssBytes()}: the peak resident set of the process (VmHWM of /proc/self/status, reset by writing 5 to
 *       /proc/self/clear_refs), everything the JVM touched, native BLAS buffers included; -1 where there is no /proc.</li>
 * </ul>
 */
public final class PeakHeap {
    private PeakHeap() {}

    private static final AtomicLong PEAK = new AtomicLong();
    private static boolean listening;

    /** Collects garbage, then restarts both peaks at the current usage. */
    public static void reset() {
        listen();
        System.gc();
        PEAK.set(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (Exception e) {
            // No /proc, or not allowed: rssBytes() then reports the process's peak since it started.
        }
    }

    /** Bytes: the largest heap in use after a collection since the last reset, a final collection included. */
    public static long bytes() {
        System.gc();
        long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return Math.max(PEAK.get(), now);
    }

    /** Bytes: the peak resident set (VmHWM) since the last reset, or -1 when it cannot be read. */
    public static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    /** Listens to every collection once per JVM: the heap pools' usage after it. */
    private static synchronized void listen() {
        if (listening) return;
        listening = true;
        Set<String> heap = new HashSet<>();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) heap.add(p.getName());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!(gc instanceof NotificationEmitter emitter)) continue;
            emitter.addNotificationListener((n, handback) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) return;
                var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                long used = 0;
                for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                    if (heap.contains(e.getKey())) used += e.getValue().getUsed();
                }
                PEAK.accumulateAndGet(used, Math::max);
            }, null, null);
        }
    }
}
