package dev.convexcnn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.FileFaults.Fault;
import dev.convexcnn.io.FileFaults.Kind;
import dev.convexcnn.nn.Initializer;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Damaged model files (TensorFile + ModelFile) and safetensors: every fault is refused with a *FormatException naming
 * the file, or (a fault that changes nothing the reader interprets) reads as the undamaged model.
 */
class ModelFileFuzzTest {
    private static Path dir;
    private static byte[] model;
    private static ModelFile.SavedModel original;
    private static byte[] safetensors;
    private static Map<String, TensorFile.Tensor> originalTensors;

    static {
        try {
            write();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void write() throws IOException {
        dir = FileFaults.tempDir("model-fuzz");
        Sequential net = Sequential.of("conv3k3-relu-maxpool2-linear4", new Shape(6, 6, 2), 4).initialize(Initializer.HE, 3);
        JsonObject prov = Provenance.base();
        prov.addProperty("seed", 3);
        Path f = dir.resolve("good.cnn");
        ModelFile.save(f, net, new Normalization(new float[] {0.1f, 0.2f}, new float[] {0.3f, 0.4f}), prov);
        model = Files.readAllBytes(f);
        original = ModelFile.load(f);
        Path s = dir.resolve("good.safetensors");
        Safetensors.write(s, ModelFile.parameterTensors(net), Map.of("spec", net.spec()));
        safetensors = Files.readAllBytes(s);
        originalTensors = Safetensors.read(s);
    }

    static boolean same(ModelFile.SavedModel a, ModelFile.SavedModel b) {
        return a.net().spec().equals(b.net().spec()) && a.net().inputShape().equals(b.net().inputShape())
                && a.net().outputs() == b.net().outputs()
                && Arrays.equals(a.net().flatParameters(), b.net().flatParameters()) && a.normalization().equals(b.normalization())
                && a.provenance().equals(b.provenance());
    }

    @Provide Arbitrary<Fault> byteFaults() { return FileFaults.faults(Kind.TRUNCATE, Kind.FLIP); }
    @Provide Arbitrary<Fault> keyFaults() { return FileFaults.faults(Kind.KEY_REMOVE, Kind.KEY_RENAME); }

    @Property(tries = 400)
    void everyTruncationOrFlippedByteIsRefused(@ForAll("byteFaults") Fault f) throws IOException {
        boolean refused = FileFaults.refusedOrSame(dir.resolve("damaged.cnn"), FileFaults.damageBytes(model, f), ModelFile::load,
                original, ModelFileFuzzTest::same);
        // The whole file is under a checksum: no byte can change unnoticed.
        assertTrue(refused, "a damaged byte went unnoticed: " + f);
    }

    @Provide Arbitrary<FileFaults.KeyEdit> keyEdits() {
        return Arbitraries.of(FileFaults.allKeyEdits(FileFaults.tensorHeader(model), List.of("provenance")));
    }

    /** A header edited by another writer, its checksum recomputed: refused, or the same model (keys nobody reads). */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void removedOrRenamedHeaderKeysAreRefusedOrHarmless(@ForAll("keyEdits") FileFaults.KeyEdit e) throws IOException {
        FileFaults.refusedOrSame(dir.resolve("edited.cnn"), FileFaults.withTensorHeader(model, e.apply(FileFaults.tensorHeader(model))),
                ModelFile::load, original, ModelFileFuzzTest::same);
    }

    /** Format 1 files have no header checksum: any edit is refused or read, never another exception. */
    @Property(tries = 200)
    void format1FilesWithEditedHeadersNeverThrowAnythingElse(@ForAll("keyFaults") Fault f) throws IOException {
        byte[] v1 = FileFaults.toFormat1(model);
        JsonObject header = FileFaults.format1Header(v1);
        List<List<String>> keys = FileFaults.keyPaths(header, List.of("provenance"));
        List<String> key = keys.get((int) (f.where() * keys.size()));
        Path p = dir.resolve("edited-v1.cnn");
        Files.write(p, FileFaults.withFormat1Header(v1, FileFaults.editKey(header, key, f.kind() == Kind.KEY_RENAME)));
        try {
            ModelFile.load(p);
        } catch (Exception e) {
            FileFaults.assertRefusal(p, e);
        }
    }

    @Property(tries = 300)
    void safetensorsAreRefusedOrReadAsStored(@ForAll("byteFaults") Fault f) throws IOException {
        byte[] bad = FileFaults.damageBytes(safetensors, f);
        Path p = dir.resolve("damaged.safetensors");
        Files.write(p, bad);
        Map<String, TensorFile.Tensor> got;
        try {
            got = Safetensors.read(p);
        } catch (Exception e) {
            FileFaults.assertRefusal(p, e);
            return;
        }
        // The format has no checksum: a flipped data byte is read as the value now stored there, never misplaced; a flip
        // inside the header that still parses (a name, a metadata string) is read as stored, with the same values.
        assertEquals(originalTensors.size(), got.size());
        long header = 8 + java.nio.ByteBuffer.wrap(bad).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        int at = (int) (f.where() * safetensors.length);
        var gotValues = got.values().iterator();
        int k = 0;
        for (var e : originalTensors.entrySet()) {
            float[] want = e.getValue().values().clone();
            for (int i = 0; i < want.length; i++, k++) {
                long pos = header + 4L * k;
                if (at >= pos && at < pos + 4) {
                    want[i] = java.nio.ByteBuffer.wrap(bad, (int) pos, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat();
                }
            }
            assertArrayEquals(want, gotValues.next().values());
        }
    }

    @Test
    void theHeaderIsUnderTheChecksumTheDefectOfFormat1() throws IOException {
        // One changed digit in the stored normalisation mean: format 1 read it as another model; format 2 refuses it.
        String text = new String(model, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("0.1", text.indexOf("\"mean\""));
        byte[] bad = model.clone();
        bad[at + 2] = '7';
        Path p = dir.resolve("mean.cnn");
        Files.write(p, bad);
        var e = assertThrows(ModelFormatException.class, () -> ModelFile.load(p));
        assertTrue(e.getMessage().contains("header checksum"), e.getMessage());

        byte[] v1 = FileFaults.toFormat1(model);
        String t1 = new String(v1, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at1 = t1.indexOf("0.1", t1.indexOf("\"mean\""));
        v1[at1 + 2] = '7';
        Files.write(p, v1);
        List<String> notes = new ArrayList<>();
        Warnings.setSink(notes::add);
        try {
            assertEquals(0.7f, ModelFile.load(p).normalization().mean()[0], "format 1 cannot see the change (why format 2 exists)");
            assertTrue(notes.stream().anyMatch(n -> n.contains("format 1") && n.contains("not covered by a checksum")), notes.toString());
        } finally {
            Warnings.setSink(null);
        }
    }

    @Test
    void renamedKeysNameTheKeyNotANullPointer() throws IOException {
        byte[] v1 = FileFaults.toFormat1(model);
        JsonObject h = FileFaults.format1Header(v1);
        h.getAsJsonObject("meta").getAsJsonObject("architecture").add("spek", h.getAsJsonObject("meta").getAsJsonObject("architecture").remove("spec"));
        Path p = dir.resolve("renamed.cnn");
        Files.write(p, FileFaults.withFormat1Header(v1, h));
        var e = assertThrows(ModelFormatException.class, () -> ModelFile.load(p));
        assertTrue(e.getMessage().contains("renamed.cnn") && e.getMessage().contains("\"spec\""), e.getMessage());
    }

    @Test
    void aFormat1GoldenFileStillLoadsAndPredictsAsWritten() throws IOException {
        Path p = dir.resolve("model-format1.cnn");
        try (InputStream in = getClass().getResourceAsStream("model-format1.cnn")) {
            Files.copy(in, p);
        }
        ModelFile.SavedModel m = ModelFile.load(p);
        assertEquals("conv2k3-relu-flatten-linear3", m.net().spec());
        assertEquals(new Normalization(new float[] {0.25f}, new float[] {0.5f}), m.normalization());
        float[] x = new float[2 * 25];
        for (int i = 0; i < x.length; i++) x[i] = (i % 7) / 7f;
        // Logits the format-1 writer's process computed (a GEMM: summation order may differ, so a relative tolerance).
        float[] want = {0.45950145f, -0.95240366f, 0.26515675f, 0.6078937f, -0.2758994f, 0.5210647f};
        float[] got = m.net().forward(x, 2);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5f * Math.max(1, Math.abs(want[i])));
    }

    @Test
    void aFolderOrAnotherKindIsNamedForWhatItIs() throws IOException {
        var e = assertThrows(ModelFormatException.class, () -> ModelFile.load(dir));
        assertTrue(e.getMessage().contains("is a folder"), e.getMessage());
        Path logits = dir.resolve("logits.tensors");
        JsonObject m = new JsonObject();
        m.addProperty("kind", "teacher-logits");
        new TensorFile(m, new LinkedHashMap<>(Map.of("logits", new TensorFile.Tensor(new int[] {1}, new float[] {1})))).write(logits);
        var e2 = assertThrows(ModelFormatException.class, () -> ModelFile.load(logits));
        assertTrue(e2.getMessage().contains("teacher logits") && e2.getMessage().contains("not a CNN model"), e2.getMessage());
    }
}
