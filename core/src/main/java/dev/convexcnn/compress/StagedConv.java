package dev.convexcnn.compress;

import dev.convexcnn.nn.Conv2d;
import dev.convexcnn.nn.Initializer;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Param;
import dev.convexcnn.nn.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A k×k convolution (stride s, zero padding p) computed as a chain of cheap linear stages (1×1 convolutions,
 * depthwise or small dense convolutions) followed by one bias per output channel. The chain never forms the
 * full kernel; {@link #denseKernel()} reconstructs it, for tests and for {@link #toConv2d()}. Each weight tensor
 * is one {@link Param} and belongs to exactly one stage.
 */
public abstract class StagedConv implements Layer {
    protected final int kernel, stride, padding;
    private Shape input, output;
    private Param bias;
    private List<Param> factors = List.of();
    private List<Stage> stages = List.of();
    private float[] db;

    protected StagedConv(int kernel, int stride, int padding) {
        if (kernel <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("conv needs kernel, stride > 0 and padding >= 0");
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    /** Output channels for the given input channels. */
    protected abstract int outChannels(int inChannels);

    /** Creates the factor Params and the stages that use them, for a built input shape. */
    protected abstract void setup(Shape in, List<Param> factors, List<Stage> stages);

    /** The kernel the stages compute, outChannels × inChannels × k × k (PyTorch layout), in double. */
    public abstract double[] denseKernel();

    @Override
    public final Shape build(Shape in) {
        int oh = (in.height() + 2 * padding - kernel) / stride + 1, ow = (in.width() + 2 * padding - kernel) / stride + 1;
        if (in.height() + 2 * padding < kernel || in.width() + 2 * padding < kernel) {
            throw new IllegalArgumentException("kernel " + kernel + " is larger than the padded input");
        }
        input = in;
        int outC = outChannels(in.channels());
        output = new Shape(oh, ow, outC);
        List<Param> f = new ArrayList<>();
        List<Stage> s = new ArrayList<>();
        setup(in, f, s);
        if (s.get(s.size() - 1).outSize() != output.size()) throw new IllegalStateException("stage chain ends in the wrong shape");
        factors = List.copyOf(f);
        stages = List.copyOf(s);
        bias = new Param(spec() + ".bias", new int[] {outC}, false);
        return output;
    }

    public Shape inputShape() { return input; }
    public Shape outputShape() { return output; }
    public int kernel() { return kernel; }
    public int stride() { return stride; }
    public int padding() { return padding; }
    public Param bias() { return bias; }
    /** The factor Params, in stage order (the bias excluded). */
    public List<Param> factors() { return factors; }

    /** Geometry helper for subclasses: the rows pass (k×1, row stride and padding only). */
    protected Geom rowsPass(int h, int w, int c) { return new Geom(h, w, c, kernel, 1, stride, 1, padding, 0); }
    /** The columns pass (1×k, column stride and padding only), on the rows pass's output height. */
    protected Geom colsPass(int h, int w, int c) { return new Geom(h, w, c, 1, kernel, 1, stride, 0, padding); }
    protected Geom fullPass(int h, int w, int c) { return new Geom(h, w, c, kernel, kernel, stride, stride, padding, padding); }
    protected int rowsOut(int h) { return (h + 2 * padding - kernel) / stride + 1; }

    /**
     * Intermediate factors are drawn N(0, 1/fanIn), which keeps the scale of a linear chain; the last stage is
     * drawn by the initialiser with its fan-in and fan-out, and the bias as a dense conv's bias.
     */
    @Override
    public void initialize(Initializer init, SplittableRandom random) {
        for (int i = 0; i < stages.size(); i++) {
            Stage st = stages.get(i);
            int fanIn = fanIn(st);
            float[] w = st.weight.value();
            if (i == stages.size() - 1) {
                init.initWeights(w, fanIn, w.length / Math.max(1, fanIn), random);
            } else {
                double std = Math.sqrt(1.0 / fanIn);
                for (int j = 0; j < w.length; j++) w[j] = (float) (random.nextGaussian() * std);
            }
        }
        init.initBias(bias.value(), input.channels() * kernel * kernel, random);
    }

    private static int fanIn(Stage st) {
        if (st instanceof Stage.Pointwise p) return p.inC;
        if (st instanceof Stage.Conv c) return c.g.channels() / c.groups * c.g.kh() * c.g.kw();
        Stage.Depthwise d = (Stage.Depthwise) st;
        return d.g.kh() * d.g.kw();
    }

    @Override
    public List<Param> params() {
        List<Param> all = new ArrayList<>(factors);
        all.add(bias);
        return all;
    }

    public long parameterCount() {
        long n = bias.size();
        for (Param p : factors) n += p.size();
        return n;
    }

    @Override
    public float[] forward(float[] x, int batch) {
        float[] cur = x;
        for (Stage s : stages) cur = s.forward(cur, batch);
        final int plane = output.height() * output.width() * batch;
        float[] b = bias.value();
        for (int o = 0; o < output.channels(); o++) {
            final float bo = b[o];
            for (int j = o * plane; j < (o + 1) * plane; j++) cur[j] += bo;
        }
        return cur;
    }

    @Override
    public float[] backward(float[] g, int batch, boolean needInputGradient) {
        final int plane = output.height() * output.width() * batch;
        db = bias.grad();
        for (int o = 0; o < output.channels(); o++) {
            double s = 0;
            for (int j = o * plane; j < (o + 1) * plane; j++) s += g[j];
            db[o] += (float) s;
        }
        float[] cur = g;
        for (int i = stages.size() - 1; i >= 0; i--) cur = stages.get(i).backward(cur, batch, i > 0 || needInputGradient);
        return needInputGradient ? cur : null;
    }

    /** A dense {@link Conv2d} built for the same input, holding the reconstructed kernel and the same bias. */
    public Conv2d toConv2d() {
        Conv2d conv = new Conv2d(output.channels(), kernel, stride, padding);
        conv.build(input);
        double[] w = denseKernel();
        float[] cw = conv.params().get(0).value();
        for (int i = 0; i < w.length; i++) cw[i] = (float) w[i];
        System.arraycopy(bias.value(), 0, conv.params().get(1).value(), 0, output.channels());
        return conv;
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    static void copy(double[] src, Param dst) {
        float[] v = dst.value();
        if (src.length != v.length) throw new IllegalArgumentException(dst.name() + ": expected " + v.length + " values, got " + src.length);
        for (int i = 0; i < v.length; i++) v[i] = (float) src[i];
    }
}
