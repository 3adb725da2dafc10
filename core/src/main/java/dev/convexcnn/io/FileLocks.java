package dev.convexcnn.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Advisory locks that keep two writers of one output apart (two {@code train -o same.cnn}, two {@code compare} in one
 * folder): {@link FileChannel#tryLock} on a lock file that also holds who took it (pid, start time, command), so the
 * second writer is told who holds it instead of waiting or overwriting. The lock files live in one folder of the user's
 * cache ({@value #ENV}, else {@code ~/.cache/convexcnn/locks}), named after a hash of the output's real path, so
 * output folders get no extra files and a failed run leaves nothing next to its outputs. The operating system
 * releases a lock when its process dies, so a killed run never blocks the next one. A lock file stays (emptied) after
 * release: removing it would let a third process lock a new file while a second still locks the removed one. Within
 * one process a lock file is opened once only, since closing any descriptor of a file drops the process's POSIX locks
 * on it.
 */
public final class FileLocks {
    private static final Map<Path, Held> HELD = new ConcurrentHashMap<>();
    private static volatile String command = ProcessHandle.current().info().commandLine().orElse("java");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private FileLocks() {}

    /** What this process is, as the lock file shows it to another writer (the command line sets it). */
    public static void setCommand(String c) {
        command = c.replaceAll("\\s+", " ");
    }

    /** Another process (or this one) holds the lock of a file this one needs. */
    public static final class LockedException extends IOException {
        private static final long serialVersionUID = 1L;

        LockedException(String message) { super(message); }
    }

    /** A held lock; {@link #close} releases it and removes the lock file. */
    public static final class Held implements AutoCloseable {
        private final Path target, lockFile;
        private final FileChannel channel;
        private final FileLock lock;

        private Held(Path target, Path lockFile, FileChannel channel, FileLock lock) {
            this.target = target;
            this.lockFile = lockFile;
            this.channel = channel;
            this.lock = lock;
        }

        public Path lockFile() { return lockFile; }

        public Path target() { return target; }

        @Override
        public void close() {
            if (!HELD.remove(target, this)) return;
            try {
                // Cleared through this channel only: opening the file through another one would drop the lock (POSIX).
                channel.truncate(0);
            } catch (IOException e) {
                // stale text is only shown while the lock is held, so it never misleads
            }
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                // closing the channel releases the lock in any case
            }
        }
    }

    /** Environment variable naming the folder of lock files. */
    public static final String ENV = "CONVEXCNN_LOCKS";

    /** The folder of lock files: {@value #ENV}, else the system property convexcnn.locks, else ~/.cache/convexcnn/locks. */
    public static Path lockDir() {
        String d = System.getenv(ENV);
        if (d == null || d.isBlank()) d = System.getProperty("convexcnn.locks");
        if (d != null && !d.isBlank()) return Path.of(d.strip());
        return Path.of(System.getProperty("user.home"), ".cache", "convexcnn", "locks");
    }

    /** The lock file of a target: a hash of its real path (links resolved as far as the path exists). */
    public static Path lockFileFor(Path target) {
        String key = canonical(target).toString();
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return lockDir().resolve(java.util.HexFormat.of().formatHex(h, 0, 16) + ".lock");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The same path for every spelling of one file: the real path of the part that exists, then the rest. */
    static Path canonical(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path rest = null;
        for (Path d = abs; d != null; d = d.getParent()) {
            try {
                Path real = d.toRealPath();
                return rest == null ? real : real.resolve(rest);
            } catch (IOException e) {
                Path name = d.getFileName();
                if (name == null) break;
                rest = rest == null ? name : name.resolve(rest);
            }
        }
        return abs;
    }

    /**
     * Takes the lock of {@code target} for {@code purpose} ("writing the model", "running a comparison in it"), or fails
     * at once with one line that names the holder.
     *
     * @throws LockedException when another process, or this one, holds it
     */
    public static Held acquire(Path target, String purpose) throws IOException {
        Path key = canonical(target);
        Held mine = HELD.get(key);
        if (mine != null) throw new LockedException(key + " is already in use by this process (" + purpose + " twice)");
        Path lockFile = lockFileFor(key);
        try {
            Files.createDirectories(lockFile.getParent());
        } catch (IOException e) {
            throw new IOException("cannot create the folder of lock files " + lockFile.getParent() + " (" + e.getMessage()
                    + "); point " + ENV + " at a writable folder", e);
        }
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            ch.close();
            throw new LockedException(key + " is already in use by this process (" + purpose + " twice)");
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            String holder = readQuietly(lockFile);
            if (holder != null && holder.contains("\n")) holder = holder.substring(0, holder.indexOf('\n'));
            throw new LockedException(key + " is in use by another process" + (holder == null || holder.isBlank() ? ""
                    : " (" + holder + ")") + ": wait for it to finish, or choose another path");
        }
        try {
            String who = "pid " + ProcessHandle.current().pid() + ", since " + TIME.format(Instant.now()) + ", " + command
                    + "\n" + key;
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((who + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
        } catch (IOException e) {
            // the lock holds without the note of who holds it
        }
        Held h = new Held(key, lockFile, ch, lock);
        HELD.put(key, h);
        return h;
    }

    private static String readQuietly(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }
}
