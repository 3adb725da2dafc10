package dev.convexcnn.sgd;

import dev.convexcnn.nn.Param;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba) with bias correction and L2 weight decay added to the gradient, as PyTorch's Adam does.
 */
public final class Adam implements Optimizer {
    private final List<Param> params;
    private final double lr, beta1, beta2, eps;
    private final float weightDecay;
    private final Map<String, float[]> state = new LinkedHashMap<>();
    private long steps;

    public Adam(List<Param> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) throw new IllegalArgumentException("Adam betas must be in [0, 1)");
        if (!(eps > 0)) throw new IllegalArgumentException("Adam eps must be > 0");
        if (weightDecay < 0) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        this.params = params;
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = (float) weightDecay;
        for (int i = 0; i < params.size(); i++) {
            state.put("m/" + i, new float[params.get(i).size()]);
            state.put("v/" + i, new float[params.get(i).size()]);
        }
    }

    @Override
    public void step() {
        steps++;
        final float b1 = (float) beta1, b2 = (float) beta2;
        final float c1 = (float) (1 - Math.pow(beta1, steps));
        final float c2 = (float) Math.sqrt(1 - Math.pow(beta2, steps));
        final float stepSize = (float) lr / c1;
        final float e = (float) eps;
        int i = 0;
        for (Param p : params) {
            float[] w = p.value(), g = p.grad(), m = state.get("m/" + i), v = state.get("v/" + i);
            i++;
            float wd = p.decays() ? weightDecay : 0f;
            for (int k = 0; k < w.length; k++) {
                float d = g[k] + wd * w[k];
                m[k] = b1 * m[k] + (1 - b1) * d;
                v[k] = b2 * v[k] + (1 - b2) * d * d;
                w[k] -= stepSize * m[k] / ((float) Math.sqrt(v[k]) / c2 + e);
            }
        }
    }

    @Override public Map<String, float[]> state() { return state; }
    @Override public long steps() { return steps; }
    @Override public List<Param> params() { return params; }

    @Override
    public void restore(Map<String, float[]> saved, long steps) {
        OptimizerStates.copyInto(saved, state);
        this.steps = steps;
    }
}
