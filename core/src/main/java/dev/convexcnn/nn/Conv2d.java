package dev.convexcnn.nn;

import dev.convexcnn.linalg.ConvGeometry;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.linalg.Im2Col;
import dev.convexcnn.linalg.Parallel;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * 2-D convolution as one matrix product per batch over the (channels, height, width, batch) layout: the output
 * (filters × positions·batch) is [W | b] · [patch columns ; 1]. Weights are filters × channels × kH × kW,
 * PyTorch's layout. The row of ones adds the bias inside the product, and the bias gradient comes out of the
 * weight-gradient product, so there is no separate pass over the output for either. The patch matrix is kept
 * from forward to backward. A 1×1 convolution with stride 1 and no padding multiplies the input directly.
 */
public final class Conv2d implements Layer {
    private final int filters, kernel, stride, padding;
    private ConvGeometry geometry;
    private Param weight, bias;
    private float[] cols, out, dcols, dx;
    private float[] wb, gwb;
    private float[] lastInput;
    private boolean identityPatches;
    /** The layer whose values a replica shares (null for an original). */
    private Conv2d sharedWith;

    public Conv2d(int filters, int kernel, int stride, int padding) {
        if (filters <= 0 || kernel <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("conv needs filters, kernel, stride > 0 and padding >= 0");
        }
        this.filters = filters;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public String spec() {
        return "conv" + filters + "k" + kernel + (stride != 1 ? "s" + stride : "") + (padding != 0 ? "p" + padding : "");
    }

    @Override
    public Shape build(Shape in) {
        geometry = new ConvGeometry(in.height(), in.width(), in.channels(), kernel, kernel, stride, padding);
        identityPatches = kernel == 1 && stride == 1 && padding == 0;
        if (sharedWith != null) {
            if (!sharedWith.geometry.equals(geometry)) throw new IllegalStateException("a replica needs the original's input shape");
            weight = sharedWith.weight.sharingValue();
            bias = sharedWith.bias.sharingValue();
        } else {
            weight = new Param(spec() + ".weight", new int[] {filters, in.channels(), kernel, kernel}, true);
            bias = new Param(spec() + ".bias", new int[] {filters}, false);
        }
        int k1 = geometry.patchSize() + 1;
        wb = new float[filters * k1];
        gwb = new float[filters * k1];
        return new Shape(geometry.outHeight(), geometry.outWidth(), filters);
    }

    public ConvGeometry geometry() { return geometry; }

    @Override
    public void initialize(Initializer init, SplittableRandom random) {
        int fanIn = geometry.patchSize();
        int fanOut = filters * kernel * kernel;
        init.initWeights(weight.value(), fanIn, fanOut, random);
        init.initBias(bias.value(), fanIn, random);
    }

    @Override
    public List<Param> params() { return List.of(weight, bias); }

    @Override
    public Layer replica() {
        if (weight == null) throw new IllegalStateException("build the layer before replicating it");
        Conv2d r = new Conv2d(filters, kernel, stride, padding);
        r.sharedWith = this;
        return r;
    }

    @Override
    public float[] forward(float[] input, int batch) {
        final ConvGeometry g = geometry;
        final int k = g.patchSize(), np = batch * g.patches();
        lastInput = input;
        out = Layer.ensure(out, filters * np);
        if (identityPatches) {
            Gemm.sgemm(false, false, filters, np, k, 1f, weight.value(), 0, k, input, 0, np, 0f, out, 0, np);
            float[] b = bias.value();
            for (int f = 0; f < filters; f++) {
                final float bf = b[f];
                for (int j = f * np; j < (f + 1) * np; j++) out[j] += bf;
            }
            return out;
        }
        final int k1 = k + 1;
        cols = Layer.ensure(cols, k1 * np);
        Arrays.fill(cols, k * np, k1 * np, 1f);
        final float[] c = cols;
        Parallel.forRange(k, 1, (from, to) -> Im2Col.patchColumns(input, g, batch, c, np, from, to));
        float[] w = weight.value(), b = bias.value();
        for (int f = 0; f < filters; f++) {
            System.arraycopy(w, f * k, wb, f * k1, k);
            wb[f * k1 + k] = b[f];
        }
        Gemm.sgemm(false, false, filters, np, k1, 1f, wb, 0, k1, cols, 0, np, 0f, out, 0, np);
        return out;
    }

    @Override
    public float[] backward(float[] gradOut, int batch, boolean needInputGradient) {
        final ConvGeometry g = geometry;
        final int k = g.patchSize(), np = batch * g.patches();
        if (identityPatches) {
            Gemm.sgemm(false, true, filters, k, np, 1f, gradOut, 0, np, lastInput, 0, np, 1f, weight.grad(), 0, k);
            float[] db = bias.grad();
            for (int f = 0; f < filters; f++) {
                double s = 0;
                for (int j = f * np; j < (f + 1) * np; j++) s += gradOut[j];
                db[f] += (float) s;
            }
            if (!needInputGradient) return null;
            dx = Layer.ensure(dx, k * np);
            Gemm.sgemm(true, false, k, np, filters, 1f, weight.value(), 0, k, gradOut, 0, np, 0f, dx, 0, np);
            return dx;
        }
        final int k1 = k + 1;
        // [dW | db] = g · [patch columns ; 1]ᵀ
        Gemm.sgemm(false, true, filters, k1, np, 1f, gradOut, 0, np, cols, 0, np, 0f, gwb, 0, k1);
        float[] dw = weight.grad(), db = bias.grad();
        for (int f = 0; f < filters; f++) {
            for (int j = 0; j < k; j++) dw[f * k + j] += gwb[f * k1 + j];
            db[f] += gwb[f * k1 + k];
        }
        if (!needInputGradient) return null;
        dcols = Layer.ensure(dcols, k * np);
        Gemm.sgemm(true, false, k, np, filters, 1f, wb, 0, k1, gradOut, 0, np, 0f, dcols, 0, np);
        final int plane = g.height() * g.width() * batch;
        dx = Layer.ensure(dx, g.channels() * plane);
        final float[] dc = dcols, d = dx;
        Parallel.forRange(g.channels(), 1, (from, to) -> {
            Arrays.fill(d, from * plane, to * plane, 0f);
            Im2Col.addPatchColumns(dc, np, g, batch, d, from, to);
        });
        return dx;
    }
}
