package dev.convexcnn.nn;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;

/** Copies samples into a contiguous, normalised batch buffer. */
public final class Batches {
    private Batches() {}

    /**
     * Writes samples order[from .. from+count) of d into x (normalised) and their labels into y.
     * order may be null for the identity order.
     */
    public static void gather(Dataset d, int[] order, int from, int count, Normalization norm, float[] x, int[] y) {
        final int f = d.features(), c = d.channels();
        final float[] px = d.pixels();
        final float[] mean = norm.mean(), std = norm.std();
        final float[] inv = new float[c];
        for (int ch = 0; ch < c; ch++) inv[ch] = 1f / std[ch];
        for (int k = 0; k < count; k++) {
            int i = order == null ? from + k : order[from + k];
            int src = i * f, dst = k * f;
            if (c == 1) {
                final float m = mean[0], s = inv[0];
                for (int j = 0; j < f; j++) x[dst + j] = (px[src + j] - m) * s;
            } else {
                for (int j = 0; j < f; j++) {
                    int ch = j % c;
                    x[dst + j] = (px[src + j] - mean[ch]) * inv[ch];
                }
            }
            if (y != null) y[k] = d.label(i);
        }
    }

    /** The index of the largest of the n values at off. */
    public static int argmax(float[] v, int off, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) if (v[off + j] > v[off + best]) best = j;
        return best;
    }
}
