package dev.convexcnn.distill;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.nn.Initializer;
import dev.convexcnn.nn.Loss;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import dev.convexcnn.nn.SoftTargetKl;
import dev.convexcnn.nn.SoftmaxCrossEntropy;
import dev.convexcnn.nn.SquaredLogitError;
import java.io.IOException;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Runs one cell: cell id + settings + data → result JSON in the {@link CellStore}. The result depends only on
 * those three (the cell seeds itself from the study seed and its own id), so cells can run in any order, on any
 * worker, and a finished cell is skipped.
 *
 * <p>The result JSON holds {@code key} (what {@link CellStore#isDone} compares), the selected student and its
 * validation and test accuracy, every trial, and apart from those, {@code timing} and {@code provenance}, the only
 * parts that differ between two runs of the same cell.
 */
public final class CellRunner {
    private CellRunner() {}

    /** A cell's result and whether it was read from an earlier run. */
    public record Outcome(CellId id, JsonObject result, boolean skipped) {}

    /** The key a cell's file must carry to count as done: the cell, its settings and its data. */
    public static JsonObject key(CellId id, CellSettings s, StudyData d) {
        JsonObject k = new JsonObject();
        k.addProperty("cell", id.id());
        k.add("settings", s.toJson());
        k.add("data", d.key(id.target()));
        return k;
    }

    /** Reads the cell if it is done under this key; otherwise runs it and writes its file. */
    public static Outcome runIfNeeded(CellStore store, CellId id, CellSettings s, StudyData d, Consumer<String> log)
            throws IOException {
        JsonObject key = key(id, s, d);
        JsonObject have;
        try {
            have = store.read(id);
        } catch (dev.convexcnn.io.FileFormatException e) {
            log.accept(id + ": " + e.getMessage() + "; running the cell again");
            have = null;
        }
        if (have != null && key.equals(have.get("key"))) {
            log.accept(id + ": done before, skipped (" + store.resultFile(id) + ")");
            return new Outcome(id, have, true);
        }
        if (have != null) log.accept(id + ": " + store.resultFile(id) + " was made with other settings or data; running again");
        JsonObject r = run(id, s, d, log);
        store.write(id, r);
        return new Outcome(id, r, false);
    }

    /** Runs the cell's random search and returns its result (without writing it). */
    public static JsonObject run(CellId id, CellSettings s, StudyData d, Consumer<String> log) {
        boolean mimic = id.target() == CellId.Target.MIMIC;
        if (mimic && d.teacherLogits() == null) throw new IllegalArgumentException(id + " needs the teacher's logits");
        Shape shape = new Shape(d.transfer().height(), d.transfer().width(), d.transfer().channels());
        int classes = d.transfer().classes();
        Loss loss = !mimic ? new SoftmaxCrossEntropy()
                : s.softLoss().equals("kl") ? new SoftTargetKl(s.temperature()) : new SquaredLogitError();
        Normalization norm = Normalization.fit(d.transfer());
        long cellSeed = id.seed(s.seed());
        SplittableRandom draws = new SplittableRandom(cellSeed);
        JsonArray trials = new JsonArray(), seconds = new JsonArray();
        int best = -1;
        double bestAcc = Double.NEGATIVE_INFINITY;
        Sequential bestNet = null;
        BudgetSizer.Sized bestSize = null;
        double bestLr = Double.NaN, bestRatio = Double.NaN;
        long t0 = System.nanoTime();
        for (int t = 0; t < s.trials(); t++) {
            double lr = logUniform(draws, s.lrMin(), s.lrMax()), ratio = logUniform(draws, s.ratioMin(), s.ratioMax());
            BudgetSizer.Sized size = BudgetSizer.size(id.family(), shape, classes, id.budget(), ratio, s.tolerance());
            Sequential net = Sequential.of(size.architecture(), shape, classes).initialize(Initializer.HE, cellSeed + t);
            TargetTrainer.Fit fit = TargetTrainer.fit(net, d.transfer(), mimic ? d.teacherLogits() : null, loss, norm,
                    new TargetTrainer.FitSettings(lr, s.epochs(), s.batchSize(), cellSeed + t, 0), log);
            double acc = fit.diverged() ? Double.NaN
                    : TargetTrainer.accuracy(TargetTrainer.logits(net, norm, d.validation()), d.validation());
            JsonObject tr = new JsonObject();
            tr.addProperty("trial", t + 1);
            tr.addProperty("learningRate", lr);
            tr.addProperty("ratio", ratio);
            tr.addProperty("architecture", size.architecture());
            tr.addProperty("parameters", size.parameters());
            tr.addProperty("finalTrainLoss", fit.finalLoss());
            tr.addProperty("diverged", fit.diverged());
            tr.addProperty("validationAccuracy", acc);
            trials.add(tr);
            seconds.add(fit.seconds());
            log.accept(String.format(Locale.ROOT, "%s trial %d/%d: %s (%d params) lr %.2e, loss %.4f, validation %.2f %% (%.1f s)",
                    id, t + 1, s.trials(), size.architecture(), size.parameters(), lr, fit.finalLoss(), 100 * acc, fit.seconds()));
            if (acc > bestAcc) {
                bestAcc = acc;
                best = t;
                bestNet = net;
                bestSize = size;
                bestLr = lr;
                bestRatio = ratio;
            }
        }
        JsonObject r = new JsonObject();
        r.addProperty("cell", id.id());
        r.add("key", key(id, s, d));
        r.addProperty("family", id.family().id());
        r.addProperty("kind", id.family().kind().name().toLowerCase(Locale.ROOT));
        r.addProperty("depth", id.family().depth());
        r.addProperty("budget", id.budget());
        r.addProperty("target", id.target().id());
        r.addProperty("loss", loss.id());
        r.addProperty("cellSeed", cellSeed);
        if (bestNet != null) {
            r.addProperty("selectedTrial", best + 1);
            r.addProperty("architecture", bestSize.architecture());
            r.addProperty("parameters", bestSize.parameters());
            r.addProperty("learningRate", bestLr);
            r.addProperty("ratio", bestRatio);
            r.addProperty("validationAccuracy", bestAcc);
            r.addProperty("testAccuracy", TargetTrainer.accuracy(TargetTrainer.logits(bestNet, norm, d.test()), d.test()));
        } else {
            r.addProperty("selectedTrial", 0);
            r.addProperty("note", "every trial diverged");
        }
        r.add("trials", trials);
        JsonObject timing = new JsonObject();
        timing.add("trialSeconds", seconds);
        timing.addProperty("seconds", (System.nanoTime() - t0) / 1e9);
        r.add("timing", timing);
        JsonObject p = Provenance.base();
        p.addProperty("method", "distill-cell");
        r.add("provenance", p);
        return r;
    }

    private static double logUniform(SplittableRandom r, double lo, double hi) {
        return lo == hi ? lo : Math.exp(Math.log(lo) + r.nextDouble() * (Math.log(hi) - Math.log(lo)));
    }
}
