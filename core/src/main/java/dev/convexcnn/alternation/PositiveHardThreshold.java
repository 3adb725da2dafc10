package dev.convexcnn.alternation;

import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Param;
import dev.convexcnn.nn.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Positive hard-thresholding, y = z · 1[z &gt; τ], elementwise, with its binary state (the support
 * s = 1[z &gt; τ]) kept as a bit set in the layer layout [channel][row][column][sample].
 * <p>
 * Our reading of arXiv 1712.02501 (only the abstract and the first paragraph of the paper could be read): the
 * operator keeps an activation when it exceeds the threshold τ ≥ 0 and zeroes it otherwise; with τ = 0 it is
 * exactly the ReLU, and then {@link #spec()} says {@code relu}, so a saved model reloads as the same function.
 * <p>
 * Two modes. <em>Free</em> (the default): forward computes the support from its input. <em>Frozen</em>
 * ({@link #freeze}): forward applies a given support instead, y = s ⊙ z, which makes the layer linear in its
 * input; with every thresholding layer frozen the whole network is linear in each layer's weights (affine when
 * later layers have biases). Backward multiplies by the support in both modes: the derivative almost everywhere
 * (the jump of size τ at z = τ has no gradient), which is what SGD on this layer uses.
 */
public final class PositiveHardThreshold implements Layer {
    private final float threshold;
    private int size;
    private float[] out, dx;
    private long[] support;
    private long[] own;
    private long[] frozen;

    public PositiveHardThreshold(float threshold) {
        if (!(threshold >= 0) || Float.isInfinite(threshold)) {
            throw new IllegalArgumentException("the threshold must be finite and >= 0, got " + threshold);
        }
        this.threshold = threshold;
    }

    public float threshold() { return threshold; }

    /** {@code relu} when τ = 0 (the same function), else {@code pht<τ>}. */
    @Override
    public String spec() { return threshold == 0f ? "relu" : "pht" + threshold; }

    @Override
    public Shape build(Shape in) {
        size = in.size();
        return in;
    }

    /** Values per sample. */
    public int size() { return size; }

    @Override public List<Param> params() { return List.of(); }

    /** Words of a support bit set for a batch. */
    public static int words(int bits) { return (bits + 63) >>> 6; }

    public static boolean bit(long[] set, int i) { return ((set[i >>> 6] >>> i) & 1L) != 0; }

    /** Uses the given support (batch × size bits, layer layout) in the following forward calls, until {@link #thaw}. */
    public void freeze(long[] mask) { frozen = mask; }

    public void thaw() { frozen = null; }

    public boolean isFrozen() { return frozen != null; }

    /**
     * The support of the last forward batch (bits [channel][row][column][sample]); owned by the layer and
     * overwritten by the next forward, or the frozen mask itself when frozen.
     */
    public long[] support() { return support; }

    @Override
    public float[] forward(float[] input, int batch) {
        final int n = batch * size;
        out = Layer.ensure(out, n);
        if (frozen != null) {
            if (frozen.length < words(n)) throw new IllegalArgumentException("the frozen support has " + frozen.length * 64L + " bits, the batch needs " + n);
            support = frozen;
            for (int i = 0; i < n; i++) out[i] = bit(frozen, i) ? input[i] : 0f;
            return out;
        }
        int w = words(n);
        if (own == null || own.length < w) own = new long[w];
        support = own;
        Arrays.fill(support, 0, w, 0L);
        final float t = threshold;
        for (int i = 0; i < n; i++) {
            float z = input[i];
            if (z > t) {
                out[i] = z;
                support[i >>> 6] |= 1L << i;
            } else {
                out[i] = 0f;
            }
        }
        return out;
    }

    @Override
    public float[] backward(float[] gradOut, int batch, boolean needInputGradient) {
        if (!needInputGradient) return null;
        final int n = batch * size;
        dx = Layer.ensure(dx, n);
        for (int i = 0; i < n; i++) dx[i] = bit(support, i) ? gradOut[i] : 0f;
        return dx;
    }
}
