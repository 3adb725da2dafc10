package dev.convexcnn.sgd;

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
    private final float lr, momentum, weightDecay;
    private final Map<String, float[]> velocity = new LinkedHashMap<>();
    private long steps;

    public SgdMomentum(List<Param> params, double lr, double momentum, double weightDecay) {
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
        if (momentum < 0 || momentum >= 1) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        if (weightDecay < 0) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        this.params = params;
        this.lr = (float) lr;
        this.momentum = (float) momentum;
        this.weightDecay = (float) weightDecay;
        for (int i = 0; i < params.size(); i++) velocity.put("velocity/" + i, new float[params.get(i).size()]);
    }

    @Override
    public void step() {
        int i = 0;
        for (Param p : params) {
            float[] w = p.value(), g = p.grad(), v = velocity.get("velocity/" + i++);
            float wd = p.decays() ? weightDecay : 0f;
            for (int k = 0; k < w.length; k++) {
                float d = g[k] + wd * w[k];
                v[k] = momentum * v[k] + d;
                w[k] -= lr * v[k];
            }
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
