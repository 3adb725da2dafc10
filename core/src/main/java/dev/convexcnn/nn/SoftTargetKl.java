package dev.convexcnn.nn;

/**
 * Hinton's distillation loss on target logits t at temperature T: T²·KL(softmax(t/T) ‖ softmax(z/T)) per sample,
 * averaged over the batch. The T² keeps the gradient, T·(softmax(z/T) − softmax(t/T)), on the scale of T = 1;
 * as T grows the gradient tends to (z − t)/K for zero-mean logits, the squared-logit (mimic) loss.
 */
public final class SoftTargetKl implements Loss {
    private final double temperature;

    public SoftTargetKl(double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        }
        this.temperature = temperature;
    }

    public double temperature() { return temperature; }

    @Override public String id() { return "kl-t" + temperature; }

    @Override
    public double evaluate(float[] logits, int batch, int classes, int[] labels, float[] targetLogits, float[] grad) {
        if (targetLogits == null) throw new IllegalArgumentException("the soft-target loss needs target logits");
        final double t = temperature, inv = 1.0 / batch;
        double total = 0;
        double[] p = new double[classes], q = new double[classes];
        for (int n = 0; n < batch; n++) {
            int off = n * classes;
            double lz = logSoftmax(logits, off, classes, t, p), lt = logSoftmax(targetLogits, off, classes, t, q);
            double kl = 0;
            for (int j = 0; j < classes; j++) {
                double logq = targetLogits[off + j] / t - lt, logp = logits[off + j] / t - lz;
                if (q[j] > 0) kl += q[j] * (logq - logp);
                if (grad != null) grad[off + j] = (float) (t * (p[j] - q[j]) * inv);
            }
            total += t * t * kl;
        }
        return total / batch;
    }

    /** log Σ exp(v/T) with the max shift; fills probs with softmax(v/T). */
    private static double logSoftmax(float[] v, int off, int k, double t, double[] probs) {
        double max = v[off] / t;
        for (int j = 1; j < k; j++) max = Math.max(max, v[off + j] / t);
        double sum = 0;
        for (int j = 0; j < k; j++) sum += Math.exp(v[off + j] / t - max);
        double log = Math.log(sum) + max;
        for (int j = 0; j < k; j++) probs[j] = Math.exp(v[off + j] / t - log);
        return log;
    }
}
