package dev.convexcnn.experiments;

import dev.convexcnn.convex.*;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.io.AtomicFiles;
import dev.convexcnn.io.TensorFile;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.report.LinePlot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The paper's main comparison: the exact convex program's optimum (an ordinary ReLU CNN with a certificate)
 * against SGD and Adam on the same non-convex network and β, from several random starts. Writes the
 * objective-versus-time plot, a Markdown table and the raw figures as JSON. The baselines run over learning-rate grids
 * and two starts ({@link Baselines}), so that SGD is compared at rates where it trains.
 */
public final class ConvexVsSgd {
    /** Mini-batch size of the SGD and Adam runs. */
    public static final int BATCH = 16;

    private ConvexVsSgd() {}

    /**
     * The points of a curve up to its first non-finite or above-cap objective, so that a diverged run (NaN or
     * 1e50) does not stretch the log axis over every other curve; the table still shows where it ended.
     */
    static double[][] plottable(double[] seconds, double[] objective, double cap) {
        int keep = 0;
        while (keep < objective.length && Double.isFinite(objective[keep]) && objective[keep] <= cap) keep++;
        return new double[][] {java.util.Arrays.copyOf(seconds, keep), java.util.Arrays.copyOf(objective, keep)};
    }

    /** How each SGD/Adam run starts: the network's own initialisation, or that rescaled per neuron to ‖u‖ = |v|. */
    public enum Start {
        PLAIN("plain"), BALANCED("balanced");

        private final String id;

        Start(String id) { this.id = id; }

        public String id() { return id; }

        /** The starts named in a comma-separated list such as "plain,balanced"; the flag names the error. */
        public static List<Start> parseList(String flag, String csv) {
            List<Start> out = new ArrayList<>();
            for (String t : csv.split(",", -1)) {
                Start found = null;
                for (Start st : values()) if (st.id.equals(t.trim())) found = st;
                if (found == null) throw new IllegalArgumentException(flag + " takes plain and/or balanced, got '" + t.trim() + "'");
                if (out.contains(found)) throw new IllegalArgumentException(flag + " lists '" + found.id + "' twice");
                out.add(found);
            }
            return List.copyOf(out);
        }
    }

    /**
     * The non-convex baselines: every learning rate of each optimiser and every start runs from the same
     * {@code restarts} random initialisations (seeds seed·1000 + 1 ...), for {@code epochs} epochs.
     */
    public record Baselines(int restarts, int epochs, List<Double> sgdRates, List<Double> adamRates, List<Start> starts) {
        public Baselines {
            if (restarts <= 0) throw new IllegalArgumentException("restarts must be > 0, got " + restarts);
            if (epochs <= 0) throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
            sgdRates = checkedRates("SGD", sgdRates);
            adamRates = checkedRates("Adam", adamRates);
            if (starts == null || starts.isEmpty()) throw new IllegalArgumentException("at least one start is needed");
            starts = List.copyOf(starts);
        }

        /** One learning rate per optimiser, the plain start. */
        public static Baselines of(int restarts, int epochs, double sgdLr, double adamLr) {
            return new Baselines(restarts, epochs, List.of(sgdLr), List.of(adamLr), List.of(Start.PLAIN));
        }

        private static List<Double> checkedRates(String optimizer, List<Double> rates) {
            if (rates == null || rates.isEmpty()) throw new IllegalArgumentException(optimizer + " needs at least one learning rate");
            for (double r : rates) {
                if (!(r > 0) || !Double.isFinite(r)) {
                    throw new IllegalArgumentException(optimizer + " learning rate must be finite and > 0, got " + r);
                }
            }
            return List.copyOf(rates);
        }

