package dev.convexcnn.optim;

import dev.convexcnn.nn.Param;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba) with bias correction and L2 weight decay added to the gradient, as PyTorch's Adam does.
 */
public final class Adam implements Optimizer {
    private final List<Param> params;
    private final Rule rule;
    private final double weightDecay;
    private final Map<String, float[]> state = new LinkedHashMap<>();
    private long steps;

    public Adam(List<Param> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this.rule = new Rule(lr, beta1, beta2, eps);
        if (weightDecay < 0) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        this.params = params;
        this.weightDecay = weightDecay;
        for (int i = 0; i < params.size(); i++) {
            state.put("m/" + i, new float[params.get(i).size()]);
            state.put("v/" + i, new float[params.get(i).size()]);
        }
    }

    /**
     * The update rule on bare arrays, with the moments kept by the caller: the one implementation for the nn
     * parameters (float) and for networks kept in double (the non-convex twin of the convex programs).
     * With d = g + λw: m ← β₁m + (1−β₁)d; v ← β₂v + (1−β₂)d²; w ← w − (η/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε), in
     * PyTorch's order of operations. λ = 0 adds no λw term, as in PyTorch, so that an overflowed weight does not
     * turn into NaN through 0·w.
     */
    public record Rule(double lr, double beta1, double beta2, double eps) {
        public Rule {
            if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
            if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) throw new IllegalArgumentException("Adam betas must be in [0, 1)");
            if (!(eps > 0)) throw new IllegalArgumentException("Adam eps must be > 0");
        }

        /** Step t ≥ 1 in float arithmetic (the corrections in double, then rounded); decay is λ for this array. */
        public void step(float[] w, float[] g, float[] m, float[] v, float decay, long t) {
            final float b1 = (float) beta1, b2 = (float) beta2;
            final float c1 = (float) (1 - Math.pow(beta1, t));
            final float c2 = (float) Math.sqrt(1 - Math.pow(beta2, t));
            final float stepSize = (float) lr / c1;
            final float e = (float) eps;
            for (int k = 0; k < w.length; k++) {
                float d = decay == 0 ? g[k] : g[k] + decay * w[k];
                m[k] = b1 * m[k] + (1 - b1) * d;
                v[k] = b2 * v[k] + (1 - b2) * d * d;
                w[k] -= stepSize * m[k] / ((float) Math.sqrt(v[k]) / c2 + e);
            }
        }

        /** The same step in double arithmetic. */
        public void step(double[] w, double[] g, double[] m, double[] v, double decay, long t) {
            final double c1 = 1 - Math.pow(beta1, t);
            final double c2 = Math.sqrt(1 - Math.pow(beta2, t));
            final double stepSize = lr / c1;
            for (int k = 0; k < w.length; k++) {
                double d = decay == 0 ? g[k] : g[k] + decay * w[k];
                m[k] = beta1 * m[k] + (1 - beta1) * d;
                v[k] = beta2 * v[k] + (1 - beta2) * d * d;
                w[k] -= stepSize * m[k] / (Math.sqrt(v[k]) / c2 + eps);
            }
        }
    }

    @Override
    public void step() {
        steps++;
        int i = 0;
        for (Param p : params) {
            rule.step(p.value(), p.grad(), state.get("m/" + i), state.get("v/" + i), p.decays() ? (float) weightDecay : 0f, steps);
            i++;
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
