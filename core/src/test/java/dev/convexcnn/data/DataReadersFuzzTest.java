package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convexcnn.io.FileFaults;
import dev.convexcnn.io.FileFaults.Fault;
import dev.convexcnn.io.FileFaults.Kind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Damaged IDX and .npy (raw and gzipped), CIFAR-10 and digits CSV files. These formats carry no checksum (the data cache's
 * sha256 covers the fetched datasets), so the rule is: the reader refuses exactly the files that are not valid in the
 * format, with a *FormatException naming the damaged file, and reads every valid one as the values it holds, which a
 * small reference decoder here works out independently.
 */
class DataReadersFuzzTest {
    private static final Path DIR = FileFaults.tempDir("data-fuzz");
    private static final byte[] IMAGES, LABELS, CIFAR, CSV;

    static {
        try {
            IMAGES = TestData.idxImages(5, 4, 3, TestData.ramp(60));
            LABELS = TestData.idxLabels((byte) 0, (byte) 9, (byte) 3, (byte) 1, (byte) 7);
            CIFAR = new byte[3 * Cifar10Reader.RECORD_BYTES];
            for (int i = 0; i < CIFAR.length; i++) CIFAR[i] = (byte) (i * 7);
            for (int r = 0; r < 3; r++) CIFAR[r * Cifar10Reader.RECORD_BYTES] = (byte) (r * 4);
            StringBuilder csv = new StringBuilder("# digits\n");
            for (int r = 0; r < 4; r++) {
                for (int j = 0; j < 64; j++) csv.append((r * 5 + j) % 17).append(',');
                csv.append(r * 2).append('\n');
            }
            CSV = csv.toString().getBytes(StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Provide Arbitrary<Fault> byteFaults() { return FileFaults.faults(Kind.TRUNCATE, Kind.FLIP); }

    /** The reader must agree with the reference: same dataset, or a refusal naming the damaged file. */
    private static void agree(Path damaged, Dataset want, ReaderCall read) {
        Dataset got;
        try {
            got = read.call();
        } catch (Exception e) {
            if (want != null) fail("a valid file was refused: " + e.getMessage(), e);
            FileFaults.assertRefusal(damaged, e);
            return;
        }
        if (want == null) fail(damaged.getFileName() + " is not valid in its format but was read: " + got);
        assertEquals(want.size(), got.size());
        assertEquals(want.height(), got.height());
        assertEquals(want.width(), got.width());
        assertArrayEquals(want.pixels(), got.pixels());
        assertArrayEquals(want.labels(), got.labels());
    }

    interface ReaderCall { Dataset call() throws Exception; }

    // ---- IDX ----

    @Property(tries = 400)
    void idxFiles(@ForAll("byteFaults") Fault f, @ForAll boolean damageLabels, @ForAll boolean gzip) throws IOException {
        byte[] im = IMAGES, lb = LABELS;
        if (gzip) {
            im = TestData.gzip(im);
            lb = TestData.gzip(lb);
        }
        if (damageLabels) lb = FileFaults.damageBytes(lb, f); else im = FileFaults.damageBytes(im, f);
        Path ip = Files.write(DIR.resolve("images.idx"), im), lp = Files.write(DIR.resolve("labels.idx"), lb);
        agree(damageLabels ? lp : ip, idxReference(im, lb), () -> IdxReader.read(ip, lp, "fuzz", 10));
    }

    private static Dataset idxReference(byte[] imFile, byte[] lbFile) {
        byte[] im = inflateIfGzip(imFile), lb = inflateIfGzip(lbFile);
        if (im == null || lb == null) return null;
        int[] id = idxDims(im, IdxReader.IMAGE_MAGIC, 3), ld = idxDims(lb, IdxReader.LABEL_MAGIC, 1);
        if (id == null || ld == null || id[0] != ld[0] || id[1] <= 0 || id[2] <= 0) return null;
        int n = id[0];
        float[] px = new float[n * id[1] * id[2]];
        for (int i = 0; i < px.length; i++) px[i] = (im[16 + i] & 0xff) / 255f;
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = lb[8 + i] & 0xff;
            if (y[i] >= 10) return null;
        }
        return new Dataset("ref", id[1], id[2], 1, 10, px, y);
    }

    private static int[] idxDims(byte[] b, int magic, int nd) {
        if (b.length < 4 + 4 * nd || ByteBuffer.wrap(b).getInt() != magic) return null;
        int[] d = new int[nd];
        long total = 1;
        for (int i = 0; i < nd; i++) {
            d[i] = ByteBuffer.wrap(b, 4 + 4 * i, 4).getInt();
            if (d[i] < 0) return null;
            total *= d[i];
        }
        return b.length - 4 - 4L * nd == total ? d : null;
    }

    /** The bytes, inflated when they start with the gzip magic; null when the gzip stream is damaged. */
    private static byte[] inflateIfGzip(byte[] b) {
        if (b.length < 2 || (b[0] & 0xff) != 0x1f || (b[1] & 0xff) != 0x8b) return b;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }

    // ---- .npy ----

    /** A 4 × 3 × 3 uint8 image array and its int64 labels, raw .npy bytes. */
    private static byte[] npy(String descr, String shape, byte[] data) {
        String h = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }\n";
        byte[] head = h.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + head.length + data.length);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) head.length, 0}).put(head).put(data);
        return b.array();
    }

    /**
     * Damaged .npy files, raw or gzipped (no reference decoder for the header dictionary here): the reader either
     * refuses naming the damaged file or returns a well-formed dataset; never another exception or an allocation
     * of what a damaged header declares.
     */
    @Property(tries = 400)
    void npyFiles(@ForAll("byteFaults") Fault f, @ForAll boolean damageLabels, @ForAll boolean gzip) throws IOException {
        ByteBuffer labels = ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long v : new long[] {0, 9, 3, 1}) labels.putLong(v);
        byte[] x = npy("|u1", "4, 3, 3", TestData.ramp(36)), y = npy("<i8", "4,", labels.array());
        if (gzip) {
            x = TestData.gzip(x);
            y = TestData.gzip(y);
        }
        if (damageLabels) y = FileFaults.damageBytes(y, f); else x = FileFaults.damageBytes(x, f);
        Path xp = Files.write(DIR.resolve("x.npy"), x), yp = Files.write(DIR.resolve("y.npy"), y);
        Dataset got;
        try {
            got = NpyReader.read(xp, yp, "fuzz", 10);
        } catch (Exception e) {
            FileFaults.assertRefusal(damageLabels ? yp : xp, e);
            return;
        }
        assertEquals(got.size() * got.height() * got.width() * got.channels(), got.pixels().length);
        assertEquals(got.size(), got.labels().length);
        for (float v : got.pixels()) if (!(v >= 0 && v <= 1)) fail("pixel " + v + " outside [0, 1]");
        for (int v : got.labels()) if (v < 0 || v >= got.classes()) fail("label " + v + " outside 0.." + (got.classes() - 1));
    }

    // ---- CIFAR-10 ----

    @Property(tries = 300)
    void cifarBatches(@ForAll("byteFaults") Fault f) throws IOException {
        byte[] b = FileFaults.damageBytes(CIFAR, f);
        Path p = Files.write(DIR.resolve("data_batch_1.bin"), b);
        Dataset want = null;
        if (b.length > 0 && b.length % Cifar10Reader.RECORD_BYTES == 0) {
            int n = b.length / Cifar10Reader.RECORD_BYTES;
            float[] px = new float[n * 3072];
            int[] y = new int[n];
            boolean ok = true;
            for (int r = 0; r < n; r++) {
                int off = r * Cifar10Reader.RECORD_BYTES;
                y[r] = b[off] & 0xff;
                ok &= y[r] < 10;
                for (int c = 0; c < 3; c++) {
                    for (int q = 0; q < 1024; q++) px[r * 3072 + q * 3 + c] = (b[off + 1 + c * 1024 + q] & 0xff) / 255f;
                }
            }
            if (ok) want = new Dataset("ref", 32, 32, 3, 10, px, y);
        }
        agree(p, want, () -> Cifar10Reader.read(List.of(p), "fuzz"));
    }

    // ---- digits CSV ----

    @Property(tries = 400)
    void digitsCsv(@ForAll("byteFaults") Fault f, @ForAll boolean gzip, @ForAll boolean bom) throws IOException {
        byte[] text = CSV;
        if (bom) {
            byte[] t = new byte[text.length + 3];
            t[0] = (byte) 0xef;
            t[1] = (byte) 0xbb;
            t[2] = (byte) 0xbf;
            System.arraycopy(text, 0, t, 3, text.length);
            text = t;
        }
        byte[] b = FileFaults.damageBytes(gzip ? TestData.gzip(text) : text, f);
        Path p = Files.write(DIR.resolve("digits.csv"), b);
        agree(p, csvReference(b), () -> DigitsCsvReader.read(p, "fuzz"));
    }

    private static Dataset csvReference(byte[] file) {
        byte[] raw = inflateIfGzip(file);
        if (raw == null) return null;
        String s = new String(raw, StandardCharsets.UTF_8);
        if (s.startsWith("\uFEFF")) s = s.substring(1);
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String line : s.split("\r\n|\r|\n", -1)) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            String[] f = t.split(",", -1);
            if (f.length != 65) return null;
            float[] px = new float[64];
            for (int j = 0; j <= 64; j++) {
                double v;
                try {
                    v = Double.parseDouble(f[j].strip());
                } catch (NumberFormatException e) {
                    return null;
                }
                if (!Double.isFinite(v)) return null;
                if (j < 64) {
                    if (v < 0 || v > 16) return null;
                    px[j] = (float) (v / 16);
                } else {
                    if (v < 0 || v >= 10 || v != Math.rint(v)) return null;
                    labels.add((int) v);
                }
            }
            rows.add(px);
        }
        if (rows.isEmpty()) return null;
        float[] all = new float[rows.size() * 64];
        for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, all, i * 64, 64);
        return new Dataset("ref", 8, 8, 1, 10, all, labels.stream().mapToInt(Integer::intValue).toArray());
    }
}
