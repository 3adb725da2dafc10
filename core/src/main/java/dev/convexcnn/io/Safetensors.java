package dev.convexcnn.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format (Hugging Face), float32 only: an 8-byte little-endian header length, a JSON header naming
 * each tensor's dtype, shape and byte range, then the raw little-endian data. PyTorch users load it with the
 * {@code safetensors} package, or with a few lines of numpy (see bench/pytorch_roundtrip.py).
 */
public final class Safetensors {
    private Safetensors() {}

    /** Writes the tensors (in map order) and string metadata, atomically. */
    public static void write(Path path, Map<String, TensorFile.Tensor> tensors, Map<String, String> metadata) throws IOException {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            metadata.forEach(m::addProperty);
            header.add("__metadata__", m);
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("'__metadata__' is not a tensor name");
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (int d : e.getValue().shape()) shape.add(d);
            t.add("shape", shape);
            JsonArray range = new JsonArray();
            range.add(offset);
            offset += 4L * e.getValue().values().length;
            range.add(offset);
            t.add("data_offsets", range);
            header.add(e.getKey(), t);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // the data start is 8-byte aligned, padded with spaces
        AtomicFiles.write(path, out -> {
            DataOutputStream d = new DataOutputStream(out);
            d.writeLong(Long.reverseBytes(padded));
            d.write(json);
            for (int i = json.length; i < padded; i++) d.write(' ');
            for (TensorFile.Tensor t : tensors.values()) {
                ByteBuffer b = ByteBuffer.allocate(4 * t.values().length).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(t.values());
                d.write(b.array());
            }
            d.flush();
        });
    }

    /** Reads a float32 safetensors file; anything else is an IOException that names the file. */
    public static Map<String, TensorFile.Tensor> read(Path path) throws IOException {
        byte[] all = Files.readAllBytes(path);
        try {
            ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            long n = b.getLong();
            if (n < 2 || 8 + n > all.length) throw new IOException("header length " + n + " does not fit the file's " + all.length + " bytes");
            JsonObject header = JsonParser.parseString(new String(all, 8, (int) n, StandardCharsets.UTF_8)).getAsJsonObject();
            Map<String, TensorFile.Tensor> out = new LinkedHashMap<>();
            long dataStart = 8 + n;
            for (var e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) continue;
                JsonObject t = e.getValue().getAsJsonObject();
                if (!t.get("dtype").getAsString().equals("F32")) throw new IOException("tensor '" + e.getKey() + "' is " + t.get("dtype") + ", only F32 is read");
                JsonArray s = t.getAsJsonArray("shape");
                int[] shape = new int[s.size()];
                long count = 1;
                for (int i = 0; i < shape.length; i++) count *= shape[i] = s.get(i).getAsInt();
                JsonArray r = t.getAsJsonArray("data_offsets");
                long begin = r.get(0).getAsLong(), end = r.get(1).getAsLong();
                if (end - begin != 4 * count || dataStart + end > all.length) throw new IOException("tensor '" + e.getKey() + "' has a bad byte range");
                float[] v = new float[(int) count];
                ByteBuffer.wrap(all, (int) (dataStart + begin), (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                out.put(e.getKey(), new TensorFile.Tensor(shape, v));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw new IOException(path + ": not a float32 safetensors file (" + e.getMessage() + ")", e);
        }
    }

    /** The __metadata__ strings of a file. */
    public static Map<String, String> metadata(Path path) throws IOException {
        byte[] all = Files.readAllBytes(path);
        long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonObject header = JsonParser.parseString(new String(all, 8, (int) n, StandardCharsets.UTF_8)).getAsJsonObject();
        Map<String, String> m = new LinkedHashMap<>();
        if (header.has("__metadata__")) for (Map.Entry<String, JsonElement> e : header.getAsJsonObject("__metadata__").entrySet()) m.put(e.getKey(), e.getValue().getAsString());
        return m;
    }
}
