package dev.convexcnn.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Tables in Markdown files generated from the results files the experiments write, so that a number in the docs
 * cannot be copied wrong. A generated table sits between two marker lines:
 * <pre>
 * &lt;!-- table: SOURCE [OPTIONS] --&gt;
 * | … the generated table … |
 * &lt;!-- /table --&gt;
 * </pre>
 * and {@link #render} replaces what is between them. Paths are relative to the Markdown file's folder. Sources:
 * <ul>
 *   <li>{@code PATH.md [table=N] [caption]}: the N-th table (default 1) of a results.md an experiment wrote, with
 *       {@code caption} also the paragraph just above it (the run's settings line);
 *   <li>{@code compression A.json B.json}: the compression ablation of two datasets side by side;
 *   <li>{@code compression-spearman A.json B.json}: their rank correlations side by side;
 *   <li>{@code convex-ranges X.json}: a convex-vs-sgd run's final objectives per (optimiser, rate), each start
 *       policy's range over the random starts;
 *   <li>{@code convex-runs A.json …}: convex training runs, one row per {@code train --summary-json} file;
 *   <li>{@code budgets NAME.json …} or {@code budgets quick standard}: comparison budgets side by side
 *       ({@link BudgetTable}; the names are the presets, given by the caller of {@link #render}).
 * </ul>
 */
public final class Tables {
    public static final String OPEN = "<!-- table: ";
    public static final String CLOSE = "<!-- /table -->";

    private Tables() {}

    /** Renders budgets by preset name (the lab's presets; report does not depend on lab). */
    @FunctionalInterface
    public interface BudgetLookup {
        JsonObject budget(String name);
    }

    /** Where a file's generated tables differ from their sources. */
    public record Stale(Path file, int line, String spec) {}

    /**
     * The text of {@code md} with every marked table regenerated.
     *
     * @throws IllegalArgumentException naming the file and line of a marker without its end or with a bad source
     */
    public static String render(Path md, String text, BudgetLookup budgets) throws IOException {
        String[] lines = text.split("\n", -1);
        StringBuilder out = new StringBuilder();
        Path base = md.toAbsolutePath().getParent();
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            out.append(l);
            if (i < lines.length - 1) out.append('\n');
            if (!l.startsWith(OPEN)) continue;
            int end = i + 1;
            while (end < lines.length && !lines[end].startsWith(CLOSE) && !lines[end].startsWith(OPEN)) end++;
            if (end >= lines.length || !lines[end].startsWith(CLOSE)) {
                throw new IllegalArgumentException(md + ":" + (i + 1) + ": '" + l.strip() + "' has no " + CLOSE
                        + " before the next marker or the end");
            }
            String spec = l.substring(OPEN.length(), l.lastIndexOf("-->")).strip();
            String table;
            try {
                table = table(spec, base, budgets);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException(md + ":" + (i + 1) + ": " + e.getFile() + " not found", e);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(md + ":" + (i + 1) + ": table '" + spec + "': " + e.getMessage(), e);
            }
            out.append(table.endsWith("\n") ? table : table + "\n");
            i = end - 1;
        }
        return out.toString();
    }

    /** Regenerates the file's tables and writes it (atomically) when they changed; returns whether it did. */
    public static boolean rewrite(Path md, BudgetLookup budgets) throws IOException {
        String text = Files.readString(md, StandardCharsets.UTF_8);
        String fresh = render(md, text, budgets);
        if (fresh.equals(text)) return false;
        Path tmp = md.resolveSibling("." + md.getFileName() + ".tmp");
        Files.writeString(tmp, fresh, StandardCharsets.UTF_8);
        Files.move(tmp, md, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    /** The marked tables of a file that differ from what their sources give (nothing is written). */
    public static List<Stale> check(Path md, BudgetLookup budgets) throws IOException {
        String text = Files.readString(md, StandardCharsets.UTF_8);
        String[] have = text.split("\n", -1);
        String[] want = render(md, text, budgets).split("\n", -1);
        List<Stale> stale = new ArrayList<>();
        int j = 0;
        for (int i = 0; i < have.length; i++, j++) {
            if (!have[i].startsWith(OPEN)) continue;
            int hi = i + 1;
            while (!have[hi].startsWith(CLOSE)) hi++;
            int wj = j + 1;
            while (!want[wj].startsWith(CLOSE)) wj++;
            if (!Arrays.equals(Arrays.copyOfRange(have, i + 1, hi), Arrays.copyOfRange(want, j + 1, wj))) {
                stale.add(new Stale(md, i + 1, have[i].substring(OPEN.length(), have[i].lastIndexOf("-->")).strip()));
            }
            i = hi;
            j = wj;
        }
        return stale;
    }

    /** How many tables a Markdown text holds, and how many of them are generated. */
    public static int[] count(String text) {
        String[] lines = text.split("\n", -1);
        int tables = 0, generated = 0;
        boolean inside = false;
        for (int i = 1; i < lines.length; i++) {
            if (lines[i - 1].startsWith(OPEN)) inside = true;
            if (lines[i].startsWith(CLOSE)) inside = false;
            if (isRule(lines[i]) && lines[i - 1].startsWith("|")) {
                tables++;
                if (inside) generated++;
            }
        }
        return new int[] {tables, generated};
    }

    static String table(String spec, Path base, BudgetLookup budgets) throws IOException {
        List<String> t = new ArrayList<>(Arrays.asList(spec.split("\\s+")));
        String kind = t.remove(0);
        if (kind.endsWith(".md")) return fromMarkdown(base.resolve(kind), t);
        return switch (kind) {
            case "compression" -> compression(json(base, t, 2, kind));
            case "compression-spearman" -> spearman(json(base, t, 2, kind));
            case "convex-ranges" -> convexRanges(json(base, t, 1, kind).get(0));
            case "convex-runs" -> {
                List<JsonObject> runs = new ArrayList<>();
                for (String f : t) runs.add(read(base.resolve(f)));
                if (runs.isEmpty()) throw new IllegalArgumentException("convex-runs takes one or more --summary-json files");
                yield convexRuns(runs);
            }
            case "gated-solves" -> {
                List<JsonObject> runs = new ArrayList<>();
                for (String f : t) runs.add(read(base.resolve(f)));
                if (runs.isEmpty()) throw new IllegalArgumentException("gated-solves takes one or more --summary-json files");
                yield gatedSolves(runs);
            }
            case "runs" -> {
                List<JsonObject> runs = new ArrayList<>();
                for (String f : t) runs.add(read(base.resolve(f)));
                if (runs.isEmpty()) throw new IllegalArgumentException("runs takes one or more --summary-json files");
                yield runs(runs);
            }
            case "budgets" -> {
                List<JsonObject> b = new ArrayList<>();
                for (String n : t) b.add(n.endsWith(".json") ? read(base.resolve(n)) : budgets.budget(n));
                yield BudgetTable.markdown(b);
            }
            default -> throw new IllegalArgumentException("unknown table source '" + kind + "' (a results .md, "
                    + "compression, compression-spearman, convex-ranges, convex-runs, gated-solves, runs or budgets)");
        };
    }

    // ---- from a results.md -----------------------------------------------------------------------------

    private static String fromMarkdown(Path file, List<String> options) throws IOException {
        int n = 1;
        boolean caption = false;
        for (String o : options) {
            if (o.startsWith("table=")) n = Integer.parseInt(o.substring(6));
            else if (o.equals("caption")) caption = true;
            else throw new IllegalArgumentException("unknown option '" + o + "' (table=N, caption)");
        }
        String[] lines = Files.readString(file, StandardCharsets.UTF_8).split("\n", -1);
        int seen = 0;
        for (int i = 1; i < lines.length; i++) {
            if (!(isRule(lines[i]) && lines[i - 1].startsWith("|"))) continue;
            if (++seen < n) continue;
            int start = i - 1;
            int end = i + 1;
            while (end < lines.length && lines[end].startsWith("|")) end++;
            StringBuilder sb = new StringBuilder();
            if (caption) {
                int p = start - 1;
                while (p >= 0 && lines[p].isBlank()) p--;
                int q = p;
                while (q >= 0 && !lines[q].isBlank() && !lines[q].startsWith("|") && !lines[q].startsWith("#")) q--;
                if (p > q) {
                    for (int k = q + 1; k <= p; k++) sb.append(lines[k]).append('\n');
                    sb.append('\n');
                }
            }
            for (int k = start; k < end; k++) sb.append(lines[k]).append('\n');
            return sb.toString();
        }
        throw new IllegalArgumentException(file + " has " + seen + " table" + (seen == 1 ? "" : "s") + ", not " + n);
    }

    private static boolean isRule(String line) {
        return line.startsWith("|") && line.matches("\\|[\\s:|-]+\\|\\s*") && line.contains("-");
    }

    // ---- from results.json -----------------------------------------------------------------------------

    private static List<JsonObject> json(Path base, List<String> files, int count, String kind) throws IOException {
        if (files.size() != count) {
            throw new IllegalArgumentException(kind + " takes " + count + " results.json file" + (count == 1 ? "" : "s")
                    + ", got " + files.size());
        }
        List<JsonObject> out = new ArrayList<>();
        for (String f : files) out.add(read(base.resolve(f)));
        return out;
    }

    private static JsonObject read(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    /** "mnist-train[:6000]" → "MNIST", "fashion-mnist-train[:6000]" → "Fashion". */
    static String datasetLabel(JsonObject results) {
        String d = results.has("dataset") ? results.get("dataset").getAsString() : "?";
        int cut = d.indexOf("-train");
        if (cut > 0) d = d.substring(0, cut);
        return switch (d) {
            case "mnist" -> "MNIST";
            case "fashion-mnist" -> "Fashion";
            default -> d;
        };
    }

    private static String compression(List<JsonObject> r) {
        String a = datasetLabel(r.get(0)), b = datasetLabel(r.get(1));
        String ia = a.substring(0, 1), ib = b.substring(0, 1);
        StringBuilder sb = new StringBuilder("| block | params | K/R | complexity | " + a + " acc. (mean ± sd) | " + b
                + " acc. (mean ± sd) | CPU × dense (" + ia + " / " + ib + ") | wall × dense (" + ia + " / " + ib + ") |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, JsonObject> second = new LinkedHashMap<>();
        for (JsonElement e : r.get(1).getAsJsonArray("rows")) second.put(e.getAsJsonObject().get("design").getAsString(), e.getAsJsonObject());
        for (JsonElement e : r.get(0).getAsJsonArray("rows")) {
            JsonObject x = e.getAsJsonObject();
            String design = x.get("design").getAsString();
            JsonObject y = second.get(design);
            if (y == null) throw new IllegalArgumentException("design " + design + " is missing from the second file");
            sb.append(String.format(Locale.ROOT, "| `%s` | %,d | %.2f | %.0f | %s | %s | %.2f / %.2f | %.2f / %.2f |%n", design,
                    x.get("blockParameters").getAsInt(), x.get("kOverR").getAsDouble(), x.get("complexity").getAsDouble(),
                    meanSd(x), meanSd(y), x.get("cpuRatioToDense").getAsDouble(), y.get("cpuRatioToDense").getAsDouble(),
                    x.get("timeRatioToDense").getAsDouble(), y.get("timeRatioToDense").getAsDouble()));
        }
        return sb.toString();
    }

    private static String meanSd(JsonObject row) {
        return String.format(Locale.ROOT, "%.2f ± %.2f %%", 100 * row.get("meanTestAccuracy").getAsDouble(),
                100 * row.get("sdTestAccuracy").getAsDouble());
    }

    private static String spearman(List<JsonObject> r) {
        String a = datasetLabel(r.get(0)), b = datasetLabel(r.get(1));
        if (b.equals("Fashion")) b = "Fashion-MNIST";
        StringBuilder sb = new StringBuilder("| Spearman rho of mean accuracy with | " + a + " rho (p) | " + b + " rho (p) |\n"
                + "|---|---:|---:|\n");
        JsonArray ca = r.get(0).getAsJsonArray("correlations"), cb = r.get(1).getAsJsonArray("correlations");
        for (int i = 0; i < ca.size(); i++) {
            JsonObject x = ca.get(i).getAsJsonObject(), y = cb.get(i).getAsJsonObject();
            sb.append(String.format(Locale.ROOT, "| %s | %+.3f (%.3f) | %+.3f (%.3f) |%n", x.get("against").getAsString(),
                    x.get("spearman").getAsDouble(), x.get("permutationP").getAsDouble(), y.get("spearman").getAsDouble(),
                    y.get("permutationP").getAsDouble()));
        }
        sb.append(String.format(Locale.ROOT, "| K/R, block parameters held fixed (partial) | %+.3f | %+.3f |%n",
                r.get(0).get("partialSpearmanKrGivenParameters").getAsDouble(),
                r.get(1).get("partialSpearmanKrGivenParameters").getAsDouble()));
        return sb.toString();
    }

    /**
     * One row per convex training run. Reads both summary forms: the training summary of {@code train --summary-json}
     * (dataset, trainSamples, a certificate object) and the older provenance-shaped one (data.train, data.trainSize,
     * the certificate as a number).
     */
    private static String convexRuns(List<JsonObject> runs) {
        double tol = runs.get(0).getAsJsonObject("settings").get("tolerance").getAsDouble();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "| dataset | images | certificate (tolerance %.0e) "
                + "| iterations | training s | train acc. | test acc. |%n|---|---:|---:|---:|---:|---:|---:|%n", tol));
        for (JsonObject r : runs) {
            JsonObject data = r.getAsJsonObject("data");
            JsonObject label = new JsonObject();
            label.addProperty("dataset", data != null ? data.get("train").getAsString() : r.get("dataset").getAsString());
            int size = data != null ? data.get("trainSize").getAsInt() : r.get("trainSamples").getAsInt();
            JsonElement cert = r.get("certificate");
            double certificate = cert.isJsonObject() ? cert.getAsJsonObject().get("certificate").getAsDouble() : cert.getAsDouble();
            // A resumed run: the solve's own clock across its runs, and this run's part.
            String seconds = r.has("secondsAcrossResumes")
                    ? String.format(Locale.ROOT, "%.1f (resumed; this run %.1f)", r.get("secondsAcrossResumes").getAsDouble(), r.get("seconds").getAsDouble())
                    : String.format(Locale.ROOT, "%.1f", r.get("seconds").getAsDouble());
            sb.append(String.format(Locale.ROOT, "| %s | %,d | %.2e, %s | %,d | %s | %.2f %% | %.2f %% |%n",
                    datasetLabel(label).replace("Fashion", "Fashion-MNIST"), size,
                    certificate, r.get("converged").getAsBoolean() ? "reached" : "not reached",
                    r.get("iterations").getAsInt(), seconds, 100 * r.get("trainAccuracy").getAsDouble(),
                    100 * r.get("testAccuracy").getAsDouble()));
        }
        return sb.toString();
    }

    /**
     * gated-relu summary files ('train --summary-json'), a row each: how the solve ran (products, screening), where
     * its time went (products against the sgemm rate measured in the same run) and what it proved.
     */
    private static String gatedSolves(List<JsonObject> runs) {
        StringBuilder sb = new StringBuilder("| images | products | screening | iterations | solve s | of which products s | product rate "
                + "| sgemm (same run) | share | objective | certificate | relative gap | test acc. |\n"
                + "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (JsonObject r : runs) {
            if (!r.has("productSeconds")) throw new IllegalArgumentException("gated-solves: a summary without product figures (not a gated-relu run "
                    + "on the GEMM form?)");
            JsonElement cert = r.get("certificate");
            double certificate = cert.isJsonObject() ? cert.getAsJsonObject().get("certificate").getAsDouble() : cert.getAsDouble();
            sb.append(String.format(Locale.ROOT, "| %,d | %s | %s | %,d | %.1f | %.1f | %.1f GFLOP/s | %.1f GFLOP/s | %.0f %% | %.9f | %.2e, %s | %.1e | %.2f %% |%n",
                    r.get("trainSamples").getAsInt(), r.get("products").getAsString(),
                    r.has("screening") && r.get("screening").getAsBoolean() ? "on" : "off", r.get("iterations").getAsInt(),
                    r.get("solveSeconds").getAsDouble(), r.get("productSeconds").getAsDouble(), r.get("productGflops").getAsDouble(),
                    r.get("sgemmGflops").getAsDouble(), 100 * r.get("productShareOfSgemm").getAsDouble(), r.get("objective").getAsDouble(),
                    certificate, r.get("converged").getAsBoolean() ? "reached" : "not reached", r.get("gap").getAsDouble(),
                    100 * r.get("testAccuracy").getAsDouble()));
        }
        return sb.toString();
    }

    /** Any methods' summary files ('train --summary-json'), a row each: the certificate as the method states it. */
    private static String runs(List<JsonObject> runs) {
        StringBuilder sb = new StringBuilder("| method | dataset | images | certificate | reached | training s | test acc. | filters |\n"
                + "|---|---|---:|---|---|---:|---:|---:|\n");
        for (JsonObject r : runs) {
            JsonObject label = new JsonObject();
            label.addProperty("dataset", r.get("dataset").getAsString().replaceAll("-train$", ""));
            String cert = "—", reached = "—";
            if (r.has("certificate") && r.get("certificate").isJsonObject()) {
                JsonObject c = r.getAsJsonObject("certificate");
                cert = c.get("summary").getAsString();
                reached = c.get("reached").getAsBoolean() ? "yes" : "no";
            }
            sb.append(String.format(Locale.ROOT, "| %s | %s | %,d | %s | %s | %.1f | %.2f %% | %s |%n", r.get("method").getAsString(),
                    datasetLabel(label).replace("Fashion", "Fashion-MNIST"), r.get("trainSamples").getAsInt(), cert.replace("|", "\\|"),
                    reached, r.get("seconds").getAsDouble(), 100 * r.get("testAccuracy").getAsDouble(),
                    r.has("filters") ? r.get("filters").getAsString() : "—"));
        }
        return sb.toString();
    }

    private static String convexRanges(JsonObject r) {
        JsonObject b = r.getAsJsonObject("baselines");
        List<String> starts = new ArrayList<>();
        b.getAsJsonArray("starts").forEach(e -> starts.add(e.getAsString()));
        StringBuilder sb = new StringBuilder("| setting |");
        for (String s : starts) sb.append(' ').append(s).append(" start: ").append(b.get("restarts").getAsInt()).append(" starts |");
        sb.append("\n|---|").append("---|".repeat(starts.size())).append('\n');
        for (String opt : List.of("sgd", "adam")) {
            for (JsonElement lr : b.getAsJsonArray(opt + "Rates")) {
                double rate = lr.getAsDouble();
                sb.append("| ").append(opt.equals("sgd") ? "SGD" : "Adam").append(" lr ")
                        .append(new java.math.BigDecimal(lr.getAsString()).stripTrailingZeros().toPlainString()).append(" |");
                for (String start : starts) {
                    List<Double> finite = new ArrayList<>();
                    List<String> divergedAt = new ArrayList<>();
                    for (JsonElement e : r.getAsJsonArray("rows")) {
                        JsonObject row = e.getAsJsonObject();
                        if (!row.get("method").getAsString().equals(opt) || row.get("lr").getAsDouble() != rate
                                || !row.get("start").getAsString().equals(start)) continue;
                        if (row.has("diverged") && row.get("diverged").getAsBoolean()) {
                            String note = row.get("note").getAsString();
                            int at = note.indexOf("diverged at epoch ");
                            divergedAt.add(at < 0 ? "?" : note.substring(at + "diverged at epoch ".length()).split("[ ,]")[0]);
                        } else {
                            finite.add(row.get("objective").getAsDouble());
                        }
                    }
                    String cell = finite.isEmpty() ? "" : String.format(Locale.ROOT, "%.6f–%.6f",
                            finite.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                            finite.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
                    if (!divergedAt.isEmpty()) {
                        List<String> epochs = divergedAt.stream().distinct().toList();
                        String d = "diverged ×" + divergedAt.size() + " (epoch" + (epochs.size() > 1 ? "s " : " ")
                                + String.join(", ", epochs) + ")";
                        cell = cell.isEmpty() ? d : cell + ", " + d;
                    }
                    sb.append(' ').append(cell.isEmpty() ? "—" : cell).append(" |");
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
