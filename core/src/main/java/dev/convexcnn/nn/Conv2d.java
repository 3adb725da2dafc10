package dev.convexcnn.nn;

import dev.convexcnn.linalg.ConvGeometry;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.linalg.Im2Col;
import dev.convexcnn.linalg.Parallel;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * 2-D convolution as matrix products over the (channels, height, width, batch) layout: the output
 * (filters × positions·batch) is [W | b] · [patch columns ; 1]. Weights are filters × channels × kH × kW,
 * PyTorch's layout. The row of ones adds the bias inside the product, and the bias gradient comes out of the
 * weight-gradient product, so there is no separate pass over the output for either. A 1×1 convolution with
 * stride 1 and no padding multiplies the input directly.
 * <p>
 * The patch matrix is never built whole: it goes block by block, a few output rows (all their positions and
 * samples) at a time, each block small enough ({@link #BLOCK_FLOATS}) to stay in the core's cache between
 * the copy that writes it and the products that read it; backward copies each block again rather than keeping
 * the whole matrix from forward. The whole matrix (13 MB for 32 filters of 5×5×16 over a batch of 64) went
 * to memory and back three times a product, and the products over it ran at half the rate of the blocked ones
 * (measured on one core). The weight gradient adds the blocks' products in block order.
 */
public final class Conv2d implements Layer {
    /** Floats in one block of the patch matrix: 256 KB, an eighth of a 2 MB L2; at least one output row. */
    static final int BLOCK_FLOATS = 1 << 16;

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
        float[] w = weight.value(), b = bias.value();
        for (int f = 0; f < filters; f++) {
            System.arraycopy(w, f * k, wb, f * k1, k);
            wb[f * k1 + k] = b[f];
        }
        final int rows = blockRows(batch), ld = rows * g.outWidth() * batch, perRow = g.outWidth() * batch;
        cols = Layer.ensure(cols, k1 * ld);
        Arrays.fill(cols, k * ld, k1 * ld, 1f);
        for (int oy = 0; oy < g.outHeight(); oy += rows) {
            final int oyTo = Math.min(g.outHeight(), oy + rows), width = (oyTo - oy) * perRow;
            patchBlock(input, batch, ld, oy, oyTo);
            Gemm.sgemm(false, false, filters, width, k1, 1f, wb, 0, k1, cols, 0, ld, 0f, out, oy * perRow, np);
        }
        return out;
    }

    /** Output rows per block of the patch matrix: as many as fit in {@link #BLOCK_FLOATS}, at least one. */
    int blockRows(int batch) {
        long perRow = (long) (geometry.patchSize() + 1) * geometry.outWidth() * batch;
        return (int) Math.max(1, Math.min(geometry.outHeight(), BLOCK_FLOATS / perRow));
    }

    /** Patch columns of output rows [oyFrom, oyTo) into cols (rows ld apart), threads splitting the patch rows. */
    private void patchBlock(float[] input, int batch, int ld, int oyFrom, int oyTo) {
        final ConvGeometry g = geometry;
        final float[] c = cols;
        final int width = (oyTo - oyFrom) * g.outWidth() * batch;
        Parallel.forRange(g.patchSize(), Math.max(1, 8192 / width), (from, to) ->
                Im2Col.patchColumns(input, g, batch, c, ld, from, to, oyFrom, oyTo));
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
        final int rows = blockRows(batch), ld = rows * g.outWidth() * batch, perRow = g.outWidth() * batch;
        final int plane = g.height() * g.width() * batch;
        if (needInputGradient) {
            dcols = Layer.ensure(dcols, k * ld);
            dx = Layer.ensure(dx, g.channels() * plane);
            Arrays.fill(dx, 0, g.channels() * plane, 0f);
        }
        // cols still holds the ones row from forward (same batch, same block width).
        for (int oy = 0; oy < g.outHeight(); oy += rows) {
            final int oyFrom = oy, oyTo = Math.min(g.outHeight(), oy + rows), width = (oyTo - oy) * perRow;
            patchBlock(lastInput, batch, ld, oyFrom, oyTo);
            // [dW | db] += g_block · [patch columns ; 1]_blockᵀ
            Gemm.sgemm(false, true, filters, k1, width, 1f, gradOut, oy * perRow, np, cols, 0, ld, oy == 0 ? 0f : 1f, gwb, 0, k1);
            if (!needInputGradient) continue;
            Gemm.sgemm(true, false, k, width, filters, 1f, wb, 0, k1, gradOut, oy * perRow, np, 0f, dcols, 0, ld);
            final float[] dc = dcols, d = dx;
            Parallel.forRange(g.channels(), 1, (from, to) -> Im2Col.addPatchColumns(dc, ld, g, batch, d, from, to, oyFrom, oyTo));
        }
        float[] dw = weight.grad(), db = bias.grad();
        for (int f = 0; f < filters; f++) {
            for (int j = 0; j < k; j++) dw[f * k + j] += gwb[f * k1 + j];
            db[f] += gwb[f * k1 + k];
        }
        return needInputGradient ? dx : null;
    }
}
