package dev.convexcnn.experiments;

import dev.convexcnn.alternation.*;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.io.AtomicFiles;
import dev.convexcnn.method.MethodInfo;
import dev.convexcnn.method.Methods;
import dev.convexcnn.io.TensorFile;
import dev.convexcnn.report.LinePlot;
import dev.convexcnn.sgd.EpochRecord;
import dev.convexcnn.sgd.SgdTrainer;
import dev.convexcnn.sgd.TrainingListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Alternation against SGD and Adam on the same architecture from the same initial weights: test accuracy
 * against passes over the data and against seconds, and each method's own training loss (alternation's squared
 * objective, SGD's and Adam's cross-entropy: different losses, so separate panels). Writes PNG plots, a Markdown
 * table and the raw curves as JSON.
 */
public final class AlternationVsSgd {
    /** How closely alternation follows its paper, shown in every title and table. */
    static final MethodInfo.Fidelity FIDELITY = Methods.get("alternation").info().fidelity();

    private AlternationVsSgd() {}

    /** One curve: x = passes over the data and seconds, y = test accuracy and the method's own training loss. */
    public record Curve(String method, double[] passes, double[] seconds, double[] testAccuracy, double[] trainLoss) {}

    public static List<Curve> run(Dataset train, Dataset test, AlternationSettings s, int epochs, double sgdLr,
                                  double adamLr, Path outDir, Consumer<String> log) throws IOException {
        List<Curve> curves = new ArrayList<>();
        log.accept("alternation ...");
        AlternatingTrainer.Result alt = AlternatingTrainer.fit(train, test, s, new TrainingListener() {
            @Override public void onEpoch(EpochRecord r) {
                log.accept(String.format(Locale.ROOT, "  sweep %d: objective %.5f, test accuracy %.2f%%, %.1f s", r.epoch(),
                        r.trainLoss(), 100 * r.validationAccuracy(), r.elapsedSeconds()));
            }
        });
        List<SweepRecord> sw = alt.log();
        curves.add(new Curve("alternation", sw.stream().mapToDouble(SweepRecord::dataPasses).toArray(),
                sw.stream().mapToDouble(SweepRecord::elapsedSeconds).toArray(),
                sw.stream().mapToDouble(SweepRecord::validationAccuracy).toArray(),
                sw.stream().mapToDouble(SweepRecord::objective).toArray()));
        for (String opt : new String[] {"sgd", "adam"}) {
            log.accept(opt + " ...");
            SgdTrainer.Result r = new SgdTrainer(AlternatingTrainer.sgdSettings(s, opt, opt.equals("sgd") ? sgdLr : adamLr, 128, epochs))
                    .fit(train, test, null, false, TrainingListener.NONE);
            List<EpochRecord> e = r.log();
            curves.add(new Curve(opt, e.stream().mapToDouble(EpochRecord::epoch).toArray(),
                    e.stream().mapToDouble(EpochRecord::elapsedSeconds).toArray(),
                    e.stream().mapToDouble(EpochRecord::validationAccuracy).toArray(),
                    e.stream().mapToDouble(EpochRecord::trainLoss).toArray()));
        }
        String title = train.name() + " (n = " + train.size() + "), " + s.architecture() + "; alternation: "
                + FIDELITY.kind().words();
        plots(title, curves, outDir);

        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "%s, n = %d, test %d, %s, seed %d; alternation stop: %s%n%nAlternation as implemented here is %s.%n%n",
                train.name(), train.size(), test.size(), s.architecture(), s.seed(), alt.stopReason(), FIDELITY.label()));
        md.append("| method | steps | passes | seconds | final own loss | final test acc. | best test acc. |\n|---|---:|---:|---:|---:|---:|---:|\n");
        JsonObject json = new JsonObject();
        json.addProperty("title", title);
        json.add("settings", s.toJson());
        JsonArray cj = new JsonArray();
        for (Curve c : curves) {
            int last = c.passes().length - 1;
            double best = 0;
            for (double a : c.testAccuracy()) best = Math.max(best, a);
            // Alternation's log starts with sweep 0 (the initial weights); SGD's starts after epoch 1.
            int steps = c.method().equals("alternation") ? last : last + 1;
            md.append(String.format(Locale.ROOT, "| %s | %d %s | %.0f | %.1f | %.5f | %.2f %% | %.2f %% |%n", c.method(), steps,
                    c.method().equals("alternation") ? "sweeps" : "epochs", c.passes()[last], c.seconds()[last],
                    c.trainLoss()[last], 100 * c.testAccuracy()[last], 100 * best));
            JsonObject o = new JsonObject();
            o.addProperty("method", c.method());
            o.add("passes", array(c.passes()));
            o.add("seconds", array(c.seconds()));
            o.add("testAccuracy", array(c.testAccuracy()));
            o.add("trainLoss", array(c.trainLoss()));
            cj.add(o);
        }
        json.add("curves", cj);
        AtomicFiles.writeString(outDir.resolve("results.md"), md.toString());
        AtomicFiles.writeString(outDir.resolve("results.json"), TensorFile.toJson(json) + "\n");
        return curves;
    }

    /** Test accuracy (%) against passes and seconds, and each method's own training loss against passes. */
    static void plots(String title, List<Curve> curves, Path outDir) throws IOException {
        LinePlot byPasses = new LinePlot(title, "passes over the training data", "test accuracy (%)", false);
        LinePlot bySeconds = new LinePlot(title, "seconds", "test accuracy (%)", false);
        LinePlot loss = new LinePlot(title, "passes over the training data",
                "own training loss, log scale (dashed: squared)", true);
        for (Curve c : curves) {
            double[] pct = java.util.Arrays.stream(c.testAccuracy()).map(a -> 100 * a).toArray();
            byPasses.add(c.method(), c.passes(), pct, false);
            bySeconds.add(c.method(), c.seconds(), pct, false);
            loss.add(c.method(), c.passes(), c.trainLoss(), c.method().equals("alternation"));
        }
        byPasses.write(outDir.resolve("accuracy-vs-passes.png"));
        bySeconds.write(outDir.resolve("accuracy-vs-seconds.png"));
        loss.write(outDir.resolve("loss-vs-passes.png"));
    }

    /** Redraws the three plots of a finished run from DIR/results.json. */
    public static void replot(Path outDir) throws IOException {
        Path file = outDir.resolve("results.json");
        if (!java.nio.file.Files.exists(file)) throw new IllegalArgumentException("--replot needs " + file + " from a finished run");
        JsonObject json = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(file)).getAsJsonObject();
        String title;
        if (json.has("title")) {
            title = json.get("title").getAsString();
        } else {
            // Files written before the title was stored: the settings line of results.md.
            String first = java.nio.file.Files.readAllLines(outDir.resolve("results.md")).get(0);
            title = first.contains("; ") ? first.substring(0, first.indexOf("; ")) : first;
        }
        if (!title.contains(FIDELITY.kind().words())) {
            title += "; alternation: " + FIDELITY.kind().words();
        }
        List<Curve> curves = new java.util.ArrayList<>();
        for (var e : json.getAsJsonArray("curves")) {
            JsonObject c = e.getAsJsonObject();
            curves.add(new Curve(c.get("method").getAsString(), doubles(c.getAsJsonArray("passes")),
                    doubles(c.getAsJsonArray("seconds")), doubles(c.getAsJsonArray("testAccuracy")),
                    doubles(c.getAsJsonArray("trainLoss"))));
        }
        plots(title, curves, outDir);
    }

    private static double[] doubles(JsonArray a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).getAsDouble();
        return v;
    }

    private static JsonArray array(double[] v) {
        JsonArray a = new JsonArray();
        for (double x : v) a.add(x);
        return a;
    }
}
