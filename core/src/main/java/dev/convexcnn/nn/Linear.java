package dev.convexcnn.nn;

import dev.convexcnn.linalg.Gemm;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Y = W·X + b on feature-major vectors: X is inputs × batch, Y outputs × batch, W outputs × inputs. A spatial
 * input needs no reshaping (see {@link Flatten}): its features are in (channel, row, column) order.
 */
public final class Linear implements Layer {
    private final int outputs;
    private int inputs;
    private Param weight, bias;
    private float[] out, dx, lastInput;
    /** The layer whose values a replica shares (null for an original). */
    private Linear sharedWith;

    public Linear(int outputs) {
        if (outputs <= 0) throw new IllegalArgumentException("linear needs outputs > 0, got " + outputs);
        this.outputs = outputs;
    }

    @Override public String spec() { return "linear" + outputs; }

    @Override
    public Shape build(Shape in) {
        inputs = in.size();
        if (sharedWith != null) {
            if (sharedWith.inputs != inputs) throw new IllegalStateException("a replica needs the original's input shape");
            weight = sharedWith.weight.sharingValue();
            bias = sharedWith.bias.sharingValue();
            return Shape.vector(outputs);
        }
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
    public Layer replica() {
        if (weight == null) throw new IllegalStateException("build the layer before replicating it");
        Linear r = new Linear(outputs);
        r.sharedWith = this;
        return r;
    }

    @Override
    public float[] forward(float[] input, int batch) {
        lastInput = input;
        out = Layer.ensure(out, outputs * batch);
        Gemm.sgemm(false, false, outputs, batch, inputs, 1f, weight.value(), 0, inputs, input, 0, batch, 0f, out, 0, batch);
        float[] b = bias.value();
        for (int j = 0; j < outputs; j++) {
            final float bj = b[j];
            for (int n = j * batch; n < (j + 1) * batch; n++) out[n] += bj;
        }
        return out;
    }

    @Override
    public float[] backward(float[] gradOut, int batch, boolean needInputGradient) {
        Gemm.sgemm(false, true, outputs, inputs, batch, 1f, gradOut, 0, batch, lastInput, 0, batch, 1f, weight.grad(), 0, inputs);
        float[] db = bias.grad();
        for (int j = 0; j < outputs; j++) {
            double s = 0;
            for (int n = j * batch; n < (j + 1) * batch; n++) s += gradOut[n];
            db[j] += (float) s;
        }
        if (!needInputGradient) return null;
        dx = Layer.ensure(dx, inputs * batch);
        Gemm.sgemm(true, false, inputs, batch, outputs, 1f, weight.value(), 0, inputs, gradOut, 0, batch, 0f, dx, 0, batch);
        return dx;
    }
}
