package dev.convexcnn.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The output files of a run, checked and locked before any work starts, so that no run is thrown away at its end:
 * two outputs that name one file are refused (a summary that would overwrite the model), every output must be
 * writable (a probe file written and removed in its folder), each is locked against a second writer for the whole run
 * ({@link FileLocks}), and temporary files a killed writer left next to it are removed. Nothing is created next to
 * the outputs, so a run refused later (bad data, say) leaves no trace.
 */
public final class OutputClaim implements AutoCloseable {
    /** One output: the flag that named it (for messages) and its path; a null path is skipped. */
    public record Output(String flag, Path path) {}

    private final List<FileLocks.Held> locks;

    private OutputClaim(List<FileLocks.Held> locks) {
        this.locks = locks;
    }

    /** Checks and locks the outputs; {@code log} hears about temporary files removed. */
    public static OutputClaim claim(List<Output> outputs, Consumer<String> log) throws IOException {
        Map<Path, Output> seen = new LinkedHashMap<>();
        for (Output o : outputs) {
            if (o.path() == null) continue;
            Path key = canonical(o.path());
            Output before = seen.putIfAbsent(key, o);
            if (before != null) {
                throw new IllegalArgumentException(before.flag() + " and " + o.flag() + " name the same file " + o.path()
                        + ": one would overwrite the other; give them different paths");
            }
        }
        for (Output o : seen.values()) checkWritable(o);
        List<FileLocks.Held> held = new ArrayList<>();
        try {
            for (Output o : seen.values()) {
                Path abs = o.path().toAbsolutePath();
                if (Files.isDirectory(abs.getParent())) {
                    for (Path p : AtomicFiles.removeStaleTemps(abs.getParent(), abs.getFileName().toString())) {
                        log.accept("removed " + p + ", left by an interrupted write");
                    }
                }
                try {
                    held.add(FileLocks.acquire(o.path(), "writing " + o.flag()));
                } catch (FileLocks.LockedException e) {
                    throw new FileLocks.LockedException(o.flag() + " " + e.getMessage());
                }
            }
        } catch (IOException | RuntimeException e) {
            held.forEach(FileLocks.Held::close);
            throw e;
        }
        return new OutputClaim(held);
    }

    /** The same file for two spellings: links resolved as far as the path exists. */
    static Path canonical(Path p) {
        return FileLocks.canonical(p);
    }

    /**
     * Fails with one line naming the flag and the path unless a file can be written there: a probe file is created and
     * removed in the output's folder, or in the nearest folder that exists when the output's is still to be created
     * (nothing is created for a run that may yet fail).
     */
    public static void checkWritable(Output o) throws IOException {
        Path abs = o.path().toAbsolutePath().normalize();
        String what = o.flag() + " " + o.path();
        if (Files.isDirectory(abs)) throw new IllegalArgumentException(what + " is a folder; give a file name");
        Path dir = abs.getParent();
        while (dir != null && !Files.exists(dir)) dir = dir.getParent();
        if (dir == null) throw new IOException(what + ": no folder of it exists");
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(what + ": " + dir + " is a file, not a folder");
        if (Files.exists(abs) && !Files.isWritable(abs)) throw new IOException(what + " is read-only: it cannot be replaced");
        Path probe = dir.resolve("." + abs.getFileName() + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        try {
            Files.newByteChannel(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        } catch (AccessDeniedException e) {
            throw new IOException(what + ": the folder " + dir + " is not writable (permission denied)");
        } catch (FileSystemException e) {
            throw new IOException(what + ": cannot write in " + dir + " (" + (e.getReason() != null ? e.getReason() : e.getMessage()) + ")");
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    @Override
    public void close() {
        locks.forEach(FileLocks.Held::close);
    }
}
