package dev.convexcnn.linalg;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** netlib's JNI copies left in the temporary folder by killed JVMs are swept; copies of running JVMs are kept. */
class NativeLibraryFilesTest {
    @TempDir Path tmp;

    @Test
    void leftoversOfKilledJvmsAreRemoved() throws Exception {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"));
        Path stale = Files.writeString(tmp.resolve("libnetlibblasjni123.so"), "old");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.EPOCH));
        Path fresh = Files.writeString(tmp.resolve("libnetliblapackjni456.so"), "a JVM started after this one");
        Path other = Files.writeString(tmp.resolve("libsomethingelse.so"), "not netlib's");
        Files.setLastModifiedTime(other, FileTime.from(Instant.EPOCH));
        String saved = System.getProperty("java.io.tmpdir");
        try {
            System.setProperty("java.io.tmpdir", tmp.toString());
            NativeLibraryFiles.tidy();
        } finally {
            System.setProperty("java.io.tmpdir", saved);
        }
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh));
        assertTrue(Files.exists(other));
    }

    @Test
    void thisProcessLeavesNoCopyBehind() throws Exception {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"));
        Backend.get(); // loads (and, when native, unlinks) the JNI libraries
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            lines.filter(l -> l.contains("libnetlib") && l.contains(tmp.toString())).forEach(l ->
                    assertTrue(l.endsWith("(deleted)"), "still on disk: " + l));
        }
    }
}
