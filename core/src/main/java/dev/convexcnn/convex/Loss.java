package dev.convexcnn.convex;

import java.util.Locale;

/**
 * The losses of the convex programs on predictions Z (n × c): squared error against one-hot targets scaled by
 * 1/(2nc), as scnn poses it, and softmax cross-entropy averaged over samples. Both are convex in Z.
 */
public enum Loss {
    SQUARED, CROSS_ENTROPY;

    public static Loss parse(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "squared": case "mse": return SQUARED;
            case "cross-entropy": case "xent": case "logistic": return CROSS_ENTROPY;
            default: throw new IllegalArgumentException("unknown loss '" + s + "': use squared or cross-entropy");
        }
    }

    public String id() { return this == SQUARED ? "squared" : "cross-entropy"; }

    /** The loss of predictions z; writes dLoss/dz into dz when dz is not null. */
    public double value(double[] z, int[] labels, int n, int c, double[] dz) {
        return value(z, labels, 0, n, n, c, dz);
    }

    /**
     * The part of the loss from samples [from, to) of n (scaled for n samples in all), reading z and writing dz
     * at the same positions i·c + k.
     */
    public double value(double[] z, int[] labels, int from, int to, int n, int c, double[] dz) {
        double total = 0;
        if (this == SQUARED) {
            double scale = 1.0 / (n * (double) c);
            for (int i = from; i < to; i++) {
                for (int k = 0; k < c; k++) {
                    double r = z[i * c + k] - (labels[i] == k ? 1 : 0);
                    total += r * r;
                    if (dz != null) dz[i * c + k] = r * scale;
                }
            }
            return total * scale / 2;
        }
        for (int i = from; i < to; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) max = Math.max(max, z[i * c + k]);
            double sum = 0;
            for (int k = 0; k < c; k++) sum += Math.exp(z[i * c + k] - max);
            double lse = max + Math.log(sum);
            total += lse - z[i * c + labels[i]];
            if (dz != null) {
                for (int k = 0; k < c; k++) dz[i * c + k] = (Math.exp(z[i * c + k] - lse) - (labels[i] == k ? 1 : 0)) / n;
            }
        }
        return total / n;
    }
}
