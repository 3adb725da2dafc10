package dev.convexcnn.alternation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.nn.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PositiveHardThresholdTest {

    @Test
    void keepsValuesAboveTheThresholdAndRecordsTheSupport() {
        PositiveHardThreshold t = new PositiveHardThreshold(0.5f);
        t.build(Shape.vector(5));
        float[] out = t.forward(new float[] {-1f, 0.2f, 0.5f, 0.51f, 3f}, 1);
        assertArrayEquals(new float[] {0f, 0f, 0f, 0.51f, 3f}, java.util.Arrays.copyOf(out, 5));
        long[] s = t.support();
        boolean[] bits = new boolean[5];
        for (int i = 0; i < 5; i++) bits[i] = PositiveHardThreshold.bit(s, i);
        assertArrayEquals(new boolean[] {false, false, false, true, true}, bits);
        assertEquals("pht0.5", t.spec());
        assertEquals("relu", new PositiveHardThreshold(0f).spec());
        assertThrows(IllegalArgumentException.class, () -> new PositiveHardThreshold(-1f));
    }

    @Test
    void zeroThresholdIsTheRelu() {
        PositiveHardThreshold t = new PositiveHardThreshold(0f);
        t.build(new Shape(3, 3, 2));
        Random r = new Random(3);
        float[] x = new float[18 * 4];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        float[] out = t.forward(x, 4);
        for (int i = 0; i < x.length; i++) assertEquals(Math.max(0f, x[i]), out[i]);
    }

    @Test
    void frozenSupportIsAppliedInsteadOfRecomputed() {
        PositiveHardThreshold t = new PositiveHardThreshold(0f);
        t.build(Shape.vector(3));
        t.forward(new float[] {1f, -1f, 2f}, 1);
        long[] mask = t.support().clone();
        t.freeze(mask);
        assertTrue(t.isFrozen());
        float[] out = t.forward(new float[] {-5f, 7f, 4f}, 1);
        assertArrayEquals(new float[] {-5f, 0f, 4f}, java.util.Arrays.copyOf(out, 3));
        t.thaw();
        assertFalse(t.isFrozen());
        t.forward(new float[] {-5f, 7f, 4f}, 1);
        assertEquals(mask[0], 0b101L, "a free forward after thaw must not write into the frozen mask");
    }

    /** Backward against central differences of L = Σ r·forward(x), at points away from the threshold. */
    @Test
    void gradientMatchesFiniteDifferences() {
        for (float tau : new float[] {0f, 0.3f}) {
            PositiveHardThreshold t = new PositiveHardThreshold(tau);
            Shape in = new Shape(3, 3, 2);
            t.build(in);
            int batch = 3, n = batch * in.size();
            Random rnd = new Random(42);
            float[] x = new float[n], r = new float[n];
            for (int i = 0; i < n; i++) {
                double g = rnd.nextGaussian();
                x[i] = (float) (tau + Math.signum(g) * (0.1 + Math.abs(g)));
                r[i] = (float) rnd.nextGaussian();
            }
            t.forward(x.clone(), batch);
            float[] dx = t.backward(r.clone(), batch, true).clone();
            double eps = 1e-3;
            for (int i = 0; i < n; i++) {
                float[] xp = x.clone(), xm = x.clone();
                xp[i] += (float) eps;
                xm[i] -= (float) eps;
                double num = (dot(t.forward(xp, batch), r) - dot(t.forward(xm, batch), r)) / (2 * eps);
                assertEquals(num, dx[i], 2e-3 * (1 + Math.abs(num)), "dL/dx[" + i + "] at tau " + tau);
            }
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < b.length; i++) s += (double) a[i] * b[i];
        return s;
    }
}
