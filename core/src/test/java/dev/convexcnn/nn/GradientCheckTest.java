package dev.convexcnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every layer's backward pass against central finite differences of the scalar L = Σ r·forward(x), for the
 * input gradient and every parameter entry.
 */
class GradientCheckTest {
    private static final int BATCH = 3;

    private static float[] randomAwayFromZero(int n, Random r) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            v[i] = (float) (Math.signum(g) * (0.1 + Math.abs(g)));
        }
        return v;
    }

    private static double objective(Layer layer, float[] x, float[] r) {
        float[] out = layer.forward(x.clone(), BATCH);
        double s = 0;
        for (int i = 0; i < r.length; i++) s += (double) out[i] * r[i];
        return s;
    }

    /** Builds the layer for the shape and checks dL/dx and dL/dθ by central differences. */
    static void check(Layer layer, Shape in, double eps, double tol) {
        Random rnd = new Random(42);
        Shape out = layer.build(in);
        layer.initialize(Initializer.HE, new SplittableRandom(1));
        for (Param p : layer.params()) {
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian() * 0.5f;
        }
        float[] x = randomAwayFromZero(BATCH * in.size(), rnd);
        float[] r = randomAwayFromZero(BATCH * out.size(), rnd);

        for (Param p : layer.params()) p.zeroGrad();
        layer.forward(x.clone(), BATCH);
        float[] dx = layer.backward(r.clone(), BATCH, true).clone();

        for (int i = 0; i < x.length; i++) {
            float[] xp = x.clone(), xm = x.clone();
            xp[i] += (float) eps;
            xm[i] -= (float) eps;
            double num = (objective(layer, xp, r) - objective(layer, xm, r)) / (2 * eps);
            assertEquals(num, dx[i], tol * (1 + Math.abs(num)), layer.spec() + " dL/dx[" + i + "]");
        }
        for (Param p : layer.params()) {
            float[] g = p.grad().clone();
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) {
                float keep = v[i];
                v[i] = keep + (float) eps;
                double lp = objective(layer, x, r);
                v[i] = keep - (float) eps;
                double lm = objective(layer, x, r);
                v[i] = keep;
                double num = (lp - lm) / (2 * eps);
                assertEquals(num, g[i], tol * (1 + Math.abs(num)), p.name() + "[" + i + "]");
            }
        }
    }

    @Test void conv() { check(new Conv2d(3, 3, 1, 0), new Shape(5, 5, 2), 1e-2, 2e-3); }
    @Test void convStridedPadded() { check(new Conv2d(2, 3, 2, 1), new Shape(6, 5, 2), 1e-2, 2e-3); }
    @Test void conv1x1() { check(new Conv2d(4, 1, 1, 0), new Shape(3, 3, 3), 1e-2, 2e-3); }
    @Test void linear() { check(new Linear(4), new Shape(2, 2, 3), 1e-2, 2e-3); }
    @Test void relu() { check(new Relu(), new Shape(3, 3, 2), 1e-3, 2e-3); }
    @Test void maxPool() { check(new Pool2d(Pool2d.Kind.MAX, 2, 2), new Shape(4, 6, 3), 1e-3, 2e-3); }
    @Test void maxPoolOverlapping() { check(new Pool2d(Pool2d.Kind.MAX, 3, 2), new Shape(7, 7, 2), 1e-3, 2e-3); }
    @Test void avgPool() { check(new Pool2d(Pool2d.Kind.AVG, 2, 2), new Shape(4, 4, 3), 1e-2, 2e-3); }
    @Test void flatten() { check(new Flatten(), new Shape(2, 3, 2), 1e-2, 2e-3); }

    @Test
    void crossEntropyGradient() {
        checkLoss(new SoftmaxCrossEntropy());
    }

    @Test
    void squaredLogitGradient() {
        checkLoss(new SquaredLogitError());
    }

    private static void checkLoss(Loss loss) {
        Random r = new Random(9);
        int b = 4, k = 5;
        float[] z = new float[b * k], t = new float[b * k];
        int[] y = {0, 3, 4, 1};
        for (int i = 0; i < z.length; i++) { z[i] = (float) r.nextGaussian() * 2; t[i] = (float) r.nextGaussian(); }
        float[] g = new float[b * k];
        loss.evaluate(z, b, k, y, t, g);
        double eps = 1e-3;
        for (int i = 0; i < z.length; i++) {
            float[] zp = z.clone(), zm = z.clone();
            zp[i] += (float) eps;
            zm[i] -= (float) eps;
            double num = (loss.evaluate(zp, b, k, y, t, null) - loss.evaluate(zm, b, k, y, t, null)) / (2 * eps);
            assertEquals(num, g[i], 1e-3, loss.id() + " grad[" + i + "]");
        }
    }

    @Test
    void crossEntropyValueAndStability() {
        float[] z = {1000f, 0f, 0f};
        double l = new SoftmaxCrossEntropy().evaluate(z, 1, 3, new int[] {1}, null, null);
        assertEquals(1000.0, l, 1e-3);
        float[] u = {0f, 0f, 0f, 0f};
        assertEquals(Math.log(4), new SoftmaxCrossEntropy().evaluate(u, 1, 4, new int[] {2}, null, null), 1e-9);
    }

    /**
     * The whole network with cross-entropy, on every conv weight and a few entries of the other tensors. A deep
     * ReLU net has kinks close to most points, so central differences are taken at shrinking steps; the check
     * passes when they converge to the backward pass's value (kinks drop out as the step shrinks, before float
     * rounding takes over).
     */
    @Test
    void wholeNetworkGradient() {
        Shape in = new Shape(10, 10, 2);
        Sequential net = Sequential.of("conv4k3p1-relu-maxpool2-conv3k3-relu-avgpool1-linear6-relu-linear3", in, 3)
                .initialize(Initializer.GLOROT, 3);
        Random r = new Random(4);
        int b = 2;
        float[] x = new float[b * in.size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        int[] y = {2, 0};
        Loss loss = new SoftmaxCrossEntropy();
        float[] g = new float[b * 3];
        net.zeroGrad();
        loss.evaluate(net.forward(x, b), b, 3, y, null, g);
        net.backward(g, b);
        int checked = 0;
        for (Param p : net.params()) {
            float[] grad = p.grad().clone();
            int step = p.name().startsWith("conv") ? 1 : Math.max(1, p.size() / 7);
            for (int i = 0; i < p.size(); i += step) {
                float keep = p.value()[i];
                double best = Double.MAX_VALUE;
                for (double eps : new double[] {1e-3, 3e-4, 1e-4}) {
                    p.value()[i] = keep + (float) eps;
                    double lp = loss.evaluate(net.forward(x, b), b, 3, y, null, null);
                    p.value()[i] = keep - (float) eps;
                    double lm = loss.evaluate(net.forward(x, b), b, 3, y, null, null);
                    p.value()[i] = keep;
                    best = Math.min(best, Math.abs((lp - lm) / (2 * eps) - grad[i]));
                }
                assertTrue(best < 1e-3 + 1e-2 * Math.abs(grad[i]), p.name() + "[" + i + "]: off by " + best);
                checked++;
            }
        }
        assertTrue(checked > 100);
        assertEquals(List.of(new Shape(10, 10, 2), new Shape(10, 10, 4), new Shape(10, 10, 4), new Shape(5, 5, 4),
                new Shape(3, 3, 3), new Shape(3, 3, 3), new Shape(3, 3, 3), Shape.vector(6), Shape.vector(6), Shape.vector(3)),
                net.shapes());
    }
}
