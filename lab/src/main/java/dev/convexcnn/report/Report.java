package dev.convexcnn.report;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.convexcnn.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report of a run directory: RUN_DIR/report.html (self-contained: images inlined) and RUN_DIR/report.md (images
 * in RUN_DIR/report/). Both hold the table, the training curves against time, test accuracy against training time,
 * the first-layer filters, the confusion matrices and every run's settings and provenance.
 */
public final class Report {
    private Report() {}

    /** What was written. */
    public record Written(Path html, Path markdown, List<Path> images) {}

    /** Reads RUN_DIR/runs/*.json (and compare.json if present) and writes the report. */
    public static Written write(Path runDir) throws IOException {
        Path runsDir = runDir.resolve("runs");
        if (!Files.isDirectory(runsDir)) throw new IOException(runDir + ": not a run directory (no runs/ folder): run 'convexcnn compare' first");
        List<RunRecord> runs = new ArrayList<>();
        try (var files = Files.list(runsDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) runs.add(RunRecord.read(f));
        }
        if (runs.isEmpty()) throw new IOException(runsDir + ": holds no runs");
        JsonObject compare = null;
        Path cj = runDir.resolve("compare.json");
        if (Files.exists(cj)) {
            try {
                compare = JsonParser.parseString(Files.readString(cj)).getAsJsonObject();
            } catch (RuntimeException e) {
                throw new IOException(cj + ": unreadable (" + e.getMessage() + ")");
            }
        }
        return write(runDir, runs, compare);
    }

    /** Writes the report of the given runs into runDir. */
    public static Written write(Path runDir, List<RunRecord> runs, JsonObject compare) throws IOException {
        runs = ordered(runs, compare);
        Path imgDir = runDir.resolve("report");
        Files.createDirectories(imgDir);
        Map<String, List<RunRecord>> byMethod = new LinkedHashMap<>();
        for (RunRecord r : runs) byMethod.computeIfAbsent(r.method(), k -> new ArrayList<>()).add(r);
        List<Summary.Row> rows = Summary.of(runs);
        List<Path> images = new ArrayList<>();

        Path scatter = imgDir.resolve("accuracy-vs-time.png");
        LinePlot acc = new LinePlot("Test accuracy against training time", "training time (s)", "test accuracy (%)", false).logX();
        for (var e : byMethod.entrySet()) {
            double[] x = e.getValue().stream().mapToDouble(r -> Math.max(1e-3, r.trainSeconds())).toArray();
            double[] y = e.getValue().stream().mapToDouble(r -> 100 * r.testAccuracy()).toArray();
            acc.scatter(e.getKey(), x, y);
        }
        acc.write(scatter);
        images.add(scatter);

        Map<String, Path> curves = new LinkedHashMap<>(), filters = new LinkedHashMap<>();
        for (var e : byMethod.entrySet()) {
            LinePlot p = new LinePlot(e.getKey() + ": training objective against time", "seconds",
                    e.getValue().get(0).objectiveName(), false);
            boolean any = false;
            for (RunRecord r : e.getValue()) {
                double[][] xy = finiteCurve(r);
                if (xy[0].length == 0) continue;
                p.add("seed " + r.seed(), xy[0], xy[1], false);
                any = true;
            }
            if (any) {
                Path f = imgDir.resolve("curve-" + e.getKey() + ".png");
                p.write(f);
                curves.put(e.getKey(), f);
                images.add(f);
            }
            RunRecord first = e.getValue().get(0);
            if (first.filters() != null) {
                Path f = imgDir.resolve("filters-" + e.getKey() + "-seed" + first.seed() + ".png");
                FilterImage.write(first.filters(), f);
                filters.put(e.getKey(), f);
                images.add(f);
            }
        }

        String title = "ConvexCNN comparison" + (compare != null && compare.has("dataset") ? ": " + compare.get("dataset").getAsString() : "");
        Path md = runDir.resolve("report.md");
        AtomicFiles.writeString(md, markdown(title, runDir, rows, byMethod, curves, filters, scatter, compare));
        Path html = runDir.resolve("report.html");
        AtomicFiles.writeString(html, html(title, rows, byMethod, curves, filters, scatter, compare));
        return new Written(html, md, images);
    }

    private static double[][] finiteCurve(RunRecord r) {
        List<double[]> pts = new ArrayList<>();
        for (RunRecord.CurvePoint p : r.curve()) {
            if (Double.isFinite(p.seconds()) && Double.isFinite(p.objective())) pts.add(new double[] {p.seconds(), p.objective()});
        }
        double[] x = new double[pts.size()], y = new double[pts.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = pts.get(i)[0];
            y[i] = pts.get(i)[1];
        }
        return new double[][] {x, y};
    }

