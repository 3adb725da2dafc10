package dev.convexcnn.optim;

import dev.convexcnn.nn.Param;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SGD with heavy-ball momentum and L2 weight decay, as PyTorch defines it (dampening 0):
 * d = g + λw; v ← μv + d; w ← w − ηv. Weight decay skips biases.
 */
public final class SgdMomentum implements Optimizer {
    private final List<Param> params;
    private final Rule rule;
    private final double weightDecay;
    private final Map<String, float[]> velocity = new LinkedHashMap<>();
    private long steps;

    public SgdMomentum(List<Param> params, double lr, double momentum, double weightDecay) {
        this.rule = new Rule(lr, momentum);
        if (weightDecay < 0) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        this.params = params;
        this.weightDecay = weightDecay;
        for (int i = 0; i < params.size(); i++) velocity.put("velocity/" + i, new float[params.get(i).size()]);
    }

    /**
     * The update rule on bare arrays, with the velocity kept by the caller: the one implementation for the nn
     * parameters (float) and for networks kept in double (the non-convex twin of the convex programs).
     * λ = 0 adds no λw term, as in PyTorch, so that an overflowed weight does not turn into NaN through 0·w.
     */
    public record Rule(double lr, double momentum) {
        public Rule {
            if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
            if (momentum < 0 || momentum >= 1) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }

        /** One step in float arithmetic; decay is λ for this array (0 for biases). */
        public void step(float[] w, float[] g, float[] v, float decay) {
            final float eta = (float) lr, mu = (float) momentum;
            for (int k = 0; k < w.length; k++) {
                float d = decay == 0 ? g[k] : g[k] + decay * w[k];
                v[k] = mu * v[k] + d;
                w[k] -= eta * v[k];
            }
        }

        /** The same step in double arithmetic. */
        public void step(double[] w, double[] g, double[] v, double decay) {
            for (int k = 0; k < w.length; k++) {
                double d = decay == 0 ? g[k] : g[k] + decay * w[k];
                v[k] = momentum * v[k] + d;
                w[k] -= lr * v[k];
            }
        }
    }

    @Override
    public void step() {
        int i = 0;
        for (Param p : params) {
            rule.step(p.value(), p.grad(), velocity.get("velocity/" + i++), p.decays() ? (float) weightDecay : 0f);
        }
        steps++;
    }

    @Override public Map<String, float[]> state() { return velocity; }
    @Override public long steps() { return steps; }
    @Override public List<Param> params() { return params; }

    @Override
    public void restore(Map<String, float[]> state, long steps) {
        OptimizerStates.copyInto(state, velocity);
        this.steps = steps;
    }
}
