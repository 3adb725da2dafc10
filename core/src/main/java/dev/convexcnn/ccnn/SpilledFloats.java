package dev.convexcnn.ccnn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A float array in a temporary file, read and written at positions (threads may read at once): the filter outputs
 * that do not fit their memory budget. The file is unlinked as soon as it is opened (DELETE_ON_CLOSE on POSIX), so
 * nothing is left behind by a killed run; its pages live in the operating system's cache while memory allows, not in
 * the process.
 */
final class SpilledFloats implements AutoCloseable {
    private static final ThreadLocal<ByteBuffer> BUFFERS = new ThreadLocal<>();

    private final FileChannel channel;
    private final Path dir;
    private final long length;

    private SpilledFloats(FileChannel channel, Path dir, long length) {
        this.channel = channel;
        this.dir = dir;
        this.length = length;
    }

    /** A new file of {@code length} floats (zeros) in dir. */
    static SpilledFloats create(Path dir, long length) {
        try {
            Files.createDirectories(dir);
            Path file = Files.createTempFile(dir, "convexcnn-filter-outputs-", ".f32");
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
            return new SpilledFloats(ch, dir, length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a file for the filter outputs in " + dir + ": " + e.getMessage(), e);
        }
    }

    long length() { return length; }

    /** Writes src[off..off+count) at float index at. */
    void write(long at, float[] src, int off, int count) {
        check(at, count);
        ByteBuffer b = buffer(count);
        b.asFloatBuffer().put(src, off, count);
        b.limit(count * Float.BYTES);
        try {
            long pos = at * Float.BYTES;
            while (b.hasRemaining()) pos += channel.write(b, pos);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the filter outputs to " + dir + " (disk full?): " + e.getMessage(), e);
        }
    }

    /** Reads count floats from float index at into dst[off..). */
    void read(long at, float[] dst, int off, int count) {
        check(at, count);
        ByteBuffer b = buffer(count);
        b.limit(count * Float.BYTES);
        try {
            long pos = at * Float.BYTES;
            while (b.hasRemaining()) {
                int got = channel.read(b, pos);
                if (got < 0) throw new IOException("unexpected end of file at byte " + pos);
                pos += got;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the filter outputs from " + dir + ": " + e.getMessage(), e);
        }
        b.flip();
        b.asFloatBuffer().get(dst, off, count);
    }

    private void check(long at, int count) {
        if (at < 0 || count < 0 || at + count > length) {
            throw new IndexOutOfBoundsException("floats " + at + ".." + (at + count) + " of " + length);
        }
    }

    /** This thread's direct buffer, cleared, with room for count floats. */
    private static ByteBuffer buffer(int count) {
        ByteBuffer b = BUFFERS.get();
        int bytes = Math.multiplyExact(count, Float.BYTES);
        if (b == null || b.capacity() < bytes) {
            b = ByteBuffer.allocateDirect(Math.max(bytes, 1 << 16)).order(ByteOrder.nativeOrder());
            BUFFERS.set(b);
        }
        b.clear();
        return b;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
