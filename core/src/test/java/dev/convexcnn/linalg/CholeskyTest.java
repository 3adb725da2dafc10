package dev.convexcnn.linalg;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convexcnn.testing.Tolerances;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Cholesky solve against a naive Gaussian elimination, and a matrix that is not positive definite. */
class CholeskyTest {

    static double[] gauss(int n, double[] a, int m, double[] b) {
        double[] w = a.clone(), x = b.clone();
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(w[r * n + c]) > Math.abs(w[p * n + c])) p = r;
            for (int j = 0; j < n; j++) { double t = w[c * n + j]; w[c * n + j] = w[p * n + j]; w[p * n + j] = t; }
            for (int j = 0; j < m; j++) { double t = x[c * m + j]; x[c * m + j] = x[p * m + j]; x[p * m + j] = t; }
            for (int r = c + 1; r < n; r++) {
                double f = w[r * n + c] / w[c * n + c];
                for (int j = c; j < n; j++) w[r * n + j] -= f * w[c * n + j];
                for (int j = 0; j < m; j++) x[r * m + j] -= f * x[c * m + j];
            }
        }
        for (int c = n - 1; c >= 0; c--) {
            for (int j = 0; j < m; j++) {
                double s = x[c * m + j];
                for (int k = c + 1; k < n; k++) s -= w[c * n + k] * x[k * m + j];
                x[c * m + j] = s / w[c * n + c];
            }
        }
        return x;
    }

    @Test
    void solvesLikeGaussianEliminationAndLeavesItsInputs() {
        Random r = new Random(4);
        int n = 13, m = 3;
        double[] g = new double[n * 20];
        for (int i = 0; i < g.length; i++) g[i] = r.nextGaussian();
        double[] a = new double[n * n];
        Gemm.dgemm(false, true, n, n, 20, 1, g, 0, 20, g, 0, 20, 0, a, 0, n);
        for (int i = 0; i < n; i++) a[i * n + i] += 0.5;
        double[] b = new double[n * m];
        for (int i = 0; i < b.length; i++) b[i] = r.nextGaussian();
        double[] a0 = a.clone(), b0 = b.clone();
        double[] x = Cholesky.solve(n, a, m, b);
        // A well-conditioned system (λ_min ≥ 0.5): both solutions agree far above rounding.
        Tolerances.assertArrayClose(gauss(n, a0, m, b0), x, 1e-10, "solution");
        org.junit.jupiter.api.Assertions.assertArrayEquals(a0, a, 0.0, "A unchanged");
        org.junit.jupiter.api.Assertions.assertArrayEquals(b0, b, 0.0, "B unchanged");
    }

    @Test
    void aMatrixThatIsNotPositiveDefiniteIsRefused() {
        double[] a = {1, 2, 2, 1};   // eigenvalues 3 and −1
        assertThrows(ArithmeticException.class, () -> Cholesky.solve(2, a, 1, new double[] {1, 1}));
    }
}
