package dev.convexcnn.nn;

import dev.convexcnn.linalg.ArrayKernels;
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
    /** The max pool (with its ReLU) run on each band of output rows as soon as it is computed; null when none. */
    private Pool2d pool;
    private float[] band, bandGrad, pooled, where;

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

    /**
     * Carries the max pool that follows this convolution (and its ReLU, {@link Pool2d#withRelu}): forward pools each
     * band of output rows while it is in cache, backward takes the pooled gradient; the output is the pool's. The
     * products are the same calls on the same blocks as without it, so the results are the same bits.
     * @return whether the pool could be carried: a max pool whose windows tile this layer's output exactly
     */
    boolean carry(Pool2d p) {
        ConvGeometry g = geometry;
        int win = p.window();
        if (identityPatches || !p.tiles() || g.outHeight() % win != 0 || g.outWidth() % win != 0) return false;
        pool = p;
        return true;
    }

    /** The pool this layer carries, or null. */
    Pool2d carried() { return pool; }

    @Override
    public float[] forward(float[] input, int batch) {
        final ConvGeometry g = geometry;
        final int k = g.patchSize(), np = batch * g.patches();
        lastInput = input;
        if (identityPatches) {
            out = Layer.ensure(out, filters * np);
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
        if (pool == null) {
            out = Layer.ensure(out, filters * np);
            for (int oy = 0; oy < g.outHeight(); oy += rows) {
                final int oyTo = Math.min(g.outHeight(), oy + rows);
                patchBlock(input, batch, ld, oy, oyTo);
                Gemm.sgemm(false, false, filters, (oyTo - oy) * perRow, k1, 1f, wb, 0, k1, cols, 0, ld, 0f, out, oy * perRow, np);
            }
            return out;
        }
        // Bands of whole pooling windows made of whole blocks: the blocks are the unpooled path's.
        final int win = pool.window(), bandRows = lcm(rows, win), bandLd = bandRows * perRow;
        final int ph = g.outHeight() / win, pw = g.outWidth() / win;
        band = Layer.ensure(band, filters * bandLd);
        pooled = Layer.ensure(pooled, filters * ph * pw * batch);
        where = Layer.ensure(where, filters * ph * pw * batch);
        final int[] at = pool.offsets(batch);
        final boolean relu = pool.carriesRelu();
        for (int b0 = 0; b0 < g.outHeight(); b0 += bandRows) {
            final int b1 = Math.min(g.outHeight(), b0 + bandRows), from = b0;
            for (int oy = b0; oy < b1; oy += rows) {
                final int oyTo = Math.min(g.outHeight(), oy + rows);
                patchBlock(input, batch, ld, oy, oyTo);
                Gemm.sgemm(false, false, filters, (oyTo - oy) * perRow, k1, 1f, wb, 0, k1, cols, 0, ld, 0f, band, (oy - b0) * perRow, bandLd);
            }
            final float[] bd = band, pd = pooled, wh = where;
            Parallel.forRange(filters, 1, (fFrom, fTo) -> {
                for (int f = fFrom; f < fTo; f++) {
                    for (int ry = 0; ry < (b1 - from) / win; ry++) {
                        for (int px = 0; px < pw; px++) {
                            ArrayKernels.windowMax(bd, f * bandLd + (ry * win * g.outWidth() + px * win) * batch, at, pd, wh,
                                    ((f * ph + from / win + ry) * pw + px) * batch, batch, relu);
                        }
                    }
                }
            });
        }
        return pooled;
    }

    private static int lcm(int a, int b) {
        int x = a, y = b;
        while (y != 0) {
            int t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
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
        if (pool == null) {
            for (int oy = 0; oy < g.outHeight(); oy += rows) backwardBlock(gradOut, oy * perRow, np, batch, oy, ld, needInputGradient);
        } else {
            final int win = pool.window(), bandRows = lcm(rows, win), bandLd = bandRows * perRow;
            final int ph = g.outHeight() / win, pw = g.outWidth() / win;
            bandGrad = Layer.ensure(bandGrad, filters * bandLd);
            final int[] at = pool.offsets(batch);
            for (int b0 = 0; b0 < g.outHeight(); b0 += bandRows) {
                final int b1 = Math.min(g.outHeight(), b0 + bandRows), from = b0;
                final float[] bg = bandGrad, wh = where;
                // The windows tile the band: every entry of its gradient is written.
                Parallel.forRange(filters, 1, (fFrom, fTo) -> {
                    for (int f = fFrom; f < fTo; f++) {
                        for (int ry = 0; ry < (b1 - from) / win; ry++) {
                            for (int px = 0; px < pw; px++) {
                                ArrayKernels.windowSelect(gradOut, ((f * ph + from / win + ry) * pw + px) * batch, wh, bg,
                                        f * bandLd + (ry * win * g.outWidth() + px * win) * batch, at, batch);
                            }
                        }
                    }
                });
                for (int oy = b0; oy < b1; oy += rows) backwardBlock(bandGrad, (oy - b0) * perRow, bandLd, batch, oy, ld, needInputGradient);
            }
        }
        float[] dw = weight.grad(), db = bias.grad();
        for (int f = 0; f < filters; f++) {
            for (int j = 0; j < k; j++) dw[f * k + j] += gwb[f * k1 + j];
            db[f] += gwb[f * k1 + k];
        }
        return needInputGradient ? dx : null;
    }

    /** One block of output rows [oy, oy + rows) of backward, its output gradient at grad[off ..] with rows ldg apart. */
    private void backwardBlock(float[] grad, int off, int ldg, int batch, int oy, int ld, boolean needInputGradient) {
        final ConvGeometry g = geometry;
        final int k = g.patchSize(), k1 = k + 1, rows = blockRows(batch);
        final int oyFrom = oy, oyTo = Math.min(g.outHeight(), oy + rows), width = (oyTo - oy) * g.outWidth() * batch;
        patchBlock(lastInput, batch, ld, oyFrom, oyTo);
        // [dW | db] += g_block · [patch columns ; 1]_blockᵀ
        Gemm.sgemm(false, true, filters, k1, width, 1f, grad, off, ldg, cols, 0, ld, oy == 0 ? 0f : 1f, gwb, 0, k1);
        if (!needInputGradient) return;
        Gemm.sgemm(true, false, k, width, filters, 1f, wb, 0, k1, grad, off, ldg, 0f, dcols, 0, ld);
        final float[] dc = dcols, d = dx;
        Parallel.forRange(g.channels(), 1, (from, to) -> Im2Col.addPatchColumns(dc, ld, g, batch, d, from, to, oyFrom, oyTo));
    }
}
