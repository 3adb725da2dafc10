package dev.convexcnn.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipException;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST: an image file (magic 2051, then the count, rows and
 * columns as big-endian ints, then one unsigned byte per pixel) and a label file (magic 2049, the count,
 * then one byte per label). Either file may be raw or gzipped; gzip is recognised by its magic bytes, not
 * by the file name.
 */
public final class IdxReader {
    /** Magic number of an IDX file of unsigned bytes with three dimensions (images). */
    public static final int IMAGE_MAGIC = 0x00000803;
    /** Magic number of an IDX file of unsigned bytes with one dimension (labels). */
    public static final int LABEL_MAGIC = 0x00000801;

    private IdxReader() {}

    /**
     * Reads an image file and its label file into a dataset of {@code rows × cols × 1} images with pixels
     * scaled to [0, 1].
     *
     * @param classes number of classes; every label must lie in 0..classes-1
     * @throws DataFormatException when a file is missing, has the wrong magic number, is truncated or has
     *     trailing bytes, when the image and label counts differ, or when a label is out of range
     */
    public static Dataset read(Path images, Path labels, String name, int classes) throws IOException {
        return read(images, labels, name, classes, null);
    }

    /**
     * Like {@link #read(Path, Path, String, int)}, holding only the samples that {@code rows} selects (all when
     * null), in file order. Both files are still read to the end and checked as a whole (size, trailing bytes,
     * every label), so a selection never hides a damaged file; only the selected images become floats.
     */
    public static Dataset read(Path images, Path labels, String name, int classes, RowSelection rows)
            throws IOException {
        if (classes <= 0 || classes > 256) {
            throw new IllegalArgumentException("classes must be in 1..256 for byte labels, got " + classes);
        }
        Idx im = readIdx(images, IMAGE_MAGIC, "image", rows == null ? ALL_ROWS : rows);
        Idx lb = readIdx(labels, LABEL_MAGIC, "label", null);
        int n = im.dims[0];
        if (lb.dims[0] != n) {
            throw new DataFormatException(images, "holds " + n + " images but the label file " + labels + " holds "
                    + lb.dims[0] + " labels");
        }
        if (im.dims[1] <= 0 || im.dims[2] <= 0) {
            throw new DataFormatException(images, "image size " + im.dims[1] + "×" + im.dims[2] + " is empty");
        }
        for (int i = 0; i < n; i++) {
            int v = lb.data[i] & 0xff;
            if (v >= classes) {
                throw new DataFormatException(labels, "label " + v + " of sample " + i + " is outside 0.."
                        + (classes - 1));
            }
        }
        int[] keep = im.kept;
        int[] y = new int[keep == null ? n : keep.length];
        for (int i = 0; i < y.length; i++) y[i] = lb.data[keep == null ? i : keep[i]] & 0xff;
        return new Dataset(name, im.dims[1], im.dims[2], 1, classes, im.floats, y);
    }

    /** Every sample, for {@link #readIdx}'s float path. */
    private static final RowSelection ALL_ROWS = total -> null;

    /** The largest label in an IDX label file, or -1 when it holds none. */
    public static int maxLabel(Path labels) throws IOException {
        Idx lb = readIdx(labels, LABEL_MAGIC, "label", null);
        int max = -1;
        for (byte b : lb.data) max = Math.max(max, b & 0xff);
        return max;
    }

    /** The header dimensions and the payload, as bytes or (scaled to [0, 1]) as floats of the samples kept (null: all). */
    private record Idx(int[] dims, byte[] data, float[] floats, int[] kept) {}

    private static final int CHUNK = 1 << 20;

