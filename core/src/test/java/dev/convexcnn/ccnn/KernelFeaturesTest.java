package dev.convexcnn.ccnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each feature map's inner products approximate its kernel, better with more features. */
class KernelFeaturesTest {
    private static final int D = 6;

    /** Points in the unit ball, spread so that kernel values vary. */
    private static double[] points(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] z = new double[n * D];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < D; j++) { z[i * D + j] = r.nextGaussian(); s += z[i * D + j] * z[i * D + j]; }
            double rad = 0.95 * r.nextDouble() / Math.sqrt(s);
            for (int j = 0; j < D; j++) z[i * D + j] *= rad;
        }
        return z;
    }

    /** Mean absolute error of ⟨φ(z_i), φ(z_j)⟩ against K(z_i, z_j) over all pairs. */
    private static double meanError(FeatureMap f, double[] z, int n, double gamma) {
        double[] phi = new double[n * f.dim()];
        f.map(z, n, phi, new double[f.scratchSize(n)]);
        double err = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int k = 0; k < f.dim(); k++) dot += phi[i * f.dim() + k] * phi[j * f.dim() + k];
                err += Math.abs(dot - f.kernel().value(z, i * D, z, j * D, D, gamma));
            }
        }
        return err / ((double) n * n);
    }

    @Test
    void fourierFeaturesApproachTheGaussianKernel() {
        double gamma = 1.5;
        double[] z = points(60, 1);
        double e100 = meanError(RandomFourierFeatures.create(D, 100, gamma, 7), z, 60, gamma);
        double e6400 = meanError(RandomFourierFeatures.create(D, 6400, gamma, 7), z, 60, gamma);
        // Monte-Carlo error falls like 1/√m: 8× fewer errors for 64× more features, allow 4×.
        assertTrue(e6400 < e100 / 4, e100 + " -> " + e6400);
        assertTrue(e6400 < 0.01, "error " + e6400);
    }

    @Test
    void whitenedFourierFeaturesInOneFloatProductMatchWhiteningThenTheMapInDouble() {
        // Odd sizes; patches with an offset so that the whitening's mean matters.
        int d = 27, m = 53, rows = 37;
        SplittableRandom r = new SplittableRandom(11);
        double[] fitOn = new double[400 * d];
        for (int i = 0; i < fitOn.length; i++) fitOn[i] = 0.5 + r.nextDouble() * (1 + (i % d) * 0.1);
        PatchWhitening w = PatchWhitening.fit(fitOn, 400, d, 0.1, 0.01);
        RandomFourierFeatures f = RandomFourierFeatures.create(d, m, 0.7, 5);
        double[] raw = new double[rows * d];
        for (int i = 0; i < raw.length; i++) raw[i] = 0.5 + r.nextDouble() * 1.5;

        double[] white = new double[rows * d], expected = new double[rows * m];
        w.apply(raw.clone(), rows, white);
        f.map(white, rows, expected, new double[0]);
        double[] z = raw.clone(), got = new double[rows * m];
        w.normalize(z, rows);
        f.afterWhitening(w).map(z, rows, got, new float[rows * d], new float[rows * m]);

        // The float product moves each argument by at most a few units of float rounding of Σ_i |z_i|·|(WΩ)_ij|.
        double[] wo = new double[d * m];
        for (int i = 0; i < d; i++) for (int j = 0; j < m; j++) for (int k = 0; k < d; k++) wo[i * m + j] += w.matrix()[i * d + k] * f.omega()[k * m + j];
        double scale = Math.sqrt(2.0 / m), worst = 0;
        for (int t = 0; t < rows; t++) {
            for (int j = 0; j < m; j++) {
                double size = 0;
                for (int i = 0; i < d; i++) size += Math.abs(z[t * d + i] * wo[i * m + j]);
                double bound = scale * (d + 3) * Math.ulp(1f) * size;
                double err = Math.abs(got[t * m + j] - expected[t * m + j]);
                assertTrue(err <= bound, "row " + t + ", feature " + j + ": " + err + " > " + bound);
                worst = Math.max(worst, err / bound);
            }
        }
        assertTrue(worst > 0, "the product is in float: the features differ from the double map in the last bits");
    }

    @Test
    void fourierFeaturesRepeatWithTheSeed() {
        double[] z = points(5, 2);
        assertArrayEquals(RandomFourierFeatures.create(D, 50, 1, 3).map(java.util.Arrays.copyOf(z, D)),
                RandomFourierFeatures.create(D, 50, 1, 3).map(java.util.Arrays.copyOf(z, D)));
    }

    @Test
    void nystromApproachesBothKernels() {
        for (Kernel k : Kernel.values()) {
            double gamma = 1.5;
            double[] z = points(80, 3);
            double[] pool = points(400, 4);
            double e10 = meanError(NystromFeatures.create(k, gamma, pool, 10, D), z, 80, gamma);
            double e200 = meanError(NystromFeatures.create(k, gamma, pool, 200, D), z, 80, gamma);
            assertTrue(e200 < e10 / 5, k + ": " + e10 + " -> " + e200);
            assertTrue(e200 < 2e-3, k + ": error " + e200);
        }
    }

    @Test
    void nystromIsExactOnItsLandmarks() {
        for (Kernel k : Kernel.values()) {
            double[] l = points(30, 5);
            assertEquals(0, meanError(NystromFeatures.create(k, 0.7, l, 30, D), l, 30, 0.7), 1e-7, k.id());
        }
    }

    @Test
    void inversePolynomialKernelHasThePapersForm() {
        double[] a = {0.3, 0.4};
        double[] b = {0.6, -0.2};
        assertEquals(1 / (2 - (0.18 - 0.08)), Kernel.INVERSE_POLYNOMIAL.value(a, 0, b, 0, 2, 0), 1e-15);
        // outside the unit ball: scaled onto it
        double[] big = {3, 4};
        assertEquals(1 / (2 - 0.6 * 0.6 - 0.8 * 0.8), Kernel.INVERSE_POLYNOMIAL.value(big, 0, big, 0, 2, 0), 1e-15);
        assertEquals(Math.exp(-2 * (0.09 + 0.36)), Kernel.GAUSSIAN.value(a, 0, b, 0, 2, 2), 1e-15);
    }

    @Test
    void fourierNeedsTheGaussianKernel() {
        assertThrows(IllegalArgumentException.class, () -> LayerSettings.mnistLayer1().withKernel(Kernel.INVERSE_POLYNOMIAL, Approximation.FOURIER));
    }
}