    /**
     * What the method is, from the run's provenance (written by every method since the Method interface): its
     * description, its paper and its fidelity label, and the certificate it reports; nothing for older runs.
     */
    static List<String> about(RunRecord r) {
        List<String> out = new ArrayList<>();
        JsonObject p = r.provenance();
        JsonObject m = p != null && p.has("method") && p.get("method").isJsonObject() ? p.getAsJsonObject("method") : null;
        if (m == null) return out;
        if (m.has("description")) out.add(m.get("description").getAsString());
        else if (m.has("summary")) out.add(m.get("summary").getAsString());
        StringBuilder b = new StringBuilder();
        if (m.has("fidelity")) b.append("Fidelity: ").append(m.get("fidelity").getAsString()).append('.');
        if (m.has("paper")) b.append(b.length() > 0 ? " " : "").append("Paper: ").append(m.get("paper").getAsString()).append('.');
        if (b.length() > 0) out.add(b.toString());
        if (r.certificateName() != null) {
            out.add("Certificate: " + r.certificateName() + (r.certified() == null ? " (reported, no tolerance)"
                    : Boolean.TRUE.equals(r.certified()) ? ", reached its tolerance" : ", not reached within the budget") + ".");
        }
        return out;
    }

    /** Said before the table: the budget makes the runs comparable only so far. */
    static final String CAVEAT = "Read it as a budget-matched first look, not a ranking: each method trains for the "
            + "budget below, on as many images as its cost allows. The gated program keeps where a feature is (output "
            + "weights per window of the feature map, by default); the exact convex programs sum their units over all "
            + "positions or pool coarsely (weaker networks than the reference CNN). Where a method has a certificate, the "
            + "table says whether it was reached within the budget.";

    private static List<BudgetTable.Row> budgetRows(JsonObject compare) {
        if (compare != null && compare.has("plans") && compare.get("plans").isJsonObject()) {
            JsonObject o = new JsonObject();
            o.add("plans", compare.get("plans"));
            return BudgetTable.rows(o);
        }
        return compare == null || !compare.has("budget") ? List.of() : BudgetTable.rows(compare.getAsJsonObject("budget"));
    }

    private static String budgetName(JsonObject compare) {
        JsonObject b = compare == null || !compare.has("budget") ? null : compare.getAsJsonObject("budget");
        return b != null && b.has("name") ? b.get("name").getAsString() : "";
    }

    /**
     * A JSON object as (key, value) rows a reader can take in: camelCase keys as words, nested objects flattened
     * ("data train"), arrays and other values as their plain text.
     */
    static List<String[]> keyValues(JsonObject o) {
        List<String[]> out = new ArrayList<>();
        if (o != null) flatten("", o, out);
        return out;
    }

    private static void flatten(String prefix, JsonObject o, List<String[]> out) {
        for (var e : o.entrySet()) {
            String key = prefix + BudgetTable.words(e.getKey());
            if (e.getValue().isJsonObject()) {
                flatten(key + " ", e.getValue().getAsJsonObject(), out);
            } else {
                String v = e.getValue().isJsonPrimitive() ? e.getValue().getAsString() : e.getValue().isJsonNull() ? "—"
                        : e.getValue().toString();
                out.add(new String[] {key, v});
            }
        }
    }

    /** Methods in the order the comparison listed them (compare.json), then any others by name. */
    private static List<RunRecord> ordered(List<RunRecord> runs, JsonObject compare) {
        List<String> order = new ArrayList<>();
        if (compare != null && compare.has("methods")) compare.getAsJsonArray("methods").forEach(m -> order.add(m.getAsString()));
        List<RunRecord> out = new ArrayList<>(runs);
        out.sort(java.util.Comparator.<RunRecord>comparingInt(r -> order.contains(r.method()) ? order.indexOf(r.method()) : order.size())
                .thenComparing(RunRecord::method).thenComparingLong(RunRecord::seed));
        return out;
    }

