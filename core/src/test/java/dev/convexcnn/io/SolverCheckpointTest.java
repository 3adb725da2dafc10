package dev.convexcnn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.convexcnn.io.FileFaults.Fault;
import dev.convexcnn.io.FileFaults.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The solver-state file: exact round trip, every damage refused naming the file, other settings refused in one line. */
class SolverCheckpointTest {
    private static final Path DIR = FileFaults.tempDir("solver-ckpt");
    private static final JsonObject FINGERPRINT = JsonParser.parseString(
            "{\"settings\":{\"patterns\":8,\"lambda\":1.0E-4,\"loss\":\"squared\"},\"data\":\"sha256:ab12\"}").getAsJsonObject();
    private static final SolverCheckpoint ORIGINAL = sample();
    private static final byte[] BYTES = bytes(ORIGINAL);

    static SolverCheckpoint sample() {
        double[] x = {1.0 / 3, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN, Double.NEGATIVE_INFINITY, 1e-300, Math.PI};
        JsonArray trace = new JsonArray();
        trace.add(0.5);
        trace.add(0.25);
        return new SolverCheckpoint("gated-relu", FINGERPRINT)
                .put("x", x).put("xPrev", new double[] {2, 3}).put("w", new float[] {0.1f, Float.NaN, -0f})
                .put("rng", new long[] {Long.MIN_VALUE, 7, Long.MAX_VALUE}).put("support", new boolean[] {true, false, true})
                .put("order", new int[] {3, 1, 2}).put("empty", new double[0])
                .real("step", 0.1 + 0.2).real("t", Double.NaN).real("tiny", 4.9e-324).real("odd", 2.0E-3)
                .whole("iteration", 17).whole("big", Long.MAX_VALUE).text("phase", "inner ✓").json("trace", trace);
    }

