package dev.convexcnn.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either the old content or the complete new content, never a part: the
 * bytes go to a temporary file {@code .NAME.<random>.tmp} in the same folder, are forced to disk, and the file is
 * renamed over the target. The new file gets the mode the umask gives (or the replaced file's mode), not the 0600
 * of a JDK temporary file. Temporary files that killed writers left, older than this process, are removed on the
 * next write of the same file. Errors name the target, not the temporary file.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    public interface Writer { void write(OutputStream out) throws IOException; }

    /**
     * Writes target atomically in the layout of the project's binary files: magic, the header's length (4 bytes),
     * the CRC-32 of those and the header (4 bytes), the header, then what data writes.
     */
    static void writeFramed(Path target, byte[] magic, byte[] header, Writer data) throws IOException {
        byte[] prefix = java.nio.ByteBuffer.allocate(magic.length + 4).put(magic).putInt(header.length).array();
        java.util.zip.CRC32 headCrc = new java.util.zip.CRC32();
        headCrc.update(prefix);
        headCrc.update(header);
        write(target, out -> {
            out.write(prefix);
            out.write(java.nio.ByteBuffer.allocate(4).putInt((int) headCrc.getValue()).array());
            out.write(header);
            data.write(out);
        });
    }

    /** When this JVM started: temporary files older than that belong to writers that are gone. */
    public static final Instant PROCESS_START = processStart();

    private static Instant processStart() {
        try {
            return Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
        } catch (RuntimeException | LinkageError e) {
            return ProcessHandle.current().info().startInstant().orElse(Instant.now());
        }
    }

    public static void write(Path target, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        String name = abs.getFileName().toString();
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot write " + abs + ": " + e.getFile() + " is a file, not a folder");
        } catch (AccessDeniedException e) {
            throw new IOException("cannot write " + abs + ": cannot create the folder " + e.getFile() + " (permission denied)");
        }
        if (Files.isDirectory(abs)) throw new IOException("cannot write " + abs + ": it is a folder");
        if (Files.exists(abs) && !Files.isWritable(abs)) throw new IOException("cannot write " + abs + ": the file is read-only");
        removeStaleTemps(dir, name);
        Path tmp = dir.resolve("." + name + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        FileChannel ch;
        try {
            // Created like any new file (mode 0666 less the umask), unlike Files.createTempFile's 0600.
            ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            throw new IOException("cannot write " + abs + ": the folder " + dir + " is not writable (permission denied)");
        } catch (FileSystemException e) {
            throw new IOException("cannot write " + abs + ": " + reason(e), e);
        }
        boolean done = false;
        try {
            try (ch) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                writer.write(out);
                out.flush();
                ch.force(true);
            }
            keepMode(abs, tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } catch (IOException e) {
            String m = e.getMessage() != null && e.getMessage().contains(abs.toString()) ? e.getMessage()
                    : "cannot write " + abs + ": " + reason(e) + (Files.exists(abs) ? "; the previous file is unchanged" : "");
            throw new IOException(m, e);
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** A replaced file keeps its mode (a model made group-readable stays so). */
    private static void keepMode(Path target, Path tmp) {
        try {
            if (!Files.exists(target) || Files.getFileAttributeView(target, PosixFileAttributeView.class) == null) return;
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(target);
            Files.setPosixFilePermissions(tmp, p);
        } catch (IOException | UnsupportedOperationException e) {
            // the umask's mode stays
        }
    }

    /** Removes {@code .NAME.*.tmp} files in {@code dir} last modified before this process started; returns them. */
    public static List<Path> removeStaleTemps(Path dir, String name) {
        List<Path> removed = new ArrayList<>();
        String prefix = "." + name + ".";
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(".tmp") && n.length() > prefix.length() + 4;
        })) {
            for (Path p : s) {
                try {
                    if (Files.isRegularFile(p) && Files.getLastModifiedTime(p).toInstant().isBefore(PROCESS_START)) {
                        Files.deleteIfExists(p);
                        removed.add(p);
                    }
                } catch (IOException e) {
                    // another process's file, or gone already
                }
            }
        } catch (IOException e) {
            // an unreadable folder: the write itself will say so
        }
        return removed;
    }

    /** "No space left on device" rather than the JDK's "path: No space left on device". */
    private static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        String m = e.getMessage() != null ? e.getMessage() : e.toString();
        // A wrapper's message ("I/O error writing PNG file!") hides the cause's ("No space left on device").
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root != e && root.getMessage() != null && !m.contains(root.getMessage())) {
            m += " (" + (root instanceof FileSystemException f && f.getReason() != null ? f.getReason() : root.getMessage()) + ")";
        }
        return m;
    }
}
