package dev.convexcnn.convex;

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
 * objective-versus-time plot, a Markdown table and the raw figures as JSON.
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

    public record Row(String method, long seed, double objective, double seconds, double trainAccuracy,
                      double testAccuracy, String note) {}

    public static List<Row> run(Dataset train, Dataset test, ConvexSettings s, int restarts, int epochs, double sgdLr,
                                double adamLr, Path outDir, Consumer<String> log) throws IOException {
        if (!s.exact()) s = s.withProgram("convex-relu");
        List<Row> rows = new ArrayList<>();
        LinePlot plot = new LinePlot("Two-layer ReLU CNN on " + train.name() + " (n = " + train.size() + ")",
                "seconds (log scale)", "objective: loss + (β/2)Σ(‖u‖² + v²)", true).logX();
        JsonObject json = new JsonObject();
        json.add("settings", s.toJson());

        log.accept("convex program (augmented Lagrangian) ...");
        ConvexTrainer.Run run = new ConvexTrainer(s).fit(train, st -> log.accept(String.format(Locale.ROOT,
                "  inner iterations %d: objective %.6g, stationarity %.2g, violation %.2g, %.1f s",
                st.iteration(), st.objective(), st.certificate(), st.violation(), st.seconds())));
        double beta = run.lambda();
        PatchGeometry geom = run.geometry();
        double[] zTrain = PatchPatterns.patchMatrix(train, run.normalization(), geom);
        double[] zTest = PatchPatterns.patchMatrix(test, run.normalization(), geom);
        ReluNetwork relu = run.network();
        double convexObjective = s.loss().value(relu.predict(zTrain, train.size()), train.labels(), train.size(),
                train.classes(), null) + beta * relu.weightDecay();
        Evaluation convexTest = ConvexTrainer.evaluation(relu.predict(zTest, test.size()), test);
        Evaluation convexTrain = ConvexTrainer.evaluation(relu.predict(zTrain, train.size()), train);
        rows.add(new Row("convex-relu", s.seed(), convexObjective, run.seconds(), convexTrain.accuracy(),
                convexTest.accuracy(), String.format(Locale.ROOT, "certificate %.2g, violation %.2g, %d neurons",
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
        double[] ct = run.log().stream().mapToDouble(st -> Math.max(st.seconds(), 1e-3)).toArray();
        double[] co = run.log().stream().mapToDouble(ConvexTrainer.Step::objective).toArray();
        plot.add("convex (AL iterates)", ct, co, false);
        plot.add("convex optimum (recovered ReLU CNN)", new double[] {1e-3, Math.max(1e-3, run.seconds())},
                new double[] {convexObjective, convexObjective}, true);

        int perClass = Math.max(8, (relu.neurons() + train.classes() - 1) / train.classes());
        JsonArray curves = new JsonArray();
        for (String opt : new String[] {"sgd", "adam"}) {
            for (int r = 1; r <= restarts; r++) {
                long seed = s.seed() * 1000 + r;
                log.accept(opt + " from random start " + r + " ...");
                NonConvexReluCnn net = new NonConvexReluCnn(train.classes(), perClass, geom.patchSize(), geom.patches(), seed);
                List<NonConvexReluCnn.Point> curve = net.train(zTrain, train.labels(), train.size(), s.loss(), beta, opt,
                        opt.equals("sgd") ? sgdLr : adamLr, epochs, BATCH, seed);
                NonConvexReluCnn.Point last = curve.get(curve.size() - 1);
                Evaluation te = ConvexTrainer.evaluation(net.predict(zTest, test.size()), test);
                Evaluation tr = ConvexTrainer.evaluation(net.predict(zTrain, train.size()), train);
                rows.add(new Row(opt, seed, last.objective(), last.seconds(), tr.accuracy(), te.accuracy(),
                        perClass * train.classes() + " neurons, " + epochs + " epochs, batch " + BATCH));
                double[][] shown = plottable(curve.stream().mapToDouble(p -> Math.max(p.seconds(), 1e-3)).toArray(),
                        curve.stream().mapToDouble(NonConvexReluCnn.Point::objective).toArray(), 10 * curve.get(0).objective());
                if (shown[0].length > 0) {
                    plot.add(opt + " start " + r + (shown[0].length < curve.size() ? " (diverged)" : ""), shown[0], shown[1], false);
                }
                JsonObject c = new JsonObject();
                c.addProperty("optimizer", opt);
                c.addProperty("seed", seed);
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
        plot.write(outDir.resolve("objective-vs-time.png"));
        json.add("curves", curves);
        json.addProperty("lambda", beta);
        json.addProperty("lambdaMax", run.lambdaMax());
        json.add("provenance", run.provenance());
        JsonArray rj = new JsonArray();
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%s, n = %d (test %d), %dx%d patches stride %d, %d patterns, β = %.4g (%.3g·λ_max), %s loss%n%n",
                train.name(), train.size(), test.size(), s.kernel(), s.kernel(), s.stride(), run.gates().count(), beta,
                beta / run.lambdaMax(), s.loss().id()));
        md.append("| method | seed | objective | seconds | train acc. | test acc. | note |\n|---|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.6f | %.1f | %.2f %% | %.2f %% | %s |%n", r.method(), r.seed(),
                    r.objective(), r.seconds(), 100 * r.trainAccuracy(), 100 * r.testAccuracy(), r.note()));
            JsonObject o = new JsonObject();
            o.addProperty("method", r.method());
            o.addProperty("seed", r.seed());
            o.addProperty("objective", r.objective());
            o.addProperty("seconds", r.seconds());
            o.addProperty("trainAccuracy", r.trainAccuracy());
            o.addProperty("testAccuracy", r.testAccuracy());
            o.addProperty("note", r.note());
            rj.add(o);
        }
        json.add("rows", rj);
        AtomicFiles.writeString(outDir.resolve("results.md"), md.toString());
        AtomicFiles.writeString(outDir.resolve("results.json"), TensorFile.toJson(json) + "\n");
        return rows;
    }
}