    /**
     * The header and the payload: as bytes when {@code rows} is null, else as floats in [0, 1] of the samples
     * (first-dimension slices) that {@code rows} selects ({@link #ALL_ROWS}: every one), read a chunk at a time.
     */
    private static Idx readIdx(Path file, int expectedMagic, String what, RowSelection rows) throws IOException {
        DataFiles.requireFile(file, "IDX " + what + " file");
        boolean gz = DataFiles.isGzip(file);
        int nd = expectedMagic & 0xff;
        try (InputStream stream = DataFiles.open(file)) {
            DataInputStream in = new DataInputStream(stream);
            int magic;
            try {
                magic = in.readInt();
            } catch (EOFException e) {
                throw new DataFormatException(file, "truncated: shorter than the 4-byte IDX magic number");
            }
            if (magic != expectedMagic) throw wrongMagic(file, magic, expectedMagic, what);
            int[] dims = new int[nd];
            long total = 1;
            for (int d = 0; d < nd; d++) {
                try {
                    dims[d] = in.readInt();
                } catch (EOFException e) {
                    throw new DataFormatException(file, "truncated: the header ends before dimension " + (d + 1)
                            + " of " + nd);
                }
                if (dims[d] < 0) {
                    throw new DataFormatException(file, "dimension " + (d + 1) + " in the header is negative ("
                            + dims[d] + ")");
                }
                total *= dims[d];
                // Checked per dimension: the product of three ints can pass Long.MAX_VALUE and wrap to a negative
                // size (found by the fuzz test on a damaged gzip header); one step from ≤ 2³¹ stays below 2⁶².
                if (total > Integer.MAX_VALUE - 8) {
                    throw new DataFormatException(file, "the header declares " + describe(Arrays.copyOf(dims, d + 1))
                            + (d + 1 < nd ? " and more" : "") + " (" + total + " bytes or more), more than one Java array can hold");
                }
            }
            if (!gz) {
                // Raw file: compare with the file size before allocating, so a bad header cannot ask for 2 GB.
                long follow = Files.size(file) - 4L - 4L * nd;
                if (follow < total) throw truncated(file, dims, total, follow);
                if (follow > total) {
                    throw new DataFormatException(file, (follow - total) + " bytes follow the " + describe(dims)
                            + " that the header declares: not a single IDX " + what + " file");
                }
            }
            Idx out;
            if (rows == null) {
                // readNBytes grows in chunks, so a lying header in a short gzip file does not allocate it all.
                byte[] data = in.readNBytes((int) total);
                if (data.length < total) throw truncated(file, dims, total, data.length);
                out = new Idx(dims, data, null, null);
            } else {
                int[] keep = rows == ALL_ROWS ? null : RowSelection.checked(rows, dims[0]);
                long trusted = DataFiles.trustedPayload(file, 4L + 4L * nd, total);
                out = new Idx(dims, null, floatsOf(in, file, dims, total, keep, trusted), keep);
            }
            if (gz && in.read() != -1) {
                throw new DataFormatException(file, "more data follows the " + describe(dims)
                        + " that the header declares: not a single IDX " + what + " file");
            }
            return out;
        } catch (EOFException e) {
            throw new DataFormatException(file, "truncated: the data ends early" + (gz ? " (gzip stream)" : ""), e);
        } catch (ZipException e) {
            throw new DataFormatException(file, "corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The kept samples' bytes (all when {@code keep} is null) as floats, straight from the stream a chunk at a
     * time: no payload-sized byte array, and the skipped samples are read (to check the file) but not held.
     * The output is sized for the first {@code trusted} payload bytes and grows as data actually arrives, so a
     * gzip header that lies about its size is refused as truncated instead of allocating what it declares.
     */
    private static float[] floatsOf(DataInputStream in, Path file, int[] dims, long total, int[] keep, long trusted)
            throws IOException {
        boolean all = keep == null;
        int count = dims[0];
        int per = count == 0 ? 0 : (int) (total / count);
        int kept = all ? count : keep.length;
        if (per == 0) return new float[0];
        int chunkRows = Math.max(1, CHUNK / per);
        long trustedRows = Math.max(chunkRows, trusted / per);
        float[] out = new float[Math.multiplyExact((int) Math.min(kept, trustedRows), per)];
        byte[] buf = new byte[(int) Math.min((long) chunkRows * per, total)];
        int next = 0; // position in keep
        for (int row = 0; row < count; ) {
            int rowsNow = Math.min(chunkRows, count - row);
            int bytes = rowsNow * per;
            int got = in.readNBytes(buf, 0, bytes);
            if (got < bytes) throw truncated(file, dims, total, (long) row * per + got);
            if (all) {
                out = withRoom(out, (row + rowsNow) * per, kept * per);
                toUnit(buf, 0, bytes, out, row * per);
            } else {
                while (next < keep.length && keep[next] < row + rowsNow) {
                    out = withRoom(out, (next + 1) * per, kept * per);
                    toUnit(buf, (keep[next] - row) * per, per, out, next * per);
                    next++;
                }
            }
            row += rowsNow;
        }
        return out;
    }

    /** {@code a}, or a longer copy ({@link DataFiles#grownLength}) when it is shorter than {@code need}. */
    private static float[] withRoom(float[] a, int need, int cap) {
        return need <= a.length ? a : Arrays.copyOf(a, DataFiles.grownLength(a.length, need, cap));
    }

    private static void toUnit(byte[] src, int from, int n, float[] dst, int off) {
        float[] table = DataFiles.BYTE_TO_UNIT;
        for (int i = 0; i < n; i++) dst[off + i] = table[src[from + i] & 0xff];
    }

    private static DataFormatException wrongMagic(Path file, int found, int expected, String what) {
        String msg = "wrong magic number " + found + " (0x" + String.format("%08x", found) + "), expected "
                + expected + " for an IDX " + what + " file";
        if (found == LABEL_MAGIC) msg += "; this is a label file: are the image and label paths swapped?";
        if (found == IMAGE_MAGIC) msg += "; this is an image file: are the image and label paths swapped?";
        return new DataFormatException(file, msg);
    }

    private static DataFormatException truncated(Path file, int[] dims, long expected, long found) {
        return new DataFormatException(file, "truncated: the header declares " + describe(dims) + " (" + expected
                + " bytes) but only " + found + " bytes follow");
    }

    private static String describe(int[] dims) {
        if (dims.length == 3) return dims[0] + " images of " + dims[1] + "×" + dims[2];
        if (dims.length == 1) return dims[0] + " labels";
        StringBuilder sb = new StringBuilder();
        for (int d : dims) sb.append(sb.length() == 0 ? "" : "×").append(d);
        return "an array of " + sb;
    }
}