        /** The rates of "sgd" or "adam". */
        public List<Double> rates(String optimizer) {
            return optimizer.equals("sgd") ? sgdRates : adamRates;
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("restarts", restarts);
            o.addProperty("epochs", epochs);
            o.addProperty("batch", BATCH);
            JsonArray sr = new JsonArray(), ar = new JsonArray(), st = new JsonArray();
            sgdRates.forEach(sr::add);
            adamRates.forEach(ar::add);
            starts.forEach(x -> st.add(x.id()));
            o.add("sgdRates", sr);
            o.add("adamRates", ar);
            o.add("starts", st);
            return o;
        }
    }

    /**
     * The learning rates in a comma-separated list such as "1e-3,3e-4"; each must be a finite number > 0, and
     * none may repeat. Errors name the flag and the value.
     */
    public static List<Double> parseRates(String flag, String csv) {
        List<Double> out = new ArrayList<>();
        for (String t : csv.split(",", -1)) {
            double r;
            try {
                r = Double.parseDouble(t.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " takes learning rates separated by commas, got '" + t.trim() + "'");
            }
            if (!(r > 0) || !Double.isFinite(r)) throw new IllegalArgumentException(flag + " rates must be finite and > 0, got '" + t.trim() + "'");
            if (out.contains(r)) throw new IllegalArgumentException(flag + " lists " + t.trim() + " twice");
            out.add(r);
        }
        return List.copyOf(out);
    }

    /** A learning rate as written by hand: 0.001, 3e-05 → 0.00003. */
    static String rate(double lr) {
        return new java.math.BigDecimal(Double.toString(lr)).stripTrailingZeros().toPlainString();
    }

    /**
     * One run: the convex program (lr NaN, start "") or an optimiser at a learning rate from a start. diverged: its
     * objective became non-finite or rose above 10× its first value.
     */
    public record Row(String method, double lr, String start, long seed, double objective, double seconds,
                      double trainAccuracy, double testAccuracy, boolean diverged, String note) {
        /** "convex-relu", or e.g. "sgd lr 0.001, balanced start". */
        public String label() {
            return Double.isNaN(lr) ? method : method + " lr " + rate(lr) + ", " + start + " start";
        }
    }

