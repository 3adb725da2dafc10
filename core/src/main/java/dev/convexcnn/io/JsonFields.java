package dev.convexcnn.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Typed, checked access to one JSON object of a file's header: a missing key, a value of the wrong type or out of
 * range is a {@link ModelFormatException} that names the file and the key, never a NullPointerException or a
 * silently defaulted value.
 */
public final class JsonFields {
    private final Path file;
    private final String where;
    private final JsonObject o;

    private JsonFields(Path file, String where, JsonObject o) {
        this.file = file;
        this.where = where;
        this.o = o;
    }

    /** The object itself; {@code where} names it in messages ("the header", "the header's architecture"). */
    public static JsonFields of(Path file, String where, JsonElement e) throws ModelFormatException {
        if (e == null || !e.isJsonObject()) {
            throw new ModelFormatException(file, where + " is " + (e == null ? "missing" : "not a JSON object"));
        }
        return new JsonFields(file, where, e.getAsJsonObject());
    }

    public JsonObject raw() { return o; }
    public boolean has(String key) { return o.has(key) && !o.get(key).isJsonNull(); }

    public ModelFormatException error(String problem) {
        // "the header's architecture has no "spec"", "the header's architecture: "classes" is not a number"
        return new ModelFormatException(file, where + (problem.startsWith("\"") ? ": " : " ") + problem);
    }

    private JsonElement get(String key) throws ModelFormatException {
        JsonElement e = o.get(key);
        if (e == null) throw error("has no \"" + key + "\" (a key that was removed or renamed: the file is damaged or not written by this program)");
        return e;
    }

    public JsonFields obj(String key) throws ModelFormatException {
        JsonElement e = get(key);
        if (!e.isJsonObject()) throw error("\"" + key + "\" is not a JSON object");
        return new JsonFields(file, where + "'s " + key, e.getAsJsonObject());
    }

    public JsonArray array(String key) throws ModelFormatException {
        JsonElement e = get(key);
        if (!e.isJsonArray()) throw error("\"" + key + "\" is not a JSON array");
        return e.getAsJsonArray();
    }

    /** The elements of an array of objects, each checked. */
    public List<JsonFields> objects(String key) throws ModelFormatException {
        JsonArray a = array(key);
        List<JsonFields> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) out.add(of(file, where + "'s " + key + "[" + i + "]", a.get(i)));
        return out;
    }

    public String str(String key) throws ModelFormatException {
        JsonElement e = get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw error("\"" + key + "\" is not a string: " + e);
        return e.getAsString();
    }

    public boolean bool(String key) throws ModelFormatException {
        JsonElement e = get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) throw error("\"" + key + "\" is not true or false: " + e);
        return e.getAsBoolean();
    }

    /** A number; JSON null stands for NaN (how non-finite values are written). */
    public double number(String key) throws ModelFormatException {
        JsonElement e = get(key);
        if (e.isJsonNull()) return Double.NaN;
        return number(e, "\"" + key + "\"");
    }

    public long whole(String key) throws ModelFormatException {
        return whole(get(key), "\"" + key + "\"", Long.MIN_VALUE, Long.MAX_VALUE);
    }

    public long whole(String key, long min, long max) throws ModelFormatException {
        return whole(get(key), "\"" + key + "\"", min, max);
    }

    public int integer(String key) throws ModelFormatException {
        return (int) whole(get(key), "\"" + key + "\"", Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** A whole number in [min, max]. */
    public int integer(String key, int min, int max) throws ModelFormatException {
        return (int) whole(get(key), "\"" + key + "\"", min, max);
    }

    public double number(JsonElement e, String what) throws ModelFormatException {
        if (!isNumber(e)) throw error(what + " is not a number: " + e);
        return e.getAsDouble();
    }

    public long whole(JsonElement e, String what, long min, long max) throws ModelFormatException {
        if (!isNumber(e)) throw error(what + " is not a number: " + e);
        BigDecimal v;
        try {
            v = e.getAsBigDecimal();
        } catch (NumberFormatException ex) {
            throw error(what + " is not a number: " + e);
        }
        if (v.stripTrailingZeros().scale() > 0) throw error(what + " is not a whole number: " + e);
        if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw error(what + " = " + e + " is outside " + min + ".." + max);
        }
        return v.longValueExact();
    }

    /** An array of whole numbers in [min, max]. */
    public int[] integers(String key, int min, int max) throws ModelFormatException {
        JsonArray a = array(key);
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = (int) whole(a.get(i), "\"" + key + "\"[" + i + "]", min, max);
        return v;
    }

    /** Refuses the object unless it has every key in {@code keys} (the keys the current writer writes). */
    public JsonFields requireKeys(Set<String> keys) throws ModelFormatException {
        for (String k : keys) get(k);
        return this;
    }

    private static boolean isNumber(JsonElement e) {
        if (e == null || !e.isJsonPrimitive()) return false;
        JsonPrimitive p = e.getAsJsonPrimitive();
        return p.isNumber();
    }
}
