package dev.convexcnn.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
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

    /** Reads a float32 safetensors file; anything else is a FileFormatException that names the file. */
    public static Map<String, TensorFile.Tensor> read(Path path) throws IOException {
        byte[] all = Files.readAllBytes(path);
        JsonObject header = header(path, all);
        long dataStart = 8 + ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long dataBytes = all.length - dataStart;
        Map<String, TensorFile.Tensor> out = new LinkedHashMap<>();
        long covered = 0;
        for (var e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) continue;
            JsonFields t = fields(path, "tensor '" + e.getKey() + "'", e.getValue());
            if (!t.str("dtype").equals("F32")) throw bad(path, "tensor '" + e.getKey() + "' is " + t.str("dtype") + ", only F32 is read");
            int[] shape = t.integers("shape", 0, Integer.MAX_VALUE);
            long count = 1;
            for (int d : shape) count = Math.min(count * d, Long.MAX_VALUE / 8);
            JsonArray r = t.array("data_offsets");
            if (r.size() != 2) throw bad(path, "tensor '" + e.getKey() + "' has " + r.size() + " data offsets, not 2");
            long begin = t.whole(r.get(0), "data_offsets[0]", 0, dataBytes), end = t.whole(r.get(1), "data_offsets[1]", 0, dataBytes);
            if (end - begin != 4 * count) {
                throw bad(path, "tensor '" + e.getKey() + "' has a bad byte range [" + begin + ", " + end + ") for shape " + java.util.Arrays.toString(shape));
            }
            float[] v = new float[(int) count];
            ByteBuffer.wrap(all, (int) (dataStart + begin), (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            out.put(e.getKey(), new TensorFile.Tensor(shape, v));
            covered += end - begin;
        }
        if (covered != dataBytes) throw bad(path, "the tensors cover " + covered + " of the " + dataBytes + " data bytes (truncated, or bytes added)");
        return out;
    }

    /** The __metadata__ strings of a file. */
    public static Map<String, String> metadata(Path path) throws IOException {
        JsonObject header = header(path, Files.readAllBytes(path));
        Map<String, String> m = new LinkedHashMap<>();
        if (header.has("__metadata__")) {
            JsonFields md = fields(path, "__metadata__", header.get("__metadata__"));
            for (Map.Entry<String, JsonElement> e : md.raw().entrySet()) m.put(e.getKey(), md.str(e.getKey()));
        }
        return m;
    }

    private static JsonObject header(Path path, byte[] all) throws FileFormatException {
        if (all.length < 8) throw bad(path, "shorter than the 8-byte header length");
        long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 2 || n > all.length - 8) throw bad(path, "header length " + n + " does not fit the file's " + all.length + " bytes");
        try {
            JsonElement h = Json.parseStrict(new String(all, 8, (int) n, StandardCharsets.UTF_8).stripTrailing());
            if (!h.isJsonObject()) throw bad(path, "the header is not a JSON object");
            return h.getAsJsonObject();
        } catch (com.google.gson.JsonParseException e) {
            throw bad(path, "the header is not valid JSON (" + e.getMessage() + ")");
        }
    }

    private static JsonFields fields(Path path, String what, JsonElement e) throws FileFormatException {
        try {
            return JsonFields.of(path, what, e);
        } catch (ModelFormatException ex) {
            throw bad(path, ex.getMessage().substring(path.toString().length() + 2));
        }
    }

    private static FileFormatException bad(Path path, String problem) {
        return new FileFormatException(path, "not a float32 safetensors file: " + problem);
    }
}
