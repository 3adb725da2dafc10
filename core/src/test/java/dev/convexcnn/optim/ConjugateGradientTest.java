package dev.convexcnn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.linalg.Cholesky;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Conjugate gradients against a direct (Cholesky) solve of small symmetric positive definite systems. */
class ConjugateGradientTest {

    /** H = BᵀB + shift·I, n × n, row-major. */
    private static double[] spd(int n, double shift, SplittableRandom r) {
        double[] b = new double[n * n], h = new double[n * n];
        for (int i = 0; i < b.length; i++) b[i] = r.nextGaussian();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += b[k * n + i] * b[k * n + j];
                h[i * n + j] = s + (i == j ? shift : 0);
            }
        }
        return h;
    }

    private static double[] times(double[] h, double[] v) {
        int n = v.length;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) out[i] += h[i * n + j] * v[j];
        return out;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double e : v) s += e * e;
        return Math.sqrt(s);
    }

    @Test
    void reachesTheDirectSolutionAndReportsItsTrueResidual() {
        SplittableRandom r = new SplittableRandom(3);
        for (int n : new int[] {1, 2, 5, 12}) {
            double[] h = spd(n, 0.1, r), g = new double[n];
            for (int i = 0; i < n; i++) g[i] = r.nextGaussian();
            double[] exact = Cholesky.solve(n, h, 1, g);
            double[] x = new double[n];
            ConjugateGradient.Result res = ConjugateGradient.solve((v, out) -> System.arraycopy(times(h, v), 0, out, 0, n),
                    g, x, 10 * n, 1e-12);
            assertTrue(res.reached(1e-12), "n=" + n + ": residual " + res.relativeResidual());
            assertArrayEquals(exact, x, 1e-8 * (1 + norm(exact)), "n=" + n);
            // The reported residual is the true one, g − Hx, up to rounding.
            double[] hx = times(h, x), resid = new double[n];
            for (int i = 0; i < n; i++) resid[i] = g[i] - hx[i];
            assertEquals(norm(resid) / norm(g), res.relativeResidual(), 1e-11);
            // q(x) = ½xᵀHx − gᵀx, and at the minimiser q = −½gᵀx*.
            double q = 0;
            for (int i = 0; i < n; i++) q += 0.5 * x[i] * hx[i] - g[i] * x[i];
            assertEquals(q, res.quadratic(), 1e-10 * (1 + Math.abs(q)));
        }
    }

    @Test
    void aCapOrALooseToleranceStopsEarlyWithTheResidualReached() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 20;
        double[] h = spd(n, 1, r), g = new double[n];
        for (int i = 0; i < n; i++) g[i] = r.nextGaussian();
        ConjugateGradient.Operator op = (v, out) -> System.arraycopy(times(h, v), 0, out, 0, n);
        double[] x = new double[n];
        ConjugateGradient.Result capped = ConjugateGradient.solve(op, g, x, 3, 0);
        assertEquals(3, capped.iterations());
        double[] hx = times(h, x), resid = new double[n];
        for (int i = 0; i < n; i++) resid[i] = g[i] - hx[i];
        assertEquals(norm(resid) / norm(g), capped.relativeResidual(), 1e-12);
        assertTrue(capped.quadratic() < 0);
        ConjugateGradient.Result loose = ConjugateGradient.solve(op, g, x, 100, 0.5);
        assertTrue(loose.reached(0.5) && loose.relativeResidual() > 0 && loose.iterations() < n);
        // A zero right-hand side is solved by x = 0 with no products.
        ConjugateGradient.Result zero = ConjugateGradient.solve(op, new double[n], x, 100, 1e-12);
        assertEquals(0, zero.iterations());
        assertArrayEquals(new double[n], x, 0);
    }
}
