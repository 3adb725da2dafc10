package dev.convexcnn.nn;

/** ½‖z − t‖² per sample on logits, averaged over the batch: the mimic loss of Ba and Caruana. */
public final class SquaredLogitError implements Loss {
    @Override public String id() { return "squared-logits"; }

    @Override
    public double evaluate(float[] logits, int batch, int classes, int[] labels, float[] targetLogits, float[] grad) {
        if (targetLogits == null) throw new IllegalArgumentException("squared-logits needs target logits");
        double total = 0;
        final float inv = 1f / batch;
        for (int i = 0; i < batch * classes; i++) {
            float d = logits[i] - targetLogits[i];
            total += 0.5 * d * d;
            if (grad != null) grad[i] = d * inv;
        }
        return total / batch;
    }

    /**
     * The squared error against one-hot targets in double, scaled as the convex programs pose it (scnn's
     * scaling): ½·(1/(n·c))·Σ (z − onehot)², half the mean over all n·c entries, so 1/c of this class's
     * per-sample loss. Returns the part from samples [from, to), with its gradient written into dz at the same
     * positions when dz is not null.
     */
    public static double oneHotHalfMeanOverEntries(double[] z, int[] labels, int from, int to, int n, int c,
                                                   double[] dz) {
        double total = 0;
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
}
