package dev.convexcnn.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The state of an iterative solver between two iterations, so that a killed run continues to the result an
 * uninterrupted run gets, bit for bit: named arrays (float64, float32, int64, stored exactly), named scalars (reals
 * as their shortest exact decimal, whole numbers, texts, JSON values) and a fingerprint of the settings and data the
 * state belongs to. A checkpoint of other settings or data is refused by {@link #requireMatch} with one line naming
 * the file and the first differences.
 *
 * <p>Layout (as the tensor file's, with its own magic so neither reader mistakes the other's files): the 8 ASCII
 * bytes {@code CVXSLV01}; the header length L (4 bytes, big-endian); the CRC-32 of the magic, the length and the
 * header; the UTF-8 JSON header; then each array's values, little-endian, in header order. The header holds the
 * CRC-32 of the data, so every byte is covered. Written atomically ({@link AtomicFiles}).
 */
public final class SolverCheckpoint {
    static final byte[] MAGIC = "CVXSLV01".getBytes(StandardCharsets.US_ASCII);
    public static final String KIND = "solver-checkpoint";
    public static final int FORMAT_VERSION = 1;
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private enum Dtype {
        F64("float64-le", 8), F32("float32-le", 4), I64("int64-le", 8);
        final String label;
        final int bytes;
        Dtype(String label, int bytes) { this.label = label; this.bytes = bytes; }
        static Dtype of(String label) {
            for (Dtype d : values()) if (d.label.equals(label)) return d;
            return null;
        }
    }

    private final String method;
    private final JsonObject fingerprint;
    private final Map<String, Object> arrays = new LinkedHashMap<>();
    private final Map<String, Double> reals = new LinkedHashMap<>();
    private final Map<String, Long> wholes = new LinkedHashMap<>();
    private final Map<String, String> texts = new LinkedHashMap<>();
    private final Map<String, JsonElement> json = new LinkedHashMap<>();
    private final Path source;

    /** An empty state of {@code method} (its id) for the settings and data {@code fingerprint} describes. */
    public SolverCheckpoint(String method, JsonObject fingerprint) {
        this(method, fingerprint, null);
    }

    private SolverCheckpoint(String method, JsonObject fingerprint, Path source) {
        this.method = method;
        this.fingerprint = fingerprint == null ? new JsonObject() : fingerprint.deepCopy();
        this.source = source;
    }

    public String method() { return method; }
    public JsonObject fingerprint() { return fingerprint.deepCopy(); }
    /** The file read, or null for a state built in memory. */
    public Path source() { return source; }

    // ---- building (the arrays are copied: the solver goes on changing its own) ----

    public SolverCheckpoint put(String name, double[] v) { return putArray(name, v.clone()); }
    public SolverCheckpoint put(String name, float[] v) { return putArray(name, v.clone()); }
    public SolverCheckpoint put(String name, long[] v) { return putArray(name, v.clone()); }

    /** The array itself, not a copy: for arrays that nothing changes any more (a solver's own snapshot). */
    public SolverCheckpoint share(String name, double[] v) { return putArray(name, v); }

    public SolverCheckpoint put(String name, int[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) l[i] = v[i];
        return putArray(name, l);
    }

    public SolverCheckpoint put(String name, boolean[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) l[i] = v[i] ? 1 : 0;
        return putArray(name, l);
    }

    public SolverCheckpoint real(String name, double v) { reals.put(checkName(name), v); return this; }
    public SolverCheckpoint whole(String name, long v) { wholes.put(checkName(name), v); return this; }
    public SolverCheckpoint text(String name, String v) { texts.put(checkName(name), v); return this; }
    public SolverCheckpoint json(String name, JsonElement v) { json.put(checkName(name), v.deepCopy()); return this; }

    private SolverCheckpoint putArray(String name, Object v) {
        arrays.put(checkName(name), v);
        return this;
    }

    private static String checkName(String name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("a checkpoint entry needs a name");
        return name;
    }

    // ---- reading back (a missing or ill-shaped entry names the file: a renamed key is damage, not a default) ----

    public boolean has(String name) {
        return arrays.containsKey(name) || reals.containsKey(name) || wholes.containsKey(name) || texts.containsKey(name)
                || json.containsKey(name);
    }

    public double[] doubles(String name) throws ModelFormatException { return array(name, double[].class, Dtype.F64); }
    public float[] floats(String name) throws ModelFormatException { return array(name, float[].class, Dtype.F32); }
    public long[] longs(String name) throws ModelFormatException { return array(name, long[].class, Dtype.I64); }

    /** The array, which must have {@code length} values (the size the current settings give). */
    public double[] doubles(String name, int length) throws ModelFormatException { return length(name, doubles(name), length); }
    public float[] floats(String name, int length) throws ModelFormatException { return length(name, floats(name), length); }

    public int[] ints(String name) throws ModelFormatException {
        long[] l = longs(name);
        int[] v = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] != (int) l[i]) throw error("array '" + name + "' holds " + l[i] + ", not an int");
            v[i] = (int) l[i];
        }
        return v;
    }

    public int[] ints(String name, int length) throws ModelFormatException { return length(name, ints(name), length); }

    public boolean[] booleans(String name, int length) throws ModelFormatException {
        long[] l = length(name, longs(name), length);
        boolean[] v = new boolean[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] != 0 && l[i] != 1) throw error("array '" + name + "' holds " + l[i] + ", not 0 or 1");
            v[i] = l[i] == 1;
        }
        return v;
    }

    public double real(String name) throws ModelFormatException { return get(reals, name, "real number"); }
    public long whole(String name) throws ModelFormatException { return get(wholes, name, "whole number"); }
    public String text(String name) throws ModelFormatException { return get(texts, name, "text"); }
    public JsonElement json(String name) throws ModelFormatException { return get(json, name, "JSON value").deepCopy(); }

    /** A whole number in [min, max]. */
    public long whole(String name, long min, long max) throws ModelFormatException {
        long v = whole(name);
        if (v < min || v > max) throw error("\"" + name + "\" = " + v + " is outside " + min + ".." + max);
        return v;
    }

    public int integer(String name, int min, int max) throws ModelFormatException { return (int) whole(name, min, max); }

    private <T> T get(Map<String, T> m, String name, String what) throws ModelFormatException {
        T v = m.get(name);
        if (v == null) throw error("has no " + what + " \"" + name + "\" (removed or renamed: the file is damaged or of another solver)");
        return v;
    }

    private <T> T array(String name, Class<T> type, Dtype d) throws ModelFormatException {
        Object v = arrays.get(name);
        if (v == null) throw error("has no array '" + name + "' (removed or renamed: the file is damaged or of another solver)");
        if (!type.isInstance(v)) throw error("array '" + name + "' is not " + d.label);
        return type.cast(v);
    }

    private <T> T length(String name, T v, int want) throws ModelFormatException {
        int n = java.lang.reflect.Array.getLength(v);
        if (n != want) throw error("array '" + name + "' has " + n + " values, the settings need " + want);
        return v;
    }

    private ModelFormatException error(String problem) {
        return new ModelFormatException(source != null ? source : Path.of("(checkpoint in memory)"), "solver checkpoint " + problem);
    }

    // ---- settings and data ----

    /**
     * Refuses this state unless it is of {@code method} and its fingerprint equals {@code want} (the settings and data
     * of the run that is to continue it): one line naming the file and up to three differences.
     */
    public void requireMatch(String method, JsonObject want) throws CheckpointMismatchException {
        Path f = source != null ? source : Path.of("(checkpoint)");
        if (!this.method.equals(method)) {
            throw new CheckpointMismatchException(f + " holds the state of --method " + this.method + ", not of --method " + method
                    + ": give --method " + this.method + ", or start afresh without --resume");
        }
        List<String> diff = new ArrayList<>();
        differences("", fingerprint, want == null ? new JsonObject() : want, diff);
        if (!diff.isEmpty()) {
            String shown = String.join("; ", diff.subList(0, Math.min(3, diff.size()))) + (diff.size() > 3 ? "; and " + (diff.size() - 3) + " more" : "");
            throw new CheckpointMismatchException(f + " was written with other settings or data (" + shown
                    + "): give the same settings, or start afresh without --resume");
        }
    }

    private static void differences(String prefix, JsonElement had, JsonElement now, List<String> out) {
        if (had != null && now != null && had.isJsonObject() && now.isJsonObject()) {
            JsonObject a = had.getAsJsonObject(), b = now.getAsJsonObject();
            java.util.Set<String> keys = new java.util.LinkedHashSet<>(a.keySet());
            keys.addAll(b.keySet());
            for (String k : keys) differences(prefix.isEmpty() ? k : prefix + "." + k, a.get(k), b.get(k), out);
            return;
        }
        if (had == null ? now == null : had.equals(now)) return;
        out.add(prefix + ": " + (had == null ? "absent" : had) + " in the checkpoint, " + (now == null ? "absent" : now) + " now");
    }

    /** The state's state does not belong to the run asked to continue it (other settings, data or method). */
    public static final class CheckpointMismatchException extends IOException {
        private static final long serialVersionUID = 1L;

        public CheckpointMismatchException(String message) { super(FileFormatException.oneLine(message)); }
    }

    // ---- the file ----

    /** Writes atomically: a reader sees the previous state or this one, never a part. */
    public void write(Path path) throws IOException {
        CRC32 crc = new CRC32();
        JsonArray list = new JsonArray();
        // The values go through a small buffer twice (the CRC, then the file): a state's bytes are never all held at
        // once (tens of MB for a full-MNIST DCCNN state, beside the state itself).
        ByteBuffer piece = ByteBuffer.allocate(PIECE).order(ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, Object> e : arrays.entrySet()) {
            JsonObject a = new JsonObject();
            a.addProperty("name", e.getKey());
            a.addProperty("dtype", dtypeOf(e.getValue()).label);
            a.addProperty("length", java.lang.reflect.Array.getLength(e.getValue()));
            list.add(a);
            inPieces(e.getValue(), piece, (b, len) -> crc.update(b, 0, len));
        }
        JsonObject header = new JsonObject();
        header.addProperty("format", "convexcnn-solver-checkpoint");
        header.addProperty("formatVersion", FORMAT_VERSION);
        header.addProperty("kind", KIND);
        header.addProperty("method", method);
        header.add("fingerprint", fingerprint);
        JsonObject r = new JsonObject();
        reals.forEach((k, v) -> r.addProperty(k, exact(v)));
        header.add("reals", r);
        JsonObject w = new JsonObject();
        wholes.forEach(w::addProperty);
        header.add("wholes", w);
        JsonObject t = new JsonObject();
        texts.forEach(t::addProperty);
        header.add("texts", t);
        JsonObject j = new JsonObject();
        json.forEach(j::add);
        header.add("json", j);
        header.add("arrays", list);
        header.addProperty("dataCrc32", crc.getValue());
        byte[] head = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.writeFramed(path, MAGIC, head, out -> {
            for (Object v : arrays.values()) inPieces(v, piece, (b, len) -> out.write(b, 0, len));
        });
    }

    /** Bytes per piece of an array's little-endian values (a multiple of 8). */
    private static final int PIECE = 1 << 16;

    private interface PieceSink { void accept(byte[] bytes, int length) throws IOException; }

    /** The array's values, little-endian, to sink in pieces of at most the buffer's size. */
    private static void inPieces(Object v, ByteBuffer piece, PieceSink sink) throws IOException {
        int width = dtypeOf(v).bytes, per = piece.capacity() / width, n = java.lang.reflect.Array.getLength(v);
        for (int from = 0; from < n; from += per) {
            int count = Math.min(per, n - from);
            piece.clear();
            if (v instanceof double[] d) piece.asDoubleBuffer().put(d, from, count);
            else if (v instanceof float[] f) piece.asFloatBuffer().put(f, from, count);
            else piece.asLongBuffer().put((long[]) v, from, count);
            sink.accept(piece.array(), count * width);
        }
    }

    /** Reads and checks every byte; any damage is a {@link ModelFormatException} naming the file. */
    public static SolverCheckpoint read(Path path) throws IOException {
        if (Files.isDirectory(path)) throw new ModelFormatException(path + " is a folder, not a solver checkpoint");
        if (!Files.isRegularFile(path)) throw new NoSuchFileException(path.toString(), null, "no such solver checkpoint");
        long size = Files.size(path);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), 1 << 16))) {
            byte[] magic = new byte[MAGIC.length];
            readFully(in, magic, path, "the magic bytes");
            if (!Arrays.equals(magic, MAGIC)) {
                String m = new String(magic, StandardCharsets.ISO_8859_1);
                if (m.startsWith("CVXCNN")) {
                    throw new ModelFormatException(path + " holds a model or an SGD checkpoint, not the state of a convex, CCNN or "
                            + "alternation solver: give that run's checkpoint (default: <output>.ckpt)");
                }
                if (m.startsWith("CVXSLV") && m.substring(6).matches("[0-9]{2}")) {
                    throw new ModelFormatException(path, "solver checkpoint format " + m.substring(6)
                            + " is newer than this program reads (format 01): update convexcnn");
                }
                throw new ModelFormatException(path, "not a ConvexCNN solver checkpoint (wrong magic bytes)");
            }
            byte[] lenBytes = new byte[4];
            readFully(in, lenBytes, path, "the header length");
            int len = ByteBuffer.wrap(lenBytes).getInt();
            byte[] c = new byte[4];
            readFully(in, c, path, "the header checksum");
            long headerCrc = ByteBuffer.wrap(c).getInt() & 0xffffffffL;
            long fixed = MAGIC.length + 8L;
            if (len <= 0 || len > (64 << 20) || fixed + len > size) {
                throw new ModelFormatException(path, "header length " + len + " does not fit the file's " + size + " bytes (damaged or truncated)");
            }
            byte[] head = new byte[len];
            readFully(in, head, path, "the header");
            CRC32 crc = new CRC32();
            crc.update(magic);
            crc.update(lenBytes);
            crc.update(head);
            if (crc.getValue() != headerCrc) throw new ModelFormatException(path, "header checksum mismatch (the file is damaged or was edited)");
            JsonFields h;
            try {
                h = JsonFields.of(path, "the checkpoint header", Json.parseStrict(new String(head, StandardCharsets.UTF_8)));
            } catch (JsonParseException | IllegalStateException e) {
                throw new ModelFormatException(path, "the checkpoint header is not valid JSON (" + e.getMessage() + ")");
            }
            if (!"convexcnn-solver-checkpoint".equals(h.str("format"))) throw h.error("\"format\" is not convexcnn-solver-checkpoint");
            int version = h.integer("formatVersion");
            if (version != FORMAT_VERSION) throw h.error("says format " + version + " but the magic bytes say " + FORMAT_VERSION);
            if (!KIND.equals(h.str("kind"))) throw h.error("\"kind\" is " + h.str("kind") + ", not " + KIND);
            SolverCheckpoint s = new SolverCheckpoint(h.str("method"), h.obj("fingerprint").raw(), path);
            JsonFields r = h.obj("reals");
            for (String k : r.raw().keySet()) {
                String v = r.str(k);
                try {
                    s.reals.put(k, Double.parseDouble(v));
                } catch (NumberFormatException e) {
                    throw r.error("\"" + k + "\" is not a number: " + v);
                }
            }
            JsonFields w = h.obj("wholes");
            for (String k : w.raw().keySet()) s.wholes.put(k, w.whole(k));
            JsonFields t = h.obj("texts");
            for (String k : t.raw().keySet()) s.texts.put(k, t.str(k));
            for (Map.Entry<String, JsonElement> e : h.obj("json").raw().entrySet()) s.json.put(e.getKey(), e.getValue());
            CRC32 dataCrc = new CRC32();
            long remaining = size - fixed - len;
            for (JsonFields a : h.objects("arrays")) {
                String name = a.str("name");
                Dtype d = Dtype.of(a.str("dtype"));
                if (d == null) throw a.error("dtype " + a.str("dtype") + " is not float64-le, float32-le or int64-le");
                int n = a.integer("length", 0, Integer.MAX_VALUE / 8);
                if ((long) n * d.bytes > remaining) {
                    throw new ModelFormatException(path, "file is truncated (array '" + name + "' needs " + (long) n * d.bytes
                            + " bytes, " + remaining + " are left)");
                }
                byte[] raw = new byte[n * d.bytes];
                readFully(in, raw, path, "array '" + name + "'");
                remaining -= raw.length;
                dataCrc.update(raw);
                if (s.arrays.put(name, fromBytes(raw, d, n)) != null) throw a.error("names array '" + name + "' twice");
            }
            if (in.read() != -1) throw new ModelFormatException(path, "unexpected bytes after the last array");
            if (dataCrc.getValue() != h.whole("dataCrc32")) throw new ModelFormatException(path, "data checksum mismatch (the file is damaged)");
            return s;
        }
    }

    /** Reads the state and checks that it belongs to {@code method} with {@code fingerprint} ({@link #requireMatch}). */
    public static SolverCheckpoint read(Path path, String method, JsonObject fingerprint) throws IOException {
        SolverCheckpoint s = read(path);
        s.requireMatch(method, fingerprint);
        return s;
    }

    /** A decimal that parses back to the same bits (readable), else the exact hexadecimal form. */
    static String exact(double v) {
        String s = Double.toString(v);
        return Double.doubleToRawLongBits(Double.parseDouble(s)) == Double.doubleToRawLongBits(v) ? s : Double.toHexString(v);
    }

    private static void readFully(DataInputStream in, byte[] b, Path path, String what) throws IOException {
        try {
            in.readFully(b);
        } catch (EOFException e) {
            throw new ModelFormatException(path, "file is truncated (ends inside " + what + ")");
        }
    }

    private static Dtype dtypeOf(Object v) {
        if (v instanceof double[]) return Dtype.F64;
        if (v instanceof float[]) return Dtype.F32;
        return Dtype.I64;
    }

    private static Object fromBytes(byte[] raw, Dtype d, int n) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        return switch (d) {
            case F64 -> { double[] v = new double[n]; b.asDoubleBuffer().get(v); yield v; }
            case F32 -> { float[] v = new float[n]; b.asFloatBuffer().get(v); yield v; }
            case I64 -> { long[] v = new long[n]; b.asLongBuffer().get(v); yield v; }
        };
    }

    /** Equal content (for tests): method, fingerprint, every entry bit for bit. */
    public boolean sameAs(SolverCheckpoint o) {
        if (!method.equals(o.method) || !fingerprint.equals(o.fingerprint) || !texts.equals(o.texts) || !wholes.equals(o.wholes)
                || !json.equals(o.json) || !arrays.keySet().equals(o.arrays.keySet()) || !reals.keySet().equals(o.reals.keySet())) {
            return false;
        }
        for (var e : reals.entrySet()) {
            if (Double.doubleToRawLongBits(e.getValue()) != Double.doubleToRawLongBits(o.reals.get(e.getKey()))) return false;
        }
        for (var e : arrays.entrySet()) {
            Object a = e.getValue(), b = o.arrays.get(e.getKey());
            boolean same;
            if (a instanceof double[] x) same = b instanceof double[] y && Arrays.equals(x, y);
            else if (a instanceof float[] x) same = b instanceof float[] y && Arrays.equals(x, y);
            else same = b instanceof long[] y && Arrays.equals((long[]) a, y);
            if (!same) return false;
        }
        return true;
    }
}
