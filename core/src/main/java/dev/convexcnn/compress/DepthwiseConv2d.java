package dev.convexcnn.compress;

import dev.convexcnn.nn.Param;
import dev.convexcnn.nn.Shape;
import java.util.List;

/**
 * Depthwise k×k convolution with channel multiplier m: input channel c gives output channels c·m .. c·m+m−1,
 * each with its own k×k filter (weights (C·m) × 1 × k × k, PyTorch's groups = C layout), plus a bias.
 */
public final class DepthwiseConv2d extends StagedConv {
    private final int multiplier;
    private int channels;
    private Param weight;

    public DepthwiseConv2d(int multiplier, int kernel, int stride, int padding) {
        super(kernel, stride, padding);
        if (multiplier <= 0) throw new IllegalArgumentException("multiplier must be positive");
        this.multiplier = multiplier;
    }

    @Override
    public String spec() {
        return "dwconv" + (multiplier != 1 ? "m" + multiplier : "") + "k" + kernel + (stride != 1 ? "s" + stride : "")
                + (padding != 0 ? "p" + padding : "");
    }

    @Override protected int outChannels(int inChannels) { return inChannels * multiplier; }

    @Override
    protected void setup(Shape in, List<Param> factors, List<Stage> stages) {
        channels = in.channels();
        weight = new Param(spec() + ".weight", new int[] {channels * multiplier, 1, kernel, kernel}, true);
        factors.add(weight);
        stages.add(new Stage.Depthwise(weight, fullPass(in.height(), in.width(), channels), multiplier, false));
    }

    @Override
    public double[] denseKernel() {
        int out = channels * multiplier, kk = kernel * kernel;
        double[] w = new double[out * channels * kk];
        float[] v = weight.value();
        for (int o = 0; o < out; o++) for (int q = 0; q < kk; q++) w[(o * channels + o / multiplier) * kk + q] = v[o * kk + q];
        return w;
    }
}
