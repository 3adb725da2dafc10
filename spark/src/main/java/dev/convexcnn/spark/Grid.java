package dev.convexcnn.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A hyperparameter grid: named axes, each with its values, and fixed settings. {@link #points} is the cartesian
 * product in a fixed order (the first axis varies slowest), each point a name → value map.
 */
public final class Grid {
    private final LinkedHashMap<String, List<String>> axes = new LinkedHashMap<>();
    private final TreeMap<String, String> fixed = new TreeMap<>();

    /** Parses "name=v1,v2,v3" and adds the axis. */
    public Grid axis(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) throw new IllegalArgumentException("--grid '" + spec + "': use NAME=V1,V2,...");
        String name = spec.substring(0, eq).strip();
        List<String> values = new ArrayList<>();
        for (String v : spec.substring(eq + 1).split(",")) {
            if (v.isBlank()) throw new IllegalArgumentException("--grid '" + spec + "' has an empty value");
            if (values.contains(v.strip())) throw new IllegalArgumentException("--grid '" + spec + "' repeats the value " + v.strip());
            values.add(v.strip());
        }
        return axis(name, values);
    }

    public Grid axis(String name, List<String> values) {
        if (axes.containsKey(name) || fixed.containsKey(name)) throw new IllegalArgumentException("grid setting '" + name + "' given twice");
        if (values.isEmpty()) throw new IllegalArgumentException("grid axis '" + name + "' has no values");
        axes.put(name, List.copyOf(values));
        return this;
    }

    public Grid fixed(String name, String value) {
        if (axes.containsKey(name) || fixed.containsKey(name)) throw new IllegalArgumentException("grid setting '" + name + "' given twice");
        fixed.put(name, value);
        return this;
    }

    public Map<String, List<String>> axes() { return Collections.unmodifiableMap(axes); }
    public SortedMap<String, String> fixedSettings() { return Collections.unmodifiableSortedMap(fixed); }

    /** Every point: the fixed settings plus one value per axis. */
    public List<SortedMap<String, String>> points() {
        List<SortedMap<String, String>> out = new ArrayList<>();
        out.add(new TreeMap<>(fixed));
        for (Map.Entry<String, List<String>> a : axes.entrySet()) {
            List<SortedMap<String, String>> next = new ArrayList<>();
            for (SortedMap<String, String> p : out) {
                for (String v : a.getValue()) {
                    TreeMap<String, String> q = new TreeMap<>(p);
                    q.put(a.getKey(), v);
                    next.add(q);
                }
            }
            out = next;
        }
        return out;
    }

    /** A file-name-safe id from a point's axis values, in axis order: "lr-0.05_seed-1". */
    public String id(SortedMap<String, String> point) {
        StringBuilder b = new StringBuilder();
        for (String name : axes.keySet()) {
            if (b.length() > 0) b.append('_');
            b.append(name).append('-').append(point.get(name));
        }
        String id = b.length() == 0 ? "run" : b.toString();
        return id.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
