package dev.convexcnn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic writes, advisory locks and output claims: the defects of issue 20, each reproduced here first. */
class FileSafetyTest {
    @TempDir Path dir;

    private static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    @Test
    void writtenFilesGetTheUmasksModeNot0600() throws IOException {
        assumeTrue(posix(dir));
        Path plain = Files.createFile(dir.resolve("plain")); // 0666 less the umask
        Path written = dir.resolve("m.cnn");
        AtomicFiles.writeString(written, "x");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(written));
        // A replaced file keeps the mode it was given.
        Files.setPosixFilePermissions(written, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ));
        AtomicFiles.writeString(written, "y");
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ),
                Files.getPosixFilePermissions(written));
    }

    @Test
    void temporaryFilesOfKilledWritersAreRemovedNotOnesInProgress() throws IOException {
        Path old = Files.writeString(dir.resolve(".m.cnn.abc123.tmp"), "partial");
        Files.setLastModifiedTime(old, FileTime.from(AtomicFiles.PROCESS_START.minusSeconds(60)));
        Path current = Files.writeString(dir.resolve(".m.cnn.def456.tmp"), "being written now");
        Path other = Files.writeString(dir.resolve(".other.cnn.ghi789.tmp"), "another file's");
        Files.setLastModifiedTime(other, FileTime.from(AtomicFiles.PROCESS_START.minusSeconds(60)));
        AtomicFiles.writeString(dir.resolve("m.cnn"), "done");
        assertFalse(Files.exists(old), "left by a writer older than this process");
        assertTrue(Files.exists(current), "may belong to a writer running now");
        assertTrue(Files.exists(other), "belongs to another file");
    }

    @Test
    void writeErrorsNameTheTargetAndTheCauseNotTheTemporaryFile() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(file.resolve("m.cnn"), "x"));
        assertTrue(e.getMessage().contains("not-a-folder is a file, not a folder"), e.getMessage());
        // A writer failing mid-way (a PNG encoder on a full disk): the target and the root cause, the old file kept.
        Path png = Files.writeString(dir.resolve("plot.png"), "old");
        IOException f = assertThrows(IOException.class, () -> AtomicFiles.write(png, out -> {
            throw new javax.imageio.IIOException("I/O error writing PNG file!", new IOException("No space left on device"));
        }));
        assertTrue(f.getMessage().contains(png.toString()) && f.getMessage().contains("No space left on device")
                && f.getMessage().contains("previous file is unchanged") && !f.getMessage().contains(".tmp"), f.getMessage());
        assertEquals("old", Files.readString(png));
        Path sys = Path.of("/sys");
        if (Files.isDirectory(sys) && !Files.isWritable(sys.resolve("x")) ) {
            IOException g = assertThrows(IOException.class, () -> AtomicFiles.writeString(sys.resolve("m.cnn"), "x"));
            assertTrue(g.getMessage().contains("/sys/m.cnn") && !g.getMessage().contains(".tmp"), g.getMessage());
        }
    }

    @Test
    void aSecondWriterIsToldWhoHoldsTheLock() throws Exception {
        Path model = dir.resolve("same.cnn");
        Process holder = LockHolder.start(model);
        try {
            FileLocks.LockedException e = assertThrows(FileLocks.LockedException.class, () -> FileLocks.acquire(model, "writing"));
            assertTrue(e.getMessage().contains("pid " + holder.pid()) && e.getMessage().contains("lock-holder"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
        // Released when the holder ends: the lock can be taken, and taken again after release.
        try (FileLocks.Held h = FileLocks.acquire(model, "writing")) {
            assertThrows(FileLocks.LockedException.class, () -> FileLocks.acquire(model, "writing"), "twice in one process");
        }
        FileLocks.acquire(model, "writing").close();
    }

    @Test
    void aKilledHolderLeavesNoLock() throws Exception {
        Path model = dir.resolve("k.cnn");
        Process holder = LockHolder.start(model);
        holder.destroyForcibly().waitFor();
        FileLocks.acquire(model, "writing").close();
    }

    @Test
    void outputsThatNameOneFileAreRefusedBeforeAnyWork() throws IOException {
        Path m = dir.resolve("m.cnn");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutputClaim.claim(List.of(
                new OutputClaim.Output("-o", m), new OutputClaim.Output("--summary-json", dir.resolve("sub/../m.cnn"))), s -> { }));
        assertTrue(e.getMessage().contains("-o and --summary-json name the same file"), e.getMessage());
        Files.createDirectories(dir.resolve("real"));
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));
        e = assertThrows(IllegalArgumentException.class, () -> OutputClaim.claim(List.of(new OutputClaim.Output("-o", dir.resolve("real/m.cnn")),
                new OutputClaim.Output("--checkpoint", dir.resolve("link/m.cnn"))), s -> { }));
        assertTrue(e.getMessage().contains("-o and --checkpoint"), e.getMessage());
        try (OutputClaim c = OutputClaim.claim(List.of(new OutputClaim.Output("-o", m), new OutputClaim.Output("--summary-json", null)), s -> { })) {
            assertThrows(IOException.class, () -> OutputClaim.claim(List.of(new OutputClaim.Output("-o", m)), s -> { }));
        }
    }

    @Test
    void unwritableOutputsAreRefusedBeforeAnyWork() throws IOException {
        Files.writeString(dir.resolve("file"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OutputClaim.checkWritable(new OutputClaim.Output("-o", dir.resolve("file/sub/m.cnn"))));
        assertTrue(e.getMessage().contains("-o") && e.getMessage().contains("is a file, not a folder"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OutputClaim.checkWritable(new OutputClaim.Output("-o", dir)));
        assertTrue(e.getMessage().contains("is a folder"), e.getMessage());
        if (Files.isDirectory(Path.of("/sys"))) {
            IOException g = assertThrows(IOException.class, () -> OutputClaim.checkWritable(new OutputClaim.Output("-o", Path.of("/sys/m.cnn"))));
            assertTrue(g.getMessage().contains("not writable"), g.getMessage());
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("file"), s.map(p -> p.getFileName().toString()).toList(), "no probe left behind");
        }
    }

    @Test
    void aClaimLeavesNothingNextToTheOutputsNorCreatesTheirFolder() throws IOException {
        Path m = dir.resolve("runs/sub/m.cnn");
        try (OutputClaim c = OutputClaim.claim(List.of(new OutputClaim.Output("-o", m), new OutputClaim.Output("--checkpoint",
                dir.resolve("runs/sub/m.cnn.ckpt"))), s -> { })) {
            assertFalse(Files.exists(dir.resolve("runs")), "the folder is made by the write, not the claim");
            assertTrue(FileLocks.lockFileFor(m).startsWith(FileLocks.lockDir()), FileLocks.lockFileFor(m).toString());
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList());
        }
    }

    @Test
    void theClaimRemovesTemporaryFilesOfKilledWrites() throws IOException {
        Path old = Files.writeString(dir.resolve(".m.cnn.zz.tmp"), "partial");
        Files.setLastModifiedTime(old, FileTime.from(Instant.EPOCH));
        List<String> log = new java.util.ArrayList<>();
        OutputClaim.claim(List.of(new OutputClaim.Output("-o", dir.resolve("m.cnn"))), log::add).close();
        assertFalse(Files.exists(old));
        assertTrue(log.get(0).contains("interrupted write"), log.toString());
    }
}
