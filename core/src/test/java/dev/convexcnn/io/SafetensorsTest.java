package dev.convexcnn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir Path dir;

    @Test
    void writesTheFormatByteForByteAndReadsItBack() throws IOException {
        Map<String, TensorFile.Tensor> t = new LinkedHashMap<>();
        t.put("a", new TensorFile.Tensor(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, -6.5f}));
        t.put("b", new TensorFile.Tensor(new int[] {1}, new float[] {Float.MIN_VALUE}));
        Path f = dir.resolve("x.safetensors");
        Safetensors.write(f, t, Map.of("format", "pt"));
        byte[] all = Files.readAllBytes(f);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong();
        assertEquals(0, n % 8, "data must start 8-byte aligned");
        assertEquals(8 + n + 4 * 7, all.length);
        JsonObject h = JsonParser.parseString(new String(all, 8, (int) n, StandardCharsets.UTF_8).trim()).getAsJsonObject();
        assertEquals("[0,24]", h.getAsJsonObject("a").get("data_offsets").toString());
        assertEquals("[24,28]", h.getAsJsonObject("b").get("data_offsets").toString());
        assertEquals("F32", h.getAsJsonObject("a").get("dtype").getAsString());
        assertEquals("pt", h.getAsJsonObject("__metadata__").get("format").getAsString());
        // -6.5f little-endian at bytes 20..23 of the data.
        assertEquals(-6.5f, ByteBuffer.wrap(all, (int) (8 + n + 20), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
        Map<String, TensorFile.Tensor> back = Safetensors.read(f);
        assertArrayEquals(new int[] {2, 3}, back.get("a").shape());
        assertArrayEquals(t.get("a").values(), back.get("a").values());
        assertArrayEquals(t.get("b").values(), back.get("b").values());
        assertEquals(Map.of("format", "pt"), Safetensors.metadata(f));
    }

    @Test
    void damagedFilesAreErrorsThatNameTheFile() throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, new byte[] {(byte) 200, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("bad.safetensors"), e.getMessage());
        Map<String, TensorFile.Tensor> t = Map.of("a", new TensorFile.Tensor(new int[] {4}, new float[4]));
        Path g = dir.resolve("short.safetensors");
        Safetensors.write(g, t, Map.of());
        byte[] all = Files.readAllBytes(g);
        Files.write(g, java.util.Arrays.copyOf(all, all.length - 2));
        assertThrows(IOException.class, () -> Safetensors.read(g));
    }
}