    /** Redraws DIR/objective-vs-time.png from DIR/results.json of a finished run. */
    public static void replot(Path outDir) throws IOException {
        Path file = outDir.resolve("results.json");
        if (!java.nio.file.Files.exists(file)) throw new IllegalArgumentException("no results.json in " + outDir);
        JsonObject json = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(file)).getAsJsonObject();
        writePlots(json, outDir);
    }

    /**
     * objective-vs-time.png on a linear axis zoomed to the optimum and the final objectives (the range where
     * they differ), and objective-vs-time-log.png with every curve whole on a log axis.
     */
    static void writePlots(JsonObject json, Path outDir) throws IOException {
        plot(json, false).write(outDir.resolve("objective-vs-time.png"));
        plot(json, true).write(outDir.resolve("objective-vs-time-log.png"));
    }

    /**
     * The index of the curve a setting is drawn by: the lowest final objective among the runs that did not
     * diverge, or the first run when all diverged.
     */
    static int shownRun(double[] finalObjectives, boolean[] diverged) {
        int best = -1;
        for (int i = 0; i < finalObjectives.length; i++) {
            if (!diverged[i] && (best < 0 || finalObjectives[i] < finalObjectives[best])) best = i;
        }
        return Math.max(best, 0);
    }

    /**
     * Objective against seconds: the convex iterates and optimum, and one curve per (optimiser, rate, start), the
     * best of its random starts (all of them are in results.json and the table), so that the legend stays legible.
     */
    static LinePlot plot(JsonObject json) {
        return plot(json, true);
    }

    /**
     * The plot on a log objective axis (every curve whole) or a linear one zoomed to the range that matters: from
     * just below the lowest final objective to a little above the optimum and the finals within twice it. Files
     * written before the rate grids (no lr or start per curve) get one curve per run.
     */
    static LinePlot plot(JsonObject json, boolean logY) {
        JsonObject data = json.getAsJsonObject("provenance").getAsJsonObject("data");
        LinePlot plot = new LinePlot("Two-layer ReLU CNN on " + data.get("train").getAsString() + (logY ? ", every curve whole"
                : ", zoomed"),
                "seconds (log scale)", "objective: loss + (β/2)Σ(‖u‖² + v²)" + (logY ? " (log scale)" : ""), logY).logX();
        JsonArray it = json.has("convexIterates") ? json.getAsJsonArray("convexIterates") : new JsonArray();
        double[] ct = new double[it.size()], co = new double[it.size()];
        for (int i = 0; i < it.size(); i++) {
            ct[i] = Math.max(it.get(i).getAsJsonObject().get("seconds").getAsDouble(), 1e-3);
            co[i] = it.get(i).getAsJsonObject().get("objective").getAsDouble();
        }
        if (ct.length > 0) plot.add("convex (AL iterates)", ct, co, false);
        JsonObject convex = json.getAsJsonArray("rows").get(0).getAsJsonObject();
        double cObj = convex.get("objective").getAsDouble();
        plot.add("convex optimum (recovered ReLU CNN)", new double[] {1e-3, Math.max(1e-3, convex.get("seconds").getAsDouble())},
                new double[] {cObj, cObj}, true);
        if (json.has("fromBest")) {
            JsonObject fb = json.getAsJsonObject("fromBest");
            double f = fb.get("objective").getAsDouble();
            plot.add("convex optimum with the best baseline's patterns", new double[] {1e-3, Math.max(1e-3, fb.get("seconds").getAsDouble())},
                    new double[] {f, f}, true);
        }
        java.util.Map<String, List<JsonObject>> groups = new java.util.LinkedHashMap<>();
        for (var e : json.getAsJsonArray("curves")) {
            JsonObject c = e.getAsJsonObject();
            String label = c.has("lr") ? c.get("optimizer").getAsString() + " lr " + rate(c.get("lr").getAsDouble()) + ", "
                    + c.get("start").getAsString() + " start" : c.get("optimizer").getAsString() + " seed " + c.get("seed").getAsLong();
            groups.computeIfAbsent(label, k -> new ArrayList<>()).add(c);
        }
        List<Double> finalsShown = new ArrayList<>();
        java.util.Map<String, double[][]> lines = new java.util.LinkedHashMap<>();
        java.util.Set<String> allDiverged = new java.util.HashSet<>();
        groups.forEach((label, runs) -> {
            double[] finals = new double[runs.size()];
            boolean[] diverged = new boolean[runs.size()];
            int bad = 0;
            for (int i = 0; i < runs.size(); i++) {
                JsonArray pts = runs.get(i).getAsJsonArray("curve");
                finals[i] = pts.get(pts.size() - 1).getAsJsonObject().get("objective").getAsDouble();
                double first = pts.get(0).getAsJsonObject().get("objective").getAsDouble();
                diverged[i] = runs.get(i).has("diverged") ? runs.get(i).get("diverged").getAsBoolean()
                        : !(Double.isFinite(finals[i]) && finals[i] <= 10 * first);
                if (diverged[i]) bad++;
            }
            JsonArray pts = runs.get(shownRun(finals, diverged)).getAsJsonArray("curve");
            double[] t = new double[pts.size()], f = new double[pts.size()];
            for (int i = 0; i < pts.size(); i++) {
                t[i] = Math.max(pts.get(i).getAsJsonObject().get("seconds").getAsDouble(), 1e-3);
                f[i] = pts.get(i).getAsJsonObject().get("objective").getAsDouble();
            }
            double[][] shown = plottable(t, f, 10 * f[0]);
            String note = runs.size() == 1 ? (bad > 0 ? " (diverged)" : "") : bad == runs.size() ? " (all " + bad + " diverged)"
                    : " (best of " + runs.size() + (bad > 0 ? ", " + bad + " diverged" : "") + ")";
            if (bad < runs.size()) finalsShown.add(f[f.length - 1]);
            if (shown[0].length > 0) lines.put(label + note, shown);
            if (bad == runs.size()) allDiverged.add(label + note);
        });
        if (logY) {
            lines.forEach((label, xy) -> plot.add(label, xy[0], xy[1], false));
            return plot;
        }
        // Zoom: the optimum and the finals within twice it decide the range; the rest run off the top.
        double lo = cObj, hi = cObj;
        for (double v : finalsShown) {
            if (!Double.isFinite(v)) continue;
            lo = Math.min(lo, v);
            if (v <= 2 * cObj) hi = Math.max(hi, v);
        }
        double pad = Math.max(0.05 * (hi - lo), 0.02 * cObj);
        double top = hi + 4 * pad;
        plot.yRange(Math.max(0, lo - pad), top);
        lines.forEach((label, xy) -> {
            double end = xy[1][xy[1].length - 1];
            plot.add(end > top && !allDiverged.contains(label) ? String.format(java.util.Locale.ROOT, "%s, ends at %.4g above the chart", label, end) : label,
                    xy[0], xy[1], false);
        });
        return plot;
    }

    public static List<Row> run(Dataset train, Dataset test, ConvexSettings s, Baselines b, Path outDir,
                                Consumer<String> log) throws IOException {
        return run(train, test, s, b, outDir, false, log);
    }

    /** Method name of the row solved from the best baseline's patterns and weights ({@code fromBest}). */
    public static final String FROM_BEST = "convex-relu-from-best";

    /**
     * The comparison; with {@code fromBest}, then the program once more with the activation patterns of the best
     * baseline network (lowest final objective among those that did not diverge) added to the sampled ones, started
     * at that network's point, at the same β: each of its neurons feeds one class, so that point's objective is at
     * most the network's (λ‖u‖|v| ≤ (λ/2)(‖u‖² + v²)), and the certified optimum is at most both. The network is
     * written to DIR/best-baseline.cnn.
     */
    public static List<Row> run(Dataset train, Dataset test, ConvexSettings s, Baselines b, Path outDir, boolean fromBest,
                                Consumer<String> log) throws IOException {
        if (!s.exact()) s = s.withProgram("convex-relu");
        List<Row> rows = new ArrayList<>();
        JsonObject json = new JsonObject();
        json.add("settings", s.toJson());
        json.add("baselines", b.toJson());
        long wall0 = System.nanoTime();

        log.accept("convex program (augmented Lagrangian) ...");
        Consumer<ConvexTrainer.Step> steps = st -> log.accept(String.format(Locale.ROOT,
                "  inner iterations %d: objective %.6g, stationarity %.2g, violation %.2g, %.1f s",
                st.iteration(), st.objective(), st.certificate(), st.violation(), st.seconds()));
        ConvexTrainer.Run run = new ConvexTrainer(s).fit(train, steps);
        double beta = run.lambda();
        PatchGeometry geom = run.geometry();
        double[] zTrain = PatchPatterns.patchMatrix(train, run.normalization(), geom);
        double[] zTest = PatchPatterns.patchMatrix(test, run.normalization(), geom);
        ReluNetwork relu = run.network();
        double[] pTrain = relu.predict(zTrain, train.size());
        double convexObjective = s.loss().value(pTrain, train.labels(), train.size(),
                train.classes(), null) + beta * relu.weightDecay();
        Evaluation convexTest = ConvexTrainer.evaluation(relu.predict(zTest, test.size()), test);
        Evaluation convexTrain = ConvexTrainer.evaluation(pTrain, train);
        rows.add(new Row("convex-relu", Double.NaN, "", s.seed(), convexObjective, run.seconds(), convexTrain.accuracy(),
                convexTest.accuracy(), false, String.format(Locale.ROOT, "certificate %.2g, violation %.2g, %d neurons",
                        run.certificate(), run.violation(), relu.neurons())));
        JsonArray iterates = new JsonArray();
        for (ConvexTrainer.Step st : run.log()) {
            JsonObject o = new JsonObject();
            o.addProperty("innerIterations", st.iteration());
            o.addProperty("seconds", st.seconds());
            o.addProperty("objective", st.objective());
            o.addProperty("stationarity", st.certificate());
            o.addProperty("violation", st.violation());
            iterates.add(o);
        }
        json.add("convexIterates", iterates);

        int perClass = Math.max(8, (relu.neurons() + train.classes() - 1) / train.classes());
        JsonArray curves = new JsonArray();
        NonConvexReluCnn bestNet = null;
        Row bestRow = null;
        for (String opt : new String[] {"sgd", "adam"}) {
            for (double lr : b.rates(opt)) {
                for (Start start : b.starts()) {
                    for (int r = 1; r <= b.restarts(); r++) {
                        long seed = s.seed() * 1000 + r;
                        String label = opt + " lr " + rate(lr) + ", " + start.id() + " start";
                        log.accept(label + ", random start " + r + " ...");
                        NonConvexReluCnn net = new NonConvexReluCnn(train.classes(), perClass, geom.patchSize(), geom.patches(), seed);
                        if (start == Start.BALANCED) net.balance();
                        List<NonConvexReluCnn.Point> curve = net.train(zTrain, train.labels(), train.size(), s.loss(), beta,
                                opt, lr, b.epochs(), BATCH, seed);
                        NonConvexReluCnn.Point last = curve.get(curve.size() - 1);
                        Evaluation te = ConvexTrainer.evaluation(net.predict(zTest, test.size()), test);
                        Evaluation tr = ConvexTrainer.evaluation(net.predict(zTrain, train.size()), train);
                        double[][] shown = plottable(curve.stream().mapToDouble(p -> Math.max(p.seconds(), 1e-3)).toArray(),
                                curve.stream().mapToDouble(NonConvexReluCnn.Point::objective).toArray(), 10 * curve.get(0).objective());
                        boolean diverged = shown[0].length < curve.size();
                        String note = perClass * train.classes() + " neurons, " + b.epochs() + " epochs, batch " + BATCH
                                + (diverged ? ", diverged at epoch " + curve.get(shown[0].length).epoch() : "");
                        Row row = new Row(opt, lr, start.id(), seed, last.objective(), last.seconds(), tr.accuracy(),
                                te.accuracy(), diverged, note);
                        rows.add(row);
                        if (!diverged && Double.isFinite(row.objective()) && (bestRow == null || row.objective() < bestRow.objective())) {
                            bestRow = row;
                            bestNet = net;
                        }
                        JsonObject c = new JsonObject();
                        c.addProperty("optimizer", opt);
                        c.addProperty("lr", lr);
                        c.addProperty("start", start.id());
                        c.addProperty("seed", seed);
                        c.addProperty("diverged", diverged);
                        JsonArray pts = new JsonArray();
                        for (NonConvexReluCnn.Point p : curve) {
                            JsonObject o = new JsonObject();
                            o.addProperty("epoch", p.epoch());
                            o.addProperty("seconds", p.seconds());
                            o.addProperty("objective", p.objective());
                            pts.add(o);
                        }
                        c.add("curve", pts);
                        curves.add(c);
                    }
                }
            }
        }
        json.add("curves", curves);
        if (fromBest) {
            if (bestNet == null) throw new IllegalStateException("every baseline run diverged: no network to start from");
            Path model = outDir.resolve("best-baseline.cnn");
            JsonObject prov = new JsonObject();
            prov.addProperty("run", bestRow.label() + ", seed " + bestRow.seed());
            prov.addProperty("objective", bestRow.objective());
            dev.convexcnn.model.ModelStore.save(model, new dev.convexcnn.model.NetworkModel(
                    bestNet.asReluNetwork(geom).toSequential(), run.normalization()), prov);
            log.accept("convex program from the best baseline (" + bestRow.label() + ", seed " + bestRow.seed() + ", objective "
                    + String.format(Locale.ROOT, "%.6f", bestRow.objective()) + "): its patterns join the sampled ones ...");
            ConvexTrainer.Run again = new ConvexTrainer(s.withPatternsFrom(model.toString()).withLambda(beta)).fit(train, steps);
            ReluNetwork r2 = again.network();
            double[] p2 = r2.predict(zTrain, train.size());
            double obj2 = s.loss().value(p2, train.labels(), train.size(), train.classes(), null) + beta * r2.weightDecay();
            double startObjective = again.provenance().get("startObjective").getAsDouble();
            rows.add(new Row(FROM_BEST, Double.NaN, "", s.seed(), obj2, again.seconds(),
                    ConvexTrainer.evaluation(p2, train).accuracy(),
                    ConvexTrainer.evaluation(r2.predict(zTest, test.size()), test).accuracy(), false,
                    String.format(Locale.ROOT, "from %s, seed %d (objective %.6f; %.6f at its point in the program); %d + %d patterns; "
                                    + "certificate %.2g, violation %.2g, %d neurons%s", bestRow.label(), bestRow.seed(), bestRow.objective(),
                            startObjective, run.gates().count(), again.gates().count() - run.gates().count(), again.certificate(),
                            again.violation(), r2.neurons(), again.converged() ? "" : ", not converged")));
            JsonObject fb = new JsonObject();
            fb.addProperty("baseline", bestRow.label());
            fb.addProperty("baselineSeed", bestRow.seed());
            fb.addProperty("baselineObjective", bestRow.objective());
            fb.addProperty("startObjective", startObjective);
            fb.addProperty("objective", obj2);
            fb.addProperty("programObjective", again.objective());
            fb.addProperty("certificate", again.certificate());
            fb.addProperty("violation", again.violation());
            fb.addProperty("converged", again.converged());
            fb.addProperty("patterns", again.gates().count());
            fb.addProperty("seconds", again.seconds());
            fb.addProperty("model", "best-baseline.cnn");
            json.add("fromBest", fb);
        }
        json.addProperty("lambda", beta);
        json.addProperty("lambdaMax", run.lambdaMax());
        json.add("provenance", run.provenance());
        JsonArray rj = new JsonArray();
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%s, n = %d (test %d), %dx%d patches stride %d, %d patterns, β = %.4g (%.3g·λ_max), %s loss%n%n",
                train.name(), train.size(), test.size(), s.kernel(), s.kernel(), s.stride(), run.gates().count(), beta,
                beta / run.lambdaMax(), s.loss().id()));
        md.append("| method | lr | start | seed | objective | seconds | train acc. | test acc. | note |\n"
                + "|---|---:|---|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %.6f | %.1f | %.2f %% | %.2f %% | %s |%n", r.method(),
                    Double.isNaN(r.lr()) ? "—" : rate(r.lr()), r.start().isEmpty() ? "—" : r.start(), r.seed(),
                    r.objective(), r.seconds(), 100 * r.trainAccuracy(), 100 * r.testAccuracy(), r.note()));
            JsonObject o = new JsonObject();
            o.addProperty("method", r.method());
            if (!Double.isNaN(r.lr())) {
                o.addProperty("lr", r.lr());
                o.addProperty("start", r.start());
                o.addProperty("diverged", r.diverged());
            }
            o.addProperty("seed", r.seed());
            o.addProperty("objective", r.objective());
            o.addProperty("seconds", r.seconds());
            o.addProperty("trainAccuracy", r.trainAccuracy());
            o.addProperty("testAccuracy", r.testAccuracy());
            o.addProperty("note", r.note());
            rj.add(o);
        }
        json.add("rows", rj);
        json.addProperty("wallSeconds", (System.nanoTime() - wall0) / 1e9);
        AtomicFiles.writeString(outDir.resolve("results.md"), md.toString());
        AtomicFiles.writeString(outDir.resolve("results.json"), TensorFile.toJson(json) + "\n");
        writePlots(json, outDir);
        return rows;
    }
}
