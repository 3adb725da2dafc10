package dev.convexcnn.nn;

import java.util.List;

/** max(0, x), elementwise. */
public final class Relu implements Layer {
    private float[] out, dx;
    private int size;

    @Override public String spec() { return "relu"; }

    @Override
    public Shape build(Shape in) {
        size = in.size();
        return in;
    }

    @Override public List<Param> params() { return List.of(); }

    @Override public Layer replica() { return new Relu(); }

    @Override
    public float[] forward(float[] input, int batch) {
        int n = batch * size;
        out = Layer.ensure(out, n);
        for (int i = 0; i < n; i++) out[i] = Math.max(0f, input[i]);
        return out;
    }

    @Override
    public float[] backward(float[] gradOut, int batch, boolean needInputGradient) {
        if (!needInputGradient) return null;
        int n = batch * size;
        dx = Layer.ensure(dx, n);
        // The subgradient at 0 is taken as 0, as PyTorch does. The output is +0.0 or positive (Math.max never
        // returns -0.0 here), so its bits are > 0 exactly when it is positive, and -bits >> 31 is then all ones:
        // a mask that keeps the gradient, without a branch on random data.
        for (int i = 0; i < n; i++) {
            int mask = -Float.floatToRawIntBits(out[i]) >> 31;
            dx[i] = Float.intBitsToFloat(Float.floatToRawIntBits(gradOut[i]) & mask);
        }
        return dx;
    }
}
