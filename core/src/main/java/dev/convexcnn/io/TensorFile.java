package dev.convexcnn.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Named float32 tensors with a JSON header. Layout: the 8 ASCII bytes {@code CVXCNN01}; the header length as a
 * 4-byte big-endian int; the UTF-8 JSON header; then each tensor's values as little-endian float32, in header
 * order. The header lists each tensor's name, shape and value count, and a CRC32 of the data, so a truncated or
 * damaged file is refused with a clear message.
 */
public final class TensorFile {
    static final byte[] MAGIC = "CVXCNN01".getBytes(StandardCharsets.US_ASCII);
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /** One tensor: its shape and values. */
    public record Tensor(int[] shape, float[] values) {
        public Tensor {
            long n = 1;
            for (int d : shape) n *= d;
            if (n != values.length) throw new IllegalArgumentException("shape does not match " + values.length + " values");
        }
    }

    private final JsonObject meta;
    private final Map<String, Tensor> tensors;

    public TensorFile(JsonObject meta, Map<String, Tensor> tensors) {
        this.meta = meta;
        this.tensors = new LinkedHashMap<>(tensors);
    }

    public JsonObject meta() { return meta; }
    public Map<String, Tensor> tensors() { return tensors; }

    public Tensor tensor(String name, Path source) throws ModelFormatException {
        Tensor t = tensors.get(name);
        if (t == null) throw new ModelFormatException(source + ": tensor '" + name + "' is missing");
        return t;
    }

    /** Writes atomically. */
    public void write(Path path) throws IOException {
        CRC32 crc = new CRC32();
        JsonArray list = new JsonArray();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("name", e.getKey());
            JsonArray shape = new JsonArray();
            for (int d : e.getValue().shape()) shape.add(d);
            t.add("shape", shape);
            t.addProperty("dtype", "float32-le");
            list.add(t);
            crc.update(toBytes(e.getValue().values()));
        }
        JsonObject header = new JsonObject();
        header.addProperty("format", "convexcnn-tensors");
        header.addProperty("formatVersion", 1);
        header.add("meta", meta);
        header.add("tensors", list);
        header.addProperty("dataCrc32", crc.getValue());
        byte[] head = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(path, out -> {
            out.write(MAGIC);
            out.write(ByteBuffer.allocate(4).putInt(head.length).array());
            out.write(head);
            for (Tensor t : tensors.values()) out.write(toBytes(t.values()));
        });
    }

    public static TensorFile read(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such model or checkpoint file");
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), 1 << 16))) {
            byte[] magic = new byte[MAGIC.length];
            readFully(in, magic, path, "the magic bytes");
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new ModelFormatException(path + ": not a ConvexCNN model or checkpoint (wrong magic bytes)");
            }
            byte[] lenBytes = new byte[4];
            readFully(in, lenBytes, path, "the header length");
            int len = ByteBuffer.wrap(lenBytes).getInt();
            if (len <= 0 || len > (64 << 20)) throw new ModelFormatException(path + ": header length " + len + " is not plausible");
            byte[] head = new byte[len];
            readFully(in, head, path, "the header");
            JsonObject header;
            try {
                header = JsonParser.parseString(new String(head, StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                throw new ModelFormatException(path + ": the header is not valid JSON (" + e.getMessage() + ")");
            }
            if (!header.has("formatVersion") || header.get("formatVersion").getAsInt() != 1) {
                throw new ModelFormatException(path + ": unsupported format version " + header.get("formatVersion"));
            }
            CRC32 crc = new CRC32();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (var el : header.getAsJsonArray("tensors")) {
                JsonObject t = el.getAsJsonObject();
                JsonArray s = t.getAsJsonArray("shape");
                int[] shape = new int[s.size()];
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = s.get(i).getAsInt();
                    n *= shape[i];
                }
                if (n < 0 || n > Integer.MAX_VALUE / 4) throw new ModelFormatException(path + ": tensor shape " + s + " is not plausible");
                byte[] raw = new byte[(int) n * 4];
                readFully(in, raw, path, "tensor '" + t.get("name").getAsString() + "'");
                crc.update(raw);
                float[] v = new float[(int) n];
                ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                tensors.put(t.get("name").getAsString(), new Tensor(shape, v));
            }
            if (in.read() != -1) throw new ModelFormatException(path + ": unexpected bytes after the last tensor");
            if (crc.getValue() != header.get("dataCrc32").getAsLong()) {
                throw new ModelFormatException(path + ": data checksum mismatch (the file is damaged)");
            }
            return new TensorFile(header.getAsJsonObject("meta"), tensors);
        }
    }

    private static void readFully(DataInputStream in, byte[] b, Path path, String what) throws IOException {
        try {
            in.readFully(b);
        } catch (EOFException e) {
            throw new ModelFormatException(path + ": file is truncated (ends inside " + what + ")");
        }
    }

    private static byte[] toBytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    /** Pretty JSON, for headers and reports. */
    public static String toJson(JsonObject o) { return GSON.toJson(o); }

}
