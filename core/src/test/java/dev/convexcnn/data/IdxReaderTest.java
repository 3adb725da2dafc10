package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir Path dir;

    private Path images(String name, byte[] data) throws Exception {
        return TestData.write(dir.resolve(name), data);
    }

    private static void assertMessage(DataFormatException e, Path file, String... parts) {
        String m = e.getMessage();
        assertTrue(m.contains(file.getFileName().toString()), () -> "no file name in: " + m);
        for (String p : parts) assertTrue(m.contains(p), () -> "'" + p + "' missing from: " + m);
    }

    @Test
    void readsRawFiles() throws Exception {
        Path im = images("im", TestData.idxImages(3, 2, 2, TestData.ramp(12)));
        Path lb = images("lb", TestData.idxLabels((byte) 1, (byte) 0, (byte) 2));
        Dataset d = IdxReader.read(im, lb, "tiny", 3);
        assertEquals("tiny", d.name());
        assertEquals(3, d.size());
        assertEquals(2, d.height());
        assertEquals(2, d.width());
        assertEquals(1, d.channels());
        assertArrayEquals(new int[] {1, 0, 2}, d.labels());
        for (int i = 0; i < 12; i++) assertEquals(i / 255f, d.pixels()[i]);
    }

    @Test
    void fullRangeOfBytesMapsToUnitInterval() throws Exception {
        Path im = images("im", TestData.idxImages(1, 16, 16, TestData.ramp(256)));
        Path lb = images("lb", TestData.idxLabels((byte) 0));
        float[] px = IdxReader.read(im, lb, "t", 1).pixels();
        assertEquals(0f, px[0]);
        assertEquals(1f, px[255]);
        assertEquals(128 / 255f, px[128]);
    }

    @Test
    void detectsGzipByMagicNotByName() throws Exception {
        byte[] raw = TestData.idxImages(2, 3, 1, TestData.ramp(6));
        Path gzNoExt = images("images-no-extension", TestData.gzip(raw));
        Path lbGz = images("labels.gz", TestData.gzip(TestData.idxLabels((byte) 4, (byte) 9)));
        Dataset d = IdxReader.read(gzNoExt, lbGz, "gz", 10);
        assertArrayEquals(new int[] {4, 9}, d.labels());
        assertEquals(5 / 255f, d.pixels()[5]);
        // A raw file named .gz is read as raw.
        Path rawNamedGz = images("raw.gz", raw);
        Dataset r = IdxReader.read(rawNamedGz, lbGz, "raw", 10);
        assertArrayEquals(d.pixels(), r.pixels());
    }

    @Test
    void emptySetIsAllowed() throws Exception {
        Path im = images("im", TestData.idxImages(0, 28, 28, new byte[0]));
        Path lb = images("lb", TestData.idxLabels());
        Dataset d = IdxReader.read(im, lb, "empty", 10);
        assertEquals(0, d.size());
        assertEquals(28, d.height());
    }

    @Test
    void missingFile() throws Exception {
        Path lb = images("lb", TestData.idxLabels((byte) 0));
        Path missing = dir.resolve("no-such-images");
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.read(missing, lb, "x", 10));
        assertMessage(e, missing, "not found");
        assertEquals(missing, e.file());
    }

    @Test
    void wrongMagicSaysWhichWasFound() throws Exception {
        Path im = images("im", TestData.idxImages(1234, 1, 1, 1, new byte[1]));
        Path lb = images("lb", TestData.idxLabels((byte) 0));
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.read(im, lb, "x", 10));
        assertMessage(e, im, "1234", "2051");
    }

    @Test
    void swappedFilesAreRecognised() throws Exception {
        Path im = images("im", TestData.idxImages(1, 1, 1, new byte[1]));
        Path lb = images("lb", TestData.idxLabels((byte) 0));
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.read(lb, im, "x", 10));
        assertMessage(e, lb, "2049", "swapped");
        Path lbBad = images("lb-bad", TestData.idxLabels(7, 1, new byte[1]));
        DataFormatException e2 = assertThrows(DataFormatException.class, () -> IdxReader.read(im, lbBad, "x", 10));
        assertMessage(e2, lbBad, "wrong magic number 7 ", "2049");
    }

    @Test
    void truncatedImages() throws Exception {
        byte[] full = TestData.idxImages(3, 2, 2, TestData.ramp(12));
        Path im = images("im", Arrays.copyOf(full, full.length - 5));
        Path lb = images("lb", TestData.idxLabels((byte) 0, (byte) 0, (byte) 0));
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.read(im, lb, "x", 10));
        assertMessage(e, im, "truncated", "3 images", "12 bytes", "7 bytes");
    }

    @Test
    void aHeaderWhoseSizeOverflowsIsRefusedRawOrGzipped() throws Exception {
        // 2^30 × 2^30 × 2^31 − 1 wraps a long to a negative size: refused by name, not an IllegalArgumentException.
        byte[] header = TestData.idxImages(1 << 30, 1 << 30, Integer.MAX_VALUE, new byte[4]);
        Path lb = images("lb", TestData.idxLabels((byte) 0));
        for (boolean gzip : new boolean[] {false, true}) {
            Path im = images(gzip ? "huge.gz" : "huge", gzip ? TestData.gzip(header) : header);
            DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.read(im, lb, "x", 10));
            assertMessage(e, im, "more than one Java array can hold");
        }
    }

    /**
     * A gzip header that declares more than its stream holds is refused as truncated before its size is
     * allocated: here 8.6 GB of floats, twice the test heap, whether the gzip trailer's size agrees or not.
     */
    @Test
    void aLyingGzipHeaderIsRefusedWithoutAllocatingItsSize() throws Exception {
        int n = 2_090_000; // 2,090,000 × 32 × 32 bytes, just under the largest Java array
        byte[] header = TestData.idxImages(n, 32, 32, TestData.ramp(12));
        byte[] gz = TestData.gzip(header);
        byte[] agreeing = gz.clone(); // the trailer's ISIZE made to match the header's size: both lie
        long declared = 16L + (long) n * 32 * 32;
        for (int i = 0; i < 4; i++) agreeing[agreeing.length - 4 + i] = (byte) (declared >>> (8 * i));
        Path lb = images("lb", TestData.idxLabels((byte) 0));
        for (byte[] bytes : new byte[][] {gz, agreeing}) {
            Path im = images("lying.gz", bytes);
            for (RowSelection rows : new RowSelection[] {null, RowSelection.head(n)}) {
                DataFormatException e = assertThrows(DataFormatException.class,
                        () -> IdxReader.read(im, lb, "x", 10, rows));
                // The stream ends before the declared payload; with the trailer changed, its CRC no longer matches.
                if (bytes == gz) assertMessage(e, im, "truncated", n + " images of 32×32");
                else assertMessage(e, im, "corrupt gzip data");
            }
        }
    }

    /** Several gzip members, so the trailer gives the last member's size only: read in full, output grown. */
    @Test
    void aGzipFileOfSeveralMembersReadsAsTheRawFile() throws Exception {
        int n = 100_000, h = 7, w = 5; // 3.5 MB: several 1 MiB chunks, so the output grows more than once
        byte[] px = new byte[n * h * w];
        new java.util.Random(5).nextBytes(px);
        byte[] y = new byte[n];
        for (int i = 0; i < n; i++) y[i] = (byte) (i % 10);
        byte[] raw = TestData.idxImages(n, h, w, px);
        int cut = raw.length / 3;
        byte[] first = TestData.gzip(Arrays.copyOf(raw, cut)), rest = TestData.gzip(Arrays.copyOfRange(raw, cut, raw.length));
        byte[] members = Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, members, first.length, rest.length);
        Path lb = images("lb-many", TestData.idxLabels(y));
        Path rawIm = images("im-raw", raw), gzIm = images("im-members.gz", members);
        for (RowSelection rows : new RowSelection[] {null, RowSelection.head(n), total -> RowSelection.range(n / 2, n)}) {
            Dataset want = IdxReader.read(rawIm, lb, "x", 10, rows), got = IdxReader.read(gzIm, lb, "x", 10, rows);
            assertArrayEquals(want.pixels(), got.pixels());
            assertArrayEquals(want.labels(), got.labels());
        }
    }

    @Test
    void truncatedGzipPayloadAndStream() throws Exception {
        byte[] full = TestData.idxImages(3, 2, 2, TestData.ramp(12));
        Path lb = images("lb", TestData.idxLabels((byte) 0, (byte) 0, (byte) 0));
        // Header promises more than the (complete) gzip stream holds.
        Path shortPayload = images("short.gz", TestData.gzip(Arrays.copyOf(full, full.length - 4)));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> IdxReader.read(shortPayload, lb, "x", 10));
        assertMessage(e, shortPayload, "truncated");
        // The gzip stream itself is cut.
        byte[] gz = TestData.gzip(TestData.idxImages(300, 28, 28, TestData.ramp(300 * 784)));
        Path cut = images("cut.gz", Arrays.copyOf(gz, gz.length / 2));
        DataFormatException e2 = assertThrows(DataFormatException.class, () -> IdxReader.read(cut, lb, "x", 10));
        assertMessage(e2, cut, "truncated");
    }

    @Test
    void truncatedHeaderAndEmptyFile() throws Exception {
        Path lb = images("lb", TestData.idxLabels((byte) 0));
        Path empty = images("empty", new byte[0]);
        assertMessage(assertThrows(DataFormatException.class, () -> IdxReader.read(empty, lb, "x", 10)), empty,
                "truncated");
        byte[] full = TestData.idxImages(1, 1, 1, new byte[1]);
        Path header = images("header", Arrays.copyOf(full, 10));
        assertMessage(assertThrows(DataFormatException.class, () -> IdxReader.read(header, lb, "x", 10)), header,
                "truncated");
    }

    @Test
    void truncatedLabels() throws Exception {
        Path im = images("im", TestData.idxImages(3, 1, 1, new byte[3]));
        Path lb = images("lb", TestData.idxLabels(IdxReader.LABEL_MAGIC, 3, new byte[2]));
        assertMessage(assertThrows(DataFormatException.class, () -> IdxReader.read(im, lb, "x", 10)), lb,
                "truncated", "3 labels");
    }

    @Test
    void trailingBytesAreRejected() throws Exception {
        Path im = images("im", TestData.idxImages(1, 1, 1, new byte[3]));
        Path lb = images("lb", TestData.idxLabels((byte) 0));
        assertMessage(assertThrows(DataFormatException.class, () -> IdxReader.read(im, lb, "x", 10)), im,
                "2 bytes follow");
    }

    @Test
    void countMismatchNamesBothFiles() throws Exception {
        Path im = images("im", TestData.idxImages(2, 1, 1, new byte[2]));
        Path lb = images("labels-file", TestData.idxLabels((byte) 0, (byte) 1, (byte) 2));
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.read(im, lb, "x", 10));
        assertMessage(e, im, "2 images", "3 labels", "labels-file");
    }

    @Test
    void labelOutOfRangeNamesSampleAndValue() throws Exception {
        Path im = images("im", TestData.idxImages(3, 1, 1, new byte[3]));
        Path lb = images("lb", TestData.idxLabels((byte) 0, (byte) 1, (byte) 10));
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.read(im, lb, "x", 10));
        assertMessage(e, lb, "label 10", "sample 2", "0..9");
    }

    @Test
    void negativeDimension() throws Exception {
        Path im = images("im", TestData.idxImages(-1, 1, 1, new byte[0]));
        Path lb = images("lb", TestData.idxLabels());
        assertMessage(assertThrows(DataFormatException.class, () -> IdxReader.read(im, lb, "x", 10)), im,
                "negative");
    }

    /** A selection holds the selected samples exactly as a full read then a subset gives them, raw or gzipped. */
    @Test
    void aRowSelectionHoldsTheSelectedSamplesAsTheFullReadHasThem() throws Exception {
        int n = 2000, h = 7, w = 5; // 2,000 samples of 35 bytes: several 1 MiB chunks are not needed, odd sizes are
        byte[] px = new byte[n * h * w];
        java.util.Random r = new java.util.Random(3);
        r.nextBytes(px);
        byte[] y = new byte[n];
        for (int i = 0; i < n; i++) y[i] = (byte) r.nextInt(10);
        for (boolean gzip : new boolean[] {false, true}) {
            byte[] imBytes = TestData.idxImages(n, h, w, px), lbBytes = TestData.idxLabels(y);
            Path im = images(gzip ? "sel-im.gz" : "sel-im", gzip ? TestData.gzip(imBytes) : imBytes);
            Path lb = images(gzip ? "sel-lb.gz" : "sel-lb", gzip ? TestData.gzip(lbBytes) : lbBytes);
            Dataset all = IdxReader.read(im, lb, "all", 10);
            int[][] picks = {{}, {0}, {n - 1}, RowSelection.range(0, 37), RowSelection.range(n - 200, n), {1, 2, 999, 1000, 1998},
                RowSelection.range(0, n)};
            for (int[] pick : picks) {
                int[] seen = new int[1];
                Dataset d = IdxReader.read(im, lb, "sel", 10, total -> {
                    seen[0] = total;
                    return pick;
                });
                assertEquals(n, seen[0], "the selection is asked with the file's count");
                Dataset want = all.subset(pick, "sel");
                assertArrayEquals(want.labels(), d.labels(), Arrays.toString(pick));
                assertArrayEquals(want.pixels(), d.pixels(), Arrays.toString(pick));
                assertEquals(want.sha256(), d.sha256());
            }
            assertEquals(all.sha256(), IdxReader.read(im, lb, "all", 10, RowSelection.head(n + 5)).sha256());
        }
    }

    /** A selection skips holding samples, not checking them: damage after the selected rows is still found. */
    @Test
    void aRowSelectionStillChecksTheWholeFile() throws Exception {
        byte[] full = TestData.idxImages(3, 2, 2, TestData.ramp(12));
        Path lb = images("lb", TestData.idxLabels((byte) 0, (byte) 0, (byte) 0));
        Path cut = images("cut", Arrays.copyOf(full, full.length - 1));
        assertMessage(assertThrows(DataFormatException.class, () -> IdxReader.read(cut, lb, "x", 10, RowSelection.head(1))),
                cut, "truncated");
        Path cutGz = images("cut.gz", TestData.gzip(Arrays.copyOf(full, full.length - 1)));
        assertMessage(assertThrows(DataFormatException.class, () -> IdxReader.read(cutGz, lb, "x", 10, RowSelection.head(1))),
                cutGz, "truncated", "3 images", "12 bytes", "11 bytes");
        byte[] longer = Arrays.copyOf(full, full.length + 3);
        Path trailingGz = images("trailing.gz", TestData.gzip(longer));
        assertMessage(assertThrows(DataFormatException.class, () -> IdxReader.read(trailingGz, lb, "x", 10, RowSelection.head(1))),
                trailingGz, "more data follows");
        Path im = images("im", full);
        Path badLabel = images("badlb", TestData.idxLabels((byte) 0, (byte) 0, (byte) 12));
        assertMessage(assertThrows(DataFormatException.class, () -> IdxReader.read(im, badLabel, "x", 10, RowSelection.head(1))),
                badLabel, "label 12 of sample 2");
        Path shortLabels = images("shortlb", TestData.idxLabels((byte) 0, (byte) 0));
        assertMessage(assertThrows(DataFormatException.class, () -> IdxReader.read(im, shortLabels, "x", 10, RowSelection.head(1))),
                im, "holds 3 images", "2 labels");
        // A selection that is not strictly increasing in range is a caller's error.
        assertThrows(IllegalArgumentException.class, () -> IdxReader.read(im, lb, "x", 10, t -> new int[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> IdxReader.read(im, lb, "x", 10, t -> new int[] {3}));
    }
}
