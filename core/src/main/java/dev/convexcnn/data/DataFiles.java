package dev.convexcnn.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/** File helpers shared by the readers and the fetcher. */
final class DataFiles {
    static final int BUFFER = 1 << 16;

    /** Byte value → float in [0, 1]; a table is faster than dividing 47 million times and gives the same floats. */
    static final float[] BYTE_TO_UNIT = new float[256];

    static {
        for (int i = 0; i < 256; i++) BYTE_TO_UNIT[i] = i / 255f;
    }

    private DataFiles() {}

    /** Fails with a message naming the path when it is not a readable regular file. */
    static void requireFile(Path file, String what) throws DataFormatException {
        if (Files.isDirectory(file)) throw new DataFormatException(file, "is a folder, expected " + what);
        if (!Files.isRegularFile(file)) throw new DataFormatException(file, what + " not found");
        if (!Files.isReadable(file)) throw new DataFormatException(file, what + " is not readable");
    }

    /** Whether the file starts with the gzip magic bytes 0x1f 0x8b (the extension is not trusted). */
    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** Deflate's largest expansion: at most 1,032 output bytes per input byte. */
    private static final long DEFLATE_MAX_RATIO = 1032;

    /**
     * How many of the {@code payload} bytes that a header declares after its first {@code headerBytes} bytes a
     * reader may allocate for before reading them. A raw file's size was checked against the header, so all of
     * them; a gzip file's only when its trailer's size (ISIZE: the inflated length mod 2³²) agrees with the header,
     * and never more than deflate's largest ratio lets the file hold; else 0. Only a pre-size: a reader grows its
     * output as data arrives, so a damaged header is refused as truncated instead of allocating what it declares,
     * and a file of several gzip members (whose trailer gives the last one's size) still reads in full.
     */
    static long trustedPayload(Path file, long headerBytes, long payload) throws IOException {
        if (!isGzip(file)) return payload;
        long size = Files.size(file);
        if (size < 18) return 0; // shorter than gzip's own header and trailer
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            ByteBuffer tail = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            ch.position(size - 4);
            while (tail.hasRemaining() && ch.read(tail) >= 0) {}
            if (tail.hasRemaining()) return 0;
            long isize = tail.getInt(0) & 0xffffffffL;
            boolean agrees = payload <= Long.MAX_VALUE - headerBytes && ((headerBytes + payload) & 0xffffffffL) == isize;
            return agrees ? Math.min(payload, DEFLATE_MAX_RATIO * size) : 0;
        }
    }

    /** The next length of an output array that must hold {@code need} values: doubling, at least need, at most cap. */
    static int grownLength(int length, int need, int cap) {
        return (int) Math.min(cap, Math.max(need, 2L * length));
    }

    /** Opens a file for buffered reading, decompressing it when it is gzipped. */
    static InputStream open(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        try {
            in.mark(2);
            boolean gz = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            return gz ? new BufferedInputStream(new GZIPInputStream(in, BUFFER), BUFFER) : in;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Lower-case hex sha256 of everything left in the stream. */
    static String sha256(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[BUFFER];
        for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        return HexFormat.of().formatHex(md.digest());
    }

    /** sha256 of the file's bytes as stored. */
    static String sha256OfFile(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        }
    }

    /** {sha256 of the stored bytes, sha256 of the contents (after gunzip when gzipped)}, in one pass. */
    static String[] sha256StoredAndContent(Path file) throws IOException {
        MessageDigest stored = sha256();
        try (InputStream raw = new java.security.DigestInputStream(new BufferedInputStream(Files.newInputStream(file), BUFFER), stored)) {
            BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
            in.mark(2);
            boolean gz = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            String content = sha256(gz ? new GZIPInputStream(in, BUFFER) : in);
            // Whatever follows a gzip member still counts as stored bytes.
            byte[] rest = new byte[BUFFER];
            while (raw.read(rest) > 0) {
                // digesting
            }
            return new String[] {HexFormat.of().formatHex(stored.digest()), content};
        }
    }

    /** sha256 of the file's contents, after gunzip when it is gzipped. */
    static String sha256OfContent(Path file) throws IOException {
        try (InputStream in = open(file)) {
            return sha256(in);
        }
    }

    /** Deletes a file or a folder tree without following links; a missing path is fine. */
    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) throw e;
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
