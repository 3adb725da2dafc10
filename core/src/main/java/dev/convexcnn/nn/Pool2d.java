package dev.convexcnn.nn;

import dev.convexcnn.linalg.Parallel;
import java.util.Arrays;
import java.util.List;

/** Max or average pooling over square windows of channels-last samples, no padding. */
public final class Pool2d implements Layer {
    public enum Kind { MAX, AVG }

    private final Kind kind;
    private final int window, stride;
    private int h, w, c, oh, ow;
    private float[] out, dx;
    private int[] argmax;

    public Pool2d(Kind kind, int window, int stride) {
        if (window <= 0 || stride <= 0) throw new IllegalArgumentException("pool window and stride must be positive");
        this.kind = kind;
        this.window = window;
        this.stride = stride;
    }

    @Override
    public String spec() {
        return (kind == Kind.MAX ? "maxpool" : "avgpool") + window + (stride != window ? "s" + stride : "");
    }

    @Override
    public Shape build(Shape in) {
        if (in.height() < window || in.width() < window) {
            throw new IllegalArgumentException(spec() + " does not fit a " + in + " input");
        }
        h = in.height(); w = in.width(); c = in.channels();
        oh = (h - window) / stride + 1;
        ow = (w - window) / stride + 1;
        return new Shape(oh, ow, c);
    }

    @Override public List<Param> params() { return List.of(); }

    @Override
    public float[] forward(float[] input, int batch) {
        final int inSize = h * w * c, outSize = oh * ow * c;
        out = Layer.ensure(out, batch * outSize);
        if (kind == Kind.MAX) argmax = argmax != null && argmax.length >= batch * outSize ? argmax : new int[batch * outSize];
        final float[] o = out;
        final int[] am = argmax;
        final float scale = 1f / (window * window);
        Parallel.forRange(batch, 8, (from, to) -> {
            for (int n = from; n < to; n++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        final int oo = n * outSize + (oy * ow + ox) * c;
                        final int first = n * inSize + (oy * stride * w + ox * stride) * c;
                        if (kind == Kind.MAX) {
                            for (int ch = 0; ch < c; ch++) { o[oo + ch] = input[first + ch]; am[oo + ch] = first + ch; }
                        } else {
                            Arrays.fill(o, oo, oo + c, 0f);
                        }
                        for (int ky = 0; ky < window; ky++) {
                            for (int kx = 0; kx < window; kx++) {
                                final int ii = n * inSize + ((oy * stride + ky) * w + ox * stride + kx) * c;
                                if (kind == Kind.MAX) {
                                    for (int ch = 0; ch < c; ch++) {
                                        float v = input[ii + ch];
                                        if (v > o[oo + ch]) { o[oo + ch] = v; am[oo + ch] = ii + ch; }
                                    }
                                } else {
                                    for (int ch = 0; ch < c; ch++) o[oo + ch] += input[ii + ch];
                                }
                            }
                        }
                        if (kind == Kind.AVG) for (int ch = 0; ch < c; ch++) o[oo + ch] *= scale;
                    }
                }
            }
        });
        return out;
    }

    @Override
    public float[] backward(float[] gradOut, int batch, boolean needInputGradient) {
        if (!needInputGradient) return null;
        final int inSize = h * w * c, outSize = oh * ow * c;
        dx = Layer.ensure(dx, batch * inSize);
        final float[] d = dx;
        final float scale = 1f / (window * window);
        Parallel.forRange(batch, 8, (from, to) -> {
            Arrays.fill(d, from * inSize, to * inSize, 0f);
            if (kind == Kind.MAX) {
                for (int i = from * outSize; i < to * outSize; i++) d[argmax[i]] += gradOut[i];
                return;
            }
            for (int n = from; n < to; n++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        final int oo = n * outSize + (oy * ow + ox) * c;
                        for (int ky = 0; ky < window; ky++) {
                            for (int kx = 0; kx < window; kx++) {
                                final int ii = n * inSize + ((oy * stride + ky) * w + ox * stride + kx) * c;
                                for (int ch = 0; ch < c; ch++) d[ii + ch] += gradOut[oo + ch] * scale;
                            }
                        }
                    }
                }
            }
        });
        return dx;
    }
}