    static byte[] bytes(SolverCheckpoint c) {
        try {
            Path p = DIR.resolve("good.state");
            c.write(p);
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What a solver reads: every entry by name, after the settings check. */
    static SolverCheckpoint readAsSolver(Path p) throws IOException {
        SolverCheckpoint c = SolverCheckpoint.read(p, "gated-relu", FINGERPRINT);
        c.doubles("x", 8);
        c.doubles("xPrev", 2);
        c.floats("w", 3);
        c.longs("rng");
        c.booleans("support", 3);
        c.ints("order", 3);
        c.doubles("empty", 0);
        c.real("step");
        c.real("t");
        c.real("tiny");
        c.real("odd");
        c.whole("iteration", 0, 100);
        c.whole("big");
        c.text("phase");
        c.json("trace");
        return c;
    }

    @Test
    void everyValueComesBackBitForBit() throws IOException {
        Path p = DIR.resolve("round.state");
        ORIGINAL.write(p);
        SolverCheckpoint c = readAsSolver(p);
        assertTrue(c.sameAs(ORIGINAL));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(c.doubles("x")[1]));
        assertEquals(0.1 + 0.2, c.real("step"));
        assertEquals(4.9e-324, c.real("tiny"));
        assertArrayEquals(new int[] {3, 1, 2}, c.ints("order", 3));
        assertArrayEquals(new boolean[] {true, false, true}, c.booleans("support", 3));
        assertEquals(Long.MAX_VALUE, c.whole("big"));
        assertEquals("inner ✓", c.text("phase"));
        assertEquals(p, c.source());
        // Exact for every double, the shortest decimal or the hexadecimal form.
        for (double v : new double[] {0.1, 1.0 / 3, 2e-3, 1e23, Math.nextUp(1.0), -Double.MIN_NORMAL}) {
            assertEquals(Double.doubleToRawLongBits(v), Double.doubleToRawLongBits(Double.parseDouble(SolverCheckpoint.exact(v))));
        }
    }

    /**
     * Arrays longer than one write piece (64 KiB) come back bit for bit, in file order, and their bytes are the plain
     * little-endian values; a flipped byte in a later piece is refused (the data CRC covers every piece).
     */
    @Test
    void arraysOfManyPiecesComeBackBitForBit() throws IOException {
        java.util.Random r = new java.util.Random(9);
        double[] d = new double[20_001];
        float[] f = new float[40_003];
        long[] l = new long[8_193];
        for (int i = 0; i < d.length; i++) d[i] = r.nextGaussian();
        for (int i = 0; i < f.length; i++) f[i] = (float) r.nextGaussian();
        for (int i = 0; i < l.length; i++) l[i] = r.nextLong();
        double[] shared = d.clone();
        SolverCheckpoint c = new SolverCheckpoint("m", FINGERPRINT).put("d", d).put("f", f).put("l", l).share("s", shared);
        Path p = DIR.resolve("pieces.state");
        c.write(p);
        SolverCheckpoint back = SolverCheckpoint.read(p);
        assertArrayEquals(d, back.doubles("d", d.length));
        assertArrayEquals(f, back.floats("f", f.length));
        assertArrayEquals(l, back.longs("l"));
        assertArrayEquals(d, back.doubles("s", d.length));
        byte[] raw = Files.readAllBytes(p);
        int dataBytes = d.length * 8 + f.length * 4 + l.length * 8 + d.length * 8;
        ByteBuffer tail = ByteBuffer.wrap(raw, raw.length - dataBytes, dataBytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (double v : d) assertEquals(Double.doubleToRawLongBits(v), tail.getLong());
        for (float v : f) assertEquals(Float.floatToRawIntBits(v), tail.getInt());
        for (long v : l) assertEquals(v, tail.getLong());
        raw[raw.length - dataBytes + 70_000] ^= 1;
        Path bad = DIR.resolve("pieces-bad.state");
        Files.write(bad, raw);
        var e = assertThrows(ModelFormatException.class, () -> SolverCheckpoint.read(bad));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }

    @Test
    void theBuilderCopiesArrays() throws IOException {
        double[] x = {1, 2};
        SolverCheckpoint c = new SolverCheckpoint("m", new JsonObject()).put("x", x);
        x[0] = 5;
        assertEquals(1, c.doubles("x")[0]);
    }

    @Test
    void otherSettingsDataOrMethodAreRefusedInOneLineNamingTheFile() throws IOException {
        Path p = DIR.resolve("other.state");
        ORIGINAL.write(p);
        JsonObject other = FINGERPRINT.deepCopy();
        other.getAsJsonObject("settings").addProperty("patterns", 16);
        other.addProperty("data", "sha256:cd34");
        var e = assertThrows(SolverCheckpoint.CheckpointMismatchException.class, () -> SolverCheckpoint.read(p, "gated-relu", other));
        assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("settings.patterns: 8 in the checkpoint, 16 now")
                && e.getMessage().contains("data: \"sha256:ab12\" in the checkpoint, \"sha256:cd34\" now") && !e.getMessage().contains("\n"),
                e.getMessage());
        var m = assertThrows(SolverCheckpoint.CheckpointMismatchException.class, () -> SolverCheckpoint.read(p, "ccnn", FINGERPRINT));
        assertTrue(m.getMessage().contains("--method gated-relu, not of --method ccnn"), m.getMessage());
        JsonObject missing = FINGERPRINT.deepCopy();
        missing.remove("data");
        var a = assertThrows(SolverCheckpoint.CheckpointMismatchException.class, () -> SolverCheckpoint.read(p, "gated-relu", missing));
        assertTrue(a.getMessage().contains("data: \"sha256:ab12\" in the checkpoint, absent now"), a.getMessage());
    }

    @Test
    void aMissingOrIllShapedEntryNamesTheFile() throws IOException {
        Path p = DIR.resolve("shape.state");
        ORIGINAL.write(p);
        SolverCheckpoint c = SolverCheckpoint.read(p);
        var e = assertThrows(ModelFormatException.class, () -> c.doubles("x", 9));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("'x' has 8 values, the settings need 9"), e.getMessage());
        var f = assertThrows(ModelFormatException.class, () -> c.floats("x"));
        assertTrue(f.getMessage().contains("not float32-le"), f.getMessage());
        var g = assertThrows(ModelFormatException.class, () -> c.real("nope"));
        assertTrue(g.getMessage().contains(p.toString()) && g.getMessage().contains("\"nope\""), g.getMessage());
        assertThrows(ModelFormatException.class, () -> c.booleans("order", 3));
        assertThrows(ModelFormatException.class, () -> c.whole("iteration", 0, 10));
    }

