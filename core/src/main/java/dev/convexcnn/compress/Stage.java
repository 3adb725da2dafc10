package dev.convexcnn.compress;

import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.linalg.Parallel;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Param;
import java.util.Arrays;

/**
 * One linear, bias-free step of a factorised convolution on the (channels, height, width, batch) layout. A stage
 * reads its weights from a {@link Param} and adds its weight gradient into that Param's gradient. It keeps a
 * reference to its last input for backward; its output buffer is its own and is overwritten by the next call.
 */
abstract class Stage {
    final Param weight;
    float[] lastInput, out, dx;

    Stage(Param weight) { this.weight = weight; }

    abstract int outSize();
    abstract int inSize();
    abstract float[] forward(float[] x, int batch);
    abstract float[] backward(float[] g, int batch, boolean needInputGradient);

    /**
     * A 1×1 convolution: y (out × positions·batch) = op(W)·x with op(W) out × in. The Param holds W as out × in,
     * or as in × out when {@code inByOut} (a factor matrix such as Tucker's U_in, C × R, whose transpose maps C
     * channels to R).
     */
    static final class Pointwise extends Stage {
        final int outC, inC, positions;
        final boolean inByOut;

        Pointwise(Param w, int outC, int inC, int positions, boolean inByOut) {
            super(w);
            if (w.size() != outC * inC) throw new IllegalArgumentException("pointwise weight size mismatch");
            this.outC = outC; this.inC = inC; this.positions = positions; this.inByOut = inByOut;
        }

        @Override int outSize() { return outC * positions; }
        @Override int inSize() { return inC * positions; }

        @Override
        float[] forward(float[] x, int batch) {
            lastInput = x;
            final int np = positions * batch;
            out = Layer.ensure(out, outC * np);
            Gemm.sgemm(inByOut, false, outC, np, inC, 1f, weight.value(), 0, inByOut ? outC : inC, x, 0, np, 0f, out, 0, np);
            return out;
        }

        @Override
        float[] backward(float[] g, int batch, boolean needInputGradient) {
            final int np = positions * batch;
            if (inByOut) Gemm.sgemm(false, true, inC, outC, np, 1f, lastInput, 0, np, g, 0, np, 1f, weight.grad(), 0, outC);
            else Gemm.sgemm(false, true, outC, inC, np, 1f, g, 0, np, lastInput, 0, np, 1f, weight.grad(), 0, inC);
            if (!needInputGradient) return null;
            dx = Layer.ensure(dx, inC * np);
            if (inByOut) Gemm.sgemm(false, false, inC, np, outC, 1f, weight.value(), 0, outC, g, 0, np, 0f, dx, 0, np);
            else Gemm.sgemm(true, false, inC, np, outC, 1f, weight.value(), 0, inC, g, 0, np, 0f, dx, 0, np);
            return dx;
        }
    }

    /**
     * A dense (optionally grouped) convolution, one GEMM per group over the patch matrix. Weights are
     * out × (in/groups) × kh × kw; group j maps input channels [j·in/g, (j+1)·in/g) to outputs [j·out/g, ...).
     */
    static final class Conv extends Stage {
        final Geom g;
        final int outC, groups;
        float[] cols, dcols;

        Conv(Param w, Geom g, int outC, int groups) {
            super(w);
            if (g.channels() % groups != 0 || outC % groups != 0) {
                throw new IllegalArgumentException("groups must divide the input and output channels");
            }
            if (w.size() != outC * (g.channels() / groups) * g.kh() * g.kw()) {
                throw new IllegalArgumentException("conv weight size mismatch");
            }
            this.g = g; this.outC = outC; this.groups = groups;
        }

        @Override int outSize() { return outC * g.outPositions(); }
        @Override int inSize() { return g.channels() * g.height() * g.width(); }

        private int rowsPerGroup() { return g.channels() / groups * g.kh() * g.kw(); }

        @Override
        float[] forward(float[] x, int batch) {
            lastInput = x;
            final int np = g.outPositions() * batch, k = rowsPerGroup(), og = outC / groups;
            cols = Layer.ensure(cols, k * groups * np);
            g.patchColumns(x, batch, cols);
            out = Layer.ensure(out, outC * np);
            for (int j = 0; j < groups; j++) {
                Gemm.sgemm(false, false, og, np, k, 1f, weight.value(), j * og * k, k, cols, j * k * np, np, 0f, out, j * og * np, np);
            }
            return out;
        }

        @Override
        float[] backward(float[] gr, int batch, boolean needInputGradient) {
            final int np = g.outPositions() * batch, k = rowsPerGroup(), og = outC / groups;
            for (int j = 0; j < groups; j++) {
                Gemm.sgemm(false, true, og, k, np, 1f, gr, j * og * np, np, cols, j * k * np, np, 1f, weight.grad(), j * og * k, k);
            }
            if (!needInputGradient) return null;
            dcols = Layer.ensure(dcols, k * groups * np);
            for (int j = 0; j < groups; j++) {
                Gemm.sgemm(true, false, k, np, og, 1f, weight.value(), j * og * k, k, gr, j * og * np, np, 0f, dcols, j * k * np, np);
            }
            dx = Layer.ensure(dx, inSize() * batch);
            g.addPatchColumns(dcols, batch, dx);
            return dx;
        }
    }

