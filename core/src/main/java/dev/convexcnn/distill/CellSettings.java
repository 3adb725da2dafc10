package dev.convexcnn.distill;

import com.google.gson.JsonObject;
import java.util.Locale;

/**
 * How each cell is trained and tuned: a seeded random search of {@code trials} candidates, each a learning rate
 * (log-uniform in [lrMin, lrMax]) and a width ratio h/w (log-uniform in [ratioMin, ratioMax], see
 * {@link BudgetSizer}), trained for {@code epochs} epochs with Adam; the candidate with the best validation
 * accuracy is the cell's student. Mimic cells use {@code softLoss}: {@code l2} (squared error on logits, the
 * paper's) or {@code kl} (Hinton's KL at {@code temperature}).
 */
public record CellSettings(int trials, int epochs, int batchSize, double lrMin, double lrMax, double ratioMin,
                           double ratioMax, double tolerance, String softLoss, double temperature, long seed) {
    public CellSettings {
        if (trials <= 0) throw new IllegalArgumentException("trials must be > 0, got " + trials);
        if (epochs <= 0) throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        if (!(lrMin > 0 && lrMax >= lrMin && Double.isFinite(lrMax))) throw new IllegalArgumentException("need 0 < lrMin <= lrMax, got " + lrMin + ", " + lrMax);
        if (!(ratioMin > 0 && ratioMax >= ratioMin && Double.isFinite(ratioMax))) throw new IllegalArgumentException("need 0 < ratioMin <= ratioMax, got " + ratioMin + ", " + ratioMax);
        if (!(tolerance > 0 && tolerance < 1)) throw new IllegalArgumentException("budget tolerance must be in (0, 1), got " + tolerance);
        softLoss = softLoss.toLowerCase(Locale.ROOT);
        if (!softLoss.equals("l2") && !softLoss.equals("kl")) throw new IllegalArgumentException("soft loss must be l2 or kl, got '" + softLoss + "'");
        if (!(temperature > 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }

    public static CellSettings defaults() {
        return new CellSettings(4, 3, 64, 3e-4, 3e-3, 0.25, 4, 0.05, "l2", 4, 1);
    }

    public CellSettings withTrials(int t) { return new CellSettings(t, epochs, batchSize, lrMin, lrMax, ratioMin, ratioMax, tolerance, softLoss, temperature, seed); }
    public CellSettings withEpochs(int e) { return new CellSettings(trials, e, batchSize, lrMin, lrMax, ratioMin, ratioMax, tolerance, softLoss, temperature, seed); }
    public CellSettings withSeed(long s) { return new CellSettings(trials, epochs, batchSize, lrMin, lrMax, ratioMin, ratioMax, tolerance, softLoss, temperature, s); }
    public CellSettings withSoftLoss(String l, double t) { return new CellSettings(trials, epochs, batchSize, lrMin, lrMax, ratioMin, ratioMax, tolerance, l, t, seed); }
    public CellSettings withBatchSize(int b) { return new CellSettings(trials, epochs, b, lrMin, lrMax, ratioMin, ratioMax, tolerance, softLoss, temperature, seed); }
    public CellSettings withLearningRates(double lo, double hi) { return new CellSettings(trials, epochs, batchSize, lo, hi, ratioMin, ratioMax, tolerance, softLoss, temperature, seed); }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("search", "random");
        o.addProperty("optimizer", "adam");
        o.addProperty("trials", trials);
        o.addProperty("epochs", epochs);
        o.addProperty("batchSize", batchSize);
        o.addProperty("lrMin", lrMin);
        o.addProperty("lrMax", lrMax);
        o.addProperty("ratioMin", ratioMin);
        o.addProperty("ratioMax", ratioMax);
        o.addProperty("tolerance", tolerance);
        o.addProperty("softLoss", softLoss);
        if (softLoss.equals("kl")) o.addProperty("temperature", temperature);
        o.addProperty("seed", seed);
        return o;
    }
}