    private static String markdown(String title, Path runDir, List<Summary.Row> rows, Map<String, List<RunRecord>> byMethod,
                                   Map<String, Path> curves, Map<String, Path> filters, Path scatter, JsonObject compare) {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(title).append("\n\n");
        b.append(CAVEAT).append("\n\n");
        b.append("Test accuracy is mean ± sample standard deviation over seeds; train time is the mean wall-clock time of ")
                .append("training; peak heap is the largest heap in use right after a garbage collection during the run (live data, ")
                .append("the data sets included; garbage not counted).\n\n");
        b.append(Summary.markdown(rows)).append('\n');
        List<BudgetTable.Row> budget = budgetRows(compare);
        if (!budget.isEmpty()) {
            b.append("Budget '").append(budgetName(compare)).append("':\n\n| method | budget |\n|---|---|\n");
            for (BudgetTable.Row r : budget) b.append("| ").append(r.method()).append(" | ").append(r.budget()).append(" |\n");
            b.append('\n');
        }
        b.append("![accuracy against time](").append(rel(runDir, scatter)).append(")\n\n");
        for (var e : byMethod.entrySet()) {
            String m = e.getKey();
            RunRecord first = e.getValue().get(0);
            b.append("## ").append(m).append("\n\n");
            for (String line : about(first)) b.append(line).append("\n\n");
            b.append("Architecture: ").append(first.architecture()).append(" (").append(String.format(Locale.ROOT, "%,d", first.parameters()))
                    .append(" parameters), ").append(first.trainSamples()).append(" training samples, ").append(first.testSamples())
                    .append(" test samples.\n\n");
            if (curves.containsKey(m)) b.append("![curve](").append(rel(runDir, curves.get(m))).append(")\n\n");
            if (filters.containsKey(m)) b.append("First-layer filters (seed ").append(first.seed()).append("):\n\n![filters](")
                    .append(rel(runDir, filters.get(m))).append(")\n\n");
            b.append("Test confusion matrix (seed ").append(first.seed()).append("; rows: true class, columns: predicted):\n\n");
            b.append(confusionMarkdown(first.confusion())).append('\n');
            for (RunRecord r : e.getValue()) {
                b.append("<details><summary>seed ").append(r.seed()).append(": settings and provenance</summary>\n\n");
                b.append(keyValueMarkdown("setting", r.settings())).append('\n');
                b.append(keyValueMarkdown("provenance", provenanceOnly(r))).append("\n</details>\n\n");
            }
        }
        return b.toString();
    }

    private static String rel(Path base, Path p) {
        return base.toAbsolutePath().relativize(p.toAbsolutePath()).toString().replace('\\', '/');
    }

    private static String confusionMarkdown(int[][] c) {
        StringBuilder b = new StringBuilder("| |");
        for (int j = 0; j < c.length; j++) b.append(' ').append(j).append(" |");
        b.append("\n|---|");
        for (int j = 0; j < c.length; j++) b.append("---:|");
        b.append('\n');
        for (int i = 0; i < c.length; i++) {
            b.append("| **").append(i).append("** |");
            for (int v : c[i]) b.append(' ').append(v).append(" |");
            b.append('\n');
        }
        return b.toString();
    }

