package dev.convexcnn.nn;

import dev.convexcnn.linalg.ArrayKernels;
import dev.convexcnn.linalg.Parallel;
import java.util.Arrays;
import java.util.List;

/**
 * Max or average pooling over square windows, no padding, on the (channels, height, width, batch) layout, so
 * the innermost loops run over the samples. Max pooling sends the gradient to the first maximal position of
 * each window in row-major order, as PyTorch does.
 * <p>
 * The max and its position are kept with selects, not branches: which input wins is random, so a branch would
 * mispredict half the time. See {@link ArrayKernels#windowMax} and {@link ArrayKernels#routeMax}.
 * <p>
 * A max pool may carry the ReLU that follows it ({@link #withRelu}): max(0, max of the window), the gradient sent
 * nowhere when that max is not positive, the same values and gradients as the two layers, in one pass.
 */
public final class Pool2d implements Layer {
    public enum Kind { MAX, AVG }

    private final Kind kind;
    private final int window, stride;
    private final boolean relu;
    private int h, w, c, oh, ow;
    /** Offsets of the window's positions (ky·window + kx order) from its first, in the batch-innermost layout. */
    private int[] offsets;
    private int offsetsBatch = -1;
    private float[] out, dx;
    /** Per output value, the window position (ky·window + kx) of its max, as a float for the SIMD selects; −1 where a carried ReLU zeroed it. */
    private float[] argmax;

    public Pool2d(Kind kind, int window, int stride) {
        this(kind, window, stride, false);
    }

    private Pool2d(Kind kind, int window, int stride, boolean relu) {
        if (window <= 0 || stride <= 0) throw new IllegalArgumentException("pool window and stride must be positive");
        this.kind = kind;
        this.window = window;
        this.stride = stride;
        this.relu = relu;
    }

    /** This max pool followed by a ReLU, as one layer (unbuilt). */
    Pool2d withRelu() {
        if (kind != Kind.MAX) throw new IllegalStateException("only a max pool carries a ReLU");
        return new Pool2d(kind, window, stride, true);
    }

    public Kind kind() { return kind; }

    int window() { return window; }

    boolean carriesRelu() { return relu; }

    /** Whether this (built) pool is a max pool whose windows tile its input exactly: each pixel in one window. */
    boolean tiles() {
        return kind == Kind.MAX && stride == window && oh * window == h && ow * window == w;
    }

    @Override
    public String spec() {
        return (kind == Kind.MAX ? "maxpool" : "avgpool") + window + (stride != window ? "s" + stride : "") + (relu ? "-relu" : "");
    }

    @Override
    public Shape build(Shape in) {
        if (in.height() < window || in.width() < window) {
            throw new IllegalArgumentException(spec() + " does not fit a " + in + " input");
        }
        h = in.height(); w = in.width(); c = in.channels();
        oh = (h - window) / stride + 1;
        ow = (w - window) / stride + 1;
        offsetsBatch = -1;
        return new Shape(oh, ow, c);
    }

    @Override public List<Param> params() { return List.of(); }

    @Override public Layer replica() { return new Pool2d(kind, window, stride, relu); }

    /** The window's offsets for a batch of n (also a carrying convolution's: its band rows are this pool's input rows). */
    int[] offsets(int n) {
        if (offsetsBatch != n) {
            offsets = new int[window * window];
            for (int ky = 0; ky < window; ky++) for (int kx = 0; kx < window; kx++) offsets[ky * window + kx] = (ky * w + kx) * n;
            offsetsBatch = n;
        }
        return offsets;
    }

    /** A window's first input index and its output index, in the batch-innermost layouts. */
    private interface WindowBody { void at(int first, int out); }

    /** body for every window, the (channel, output row) pairs split over the threads. */
    private void eachWindow(int n, WindowBody body) {
        Parallel.forRange(c * oh, 1, (from, to) -> {
            for (int co = from; co < to; co++) {
                final int ch = co / oh, oy = co % oh;
                for (int ox = 0; ox < ow; ox++) body.at(((ch * h + oy * stride) * w + ox * stride) * n, (co * ow + ox) * n);
            }
        });
    }

    @Override
    public float[] forward(float[] input, int batch) {
        final int n = batch;
        out = Layer.ensure(out, c * oh * ow * n);
        final float[] o = out;
        if (kind == Kind.MAX) {
            argmax = Layer.ensure(argmax, c * oh * ow * n);
            final float[] am = argmax;
            final int[] at = offsets(n);
            eachWindow(n, (first, dst) -> ArrayKernels.windowMax(input, first, at, o, am, dst, n, relu));
            return out;
        }
        final float scale = 1f / (window * window);
        Parallel.forRange(c * oh, 1, (from, to) -> {
            for (int co = from; co < to; co++) {
                final int ch = co / oh, oy = co % oh;
                for (int ox = 0; ox < ow; ox++) {
                    final int dst = (co * ow + ox) * n;
                    final int first = ((ch * h + oy * stride) * w + ox * stride) * n;
                    System.arraycopy(input, first, o, dst, n);
                    for (int ky = 0; ky < window; ky++) {
                        for (int kx = 0; kx < window; kx++) {
                            if (ky == 0 && kx == 0) continue;
                            final int src = first + (ky * w + kx) * n;
                            for (int i = 0; i < n; i++) o[dst + i] += input[src + i];
                        }
                    }
                    for (int i = 0; i < n; i++) o[dst + i] *= scale;
                }
            }
        });
        return out;
    }

    @Override
    public float[] backward(float[] gradOut, int batch, boolean needInputGradient) {
        if (!needInputGradient) return null;
        final int n = batch, plane = h * w * n;
        dx = Layer.ensure(dx, c * plane);
        final float[] d = dx;
        final float[] am = argmax;
        final boolean max = kind == Kind.MAX;
        final float scale = 1f / (window * window);
        // Windows that tile the input exactly (a 2×2 pool of an even image): each pixel is in one window, so
        // writing each window's gradient needs no zeroing pass and no add.
        if (max && stride == window && oh * window == h && ow * window == w) {
            final int[] at = offsets(n);
            eachWindow(n, (first, src) -> ArrayKernels.windowSelect(gradOut, src, am, d, first, at, n));
            return dx;
        }
        // Threads split the channels: overlapping windows of one channel add into the same pixels.
        Parallel.forRange(c, 1, (from, to) -> {
            Arrays.fill(d, from * plane, to * plane, 0f);
            for (int ch = from; ch < to; ch++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        final int src = ((ch * oh + oy) * ow + ox) * n;
                        final int first = ((ch * h + oy * stride) * w + ox * stride) * n;
                        for (int ky = 0; ky < window; ky++) {
                            for (int kx = 0; kx < window; kx++) {
                                final int t = first + (ky * w + kx) * n;
                                if (max) ArrayKernels.routeMax(gradOut, src, am, ky * window + kx, d, t, n);
                                else for (int i = 0; i < n; i++) d[t + i] += gradOut[src + i] * scale;
                            }
                        }
                    }
                }
            }
        });
        return dx;
    }
}
