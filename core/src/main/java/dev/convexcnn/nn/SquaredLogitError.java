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
}
