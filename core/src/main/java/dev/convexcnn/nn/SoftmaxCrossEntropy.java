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
}
