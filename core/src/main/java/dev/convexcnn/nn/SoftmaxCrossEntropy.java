package dev.convexcnn.nn;

/** Softmax cross-entropy on integer labels, computed with the log-sum-exp shift for stability. */
public final class SoftmaxCrossEntropy implements Loss {
    @Override public String id() { return "cross-entropy"; }

    @Override
    public double evaluate(float[] logits, int batch, int classes, int[] labels, float[] targetLogits, float[] grad) {
        if (labels == null) throw new IllegalArgumentException("cross-entropy needs labels");
        double total = 0;
        final float inv = 1f / batch;
        for (int n = 0; n < batch; n++) {
            int off = n * classes;
            float max = logits[off];
            for (int j = 1; j < classes; j++) max = Math.max(max, logits[off + j]);
            double sum = 0;
            for (int j = 0; j < classes; j++) sum += Math.exp(logits[off + j] - max);
            double logSum = Math.log(sum) + max;
            int y = labels[n];
            total += logSum - logits[off + y];
            if (grad != null) {
                for (int j = 0; j < classes; j++) {
                    double pj = Math.exp(logits[off + j] - logSum);
                    grad[off + j] = (float) ((pj - (j == y ? 1 : 0)) * inv);
                }
            }
        }
        return total / batch;
    }

    /**
     * The same loss in double on predictions z (row i at i·c), as the convex programs and their non-convex twin
     * take it: the part from samples [from, to) of the mean over n samples, with its gradient written into dz at
     * the same positions when dz is not null.
     */
    public static double meanOverSamples(double[] z, int[] labels, int from, int to, int n, int c, double[] dz) {
        double total = 0;
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
