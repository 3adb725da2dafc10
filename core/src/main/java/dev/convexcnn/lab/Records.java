package dev.convexcnn.lab;

import com.google.gson.JsonObject;
import java.lang.reflect.RecordComponent;

/** Settings records as JSON, for provenance: numbers and booleans as such, everything else by toString. */
final class Records {
    private Records() {}

    static JsonObject toJson(Record r) {
        JsonObject o = new JsonObject();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (v instanceof Number x && Double.isFinite(x.doubleValue())) o.addProperty(c.getName(), x);
            else if (v instanceof Boolean b) o.addProperty(c.getName(), b);
            else if (v instanceof Record nested) o.add(c.getName(), toJson(nested));
            else o.addProperty(c.getName(), String.valueOf(v));
        }
        return o;
    }
}
