package dev.convexcnn.nn;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a network's time goes: thread-seconds per layer, forward and backward, summed over every thread and
 * replica (so on two training threads they add up to about twice the wall time). On with the system property
 * {@code convexcnn.layerTimes=true}; off, no clock is read. The SGD trainer prints and clears them after each epoch.
 */
public final class LayerTimes {
    /** Whether the layers are timed: read once, at start-up. */
    public static final boolean ON = Boolean.getBoolean("convexcnn.layerTimes");

    private static final Map<String, LongAdder> NANOS = new ConcurrentSkipListMap<>();

    private LayerTimes() {}

    static void add(String key, long nanos) {
        NANOS.computeIfAbsent(key, k -> new LongAdder()).add(nanos);
    }

    /** Forgets what was timed so far (e.g. the warm-up's passes before an epoch). */
    public static void clear() {
        NANOS.clear();
    }

    /** One line per timed step ("1.01 forward conv16k5" and so on, in execution order) with its thread-seconds; then cleared. */
    public static String drain() {
        StringBuilder b = new StringBuilder("thread-seconds per layer, all threads:");
        double total = 0;
        for (Map.Entry<String, LongAdder> e : NANOS.entrySet()) {
            double s = e.getValue().sumThenReset() / 1e9;
            total += s;
            b.append(String.format(Locale.ROOT, "%n  %-34s %8.3f", e.getKey(), s));
        }
        NANOS.clear();
        return b.append(String.format(Locale.ROOT, "%n  %-34s %8.3f", "total", total)).toString();
    }
}
