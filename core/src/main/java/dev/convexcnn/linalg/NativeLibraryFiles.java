package dev.convexcnn.linalg;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The JNI libraries dev.ludovic.netlib 3.2.0 extracts: each JVM copies {@code libnetlibblasjni*.so} and
 * {@code libnetliblapackjni*.so} into java.io.tmpdir ({@code Files.createTempFile}, removed only at a normal exit;
 * the library has no setting for the folder or for reusing a copy), so every killed JVM left them behind. On Linux a
 * loaded library keeps working once its file is unlinked, so the copies are removed right after loading, and copies
 * older than this process (left by killed JVMs) are swept. Elsewhere nothing is removed.
 */
final class NativeLibraryFiles {
    private NativeLibraryFiles() {}

    /** Removes this process's loaded copies and older leftovers; returns what was removed. */
    static List<Path> tidy() {
        List<Path> removed = new ArrayList<>();
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) return removed;
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Instant start;
        try {
            start = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
        } catch (RuntimeException | LinkageError e) {
            return removed;
        }
        List<Path> mine = mappedCopies(tmp);
        java.nio.file.attribute.UserPrincipal me;
        try {
            me = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
        } catch (IOException | RuntimeException e) {
            me = null;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(tmp, "libnetlib*jni*.so")) {
            for (Path p : s) {
                try {
                    boolean loadedHere = mine.contains(p);
                    // Another user's leftovers are theirs to remove.
                    boolean stale = me != null && Files.getLastModifiedTime(p).toInstant().isBefore(start) && me.equals(Files.getOwner(p));
                    if (loadedHere || stale) {
                        Files.deleteIfExists(p);
                        removed.add(p);
                    }
                } catch (IOException | RuntimeException e) {
                    // another user's file, or gone already
                }
            }
        } catch (IOException | RuntimeException e) {
            // no temporary folder to tidy
        }
        return removed;
    }

    /** The netlib JNI copies in {@code tmp} that this process has mapped (read from /proc/self/maps). */
    private static List<Path> mappedCopies(Path tmp) {
        List<Path> out = new ArrayList<>();
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            lines.map(l -> l.substring(l.lastIndexOf(' ') + 1).replace(" (deleted)", ""))
                    .filter(p -> p.contains("libnetlib") && p.endsWith(".so"))
                    .map(Path::of).filter(p -> tmp.equals(p.getParent())).distinct().forEach(out::add);
        } catch (IOException | RuntimeException e) {
            // not Linux after all
        }
        return out;
    }
}
