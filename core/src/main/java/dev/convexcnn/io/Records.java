package dev.convexcnn.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.lang.reflect.RecordComponent;
import java.util.Collection;

/** Settings records as JSON, for provenance: numbers and booleans as such, nested records and lists as JSON,
 * everything else by toString. */
public final class Records {
    private Records() {}

    public static JsonObject toJson(Record r) {
        JsonObject o = new JsonObject();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            o.add(c.getName(), value(v));
        }
        return o;
    }

    private static com.google.gson.JsonElement value(Object v) {
        if (v instanceof Number x && Double.isFinite(x.doubleValue())) return new com.google.gson.JsonPrimitive(x);
        if (v instanceof Boolean b) return new com.google.gson.JsonPrimitive(b);
        if (v instanceof Record nested) return toJson(nested);
        if (v instanceof Collection<?> list) {
            JsonArray a = new JsonArray();
            for (Object x : list) a.add(value(x));
            return a;
        }
        return new com.google.gson.JsonPrimitive(String.valueOf(v));
    }

    /**
     * Any settings value as JSON: its own {@code toJson()} when it has one (the form its files and logs use), else a
     * record by its components, else its text.
     */
    public static com.google.gson.JsonElement settingsJson(Object settings) {
        try {
            java.lang.reflect.Method m = settings.getClass().getMethod("toJson");
            if (com.google.gson.JsonElement.class.isAssignableFrom(m.getReturnType())) return (com.google.gson.JsonElement) m.invoke(settings);
        } catch (NoSuchMethodException e) {
            // no form of its own
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        return value(settings);
    }
}