    @Test
    void aModelOrAFolderIsNamedForWhatItIs() throws IOException {
        Path model = DIR.resolve("model.cnn");
        new TensorFile(new JsonObject(), java.util.Map.of("a", new TensorFile.Tensor(new int[] {1}, new float[] {1}))).write(model);
        var e = assertThrows(ModelFormatException.class, () -> SolverCheckpoint.read(model));
        assertTrue(e.getMessage().contains("holds a model or an SGD checkpoint"), e.getMessage());
        var d = assertThrows(ModelFormatException.class, () -> SolverCheckpoint.read(DIR));
        assertTrue(d.getMessage().contains("is a folder"), d.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> SolverCheckpoint.read(DIR.resolve("absent.state")));
        Path p = DIR.resolve("state.cnn");
        ORIGINAL.write(p);
        var t = assertThrows(ModelFormatException.class, () -> TensorFile.read(p));
        assertTrue(t.getMessage().contains("state of a solver") && t.getMessage().contains("--resume"), t.getMessage());
    }

    @Provide Arbitrary<Fault> byteFaults() { return FileFaults.faults(Kind.TRUNCATE, Kind.FLIP); }

    @Property(tries = 400)
    void everyTruncationOrFlippedByteIsRefused(@ForAll("byteFaults") Fault f) throws IOException {
        boolean refused = FileFaults.refusedOrSame(DIR.resolve("damaged.state"), FileFaults.damageBytes(BYTES, f),
                SolverCheckpointTest::readAsSolver, ORIGINAL, SolverCheckpoint::sameAs);
        assertTrue(refused, "a damaged byte went unnoticed: " + f);
    }

    @Provide Arbitrary<FileFaults.KeyEdit> keyEdits() {
        return Arbitraries.of(FileFaults.allKeyEdits(header(BYTES), List.of("fingerprint", "json")));
    }

    /** A header edited by another writer, its checksum recomputed: refused naming the file, never read as another state. */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void removedOrRenamedHeaderKeysAreRefused(@ForAll("keyEdits") FileFaults.KeyEdit e) throws IOException {
        FileFaults.refusedOrSame(DIR.resolve("edited.state"), withHeader(BYTES, e.apply(header(BYTES)).getAsJsonObject()),
                SolverCheckpointTest::readAsSolver, ORIGINAL, SolverCheckpoint::sameAs);
    }

    @Test
    void aNewerFormatSaysSo() throws IOException {
        byte[] b = BYTES.clone();
        b[6] = '0';
        b[7] = '9';
        Path p = DIR.resolve("newer.state");
        Files.write(p, b);
        var e = assertThrows(ModelFormatException.class, () -> SolverCheckpoint.read(p));
        assertTrue(e.getMessage().contains("newer"), e.getMessage());
    }

    // The layout written here independently of SolverCheckpoint (a check of its documented layout).
    static JsonObject header(byte[] file) {
        int len = ByteBuffer.wrap(file, 8, 4).getInt();
        return JsonParser.parseString(new String(file, 16, len, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    static byte[] withHeader(byte[] file, JsonObject header) {
        int len = ByteBuffer.wrap(file, 8, 4).getInt();
        byte[] data = Arrays.copyOfRange(file, 16 + len, file.length);
        byte[] head = header.toString().getBytes(StandardCharsets.UTF_8);
        byte[] prefix = ByteBuffer.allocate(12).put("CVXSLV01".getBytes(StandardCharsets.US_ASCII)).putInt(head.length).array();
        CRC32 crc = new CRC32();
        crc.update(prefix);
        crc.update(head);
        return ByteBuffer.allocate(16 + head.length + data.length).put(prefix).putInt((int) crc.getValue()).put(head).put(data).array();
    }
}
