package dev.convexcnn.compress;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Spearman rank correlation (ties get their average rank), its two-sided permutation p-value, and the partial
 * rank correlation of x and y given z: used to ask whether K/R or the parameter count orders the designs'
 * accuracies better.
 */
public final class RankCorrelation {
    private RankCorrelation() {}

    /** Ranks 1..n, ties averaged. */
    public static double[] ranks(double[] v) {
        int n = v.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> Double.compare(v[a], v[b]));
        double[] r = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && v[idx[j + 1]] == v[idx[i]]) j++;
            double avg = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++) r[idx[t]] = avg;
            i = j + 1;
        }
        return r;
    }

    /** Pearson correlation; NaN when either side is constant. */
    public static double pearson(double[] x, double[] y) {
        if (x.length != y.length || x.length < 2) throw new IllegalArgumentException("need two equal-length samples of at least 2");
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) { mx += x[i]; my += y[i]; }
        mx /= x.length;
        my /= y.length;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            double a = x[i] - mx, b = y[i] - my;
            sxy += a * b;
            sxx += a * a;
            syy += b * b;
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    public static double spearman(double[] x, double[] y) { return pearson(ranks(x), ranks(y)); }

    /**
     * Two-sided permutation p-value of Spearman's rho: the share of {@code permutations} shuffles of y whose
     * |rho| reaches the observed one (counting the observed, so never 0).
     */
    public static double permutationP(double[] x, double[] y, int permutations, long seed) {
        double[] rx = ranks(x), ry = ranks(y);
        double obs = Math.abs(pearson(rx, ry));
        if (Double.isNaN(obs)) return Double.NaN;
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] p = ry.clone();
        int hits = 1;
        for (int t = 0; t < permutations; t++) {
            for (int i = p.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                double s = p[i];
                p[i] = p[j];
                p[j] = s;
            }
            if (Math.abs(pearson(rx, p)) >= obs - 1e-12) hits++;
        }
        return (double) hits / (permutations + 1);
    }

    /** Partial Spearman correlation of x and y with z held fixed (on ranks). */
    public static double partialSpearman(double[] x, double[] y, double[] z) {
        double rxy = spearman(x, y), rxz = spearman(x, z), ryz = spearman(y, z);
        return (rxy - rxz * ryz) / Math.sqrt((1 - rxz * rxz) * (1 - ryz * ryz));
    }
}
