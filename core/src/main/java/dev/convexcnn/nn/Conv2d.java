package dev.convexcnn.nn;

import dev.convexcnn.linalg.ConvGeometry;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.linalg.Im2Col;
import dev.convexcnn.linalg.Parallel;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * 2-D convolution by im2col and one matrix product per batch. Weights are filters × (ky, kx, c), so the
 * product of the patch matrix with Wᵀ gives the output directly in channels-last order.
 */
public final class Conv2d implements Layer {
    private final int filters, kernel, stride, padding;
    private ConvGeometry geometry;
    private Param weight, bias;
    private float[] cols, out, dcols, dx;
    private boolean identityPatches;

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
        weight = new Param(spec() + ".weight", new int[] {filters, kernel, kernel, in.channels()}, true);
        bias = new Param(spec() + ".bias", new int[] {filters}, false);
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
    public float[] forward(float[] input, int batch) {
        final ConvGeometry g = geometry;
        final int p = g.patches(), k = g.patchSize(), inSize = g.inputSize();
        final int rows = batch * p;
        if (identityPatches) {
            cols = input;
        } else {
            cols = Layer.ensure(cols, rows * k);
            final float[] c = cols;
            Parallel.forRange(batch, 4, (from, to) -> {
                for (int n = from; n < to; n++) Im2Col.im2col(input, n * inSize, g, c, n * p * k);
            });
        }
        out = Layer.ensure(out, rows * filters);
        Gemm.sgemm(false, true, rows, filters, k, 1f, cols, 0, k, weight.value(), 0, k, 0f, out, 0, filters);
        final float[] b = bias.value();
        final float[] o = out;
        final int f = filters;
        Parallel.forRange(rows, 1024, (from, to) -> {
            for (int r = from; r < to; r++) {
                int off = r * f;
                for (int j = 0; j < f; j++) o[off + j] += b[j];
            }
        });
        return out;
    }

    @Override
    public float[] backward(float[] gradOut, int batch, boolean needInputGradient) {
        final ConvGeometry g = geometry;
        final int p = g.patches(), k = g.patchSize(), inSize = g.inputSize();
        final int rows = batch * p;
        Gemm.sgemm(true, false, filters, k, rows, 1f, gradOut, 0, filters, cols, 0, k, 1f, weight.grad(), 0, k);
        float[] db = bias.grad();
        for (int r = 0; r < rows; r++) {
            int off = r * filters;
            for (int j = 0; j < filters; j++) db[j] += gradOut[off + j];
        }
        if (!needInputGradient) return null;
        if (identityPatches) {
            dx = Layer.ensure(dx, rows * k);
            Gemm.sgemm(false, false, rows, k, filters, 1f, gradOut, 0, filters, weight.value(), 0, k, 0f, dx, 0, k);
            return dx;
        }
        dcols = Layer.ensure(dcols, rows * k);
        Gemm.sgemm(false, false, rows, k, filters, 1f, gradOut, 0, filters, weight.value(), 0, k, 0f, dcols, 0, k);
        dx = Layer.ensure(dx, batch * inSize);
        final float[] dc = dcols, d = dx;
        Parallel.forRange(batch, 4, (from, to) -> {
            Arrays.fill(d, from * inSize, to * inSize, 0f);
            for (int n = from; n < to; n++) Im2Col.col2im(dc, n * p * k, g, d, n * inSize);
        });
        return dx;
    }
}
