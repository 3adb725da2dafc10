package dev.convexcnn.io;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Damage for fuzz tests of file readers: truncations, byte flips, and removed or renamed keys in a tensor file's
 * header (re-encoded with valid checksums, as another writer would) or in a JSON file. One rule for every reader:
 * it throws an exception whose class name ends in "FormatException" and whose message names the file, or it returns
 * the value of the undamaged file.
 */
public final class FileFaults {
    private FileFaults() {}

    /** A temporary folder for a test class's fixtures, removed when the JVM exits (jqwik has no @TempDir). */
    public static Path tempDir(String name) {
        try {
            Path d = Files.createTempDirectory(name);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var s = Files.walk(d)) {
                    for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            }));
            return d;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** One fault: what to do, a position in [0, 1) and a non-zero xor mask or a key choice. */
    public record Fault(Kind kind, double where, int mask) {
        @Override public String toString() { return kind + "@" + String.format("%.4f", where) + "/" + mask; }
    }

    public enum Kind { TRUNCATE, FLIP, KEY_REMOVE, KEY_RENAME }

    public static Arbitrary<Fault> faults(Kind... kinds) {
        return Combinators.combine(Arbitraries.of(kinds), Arbitraries.doubles().between(0, 1).ofScale(6).filter(d -> d < 1),
                Arbitraries.integers().between(1, 255)).as(Fault::new);
    }

    /** The bytes with one byte-level fault applied (TRUNCATE or FLIP). */
    public static byte[] damageBytes(byte[] good, Fault f) {
        int at = (int) (f.where() * good.length);
        return switch (f.kind()) {
            case TRUNCATE -> Arrays.copyOf(good, at);
            case FLIP -> {
                byte[] b = good.clone();
                b[at] ^= (byte) f.mask();
                yield b;
            }
            default -> throw new IllegalArgumentException(f.kind() + " is not a byte fault");
        };
    }

    /** One edit of a header: the key at {@code path} removed, or renamed. */
    public record KeyEdit(List<String> path, boolean rename) {
        @Override public String toString() { return (rename ? "rename " : "remove ") + String.join(".", path); }

        public JsonElement apply(JsonElement root) { return editKey(root, path, rename); }
    }

    /** Every removal and every renaming of a key of the tree (for exhaustive properties), skipping free-form subtrees. */
    public static List<KeyEdit> allKeyEdits(JsonElement root, List<String> skip) {
        List<KeyEdit> out = new ArrayList<>();
        for (List<String> p : keyPaths(root, skip)) {
            out.add(new KeyEdit(p, false));
            out.add(new KeyEdit(p, true));
        }
        return out;
    }

    /** Every key path of a JSON tree, skipping the subtrees under keys named in {@code skip}. */
    public static List<List<String>> keyPaths(JsonElement e, List<String> skip) {
        List<List<String>> out = new ArrayList<>();
        collect(e, new ArrayList<>(), skip, out);
        return out;
    }

    private static void collect(JsonElement e, List<String> prefix, List<String> skip, List<List<String>> out) {
        if (e.isJsonObject()) {
            for (Map.Entry<String, JsonElement> m : e.getAsJsonObject().entrySet()) {
                List<String> p = new ArrayList<>(prefix);
                p.add(m.getKey());
                out.add(p);
                if (!skip.contains(m.getKey())) collect(m.getValue(), p, skip, out);
            }
        } else if (e.isJsonArray()) {
            var a = e.getAsJsonArray();
            for (int i = 0; i < a.size(); i++) {
                List<String> p = new ArrayList<>(prefix);
                p.add("#" + i);
                collect(a.get(i), p, skip, out);
            }
        }
    }

    /** A copy of the tree with the key at {@code path} removed, or renamed (its last letter changed). */
    public static JsonElement editKey(JsonElement root, List<String> path, boolean rename) {
        JsonElement copy = root.deepCopy();
        JsonElement parent = copy;
        for (int i = 0; i < path.size() - 1; i++) parent = step(parent, path.get(i));
        JsonObject o = parent.getAsJsonObject();
        String key = path.get(path.size() - 1);
        JsonElement v = o.remove(key);
        if (rename) o.add(key + "_renamed", v);
        return copy;
    }

    private static JsonElement step(JsonElement e, String k) {
        return k.startsWith("#") ? e.getAsJsonArray().get(Integer.parseInt(k.substring(1))) : e.getAsJsonObject().get(k);
    }

    // ---- the tensor container, written here independently of TensorFile (a check of docs/model-format.md) ----

    /** The header JSON of a format-2 tensor file. */
    public static JsonObject tensorHeader(byte[] file) {
        int len = ByteBuffer.wrap(file, 8, 4).getInt();
        return JsonParser.parseString(new String(file, 16, len, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    /** A format-2 tensor file with another header (its checksum recomputed) and the same data. */
    public static byte[] withTensorHeader(byte[] file, JsonElement header) {
        int len = ByteBuffer.wrap(file, 8, 4).getInt();
        byte[] data = Arrays.copyOfRange(file, 16 + len, file.length);
        byte[] head = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(header).getBytes(StandardCharsets.UTF_8);
        byte[] prefix = ByteBuffer.allocate(12).put("CVXCNN02".getBytes(StandardCharsets.US_ASCII)).putInt(head.length).array();
        CRC32 crc = new CRC32();
        crc.update(prefix);
        crc.update(head);
        return ByteBuffer.allocate(16 + head.length + data.length).put(prefix).putInt((int) crc.getValue()).put(head).put(data).array();
    }

    /** The same file in format 1 (no header checksum), as older versions wrote it. */
    public static byte[] toFormat1(byte[] file) {
        int len = ByteBuffer.wrap(file, 8, 4).getInt();
        JsonObject h = tensorHeader(file);
        h.addProperty("formatVersion", 1);
        // Format 1 headers had the same keys; the order of formatVersion is kept by JsonObject.
        byte[] head = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(h).getBytes(StandardCharsets.UTF_8);
        byte[] data = Arrays.copyOfRange(file, 16 + len, file.length);
        return ByteBuffer.allocate(12 + head.length + data.length).put("CVXCNN01".getBytes(StandardCharsets.US_ASCII))
                .putInt(head.length).put(head).put(data).array();
    }

    /** A format-1 file with another header (format 1 has no header checksum to recompute). */
    public static byte[] withFormat1Header(byte[] v1, JsonElement header) {
        int len = ByteBuffer.wrap(v1, 8, 4).getInt();
        byte[] data = Arrays.copyOfRange(v1, 12 + len, v1.length);
        byte[] head = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(header).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(12 + head.length + data.length).put(Arrays.copyOf(v1, 8)).putInt(head.length).put(head).put(data).array();
    }

    public static JsonObject format1Header(byte[] v1) {
        int len = ByteBuffer.wrap(v1, 8, 4).getInt();
        return JsonParser.parseString(new String(v1, 12, len, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    // ---- the rule ----

    /** Reads a file into a value (the reader under test). */
    @FunctionalInterface
    public interface Reader<T> { T read(Path file) throws Exception; }

    /**
     * Writes {@code bytes} to {@code file} and reads it: the reader must refuse it with a *FormatException naming the
     * file, or return a value equal to {@code expected} (by {@code same}). Returns true when it refused.
     */
    public static <T> boolean refusedOrSame(Path file, byte[] bytes, Reader<T> reader, T expected,
            java.util.function.BiPredicate<T, T> same) throws IOException {
        Files.write(file, bytes);
        T got;
        try {
            got = reader.read(file);
        } catch (Exception e) {
            assertRefusal(file, e);
            return true;
        }
        assertTrue(same.test(expected, got), "damaged " + file.getFileName() + " was read as another value: " + got);
        return false;
    }

    /** The exception is a *FormatException whose message names the file (and is one line). */
    public static void assertRefusal(Path file, Throwable e) {
        if (!e.getClass().getSimpleName().endsWith("FormatException")) {
            fail("expected a *FormatException naming " + file + ", got " + e, e);
        }
        assertTrue(e.getMessage() != null && e.getMessage().contains(file.toString()), "the message does not name the file: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "the message is not one line: " + e.getMessage());
    }
}
