package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** idx:, csv:, npy: and folder: read one dataset to the same floats and labels, and bad files are named. */
class OwnDataTest {
    @TempDir Path dir;

    /** n images of h×w×c bytes/255 in classes that take turns (0, 1, …, k−1, 0, …). */
    static Dataset synthetic(String name, int n, int h, int w, int c, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] px = new float[n * h * w * c];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
            for (int j = 0; j < h * w * c; j++) px[i * h * w * c + j] = DataFiles.BYTE_TO_UNIT[r.nextInt(256)];
        }
        return new Dataset(name, h, w, c, classes, px, y);
    }

    private Dataset load(String name, Datasets.Part part, List<String> log) throws IOException {
        return Datasets.load(name, part, Datasets.Options.defaults().withCacheDir(dir.resolve("cache")).withFetch(false)
                .withLog(log::add));
    }

    private static void assertSameData(Dataset want, Dataset got, String form) {
        assertEquals(want.height(), got.height(), form);
        assertEquals(want.width(), got.width(), form);
        assertEquals(want.channels(), got.channels(), form);
        assertEquals(want.classes(), got.classes(), form);
        assertArrayEquals(want.labels(), got.labels(), form);
        // Bit-equal by design: every reader turns the byte b into the float b / 255f.
        assertArrayEquals(want.pixels(), got.pixels(), form);
    }

    @Test
    void everyFormReadsTheSameGreyDataset() throws IOException {
        Dataset d = synthetic("d", 40, 6, 6, 1, 4, 1);
        DatasetWriter.idx(d, dir.resolve("x.idx"), dir.resolve("y.idx"));
        DatasetWriter.csv(d, dir.resolve("d.csv"));
        DatasetWriter.npy(d, dir.resolve("x.npy"), dir.resolve("y.npy"));
        DatasetWriter.folder(d, dir.resolve("img"));
        List<String> log = new ArrayList<>();
        for (String name : List.of("idx:" + dir.resolve("x.idx") + "," + dir.resolve("y.idx"), "csv:" + dir.resolve("d.csv"),
                "npy:" + dir.resolve("x.npy") + "," + dir.resolve("y.npy"), "folder:" + dir.resolve("img"))) {
            Dataset got = load(name, Datasets.Part.TRAIN, log);
            assertSameData(d, got, name);
            assertTrue(got.name().endsWith("-train"), got.name());
            assertEquals(Optional.of(name.substring(0, name.indexOf(':') + 1) + name.substring(name.indexOf(':') + 1)),
                    Datasets.nameOf(got.name() + "[:10]/train"), "the name leads back to the spelling");
        }
    }

    @Test
    void rgbImagesReadChannelsLastFromCsvNpyAndFolder() throws IOException {
        Dataset d = synthetic("d", 12, 5, 5, 3, 3, 2);
        DatasetWriter.csv(d, dir.resolve("d.csv"));
        DatasetWriter.npy(d, dir.resolve("x.npy"), dir.resolve("y.npy"));
        DatasetWriter.folder(d, dir.resolve("img"));
        List<String> log = new ArrayList<>();
        assertSameData(d, load("csv:" + dir.resolve("d.csv"), Datasets.Part.TRAIN, log), "csv");
        assertSameData(d, load("npy:" + dir.resolve("x.npy") + "," + dir.resolve("y.npy"), Datasets.Part.TRAIN, log), "npy");
        assertSameData(d, load("folder:" + dir.resolve("img"), Datasets.Part.TRAIN, log), "folder");
    }

    @Test
    void npyChannelsFirstFloatsAndFlatRowsAreConverted() throws IOException {
        Dataset d = synthetic("d", 6, 4, 4, 3, 2, 3);
        // (N, C, H, W) float32 with values 0..255, as PyTorch keeps them.
        int n = d.size(), c = 3, hw = 16;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * n * c * hw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) b.putFloat(Math.round(d.pixels()[i * c * hw + p * c + ch] * 255f));
            }
        }
        Path x = write("nchw.npy", npy("<f4", n + ", 3, 4, 4", b.array()));
        Path y = write("y.npy", npy("<i4", n + ",", ints(d.labels())));
        assertSameData(d, load("npy:" + x + "," + y, Datasets.Part.TRAIN, new ArrayList<>()), "NCHW float32");
        // (N, D) float64 already in 0..1, grey.
        Dataset g = synthetic("g", 5, 3, 3, 1, 5, 4);
        java.nio.ByteBuffer f = java.nio.ByteBuffer.allocate(8 * 45).order(java.nio.ByteOrder.BIG_ENDIAN);
        for (float v : g.pixels()) f.putDouble(v);
        Path gx = write("flat.npy", npy(">f8", "5, 9", f.array()));
        Path gy = write("gy.npy", npy("<i4", "5,", ints(g.labels())));
        Dataset got = load("npy:" + gx + "," + gy, Datasets.Part.TRAIN, new ArrayList<>());
        assertEquals(3, got.height());
        assertEquals(1, got.channels());
        for (int i = 0; i < 45; i++) assertEquals(g.pixels()[i], got.pixels()[i], 1e-7, "float64 → float32 rounding only");
    }

    @Test
    void aTestPartSharesTheClassesAndWithoutOneTheTestSplitIsTheTrainingData() throws IOException {
        Dataset train = synthetic("t", 9, 4, 4, 1, 3, 5);   // labels 0..2
        Dataset test = synthetic("s", 8, 4, 4, 1, 4, 6);    // labels 0..3
        DatasetWriter.csv(train, dir.resolve("train.csv"));
        DatasetWriter.csv(test, dir.resolve("test.csv"));
        DatasetWriter.idx(train, dir.resolve("a"), dir.resolve("b"));
        DatasetWriter.idx(test, dir.resolve("c"), dir.resolve("d"));
        DatasetWriter.folder(train, dir.resolve("ftrain"));
        DatasetWriter.folder(test, dir.resolve("ftest"));
        List<String> log = new ArrayList<>();
        for (String name : List.of("csv:" + dir.resolve("train.csv") + "," + dir.resolve("test.csv"),
                "idx:" + dir.resolve("a") + "," + dir.resolve("b") + "," + dir.resolve("c") + "," + dir.resolve("d"),
                "folder:" + dir.resolve("ftrain") + "," + dir.resolve("ftest"))) {
            Dataset tr = load(name, Datasets.Part.TRAIN, log);
            Dataset te = load(name, Datasets.Part.TEST, log);
            assertEquals(4, tr.classes(), name + ": the test part's label 3 counts");
            assertEquals(4, te.classes(), name);
            assertArrayEquals(train.labels(), tr.labels(), name);
            assertArrayEquals(test.labels(), te.labels(), name);
            assertTrue(te.name().endsWith("-test"), te.name());
        }
        log.clear();
        Dataset same = load("csv:" + dir.resolve("train.csv"), Datasets.Part.TEST, log);
        assertArrayEquals(train.pixels(), same.pixels());
        assertTrue(same.name().endsWith("-train"), "the name says it is the training data: " + same.name());
        assertTrue(log.stream().anyMatch(l -> l.contains("no test part")), log.toString());
    }

    @Test
    void folderClassesAreNamedSubfoldersInNumericOrderAndOtherFilesAreSkipped() throws IOException {
        Dataset d = synthetic("d", 4, 3, 3, 1, 2, 7);
        Path root = dir.resolve("named");
        DatasetWriter.folder(d, root);
        Files.move(root.resolve("0"), root.resolve("cat"));
        Files.move(root.resolve("1"), root.resolve("dog"));
        Files.writeString(root.resolve("dog").resolve("README.txt"), "not an image");
        List<String> log = new ArrayList<>();
        Dataset got = load("folder:" + root, Datasets.Part.TRAIN, log);
        assertArrayEquals(d.labels(), got.labels());
        assertTrue(log.stream().anyMatch(l -> l.contains("0=cat, 1=dog") && l.contains("1 other files skipped")), log.toString());
        assertEquals(List.of("2", "10"), ImageFolderReader.classNames(List.of(mkdirs("num/10", "num/2"))));
    }

    private Path mkdirs(String... paths) throws IOException {
        for (String p : paths) Files.createDirectories(dir.resolve(p));
        return dir.resolve(paths[0]).getParent();
    }

    // ---- errors name the file -----------------------------------------------------------------------------

    private String error(String name) {
        Exception e = assertThrows(Exception.class, () -> load(name, Datasets.Part.TRAIN, new ArrayList<>()));
        assertTrue(e instanceof DataFormatException || e instanceof IllegalArgumentException, e.toString());
        return e.getMessage();
    }

    @Test
    void badCsvFilesAreNamedWithTheLine() throws IOException {
        Path f = write("bad.csv", "label,a,b,c,d\n1,0,0,0,0\n2,0,0,0\n");
        String m = error("csv:" + f);
        assertTrue(m.contains(f.toString()) && m.contains("line 3") && m.contains("first line has 5"), m);
        Path g = write("bad2.csv", "1,0,0,x,0\n");
        m = error("csv:" + g);
        assertTrue(m.contains(g.toString()) && m.contains("line 1, field 4") && m.contains("'x' is not a number"), m);
        Path l = write("bad3.csv", "1.5,0,0,0,0\n");
        m = error("csv:" + l);
        assertTrue(m.contains("label '1.5' is not a whole number"), m);
        Path s = write("bad4.csv", "1,0,0\n");
        m = error("csv:" + s);
        assertTrue(m.contains(s.toString()) && m.contains("2 pixel values per image make no square image"), m);
        Path big = write("bad5.csv", "1,0,0,300,0\n");
        m = error("csv:" + big);
        assertTrue(m.contains("pixel value 300.0 is above 255"), m);
        m = error("csv:" + dir.resolve("missing.csv"));
        assertTrue(m.contains("missing.csv") && m.contains("CSV file not found"), m);
        Path empty = write("empty.csv", "label,p\n");
        assertTrue(error("csv:" + empty).contains("contains no samples"));
    }

    /**
     * A gzipped .npy whose header declares more than its stream holds is refused as truncated before its size is
     * allocated: images of 3 × 26,000 × 26,000 (8.1 GB of floats) and 2·10⁹ labels (16 GB of doubles), both
     * beyond the test heap.
     */
    @Test
    void aLyingGzipNpyHeaderIsRefusedWithoutAllocatingItsSize() throws IOException {
        Path y = write("y3.npy", npy("<i8", "3,", new byte[24]));
        Path x = write("lying-x.npy.gz", TestData.gzip(npy("|u1", "3, 26000, 26000", new byte[12])));
        String m = error("npy:" + x + "," + y);
        assertTrue(m.contains(x.toString()) && m.contains("truncated"), m);
        Path ok = write("x3.npy", npy("|u1", "3, 2, 2", new byte[12]));
        Path ly = write("lying-y.npy.gz", TestData.gzip(npy("<i8", "2000000000,", new byte[24])));
        m = error("npy:" + ok + "," + ly);
        assertTrue(m.contains(ly.toString()) && m.contains("truncated"), m);
    }

    /** Several gzip members (the trailer gives the last one's size only): read in full, as the raw files are. */
    @Test
    void gzippedNpyOfSeveralMembersReadsAsTheRawFiles() throws IOException {
        int n = 500, hw = 12; // 72,000 pixel values: more than one read chunk, so the array grows
        byte[] px = new byte[n * hw * hw];
        new SplittableRandom(4).nextBytes(px);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % 7;
        byte[] rawX = npy("|u1", n + ", " + hw + ", " + hw, px), rawY = npy("<i4", n + ",", ints(labels));
        Path x = write("mx.npy", rawX), y = write("my.npy", rawY);
        Path gx = write("mx.npy.gz", members(rawX)), gy = write("my.npy.gz", members(rawY));
        Dataset want = load("npy:" + x + "," + y, Datasets.Part.TRAIN, new ArrayList<>());
        Dataset got = load("npy:" + gx + "," + gy, Datasets.Part.TRAIN, new ArrayList<>());
        assertArrayEquals(want.pixels(), got.pixels());
        assertArrayEquals(want.labels(), got.labels());
    }

    /** The bytes as two gzip members, split at a third. */
    private static byte[] members(byte[] raw) throws IOException {
        int cut = raw.length / 3;
        byte[] a = TestData.gzip(java.util.Arrays.copyOf(raw, cut)), b = TestData.gzip(java.util.Arrays.copyOfRange(raw, cut, raw.length));
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void badNpyFilesAreNamed() throws IOException {
        Path y = write("y.npy", npy("<i8", "2,", new byte[16]));
        Path notNpy = write("x.npy", "hello world, not numpy".getBytes());
        String m = error("npy:" + notNpy + "," + y);
        assertTrue(m.contains(notNpy.toString()) && m.contains("not a .npy file"), m);
        Path npz = write("x.npz", "PK\3\4 rest of a zip".getBytes());
        assertTrue(error("npy:" + npz + "," + y).contains(".npz archive"));
        Path fortran = write("f.npy", npyRaw("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 2, 2), }", new byte[8]));
        assertTrue(error("npy:" + fortran + "," + y).contains("Fortran"));
        Path complex = write("c.npy", npy("<c8", "2, 2, 2", new byte[64]));
        m = error("npy:" + complex + "," + y);
        assertTrue(m.contains(complex.toString()) && m.contains("dtype '<c8' is not supported"), m);
        Path three = write("three.npy", npy("|u1", "3, 2, 2", new byte[12]));
        m = error("npy:" + three + "," + y);
        assertTrue(m.contains("holds 3 images but the label file") && m.contains("2 labels"), m);
        Path shortX = write("short.npy", npy("|u1", "2, 2, 2", new byte[5]));
        m = error("npy:" + shortX + "," + y);
        assertTrue(m.contains(shortX.toString()) && m.contains("truncated"), m);
        Path badLabel = write("bl.npy", npy("<f8", "2,", doubles(0, 0.5)));
        Path x = write("ok.npy", npy("|u1", "2, 2, 2", new byte[8]));
        m = error("npy:" + x + "," + badLabel);
        assertTrue(m.contains(badLabel.toString()) && m.contains("label 0.5 of sample 1"), m);
    }

    @Test
    void badFoldersAndImagesAreNamed() throws IOException {
        String m = error("folder:" + dir.resolve("nowhere"));
        assertTrue(m.contains("nowhere") && m.contains("image folder not found"), m);
        Files.createDirectories(dir.resolve("flat"));
        Files.writeString(dir.resolve("flat/a.png"), "x");
        assertTrue(error("folder:" + dir.resolve("flat")).contains("has no class subfolders"));
        Dataset d = synthetic("d", 4, 3, 3, 1, 2, 8);
        DatasetWriter.folder(d, dir.resolve("f"));
        Files.createDirectories(dir.resolve("f/2"));
        m = error("folder:" + dir.resolve("f"));
        assertTrue(m.contains(dir.resolve("f/2").toString()) && m.contains("holds no .png"), m);
        Files.delete(dir.resolve("f/2"));
        Path junk = dir.resolve("f/1/zz.png");
        Files.writeString(junk, "not a png");
        m = error("folder:" + dir.resolve("f"));
        assertTrue(m.contains(junk.toString()), m);
        Files.delete(junk);
        DatasetWriter.folder(synthetic("e", 1, 4, 4, 1, 1, 9), dir.resolve("other"));
        Files.move(dir.resolve("other/0/0.png"), dir.resolve("f/1/zz.png"));
        m = error("folder:" + dir.resolve("f"));
        assertTrue(m.contains("zz.png") && m.contains("is 4×4 pixels") && m.contains("same size"), m);
    }

    @Test
    void badSpellingsSayTheForm() throws IOException {
        String m = error("idx:" + dir.resolve("only-one"));
        assertTrue(m.contains("gives 1 path") && m.contains("idx:<images>,<labels>[,<test images>,<test labels>]"), m);
        assertTrue(error("npy:a,b,c").contains("npy:<x.npy>,<y.npy>"));
        assertTrue(error("csv:a,,b").contains("empty path"));
        assertTrue(error("folder:").contains("needs a path"));
        Dataset d = synthetic("d", 4, 3, 3, 1, 2, 8);
        DatasetWriter.idx(d, dir.resolve("im"), dir.resolve("lb"));
        m = error("idx:" + dir.resolve("lb") + "," + dir.resolve("im"));
        assertTrue(m.contains("are the image and label paths swapped?"), m);
    }

    @Test
    void theDataAModelWasTrainedOnComesBackFromItsProvenance() {
        assertEquals(Optional.of("fashion-mnist"), Datasets.fromProvenance(json("{\"data\":{\"train\":\"fashion-mnist-train[:500]/train\"}}")));
        assertEquals(Optional.of("mnist"), Datasets.fromProvenance(json("{\"trainedOn\":\"mnist-train[:10000]\"}")));
        assertEquals(Optional.of("fashion-mnist"), Datasets.fromProvenance(json("{\"dataset\":\"fashion-mnist\"}")));
        assertEquals(Optional.of("mnist-rot-regen"), Datasets.fromProvenance(json("{\"data\":{\"train\":\"mnist-rot-regen-train\"}}")));
        assertEquals(Optional.of("csv:/d/a.csv,/d/b.csv"), Datasets.fromProvenance(json("{\"data\":{\"train\":\"csv:/d/a.csv,/d/b.csv-train\"}}")));
        assertEquals(Optional.of("fashion-mnist"), Datasets.fromProvenance(json(
                "{\"method\":\"compress\",\"sourceProvenance\":{\"data\":{\"train\":\"fashion-mnist-train\"}}}")));
        assertEquals(Optional.empty(), Datasets.fromProvenance(json("{\"data\":{\"train\":\"digits\"}}")), "no path recorded");
        assertEquals(Optional.empty(), Datasets.fromProvenance(new JsonObject()));
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }

    private Path write(String name, String text) throws IOException {
        return write(name, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private Path write(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    private static byte[] npy(String descr, String shape, byte[] data) {
        return npyRaw("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }", data);
    }

    private static byte[] npyRaw(String dict, byte[] data) {
        String h = dict + "\n";
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) h.length(), 0});
        b.writeBytes(h.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        b.writeBytes(data);
        return b.toByteArray();
    }

    private static byte[] ints(int[] v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int x : v) b.putInt(x);
        return b.array();
    }

    private static byte[] doubles(double... v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (double x : v) b.putDouble(x);
        return b.array();
    }
}
