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
        // The subgradient at 0 is taken as 0, as PyTorch does.
        for (int i = 0; i < n; i++) dx[i] = out[i] > 0f ? gradOut[i] : 0f;
        return dx;
    }
}
