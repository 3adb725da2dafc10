package dev.convexcnn.ccnn;

import dev.convexcnn.optim.NuclearNorm;

/**
 * Projected stochastic gradient on {‖A‖_* ≤ R} with iterate averaging, as explicit state (init → step* →
 * average). The iterate is kept in the "stacked" layout W ((Q·m) × c1, row (q·m + j), column k), in which the
 * logits of a sample are one GEMM of its pooled features with W; the projection works on the same numbers
 * read as A (m × (Q·c1), column q·c1 + k), the CCNN paper's matrix (see {@link #toA} and {@link #fromA}).
 */
public final class ProjectedSgd {
    private final int m, positions, outputs;
    private final double radius;
    private final double[] w;
    private final double[] avg;
    private long averaged;

    /** Starts at A = 0. */
    public ProjectedSgd(int m, int positions, int outputs, double radius) {
        this.m = m;
        this.positions = positions;
        this.outputs = outputs;
        this.radius = radius;
        this.w = new double[m * positions * outputs];
        this.avg = new double[w.length];
    }

    /** W ← Π_R(W − η·grad), then adds W to the running average when {@code average}. */
    public NuclearNorm.Projection step(double[] grad, double eta, boolean average) {
        for (int i = 0; i < w.length; i++) w[i] -= eta * grad[i];
        double[] a = toA(w, m, positions, outputs);
        NuclearNorm.Projection p = NuclearNorm.project(a, m, positions * outputs, radius);
        if (p.moved()) fromA(a, m, positions, outputs, w);
        if (average) {
            averaged++;
            double f = 1.0 / averaged;
            for (int i = 0; i < w.length; i++) avg[i] += f * (w[i] - avg[i]);
        }
        return p;
    }

    /** The current iterate, W layout (not a copy). */
    public double[] iterate() { return w; }

    /** The average of the averaged iterates (the current iterate when none was averaged), W layout, a copy. */
    public double[] average() { return averaged == 0 ? w.clone() : avg.clone(); }

    public long averagedCount() { return averaged; }

    /** The running average, W layout (not a copy; for checkpoints). */
    public double[] runningAverage() { return avg; }

    /** Continues from a saved state: the iterate, the running average and how many iterates it holds. */
    public void restore(double[] iterate, double[] average, long count) {
        if (iterate.length != w.length || average.length != avg.length || count < 0) {
            throw new IllegalArgumentException("the saved state has " + iterate.length + " values, the settings need " + w.length);
        }
        System.arraycopy(iterate, 0, w, 0, w.length);
        System.arraycopy(average, 0, avg, 0, avg.length);
        averaged = count;
    }
    public double radius() { return radius; }

    /** W ((Q·m) × c1) → A (m × (Q·c1)). */
    public static double[] toA(double[] w, int m, int positions, int outputs) {
        double[] a = new double[w.length];
        int cols = positions * outputs;
        for (int q = 0; q < positions; q++) {
            for (int j = 0; j < m; j++) {
                System.arraycopy(w, (q * m + j) * outputs, a, j * cols + q * outputs, outputs);
            }
        }
        return a;
    }

    /** A (m × (Q·c1)) → W ((Q·m) × c1), into w. */
    public static void fromA(double[] a, int m, int positions, int outputs, double[] w) {
        int cols = positions * outputs;
        for (int q = 0; q < positions; q++) {
            for (int j = 0; j < m; j++) {
                System.arraycopy(a, j * cols + q * outputs, w, (q * m + j) * outputs, outputs);
            }
        }
    }
}
