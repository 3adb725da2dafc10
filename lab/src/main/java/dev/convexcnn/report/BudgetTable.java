package dev.convexcnn.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A comparison budget (the JSON of {@code dev.convexcnn.lab.Budget}) as rows a reader can take in: one row per
 * method, what it trains on and for how long. Fields this class does not know come out as "name value" rows, so a
 * new budget field is shown rather than lost.
 */
public final class BudgetTable {
    private BudgetTable() {}

    /** One method's budget: the method(s) and what they get. */
    public record Row(String method, String budget) {}

    /** The rows of one budget. */
    public static List<Row> rows(JsonObject b) {
        Set<String> used = new LinkedHashSet<>(List.of("name"));
        List<Row> rows = new ArrayList<>();
        if (b.has("plans") && b.get("plans").isJsonObject()) {
            // The methods' own words for what the budget gives them (dev.convexcnn.method.Methods.plans).
            for (var e : b.getAsJsonObject("plans").entrySet()) rows.add(new Row(e.getKey(), value(e.getValue())));
            return rows;
        }
        if (b.has("sgdEpochs")) {
            rows.add(new Row("sgd, adam", plural(i(b, "sgdEpochs"), "epoch") + ", " + images(b, "sgdLimit")));
            used.addAll(List.of("sgdEpochs", "sgdLimit"));
        }
        if (b.has("gatedLimit")) {
            rows.add(new Row("gated-relu", images(b, "gatedLimit") + ", " + i(b, "gatedPatterns") + " patterns, ≤ "
                    + n(i(b, "convexIterations")) + " R-FISTA iterations"));
            used.addAll(List.of("gatedLimit", "gatedPatterns", "convexIterations"));
        }
        if (b.has("exactLimit")) {
            rows.add(new Row("convex-relu", images(b, "exactLimit") + ", " + i(b, "exactPatterns") + " patterns, stride "
                    + i(b, "exactStride") + ", ≤ " + n(i(b, "exactIterations")) + " R-FISTA iterations per step"));
            used.addAll(List.of("exactLimit", "exactPatterns", "exactStride", "exactIterations"));
        }
        if (b.has("alternationLimit")) {
            rows.add(new Row("alternation", images(b, "alternationLimit") + ", " + plural(i(b, "alternationSweeps"), "sweep")));
            used.addAll(List.of("alternationLimit", "alternationSweeps"));
        }
        if (b.has("ccnnLimit")) {
            rows.add(new Row("ccnn", images(b, "ccnnLimit") + ", " + n(i(b, "ccnnIterations"))
                    + " projected-SGD iterations per layer"));
            used.addAll(List.of("ccnnLimit", "ccnnIterations"));
        }
        if (b.has("dccnnLimit")) {
            rows.add(new Row("dccnn", images(b, "dccnnLimit") + ", ≤ " + n(i(b, "dccnnIterations")) + " dual iterations"));
            used.addAll(List.of("dccnnLimit", "dccnnIterations"));
        }
        if (b.has("testLimit")) {
            int t = i(b, "testLimit");
            rows.add(new Row("evaluation", t == 0 ? "the whole test set" : "the first " + n(t) + " test images"));
            used.add("testLimit");
        }
        for (String k : b.keySet()) {
            if (!used.contains(k)) rows.add(new Row(words(k), value(b.get(k))));
        }
        return rows;
    }

    /** The budgets side by side as a Markdown table: | method | first | second | … |. */
    public static String markdown(List<JsonObject> budgets) {
        StringBuilder sb = new StringBuilder("| method |");
        StringBuilder rule = new StringBuilder("|---|");
        for (JsonObject b : budgets) {
            sb.append(' ').append(b.has("name") ? b.get("name").getAsString() : "budget").append(" |");
            rule.append("---|");
        }
        sb.append('\n').append(rule).append('\n');
        List<List<Row>> all = budgets.stream().map(BudgetTable::rows).toList();
        for (int r = 0; r < all.get(0).size(); r++) {
            sb.append("| ").append(all.get(0).get(r).method()).append(" |");
            for (List<Row> rows : all) sb.append(' ').append(r < rows.size() ? rows.get(r).budget() : "").append(" |");
            sb.append('\n');
        }
        return sb.toString();
    }

    private static int i(JsonObject b, String k) {
        return b.has(k) ? b.get(k).getAsInt() : 0;
    }

    private static String images(JsonObject b, String k) {
        int v = i(b, k);
        return v == 0 ? "all training images" : n(v) + " training images";
    }

    private static String n(int v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    private static String plural(int v, String unit) {
        return n(v) + " " + unit + (v == 1 ? "" : "s");
    }

    private static String value(JsonElement e) {
        return e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }

    /** sgdEpochs → "sgd epochs". */
    static String words(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }
}
