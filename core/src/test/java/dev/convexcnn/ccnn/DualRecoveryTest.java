package dev.convexcnn.ccnn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convexcnn.nn.SoftmaxCrossEntropy;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The recovery's S objective, computed block by block, against a naive sum and its gradients by finite differences. */
class DualRecoveryTest {

    /** The mean loss, logits written out per sample and position, scored by nn's cross-entropy (the last logit 0). */
    private static double naive(double[] h, double[] vflat, double[] s, double[] b, int n, int Q, int r, int[] y, int C) {
        int c1 = C - 1;
        double[] z = new double[n * C];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < c1; o++) {
                double v = b == null ? 0 : b[o];
                for (int q = 0; q < Q; q++) {
                    for (int bb = 0; bb < r; bb++) {
                        double hs = 0;
                        for (int a = 0; a < r; a++) hs += h[(i * Q + q) * r + a] * s[a * r + bb];
                        v += hs * vflat[(q * r + bb) * c1 + o];
                    }
                }
                z[i * C + o] = v;
            }
        }
        return SoftmaxCrossEntropy.meanOverSamples(z, y, 0, n, n, C, new double[n * C]);
    }

    @Test
    void blockedObjectiveEqualsTheNaiveSumAndItsGradientsTheFiniteDifferences() {
        Random rnd = new Random(11);
        // Sizes around the block: one sample, fewer than a block, one block, a block and a remainder.
        for (int n : new int[] {1, 37, DualRecovery.S_BLOCK, DualRecovery.S_BLOCK + 45}) {
            int Q = 3, r = 4, C = 5, c1 = C - 1;
            double[] h = new double[n * Q * r], vflat = new double[Q * r * c1], s = new double[r * r], b = new double[c1];
            for (int i = 0; i < h.length; i++) h[i] = rnd.nextGaussian();
            for (int i = 0; i < vflat.length; i++) vflat[i] = 0.5 * rnd.nextGaussian();
            for (int a = 0; a < r; a++) for (int c = 0; c <= a; c++) s[a * r + c] = s[c * r + a] = 0.3 * rnd.nextGaussian();
            for (int k = 0; k < c1; k++) b[k] = rnd.nextGaussian();
            int[] y = new int[n];
            for (int i = 0; i < n; i++) y[i] = rnd.nextInt(C);
            double[] grad = new double[r * r], gradB = new double[c1];
            double f = DualRecovery.objectiveS(h, vflat, s, b, n, Q, r, y, C, grad, gradB);
            double want = naive(h, vflat, s, b, n, Q, r, y, C);
            assertEquals(want, f, 1e-12 * Math.abs(want), "n = " + n);
            assertEquals(want, DualRecovery.objectiveS(h, vflat, s, b, n, Q, r, y, C, null, null), 1e-12 * Math.abs(want));
            assertEquals(naive(h, vflat, s, null, n, Q, r, y, C), DualRecovery.objectiveS(h, vflat, s, null, n, Q, r, y, C, null, null),
                    1e-12 * Math.abs(want));
            // Directional derivatives along a random symmetric E and a random bias direction, by central differences.
            double[] e = new double[r * r], eb = new double[c1];
            for (int a = 0; a < r; a++) for (int c = 0; c <= a; c++) e[a * r + c] = e[c * r + a] = rnd.nextGaussian();
            for (int k = 0; k < c1; k++) eb[k] = rnd.nextGaussian();
            double eps = 1e-5, dS = 0, dB = 0;
            for (int i = 0; i < e.length; i++) dS += grad[i] * e[i];
            for (int k = 0; k < c1; k++) dB += gradB[k] * eb[k];
            double[] sp = s.clone(), sm = s.clone(), bp = b.clone(), bm = b.clone();
            for (int i = 0; i < e.length; i++) { sp[i] += eps * e[i]; sm[i] -= eps * e[i]; }
            for (int k = 0; k < c1; k++) { bp[k] += eps * eb[k]; bm[k] -= eps * eb[k]; }
            double fdS = (naive(h, vflat, sp, b, n, Q, r, y, C) - naive(h, vflat, sm, b, n, Q, r, y, C)) / (2 * eps);
            double fdB = (naive(h, vflat, s, bp, n, Q, r, y, C) - naive(h, vflat, s, bm, n, Q, r, y, C)) / (2 * eps);
            assertEquals(fdS, dS, 1e-6 * (1 + Math.abs(fdS)), "S gradient, n = " + n);
            assertEquals(fdB, dB, 1e-6 * (1 + Math.abs(fdB)), "bias gradient, n = " + n);
        }
    }
}
