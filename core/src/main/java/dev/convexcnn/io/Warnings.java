package dev.convexcnn.io;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Notes for the user that are not errors (a file in an old format whose header is not protected by a checksum),
 * each said once per process. The command line points the sink at its error stream; the default is System.err.
 */
public final class Warnings {
    private static volatile Consumer<String> sink = System.err::println;
    private static final Set<String> SAID = ConcurrentHashMap.newKeySet();

    private Warnings() {}

    /** Where notes go from now on; forgets which were said. */
    public static void setSink(Consumer<String> s) {
        sink = s == null ? System.err::println : s;
        SAID.clear();
    }

    /** Says {@code note} unless it was said already. */
    public static void note(String note) {
        if (SAID.add(note)) sink.accept("note: " + note);
    }
}
