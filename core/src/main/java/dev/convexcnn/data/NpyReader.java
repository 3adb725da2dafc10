package dev.convexcnn.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipException;

/**
 * Reads images and labels from two NumPy {@code .npy} files (format versions 1 to 3, C order), as written by
 * {@code numpy.save}:
 * <ul>
 *   <li>images X of shape (N, H, W) (grey), (N, H, W, C) (channels last), (N, C, H, W) with C = 1 or 3 and a last
 *       dimension that is not (channels first, as PyTorch keeps them; transposed on load), or (N, D) with D a
 *       square number (grey) or three times one (RGB, channels last); dtype uint8 (0..255), another integer type
 *       or float32/float64, with values 0..255 (divided by 255) or, when none is above 1, 0..1;
 *   <li>labels Y of shape (N) or (N, 1), any integer dtype, or floats holding whole numbers; 0, 1, ….
 * </ul>
 * Either file may be gzipped (recognised by its magic bytes).
 */
public final class NpyReader {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final int CHUNK = 1 << 16;

    private NpyReader() {}

    /**
     * The header of one array.
     *
     * @param order '&lt;' little-endian, '&gt;' big-endian or '|' (one byte, no order)
     * @param kind 'u' unsigned, 'i' signed integer, 'f' float, 'b' boolean
     * @param dataOffset bytes before the first value (magic, version, length and the header dictionary)
     */
    record Header(char order, char kind, int itemSize, long[] shape, long dataOffset) {
        /** The number of values, Long.MAX_VALUE when the shape's product overflows. */
        long count() {
            long c = 1;
            for (long s : shape) {
                if (s != 0 && c > Long.MAX_VALUE / s) return Long.MAX_VALUE;
                c *= s;
            }
            return c;
        }

        /** The payload's bytes, Long.MAX_VALUE when they overflow. */
        long bytes() {
            long c = count();
            return c > Long.MAX_VALUE / itemSize ? Long.MAX_VALUE : c * itemSize;
        }

        String describe() {
            StringBuilder b = new StringBuilder("(");
            for (int i = 0; i < shape.length; i++) b.append(i > 0 ? ", " : "").append(shape[i]);
            return b.append(shape.length == 1 ? ",)" : ")").append(" ").append(kind).append(itemSize * 8).toString();
        }
    }

