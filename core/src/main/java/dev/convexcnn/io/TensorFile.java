package dev.convexcnn.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Named float32 tensors with a JSON header, the container of models and checkpoints ({@code docs/model-format.md}).
 * Layout (format 2): the 8 ASCII bytes {@code CVXCNN02}; the header length L as a 4-byte big-endian int; the CRC-32
 * of the magic, the length and the header bytes (4 bytes, big-endian); the UTF-8 JSON header; then each tensor's
 * values as little-endian float32, in header order. The header lists each tensor's name and shape and holds the
 * CRC-32 of the data, so every byte of the file is covered: a damaged, truncated or edited file is refused with a
 * message naming it, before any value is used. Format 1 files ({@code CVXCNN01}: no header checksum) are still read,
 * with a note that their header is not protected.
 */
public final class TensorFile {
    static final byte[] MAGIC = "CVXCNN02".getBytes(StandardCharsets.US_ASCII);
    static final byte[] MAGIC_V1 = "CVXCNN01".getBytes(StandardCharsets.US_ASCII);
    /** The format this class writes. */
    public static final int FORMAT_VERSION = 2;
    private static final String MAGIC_STEM = "CVXCNN";
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
    private final int formatVersion;

    public TensorFile(JsonObject meta, Map<String, Tensor> tensors) {
        this(meta, tensors, FORMAT_VERSION);
    }

    private TensorFile(JsonObject meta, Map<String, Tensor> tensors, int formatVersion) {
        this.meta = meta;
        this.tensors = new LinkedHashMap<>(tensors);
        this.formatVersion = formatVersion;
    }

    public JsonObject meta() { return meta; }
    public Map<String, Tensor> tensors() { return tensors; }
    /** 2 for files whose header is covered by a checksum, 1 for older files. */
    public int formatVersion() { return formatVersion; }

    /** The header's {@code kind} ("model", "checkpoint", "ccnn", ...), or null when it has none. */
    public String kind() {
        if (meta == null || !meta.has("kind") || !meta.get("kind").isJsonPrimitive()) return null;
        return meta.get("kind").getAsString();
    }

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
        header.addProperty("formatVersion", FORMAT_VERSION);
        header.add("meta", meta);
        header.add("tensors", list);
        header.addProperty("dataCrc32", crc.getValue());
        byte[] head = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.writeFramed(path, MAGIC, head, out -> {
            for (Tensor t : tensors.values()) out.write(toBytes(t.values()));
        });
    }

    public static TensorFile read(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new ModelFormatException(path + " is a folder, not a model or checkpoint file");
        }
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such model or checkpoint file");
        }
        long size = Files.size(path);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), 1 << 16))) {
            byte[] magic = new byte[MAGIC.length];
            readFully(in, magic, path, "the magic bytes");
            int version;
            if (Arrays.equals(magic, MAGIC)) {
                version = 2;
            } else if (Arrays.equals(magic, MAGIC_V1)) {
                version = 1;
            } else if (new String(magic, StandardCharsets.ISO_8859_1).startsWith(MAGIC_STEM)
                    && new String(magic, 6, 2, StandardCharsets.ISO_8859_1).matches("[0-9]{2}")) {
                throw new ModelFormatException(path, "format " + new String(magic, 6, 2, StandardCharsets.ISO_8859_1)
                        + " is newer than this program reads (formats 1 and 2): update convexcnn");
            } else if (Arrays.equals(magic, SolverCheckpoint.MAGIC)) {
                throw new ModelFormatException(path + " holds the saved state of a solver (a checkpoint of a convex, CCNN or "
                        + "alternation run), not a model: continue it with train --resume, or use the model file written at the end of the run");
            } else {
                throw new ModelFormatException(path, "not a ConvexCNN model or checkpoint (wrong magic bytes)");
            }
            byte[] lenBytes = new byte[4];
            readFully(in, lenBytes, path, "the header length");
            int len = ByteBuffer.wrap(lenBytes).getInt();
            long headerCrc = -1;
            if (version >= 2) {
                byte[] c = new byte[4];
                readFully(in, c, path, "the header checksum");
                headerCrc = ByteBuffer.wrap(c).getInt() & 0xffffffffL;
            }
            long fixed = magic.length + 4L + (version >= 2 ? 4 : 0);
            if (len <= 0 || len > (64 << 20) || fixed + len > size) {
                throw new ModelFormatException(path, "header length " + len + " does not fit the file's " + size
                        + " bytes (damaged or truncated)");
            }
            byte[] head = new byte[len];
            readFully(in, head, path, "the header");
            if (version >= 2) {
                CRC32 crc = new CRC32();
                crc.update(magic);
                crc.update(lenBytes);
                crc.update(head);
                if (crc.getValue() != headerCrc) {
                    throw new ModelFormatException(path, "header checksum mismatch (the file is damaged or was edited)");
                }
            } else {
                Warnings.note(path + " is in model format 1, whose header (architecture, normalisation, settings) is not "
                        + "covered by a checksum; save it again to protect it");
            }
            JsonFields header;
            try {
                header = JsonFields.of(path, "the header", Json.parseStrict(new String(head, StandardCharsets.UTF_8)));
            } catch (JsonParseException | IllegalStateException e) {
                throw new ModelFormatException(path, "the header is not valid JSON (" + e.getMessage() + ")");
            }
            int declared = header.integer("formatVersion");
            if (declared != version) {
                throw new ModelFormatException(path, "the header says format " + declared + " but the magic bytes say " + version);
            }
            CRC32 crc = new CRC32();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            long remaining = size - fixed - len;
            for (JsonFields t : header.objects("tensors")) {
                String name = t.str("name");
                int[] shape = t.integers("shape", 0, Integer.MAX_VALUE);
                if (t.has("dtype") && !"float32-le".equals(t.str("dtype"))) throw t.error("dtype " + t.str("dtype") + " is not float32-le");
                long n = 1;
                for (int d : shape) n = Math.min(n * d, Long.MAX_VALUE / 8);
                if (4 * n > remaining) {
                    throw new ModelFormatException(path, "file is truncated (tensor '" + name + "' of shape "
                            + Arrays.toString(shape) + " needs " + 4 * n + " bytes, " + remaining + " are left)");
                }
                byte[] raw = new byte[(int) n * 4];
                readFully(in, raw, path, "tensor '" + name + "'");
                remaining -= raw.length;
                crc.update(raw);
                float[] v = new float[(int) n];
                ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                if (tensors.put(name, new Tensor(shape, v)) != null) throw t.error("names tensor '" + name + "' twice");
            }
            if (in.read() != -1) throw new ModelFormatException(path, "unexpected bytes after the last tensor");
            if (crc.getValue() != header.whole("dataCrc32")) {
                throw new ModelFormatException(path, "data checksum mismatch (the file is damaged)");
            }
            JsonObject meta = header.has("meta") ? header.obj("meta").raw() : null;
            return new TensorFile(meta, tensors, version);
        }
    }

    private static void readFully(DataInputStream in, byte[] b, Path path, String what) throws IOException {
        try {
            in.readFully(b);
        } catch (EOFException e) {
            throw new ModelFormatException(path, "file is truncated (ends inside " + what + ")");
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
