package dev.convexcnn.ccnn;

/**
 * The multinomial logistic loss with C − 1 free logits: the last class's logit is pinned at 0 (as in the
 * reference code: 9 free outputs for 10 classes). ℓ(f, y) = log(1 + Σ_k e^{f_k}) − f_y, with f_{C−1} = 0: nn's
 * softmax cross-entropy on (f, 0), as a test checks. Kept as its own loop because it counts the right answers in
 * the same pass and because CCNN's published numbers come from its order of operations.
 */
public final class MultinomialLogistic {
    private MultinomialLogistic() {}

    /**
     * Sum of the losses of b samples with free logits (b × (C−1), row-major), and the number predicted
     * right in {@code correct[0]}. When delta is not null it receives scale·(softmax − onehot) over the free
     * logits: the gradient of scale·Σ loss with respect to them.
     */
    public static double evaluate(double[] logits, int b, int classes, int[] labels, int labelOff, double scale,
                                  double[] delta, int[] correct) {
        int c1 = classes - 1;
        double sum = 0;
        int right = 0;
        double[] p = new double[classes];
        for (int i = 0; i < b; i++) {
            int o = i * c1;
            double max = 0; // the pinned logit
            int arg = c1;
            for (int k = 0; k < c1; k++) {
                if (logits[o + k] > max) { max = logits[o + k]; arg = k; }
            }
            double z = 0;
            for (int k = 0; k < c1; k++) { p[k] = Math.exp(logits[o + k] - max); z += p[k]; }
            p[c1] = Math.exp(-max);
            z += p[c1];
            int y = labels[labelOff + i];
            double fy = y == c1 ? 0 : logits[o + y];
            sum += max + Math.log(z) - fy;
            if (arg == y) right++;
            if (delta != null) {
                for (int k = 0; k < c1; k++) delta[o + k] = scale * (p[k] / z - (k == y ? 1 : 0));
            }
        }
        if (correct != null) correct[0] += right;
        return sum;
    }

    /** The predicted class of one row of free logits. */
    public static int argmax(double[] logits, int off, int classes) {
        int c1 = classes - 1;
        double max = 0;
        int arg = c1;
        for (int k = 0; k < c1; k++) if (logits[off + k] > max) { max = logits[off + k]; arg = k; }
        return arg;
    }
}
