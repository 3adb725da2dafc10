package dev.convexcnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftTargetKlTest {
    /** T²·Σ q log(q/p) written out plainly in double. */
    static double naive(float[] z, float[] t, int batch, int k, double temp) {
        double total = 0;
        for (int n = 0; n < batch; n++) {
            double sz = 0, st = 0;
            for (int j = 0; j < k; j++) { sz += Math.exp(z[n * k + j] / temp); st += Math.exp(t[n * k + j] / temp); }
            for (int j = 0; j < k; j++) {
                double p = Math.exp(z[n * k + j] / temp) / sz, q = Math.exp(t[n * k + j] / temp) / st;
                total += temp * temp * q * Math.log(q / p);
            }
        }
        return total / batch;
    }

    @Test
    void valueAndGradientMatchFiniteDifferences() {
        Random r = new Random(3);
        int batch = 4, k = 5;
        for (double temp : new double[] {0.5, 1, 4, 20}) {
            float[] z = new float[batch * k], t = new float[batch * k], g = new float[batch * k];
            for (int i = 0; i < z.length; i++) { z[i] = (float) (2 * r.nextGaussian()); t[i] = (float) (3 * r.nextGaussian()); }
            SoftTargetKl loss = new SoftTargetKl(temp);
            double v = loss.evaluate(z, batch, k, null, t, g);
            assertEquals(naive(z, t, batch, k, temp), v, 1e-5 * Math.max(1, Math.abs(v)));
            for (int i = 0; i < z.length; i++) {
                float keep = z[i];
                double h = 1e-2;
                z[i] = (float) (keep + h);
                double up = naive(z, t, batch, k, temp);
                z[i] = (float) (keep - h);
                double down = naive(z, t, batch, k, temp);
                z[i] = keep;
                double fd = (up - down) / ((double) (float) (keep + h) - (float) (keep - h));
                assertEquals(fd, g[i], 2e-3 * Math.max(1, Math.abs(fd)), "T " + temp + " entry " + i);
            }
        }
    }

    @Test
    void zeroWhenTheLogitsAgreeAndTendsToTheMimicGradientAtHighTemperature() {
        float[] z = {1, -2, 0.5f, 0.5f}, g = new float[4];
        assertEquals(0, new SoftTargetKl(2).evaluate(z, 1, 4, null, z.clone(), g), 1e-7);
        for (float v : g) assertEquals(0, v, 1e-7);
        // Zero-mean logits: T(softmax(z/T) − softmax(t/T)) → (z − t)/K as T → ∞.
        float[] a = {1, -1, 0.5f, -0.5f}, b = {-0.5f, 0.25f, 0.75f, -0.5f};
        new SoftTargetKl(1000).evaluate(a, 1, 4, null, b, g);
        for (int j = 0; j < 4; j++) assertEquals((a[j] - b[j]) / 4, g[j], 1e-4);
        assertThrows(IllegalArgumentException.class, () -> new SoftTargetKl(0));
        assertThrows(IllegalArgumentException.class, () -> new SoftTargetKl(1).evaluate(a, 1, 4, new int[] {0}, null, g));
    }
}
