package dev.convexcnn.sgd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convexcnn.nn.Param;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One optimiser step at a time, against the update rules worked out by hand. */
class OptimizerTest {

    private static Param param(float w, float g, boolean decay) {
        Param p = new Param("p", new int[] {1}, decay);
        p.value()[0] = w;
        p.grad()[0] = g;
        return p;
    }

    @Test
    void sgdMomentumFollowsPyTorchRule() {
        Param p = param(1f, 0.5f, true);
        SgdMomentum opt = new SgdMomentum(List.of(p), 0.1, 0.9, 0.01);
        opt.step();                      // d = 0.5 + 0.01 = 0.51; v = 0.51; w = 1 - 0.051
        assertEquals(0.949f, p.value()[0], 1e-7);
        p.grad()[0] = 0.5f;
        opt.step();                      // d = 0.5 + 0.00949; v = 0.9·0.51 + 0.50949 = 0.96849; w -= 0.096849
        assertEquals(0.949f - 0.096849f, p.value()[0], 1e-6);
        assertEquals(2, opt.steps());
    }

    @Test
    void biasesSkipWeightDecay() {
        Param b = param(1f, 0f, false);
        new SgdMomentum(List.of(b), 0.1, 0.0, 0.5).step();
        assertEquals(1f, b.value()[0]);
    }

    @Test
    void adamFirstStepsMoveByAboutTheLearningRate() {
        Param p = param(0f, 2f, true);
        Adam adam = new Adam(List.of(p), 0.01, 0.9, 0.999, 1e-8, 0);
        adam.step();                     // bias-corrected m̂ = g, v̂ = g², step = lr·g/|g|
        assertEquals(-0.01f, p.value()[0], 1e-6);
        p.grad()[0] = -1f;               // m = 0.9·0.2 − 0.1 = 0.08, v = 0.999·0.004 + 0.001 = 0.004996
        adam.step();
        double mHat = 0.08 / (1 - 0.81), vHat = 0.004996 / (1 - 0.998001);
        assertEquals(-0.01 - 0.01 * mHat / (Math.sqrt(vHat) + 1e-8), p.value()[0], 1e-6);
    }

    @Test
    void stateRestoresExactly() {
        Param p = param(1f, 0.3f, true);
        Adam a = new Adam(List.of(p), 0.01, 0.9, 0.999, 1e-8, 0);
        a.step();
        Param q = param(p.value()[0], 0.3f, true);
        Adam b = new Adam(List.of(q), 0.01, 0.9, 0.999, 1e-8, 0);
        b.restore(a.state(), a.steps());
        a.step();
        b.step();
        assertEquals(p.value()[0], q.value()[0]);
    }
}
