package dev.convexcnn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.nn.Initializer;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFileTest {
    @TempDir Path dir;

    @Test
    void modelRoundTripKeepsEveryBitAndTheHeader() throws IOException {
        Sequential net = Sequential.of("conv4k3-relu-maxpool2-linear3", new Shape(6, 6, 2), 3).initialize(Initializer.HE, 9);
        Normalization norm = new Normalization(new float[] {0.1f, 0.2f}, new float[] {0.3f, 0.4f});
        JsonObject prov = Provenance.base();
        prov.addProperty("seed", 9);
        Path f = dir.resolve("m.cnn");
        ModelFile.save(f, net, norm, prov);
        ModelFile.SavedModel back = ModelFile.load(f);
        assertEquals(net.spec(), back.net().spec());
        assertArrayEquals(net.flatParameters(), back.net().flatParameters());
        assertArrayEquals(norm.mean(), back.normalization().mean());
        assertArrayEquals(norm.std(), back.normalization().std());
        assertEquals(9, back.provenance().get("seed").getAsInt());
        assertTrue(back.provenance().has("backend"));
    }

    @Test
    void damagedFilesAreRefusedWithTheirName() throws IOException {
        Map<String, TensorFile.Tensor> t = new LinkedHashMap<>();
        t.put("a", new TensorFile.Tensor(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
        Path f = dir.resolve("t.bin");
        new TensorFile(new JsonObject(), t).write(f);
        byte[] good = Files.readAllBytes(f);

        Path truncated = dir.resolve("truncated.bin");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length - 5));
        var e1 = assertThrows(ModelFormatException.class, () -> TensorFile.read(truncated));
        assertTrue(e1.getMessage().contains("truncated.bin") && e1.getMessage().contains("truncated"), e1.getMessage());

        Path flipped = dir.resolve("flipped.bin");
        byte[] bad = good.clone();
        bad[bad.length - 2] ^= 0x40;
        Files.write(flipped, bad);
        var e2 = assertThrows(ModelFormatException.class, () -> TensorFile.read(flipped));
        assertTrue(e2.getMessage().contains("checksum"), e2.getMessage());

        Path notModel = dir.resolve("notes.txt");
        Files.writeString(notModel, "hello, this is not a model");
        var e3 = assertThrows(ModelFormatException.class, () -> TensorFile.read(notModel));
        assertTrue(e3.getMessage().contains("notes.txt") && e3.getMessage().contains("magic"), e3.getMessage());

        assertThrows(java.nio.file.NoSuchFileException.class, () -> TensorFile.read(dir.resolve("missing.bin")));
    }

    @Test
    void atomicWriteLeavesOldContentWhenTheWriterFails() throws IOException {
        Path f = dir.resolve("out.txt");
        AtomicFiles.writeString(f, "old");
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("partial new content".getBytes());
            throw new IOException("killed midway");
        }));
        assertEquals("old", Files.readString(f));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file is left behind");
        }
        AtomicFiles.writeString(f, "new");
        assertEquals("new", Files.readString(f));
    }
}
