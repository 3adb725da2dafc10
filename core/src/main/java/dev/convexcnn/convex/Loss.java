package dev.convexcnn.convex;

import dev.convexcnn.nn.SoftmaxCrossEntropy;
import dev.convexcnn.nn.SquaredLogitError;
import java.util.Locale;

/**
 * The losses of the convex programs on predictions Z (n × c): squared error against one-hot targets scaled by
 * 1/(2nc), as scnn poses it, and softmax cross-entropy averaged over samples. Both are convex in Z. The
 * arithmetic is nn's (the double-precision forms of its losses); this enum names the programs' two choices.
 * "squared" here is 1/c of the nn squared-logit loss on one-hot targets, so neither answers to "mse".
 */
public enum Loss {
    SQUARED, CROSS_ENTROPY;

    public static Loss parse(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "squared": return SQUARED;
            case "cross-entropy": case "xent": case "logistic": return CROSS_ENTROPY;
            default: throw new IllegalArgumentException("unknown loss '" + s
                    + "': use squared (½ the mean of (z − one-hot)² over samples and classes) or cross-entropy");
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
        return this == SQUARED ? SquaredLogitError.oneHotHalfMeanOverEntries(z, labels, from, to, n, c, dz)
                : SoftmaxCrossEntropy.meanOverSamples(z, labels, from, to, n, c, dz);
    }
}
