package dev.convexcnn.compress;

import dev.convexcnn.nn.Param;
import dev.convexcnn.nn.Shape;
import java.util.List;

/**
 * Grouped k×k convolution: the C input and F output channels split into g groups, group j mapping its C/g
 * inputs to its F/g outputs (weights F × (C/g) × k × k, PyTorch's layout), plus a bias.
 */
public final class GroupedConv2d extends StagedConv {
    private final int filters, groups;
    private int channels;
    private Param weight;

    public GroupedConv2d(int filters, int groups, int kernel, int stride, int padding) {
        super(kernel, stride, padding);
        if (filters <= 0 || groups <= 0 || filters % groups != 0) throw new IllegalArgumentException("groups must divide the filters");
        this.filters = filters;
        this.groups = groups;
    }

    @Override
    public String spec() {
        return "gconv" + filters + "g" + groups + "k" + kernel + (stride != 1 ? "s" + stride : "") + (padding != 0 ? "p" + padding : "");
    }

    @Override protected int outChannels(int inChannels) { return filters; }

    @Override
    protected void setup(Shape in, List<Param> factors, List<Stage> stages) {
        channels = in.channels();
        if (channels % groups != 0) throw new IllegalArgumentException("groups " + groups + " must divide the " + channels + " input channels");
        weight = new Param(spec() + ".weight", new int[] {filters, channels / groups, kernel, kernel}, true);
        factors.add(weight);
        stages.add(new Stage.Conv(weight, fullPass(in.height(), in.width(), channels), filters, groups));
    }

    @Override
    public double[] denseKernel() {
        int cg = channels / groups, fg = filters / groups, kk = kernel * kernel;
        double[] w = new double[filters * channels * kk];
        float[] v = weight.value();
        for (int f = 0; f < filters; f++) {
            int j = f / fg;
            for (int c = 0; c < cg; c++) for (int q = 0; q < kk; q++) w[(f * channels + j * cg + c) * kk + q] = v[(f * cg + c) * kk + q];
        }
        return w;
    }
}
