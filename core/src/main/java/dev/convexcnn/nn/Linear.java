package dev.convexcnn.nn;

import dev.convexcnn.linalg.Gemm;
import java.util.List;
import java.util.SplittableRandom;

/** y = x·Wᵀ + b over the flattened sample (channels-last order), W being outputs × inputs. */
public final class Linear implements Layer {
    private final int outputs;
    private int inputs;
    private Param weight, bias;
    private float[] out, dx, lastInput;

    public Linear(int outputs) {
        if (outputs <= 0) throw new IllegalArgumentException("linear needs outputs > 0, got " + outputs);
        this.outputs = outputs;
    }

    @Override public String spec() { return "linear" + outputs; }

    @Override
    public Shape build(Shape in) {
        inputs = in.size();
        weight = new Param(spec() + ".weight", new int[] {outputs, inputs}, true);
        bias = new Param(spec() + ".bias", new int[] {outputs}, false);
        return Shape.vector(outputs);
    }

    @Override
    public void initialize(Initializer init, SplittableRandom random) {
        init.initWeights(weight.value(), inputs, outputs, random);
        init.initBias(bias.value(), inputs, random);
    }

    @Override public List<Param> params() { return List.of(weight, bias); }

    @Override
    public float[] forward(float[] input, int batch) {
        lastInput = input;
        out = Layer.ensure(out, batch * outputs);
        Gemm.sgemm(false, true, batch, outputs, inputs, 1f, input, 0, inputs, weight.value(), 0, inputs, 0f, out, 0, outputs);
        float[] b = bias.value();
        for (int n = 0; n < batch; n++) {
            int off = n * outputs;
            for (int j = 0; j < outputs; j++) out[off + j] += b[j];
        }
        return out;
    }

    @Override
    public float[] backward(float[] gradOut, int batch, boolean needInputGradient) {
        Gemm.sgemm(true, false, outputs, inputs, batch, 1f, gradOut, 0, outputs, lastInput, 0, inputs, 1f, weight.grad(), 0, inputs);
        float[] db = bias.grad();
        for (int n = 0; n < batch; n++) {
            int off = n * outputs;
            for (int j = 0; j < outputs; j++) db[j] += gradOut[off + j];
        }
        if (!needInputGradient) return null;
        dx = Layer.ensure(dx, batch * inputs);
        Gemm.sgemm(false, false, batch, inputs, outputs, 1f, gradOut, 0, outputs, weight.value(), 0, inputs, 0f, dx, 0, inputs);
        return dx;
    }
}