    /**
     * A depthwise convolution with channel multiplier m: input channel c gives output channels c·m .. c·m+m−1,
     * output channel o = c·m + t filtered by its own kernel o (weights (C·m) × kh × kw) or, when {@code shared},
     * by kernel t for every c (weights m × kh × kw: the same m filters applied to every channel).
     */
    static final class Depthwise extends Stage {
        final Geom g;
        final int m;
        final boolean shared;
        float[] kernelGrads;

        Depthwise(Param w, Geom g, int m, boolean shared) {
            super(w);
            if (w.size() != (shared ? m : g.channels() * m) * g.kh() * g.kw()) {
                throw new IllegalArgumentException("depthwise weight size mismatch");
            }
            this.g = g; this.m = m; this.shared = shared;
        }

        @Override int outSize() { return g.channels() * m * g.outPositions(); }
        @Override int inSize() { return g.channels() * g.height() * g.width(); }

        private int kernelOf(int o) { return shared ? o % m : o; }

        @Override
        float[] forward(float[] x, int batch) {
            lastInput = x;
            final int oh = g.outHeight(), ow = g.outWidth(), n = batch, kk = g.kh() * g.kw();
            final int outC = g.channels() * m;
            out = Layer.ensure(out, outC * oh * ow * n);
            final float[] y = out, w = weight.value();
            Parallel.forRange(outC, 1, (from, to) -> {
                for (int o = from; o < to; o++) {
                    final int c = o / m, kb = kernelOf(o) * kk;
                    Arrays.fill(y, o * oh * ow * n, (o + 1) * oh * ow * n, 0f);
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ky = 0; ky < g.kh(); ky++) {
                            final int iy = oy * g.sh() - g.ph() + ky;
                            if (iy < 0 || iy >= g.height()) continue;
                            for (int ox = 0; ox < ow; ox++) {
                                final int dst = ((o * oh + oy) * ow + ox) * n;
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    final int ix = ox * g.sw() - g.pw() + kx;
                                    if (ix < 0 || ix >= g.width()) continue;
                                    final float wv = w[kb + ky * g.kw() + kx];
                                    final int src = ((c * g.height() + iy) * g.width() + ix) * n;
                                    for (int t = 0; t < n; t++) y[dst + t] += wv * x[src + t];
                                }
                            }
                        }
                    }
                }
            });
            return out;
        }

        @Override
        float[] backward(float[] gr, int batch, boolean needInputGradient) {
            final int oh = g.outHeight(), ow = g.outWidth(), n = batch, kk = g.kh() * g.kw();
            final int C = g.channels();
            final float[] x = lastInput, w = weight.value();
            kernelGrads = Layer.ensure(kernelGrads, C * m * kk);
            final float[] kg = kernelGrads;
            if (needInputGradient) dx = Layer.ensure(dx, inSize() * n);
            final float[] d = needInputGradient ? dx : null;
            // Split by input channel: its m output channels and its dx plane belong to one thread.
            Parallel.forRange(C, 1, (from, to) -> {
                if (d != null) Arrays.fill(d, from * g.height() * g.width() * n, to * g.height() * g.width() * n, 0f);
                for (int c = from; c < to; c++) {
                    for (int o = c * m; o < (c + 1) * m; o++) {
                        final int kb = kernelOf(o) * kk;
                        for (int q = 0; q < kk; q++) kg[o * kk + q] = 0f;
                        for (int oy = 0; oy < oh; oy++) {
                            for (int ky = 0; ky < g.kh(); ky++) {
                                final int iy = oy * g.sh() - g.ph() + ky;
                                if (iy < 0 || iy >= g.height()) continue;
                                for (int ox = 0; ox < ow; ox++) {
                                    final int src = ((o * oh + oy) * ow + ox) * n;
                                    for (int kx = 0; kx < g.kw(); kx++) {
                                        final int ix = ox * g.sw() - g.pw() + kx;
                                        if (ix < 0 || ix >= g.width()) continue;
                                        final int xi = ((c * g.height() + iy) * g.width() + ix) * n;
                                        final float wv = w[kb + ky * g.kw() + kx];
                                        double s = 0;
                                        for (int t = 0; t < n; t++) s += gr[src + t] * x[xi + t];
                                        kg[o * kk + ky * g.kw() + kx] += (float) s;
                                        if (d != null) for (int t = 0; t < n; t++) d[xi + t] += wv * gr[src + t];
                                    }
                                }
                            }
                        }
                    }
                }
            });
            final float[] wg = weight.grad();
            for (int o = 0; o < C * m; o++) {
                final int kb = kernelOf(o) * kk;
                for (int q = 0; q < kk; q++) wg[kb + q] += kg[o * kk + q];
            }
            return d;
        }
    }
}