    private static String html(String title, List<Summary.Row> rows, Map<String, List<RunRecord>> byMethod,
                               Map<String, Path> curves, Map<String, Path> filters, Path scatter, JsonObject compare) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>\n<style>")
                .append("body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 7px;text-align:right}")
                .append("th{background:#eee}td.l{text-align:left}img{max-width:100%}pre{background:#f6f6f6;padding:8px;overflow-x:auto}")
                .append("table.kv td{max-width:640px;overflow-wrap:anywhere}details{margin:.4em 0}")
                .append("</style></head><body>\n");
        b.append("<h1>").append(esc(title)).append("</h1>\n<p>").append(esc(CAVEAT)).append("</p>\n");
        b.append("<p>Test accuracy is mean ± sample standard deviation over seeds; train time is the mean wall-clock time of training; ")
                .append("peak heap is the largest heap in use right after a garbage collection during the run (live data, the data sets ")
                .append("included; garbage not counted).</p>\n");
        b.append("<table id=\"summary\"><tr><th>method</th><th>runs</th><th>training images</th><th>test accuracy</th><th>train time</th>")
                .append("<th>peak heap</th><th>parameters</th><th>certificate</th><th>backend</th></tr>\n");
        for (Summary.Row r : rows) {
            b.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td>%d</td><td>%,d</td><td>%s</td><td>%.1f s</td><td>%s</td>"
                            + "<td>%,d</td><td class=\"l\">%s</td><td class=\"l\">%s</td></tr>%n", esc(r.method()), r.runs(), r.trainSamples(),
                    esc(Summary.accuracy(r)), r.secondsMean(), esc(Summary.mebibytes(r.peakHeapBytes())), r.parameters(),
                    esc(r.certificate()), esc(r.backend())));
        }
        b.append("</table>\n");
        List<BudgetTable.Row> budget = budgetRows(compare);
        if (!budget.isEmpty()) {
            b.append("<p>Budget '").append(esc(budgetName(compare))).append("':</p>\n<table id=\"budget\"><tr><th>method</th><th>budget</th></tr>\n");
            for (BudgetTable.Row r : budget) {
                b.append("<tr><td class=\"l\">").append(esc(r.method())).append("</td><td class=\"l\">").append(esc(r.budget()))
                        .append("</td></tr>\n");
            }
            b.append("</table>\n");
        }
        b.append("").append(img(scatter, "test accuracy against training time")).append('\n');
        for (var e : byMethod.entrySet()) {
            String m = e.getKey();
            RunRecord first = e.getValue().get(0);
            b.append("<h2>").append(esc(m)).append("</h2>\n");
            for (String line : about(first)) b.append("<p>").append(esc(line)).append("</p>\n");
            b.append("<p>Architecture: ").append(esc(first.architecture()))
                    .append(String.format(Locale.ROOT, " (%,d parameters), %d training samples, %d test samples.</p>%n",
                            first.parameters(), first.trainSamples(), first.testSamples()));
            if (curves.containsKey(m)) b.append(img(curves.get(m), m + " training curve")).append('\n');
            if (filters.containsKey(m)) {
                b.append("<p>First-layer filters (seed ").append(first.seed()).append("):</p>").append(img(filters.get(m), m + " filters")).append('\n');
            }
            b.append("<p>Test confusion matrix (seed ").append(first.seed()).append("; rows: true class, columns: predicted):</p>\n");
            b.append(confusionHtml(first.confusion()));
            for (RunRecord r : e.getValue()) {
                b.append("<details><summary>seed ").append(r.seed()).append(": settings and provenance</summary>\n")
                        .append(keyValueHtml("setting", r.settings())).append(keyValueHtml("provenance", provenanceOnly(r)))
                        .append("</details>\n");
            }
        }
        b.append("</body></html>\n");
        return b.toString();
    }

    private static String confusionHtml(int[][] c) {
        int max = 1;
        for (int i = 0; i < c.length; i++) for (int j = 0; j < c.length; j++) if (i != j) max = Math.max(max, c[i][j]);
        StringBuilder b = new StringBuilder("<table class=\"confusion\"><tr><th></th>");
        for (int j = 0; j < c.length; j++) b.append("<th>").append(j).append("</th>");
        b.append("</tr>\n");
        for (int i = 0; i < c.length; i++) {
            b.append("<tr><th>").append(i).append("</th>");
            for (int j = 0; j < c.length; j++) {
                // Off-diagonal cells shade red with their share of the largest error count; the diagonal is green.
                String bg = i == j ? "#d8f0d8" : String.format(Locale.ROOT, "rgba(220,40,40,%.2f)", 0.8 * c[i][j] / max);
                b.append("<td style=\"background:").append(bg).append("\">").append(c[i][j]).append("</td>");
            }
            b.append("</tr>\n");
        }
        return b.append("</table>\n").toString();
    }

    private static String img(Path png, String alt) throws IOException {
        return "<img alt=\"" + esc(alt) + "\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(png)) + "\">";
    }

    /** The run's provenance without a copy of the settings shown just above it. */
    private static JsonObject provenanceOnly(RunRecord r) {
        JsonObject p = r.provenance();
        if (p == null || !p.has("settings") || !p.get("settings").equals(r.settings())) return p;
        JsonObject copy = p.deepCopy();
        copy.remove("settings");
        return copy;
    }

    private static String keyValueMarkdown(String what, JsonObject o) {
        StringBuilder b = new StringBuilder("| " + what + " | value |\n|---|---|\n");
        for (String[] kv : keyValues(o)) b.append("| ").append(mdCell(kv[0])).append(" | ").append(mdCell(kv[1])).append(" |\n");
        return b.toString();
    }

    private static String mdCell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private static String keyValueHtml(String what, JsonObject o) {
        StringBuilder b = new StringBuilder("<table class=\"kv\"><tr><th>" + esc(what) + "</th><th>value</th></tr>\n");
        for (String[] kv : keyValues(o)) {
            b.append("<tr><td class=\"l\">").append(esc(kv[0])).append("</td><td class=\"l\">").append(esc(kv[1])).append("</td></tr>\n");
        }
        return b.append("</table>\n").toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
