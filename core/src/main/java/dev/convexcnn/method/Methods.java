package dev.convexcnn.method;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Every registered method, in registration order (the order of the tables), from
 * {@code META-INF/services/dev.convexcnn.method.Method} on the class path.
 */
public final class Methods {
    private Methods() {}

    private static final Map<String, Method<?>> ALL = load();

    private static Map<String, Method<?>> load() {
        Map<String, Method<?>> m = new LinkedHashMap<>();
        for (Method<?> x : ServiceLoader.load(Method.class, Methods.class.getClassLoader())) {
            if (m.put(x.id(), x) != null) throw new IllegalStateException("two methods have the id " + x.id());
        }
        return m;
    }

    public static List<Method<?>> all() {
        return new ArrayList<>(ALL.values());
    }

    public static List<String> ids() {
        return new ArrayList<>(ALL.keySet());
    }

    /** The method of an id; an unknown id is an error that lists the known ones. */
    public static Method<?> get(String id) {
        Method<?> m = ALL.get(id);
        if (m == null) throw new IllegalArgumentException("unknown method '" + id + "': use one of " + String.join(", ", ALL.keySet()));
        return m;
    }

    /**
     * What a budget gives every method on data like data, in words: {"name": preset, "plans": {id: "10,000 training
     * images, 32 patterns, …"}}; methods that cannot take such data are left out.
     */
    public static com.google.gson.JsonObject plans(Budget budget, DataInfo data) {
        com.google.gson.JsonObject plans = new com.google.gson.JsonObject();
        for (Method<?> m : all()) {
            if (m.unsupported(data) == null) plans.addProperty(m.id(), describe(m, budget, data));
        }
        com.google.gson.JsonObject o = new com.google.gson.JsonObject();
        o.addProperty("name", budget.label());
        o.add("plans", plans);
        return o;
    }

    private static <S> String describe(Method<S> m, Budget budget, DataInfo data) {
        Plan<S> p = m.plan(budget, data);
        int n = data.capped(budget.cap(p.trainLimit()));
        return String.format(java.util.Locale.ROOT, "%,d training images, %s", n, m.describe(p.settings()));
    }

    /** "all", or a comma-separated list of ids, checked. */
    public static List<String> parse(List<String> ids) {
        if (ids == null || ids.isEmpty() || (ids.size() == 1 && ids.get(0).equals("all"))) return ids();
        for (String id : ids) get(id);
        return List.copyOf(ids);
    }
}
