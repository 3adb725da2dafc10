package dev.convexcnn.distill;

import dev.convexcnn.nn.Shape;

/**
 * Chooses a student's two widths so that its parameter count lands within a tolerance of a budget. For every
 * main width w the last hidden width h is solved for (the count is linear in h); of the (w, h) pairs within the
 * tolerance, the one whose ratio h/w is closest (in log) to the requested ratio wins, then the one nearer the
 * budget. The ratio is a hyperparameter: it moves parameters between the conv (or early) layers and the last one.
 */
public final class BudgetSizer {
    private BudgetSizer() {}

    /** A sized student: its widths, architecture string and exact parameter count. */
    public record Sized(StudentFamily family, int mainWidth, int lastWidth, String architecture, long parameters) {}

    public static Sized size(StudentFamily f, Shape in, int classes, long budget, double ratio, double tolerance) {
        if (budget <= 0) throw new IllegalArgumentException("a parameter budget must be > 0, got " + budget);
        if (!(ratio > 0) || Double.isInfinite(ratio)) throw new IllegalArgumentException("width ratio must be > 0, got " + ratio);
        if (!(tolerance > 0 && tolerance < 1)) throw new IllegalArgumentException("tolerance must be in (0, 1), got " + tolerance);
        int bestW = -1, bestH = -1;
        double bestScore = Double.POSITIVE_INFINITY, bestErr = Double.POSITIVE_INFINITY;
        int maxW = f.usesMainWidth() ? Integer.MAX_VALUE : 1;
        for (int w = 1; w <= maxW; w++) {
            long base = f.parameters(in, w, 1, classes);
            if (base > budget * (1 + tolerance)) break;
            long slope = f.parameters(in, w, 2, classes) - base;
            long h = Math.max(1, 1 + Math.round((double) (budget - base) / slope));
            if (h > Integer.MAX_VALUE) continue;
            double err = Math.abs((double) f.parameters(in, w, (int) h, classes) / budget - 1);
            if (err > tolerance) continue;
            double score = f.usesMainWidth() ? Math.abs(Math.log(h / (double) w / ratio)) : 0;
            if (score < bestScore - 1e-12 || (Math.abs(score - bestScore) <= 1e-12 && err < bestErr)) {
                bestScore = score;
                bestErr = err;
                bestW = w;
                bestH = (int) h;
            }
        }
        if (bestW < 0) {
            throw new IllegalArgumentException("no " + f.id() + " student on " + in + " inputs has " + budget
                    + " parameters within " + Math.round(100 * tolerance) + " % (the smallest has "
                    + f.parameters(in, 1, 1, classes) + "): use a larger budget");
        }
        return new Sized(f, bestW, bestH, f.architecture(bestW, bestH, classes), f.parameters(in, bestW, bestH, classes));
    }
}