    /**
     * Reads the images X and labels Y into one dataset.
     *
     * @param minClasses the dataset has at least this many classes (e.g. the labels of the test part);
     *     otherwise the largest label + 1
     * @throws DataFormatException naming the file: not a .npy file, an unsupported dtype or shape, Fortran order,
     *     truncated or trailing data, X and Y with different N, a negative or fractional label, a pixel value out
     *     of range
     */
    public static Dataset read(Path images, Path labels, String name, int minClasses) throws IOException {
        int[] y = labels(labels);
        DataFiles.requireFile(images, "npy image file");
        try (InputStream in = DataFiles.open(images)) {
            Header h = header(images, in);
            long[] s = h.shape();
            if (s.length < 2 || s.length > 4) {
                throw new DataFormatException(images, "shape " + h.describe() + ": expected images of shape (N, H, W),"
                        + " (N, H, W, C), (N, C, H, W) or (N, D)");
            }
            if (s[0] != y.length) {
                throw new DataFormatException(images, "holds " + s[0] + " images but the label file " + labels
                        + " holds " + y.length + " labels");
            }
            int height, width, channels;
            boolean channelsFirst = false;
            if (s.length == 2) {
                int[] shape = PixelRows.squareShape(s[1], images, "shape " + h.describe() + ": ");
                height = shape[0];
                width = shape[1];
                channels = shape[2];
            } else if (s.length == 3) {
                height = dim(s[1], images, h);
                width = dim(s[2], images, h);
                channels = 1;
            } else if ((s[1] == 1 || s[1] == 3) && s[3] != 1 && s[3] != 3) {
                channelsFirst = true;
                channels = (int) s[1];
                height = dim(s[2], images, h);
                width = dim(s[3], images, h);
            } else {
                height = dim(s[1], images, h);
                width = dim(s[2], images, h);
                channels = dim(s[3], images, h);
            }
            long total = h.count();
            if (total > Integer.MAX_VALUE - 8) {
                throw new DataFormatException(images, "shape " + h.describe() + " holds " + total
                        + " values, more than one Java array can hold");
            }
            if (h.kind() == 'b') throw new DataFormatException(images, "dtype bool is not an image; save uint8 or float");
            float[] px = values(images, in, h, (int) total);
            float max = 0;
            for (float v : px) if (v > max) max = v;
            if (in.read() != -1) {
                throw new DataFormatException(images, "more data follows the " + total + " values of shape "
                        + h.describe() + ": not a single .npy array");
            }
            for (float v : px) {
                if (!(v >= 0)) {
                    throw new DataFormatException(images, "pixel value " + v + " is negative or not a number;"
                            + " pixels must be 0..255 or 0..1");
                }
            }
            if (h.kind() == 'u' && h.itemSize() == 1) {
                for (int i = 0; i < px.length; i++) px[i] = DataFiles.BYTE_TO_UNIT[(int) px[i]];
            } else {
                PixelRows.toUnit(px, px.length, max, images);
            }
            if (channelsFirst) px = toChannelsLast(px, y.length, channels, height, width);
            int classes = Math.max(minClasses, PixelRows.classesFor(maxOf(y), labels));
            return new Dataset(name, height, width, channels, classes, px, y);
        } catch (EOFException e) {
            throw new DataFormatException(images, "truncated: the data ends early", e);
        } catch (ZipException e) {
            throw new DataFormatException(images, "corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    /** The largest label in the label file, or -1 when it is empty. */
    public static int maxLabel(Path labels) throws IOException {
        return maxOf(labels(labels));
    }

    private static int maxOf(int[] y) {
        int m = -1;
        for (int v : y) m = Math.max(m, v);
        return m;
    }

    /** The label file as ints, every one a whole number ≥ 0. */
    static int[] labels(Path file) throws IOException {
        DataFiles.requireFile(file, "npy label file");
        try (InputStream in = DataFiles.open(file)) {
            Header h = header(file, in);
            long[] s = h.shape();
            if (!(s.length == 1 || (s.length == 2 && s[1] == 1))) {
                throw new DataFormatException(file, "shape " + h.describe() + ": expected labels of shape (N,) or (N, 1)");
            }
            if (s[0] > Integer.MAX_VALUE - 8) throw new DataFormatException(file, "too many labels: " + s[0]);
            if (h.kind() == 'b') throw new DataFormatException(file, "dtype bool: save the labels as integers 0, 1, …");
            int n = (int) s[0];
            double[] raw = readDoubles(file, in, h, n);
            if (in.read() != -1) {
                throw new DataFormatException(file, "more data follows the " + n + " labels: not a single .npy array");
            }
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                double v = raw[i];
                if (!(v >= 0 && v == Math.rint(v) && v < CsvImageReader.MAX_CLASSES)) {
                    throw new DataFormatException(file, "label " + v + " of sample " + i + " is not a whole number in 0.."
                            + (CsvImageReader.MAX_CLASSES - 1));
                }
                y[i] = (int) v;
            }
            return y;
        } catch (EOFException e) {
            throw new DataFormatException(file, "truncated: the data ends early", e);
        } catch (ZipException e) {
            throw new DataFormatException(file, "corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static int dim(long d, Path file, Header h) throws DataFormatException {
        if (d <= 0 || d > 1 << 16) {
            throw new DataFormatException(file, "shape " + h.describe() + ": image dimension " + d + " is out of range");
        }
        return (int) d;
    }

    /** Reads and checks the magic, version and header dictionary; leaves the stream at the first value. */
    static Header header(Path file, InputStream in) throws IOException {
        byte[] pre = in.readNBytes(8);
        if (pre.length < 8 || !Arrays.equals(Arrays.copyOf(pre, 6), MAGIC)) {
            throw new DataFormatException(file, "not a .npy file (it does not start with \\x93NUMPY)"
                    + (pre.length >= 2 && pre[0] == 'P' && pre[1] == 'K' ? "; this looks like a .npz archive: save each"
                    + " array with numpy.save" : ""));
        }
        int major = pre[6];
        if (major < 1 || major > 3) throw new DataFormatException(file, ".npy format version " + major + " is not supported");
        long headerLength;
        if (major == 1) {
            byte[] b = in.readNBytes(2);
            if (b.length < 2) throw new DataFormatException(file, "truncated in the header");
            headerLength = (b[0] & 0xff) | (b[1] & 0xff) << 8;
        } else {
            byte[] b = in.readNBytes(4);
            if (b.length < 4) throw new DataFormatException(file, "truncated in the header");
            headerLength = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        }
        if (headerLength > 1 << 20) throw new DataFormatException(file, "header of " + headerLength + " bytes is not plausible");
        byte[] hb = in.readNBytes((int) headerLength);
        if (hb.length < headerLength) throw new DataFormatException(file, "truncated in the header");
        String dict = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(dict);
        Matcher f = FORTRAN.matcher(dict);
        Matcher s = SHAPE.matcher(dict);
        if (!d.find() || !f.find() || !s.find()) {
            throw new DataFormatException(file, "header " + dict.strip() + " lacks a plain 'descr', 'fortran_order' or"
                    + " 'shape': not a plain numeric array");
        }
        String descr = d.group(1);
        if (descr.length() < 3 || "<>|=".indexOf(descr.charAt(0)) < 0 || "uifb".indexOf(descr.charAt(1)) < 0) {
            throw new DataFormatException(file, "dtype '" + descr + "' is not supported; use uint8, an integer type,"
                    + " float32 or float64");
        }
        int size;
        try {
            size = Integer.parseInt(descr.substring(2));
        } catch (NumberFormatException e) {
            size = -1;
        }
        char kind = descr.charAt(1);
        boolean ok = switch (kind) {
            case 'u', 'i' -> size == 1 || size == 2 || size == 4 || size == 8;
            case 'f' -> size == 4 || size == 8;
            default -> size == 1;
        };
        if (!ok) {
            throw new DataFormatException(file, "dtype '" + descr + "' is not supported; use uint8, an integer type,"
                    + " float32 or float64");
        }
        if (f.group(1).equals("True")) {
            throw new DataFormatException(file, "is in Fortran (column-major) order; save numpy.ascontiguousarray(x)"
                    + " instead");
        }
        String[] parts = s.group(1).split(",");
        long[] shape = Arrays.stream(parts).map(String::strip).filter(p -> !p.isEmpty()).mapToLong(p -> {
            try {
                return Long.parseLong(p);
            } catch (NumberFormatException e) {
                return -1;
            }
        }).toArray();
        for (long v : shape) {
            if (v < 0) throw new DataFormatException(file, "shape (" + s.group(1) + ") in the header is not valid");
        }
        char order = descr.charAt(0) == '=' ? (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? '<' : '>')
                : descr.charAt(0);
        Header h = new Header(order, kind, size, shape, 8 + (major == 1 ? 2 : 4) + headerLength);
        if (!DataFiles.isGzip(file)) {
            long follow = Files.size(file) - h.dataOffset();
            long want = h.bytes();
            if (follow < want) {
                throw new DataFormatException(file, "truncated: shape " + h.describe() + " needs " + want
                        + " bytes of data but only " + follow + " follow the header");
            }
        }
        return h;
    }

    /**
     * The first n values as floats. The array is sized for what the file can be trusted to hold
     * ({@link DataFiles#trustedPayload}) and grows as values arrive, so a gzip header that lies about its shape is
     * refused as truncated instead of allocating what it declares.
     */
    private static float[] values(Path file, InputStream in, Header h, int n) throws IOException {
        ByteOrder bo = h.order() == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        int size = h.itemSize();
        float[] out = new float[startLength(file, h, n)];
        byte[] buf = new byte[CHUNK * size];
        for (int done = 0; done < n; ) {
            int k = Math.min(CHUNK, n - done);
            if (in.readNBytes(buf, 0, k * size) < k * size) throw new EOFException();
            if (done + k > out.length) out = Arrays.copyOf(out, DataFiles.grownLength(out.length, done + k, n));
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, k * size).order(bo);
            for (int i = 0; i < k; i++) out[done + i] = (float) element(bb, h.kind(), size, i * size);
            done += k;
        }
        return out;
    }

    /** The first n values as doubles, sized and grown as in {@link #values}. */
    private static double[] readDoubles(Path file, InputStream in, Header h, int n) throws IOException {
        ByteOrder bo = h.order() == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        int size = h.itemSize();
        double[] out = new double[startLength(file, h, n)];
        byte[] buf = new byte[CHUNK * size];
        for (int done = 0; done < n; ) {
            int k = Math.min(CHUNK, n - done);
            if (in.readNBytes(buf, 0, k * size) < k * size) throw new EOFException();
            if (done + k > out.length) out = Arrays.copyOf(out, DataFiles.grownLength(out.length, done + k, n));
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, k * size).order(bo);
            for (int i = 0; i < k; i++) out[done + i] = element(bb, h.kind(), size, i * size);
            done += k;
        }
        return out;
    }

    /** Values to allocate before reading: all n when the file is trusted to hold them, at least one chunk. */
    private static int startLength(Path file, Header h, int n) throws IOException {
        long trusted = DataFiles.trustedPayload(file, h.dataOffset(), h.bytes()) / h.itemSize();
        return (int) Math.min(n, Math.max(CHUNK, trusted));
    }


    private static double element(ByteBuffer b, char kind, int size, int at) {
        return switch (kind) {
            case 'f' -> size == 4 ? b.getFloat(at) : b.getDouble(at);
            case 'u' -> switch (size) {
                case 1 -> b.get(at) & 0xff;
                case 2 -> b.getShort(at) & 0xffff;
                case 4 -> b.getInt(at) & 0xffffffffL;
                default -> {
                    long v = b.getLong(at);
                    yield v >= 0 ? v : Double.POSITIVE_INFINITY;   // above 2^63: out of range either way
                }
            };
            case 'i' -> switch (size) {
                case 1 -> b.get(at);
                case 2 -> b.getShort(at);
                case 4 -> b.getInt(at);
                default -> b.getLong(at);
            };
            default -> b.get(at);
        };
    }

    private static float[] toChannelsLast(float[] px, int n, int c, int h, int w) {
        float[] out = new float[px.length];
        int plane = h * w;
        for (int s = 0; s < n; s++) {
            int base = s * c * plane;
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < plane; p++) out[base + p * c + ch] = px[base + ch * plane + p];
            }
        }
        return out;
    }
}
