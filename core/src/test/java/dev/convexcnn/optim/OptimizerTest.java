package dev.convexcnn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convexcnn.nn.Param;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One optimiser step at a time, against the update rules worked out by hand or written out naively. */
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

    private static double[] gaussians(SplittableRandom r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return v;
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    /** Heavy-ball momentum written out: v ← μv + g + λw, w ← w − ηv. */
    private static void naiveMomentum(double[] w, double[] g, double[] v, double lr, double mu, double decay) {
        for (int i = 0; i < w.length; i++) {
            v[i] = mu * v[i] + g[i] + decay * w[i];
            w[i] = w[i] - lr * v[i];
        }
    }

    /** Adam as the paper writes it: bias-corrected moments m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), w ← w − η m̂/(√v̂ + ε). */
    private static void naiveAdam(double[] w, double[] g, double[] m, double[] v, double lr, double b1, double b2,
                                  double eps, double decay, int t) {
        for (int i = 0; i < w.length; i++) {
            double d = g[i] + decay * w[i];
            m[i] = b1 * m[i] + (1 - b1) * d;
            v[i] = b2 * v[i] + (1 - b2) * d * d;
            double mHat = m[i] / (1 - Math.pow(b1, t)), vHat = v[i] / (1 - Math.pow(b2, t));
            w[i] = w[i] - lr * mHat / (Math.sqrt(vHat) + eps);
        }
    }

    @Test
    void momentumRuleEqualsTheNaiveFormulaInBothPrecisions() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 50;
        double[] w = gaussians(r, n), ref = w.clone(), v = new double[n], vRef = new double[n];
        float[] wf = toFloat(w), vf = new float[n];
        SgdMomentum.Rule rule = new SgdMomentum.Rule(0.05, 0.9);
        for (int t = 1; t <= 20; t++) {
            double[] g = gaussians(r, n);
            rule.step(w, g, v, 0.01);
            rule.step(wf, toFloat(g), vf, 0.01f);
            naiveMomentum(ref, g, vRef, 0.05, 0.9, 0.01);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(ref[i], w[i], 1e-13 * (1 + Math.abs(ref[i])), "double " + i);
            assertEquals(ref[i], wf[i], 2e-5 * (1 + Math.abs(ref[i])), "float " + i);
        }
    }

    @Test
    void adamRuleEqualsThePapersFormulaInBothPrecisions() {
        SplittableRandom r = new SplittableRandom(12);
        int n = 50;
        double[] w = gaussians(r, n), ref = w.clone();
        double[] m = new double[n], v = new double[n], mRef = new double[n], vRef = new double[n];
        float[] wf = toFloat(w), mf = new float[n], vf = new float[n];
        Adam.Rule rule = new Adam.Rule(0.01, 0.9, 0.999, 1e-8);
        for (int t = 1; t <= 20; t++) {
            double[] g = gaussians(r, n);
            rule.step(w, g, m, v, 0.001, t);
            rule.step(wf, toFloat(g), mf, vf, 0.001f, t);
            naiveAdam(ref, g, mRef, vRef, 0.01, 0.9, 0.999, 1e-8, 0.001, t);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(ref[i], w[i], 1e-13 * (1 + Math.abs(ref[i])), "double " + i);
            assertEquals(ref[i], wf[i], 2e-5 * (1 + Math.abs(ref[i])), "float " + i);
        }
    }

    @Test
    void zeroDecayLeavesAnOverflowedWeightAlone() {
        // 0·∞ would be NaN; a weight that overflowed stays infinite, as in PyTorch without weight decay.
        double[] w = {Double.POSITIVE_INFINITY}, v = {0};
        new SgdMomentum.Rule(0.1, 0.9).step(w, new double[] {1}, v, 0);
        assertEquals(Double.POSITIVE_INFINITY, w[0]);
        float[] wf = {Float.NEGATIVE_INFINITY}, mf = {0}, vf = {0};
        new Adam.Rule(0.1, 0.9, 0.999, 1e-8).step(wf, new float[] {1}, mf, vf, 0f, 1);
        assertEquals(Float.NEGATIVE_INFINITY, wf[0]);
    }
}
