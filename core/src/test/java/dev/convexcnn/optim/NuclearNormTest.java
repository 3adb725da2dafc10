package dev.convexcnn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.linalg.DoubleMatrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The nuclear norm's prox (singular-value shrink) and the exact projection onto its ball, each checked against its
 * SVD twin, by its optimality conditions and by brute force.
 */
class NuclearNormTest {

    private static double[] random(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = scale * r.nextGaussian();
        return a;
    }

    @Test
    void l1ProjectionMeetsItsOptimalityConditions() {
        double[] s = {5, 3, 2.5, 0.5, 0};
        double[] out = new double[s.length];
        double theta = NuclearNorm.projectL1Nonnegative(s, 4, out);
        // sum is R; survivors are shifted by θ; the others are zero and were ≤ θ.
        double sum = 0;
        for (double v : out) sum += v;
        assertEquals(4, sum, 1e-12);
        for (int i = 0; i < s.length; i++) {
            if (out[i] > 0) assertEquals(s[i] - theta, out[i], 1e-12);
            else assertTrue(s[i] <= theta + 1e-12);
        }
        assertEquals(6.5 / 3, theta, 1e-12); // (5 + 3 + 2.5 − 4)/3 = 2.1667 < 2.5, so ρ = 3
    }

    @Test
    void l1ProjectionInsideTheBallIsTheIdentity() {
        double[] s = {1, 0.5};
        double[] out = new double[2];
        assertEquals(0, NuclearNorm.projectL1Nonnegative(s, 2, out));
        assertArrayEquals(s, out);
    }

    @Test
    void l1ProjectionAgainstBruteForce() {
        // Minimise ‖x − s‖² over a fine grid of the 2-D simplex-ball: the grid optimum is within grid error.
        SplittableRandom r = new SplittableRandom(4);
        for (int trial = 0; trial < 20; trial++) {
            double[] s = {3 * r.nextDouble(), 3 * r.nextDouble()};
            double radius = 0.2 + 2 * r.nextDouble();
            double[] out = new double[2];
            NuclearNorm.projectL1Nonnegative(s, radius, out);
            double best = Double.MAX_VALUE;
            int grid = 600;
            for (int i = 0; i <= grid; i++) {
                for (int j = 0; i + j <= grid; j++) {
                    double x = radius * i / grid, y = radius * j / grid;
                    best = Math.min(best, (x - s[0]) * (x - s[0]) + (y - s[1]) * (y - s[1]));
                }
            }
            double got = (out[0] - s[0]) * (out[0] - s[0]) + (out[1] - s[1]) * (out[1] - s[1]);
            assertTrue(got <= best + 1e-12, got + " vs grid " + best);
            assertTrue(got >= best - 4 * radius * 3.0 / grid * 3, "grid check is loose but catches nonsense");
        }
    }

    @Test
    void shrinkMatchesItsSvdTwin() {
        SplittableRandom r = new SplittableRandom(5);
        for (int[] mn : new int[][] {{7, 12}, {12, 7}, {6, 6}}) {
            int m = mn[0], n = mn[1];
            double[] a = new double[m * n];
            for (int i = 0; i < a.length; i++) a[i] = r.nextGaussian();
            double theta = NuclearNorm.singularValues(a, m, n)[Math.min(m, n) / 2];
            double[] slow = NuclearNorm.shrinkBySvd(a, m, n, theta);
            double[] fast = a.clone();
            int rank = NuclearNorm.shrink(fast, m, n, theta);
            assertArrayEquals(slow, fast, 1e-10);
            assertEquals(Math.min(m, n) - Math.min(m, n) / 2 - 1, rank);
            double[] zero = a.clone();
            assertEquals(0, NuclearNorm.shrink(zero, m, n, 1e6));
            assertArrayEquals(new double[m * n], zero, 0);
        }
    }

    /** ½‖X − A‖² + θ‖X‖_*: the objective the prox minimises. */
    private static double proxObjective(double[] x, double[] a, int m, int n, double theta) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += 0.5 * (x[i] - a[i]) * (x[i] - a[i]);
        return s + theta * svdNuclearNorm(x, m, n);
    }

    /**
     * ‖X‖_* by a full SVD: the Gram route of {@link NuclearNorm#nuclearNorm} squares the singular values, so at a
     * rank-deficient X (the prox's output) its zero ones come back as ~1e-8·σ_max, which depends on the BLAS.
     */
    private static double svdNuclearNorm(double[] x, int m, int n) {
        double sum = 0;
        for (double v : new DoubleMatrix(m, n, x).svd().s()) sum += v;
        return sum;
    }

    @Test
    void shrinkIsTheProxAndNoNearbyPointDoesBetter() {
        int m = 3, n = 4;
        double[] a = random(m * n, 21, 1);
        double theta = 0.8;
        double[] x = a.clone();
        int rank = NuclearNorm.shrink(x, m, n, theta);
        assertTrue(rank > 0 && rank < m, "a threshold between the singular values: rank " + rank);
        // Optimality: A − X = θ·(U_r V_rᵀ + W), ‖W‖₂ ≤ 1, so ‖A − X‖₂ ≤ θ and ⟨A − X, X⟩ = θ‖X‖_*.
        double[] d = new double[m * n];
        double dot = 0;
        for (int i = 0; i < d.length; i++) {
            d[i] = a[i] - x[i];
            dot += d[i] * x[i];
        }
        assertTrue(NuclearNorm.spectralNorm(d, m, n) <= theta * (1 + 1e-10));
        assertEquals(theta * svdNuclearNorm(x, m, n), dot, 1e-10);
        double best = proxObjective(x, a, m, n, theta);
        SplittableRandom r = new SplittableRandom(22);
        for (int t = 0; t < 5_000; t++) {
            double[] y = x.clone();
            double size = t % 2 == 0 ? 1e-3 : 0.2;
            for (int i = 0; i < y.length; i++) y[i] += size * r.nextGaussian();
            assertTrue(best <= proxObjective(y, a, m, n, theta) + 1e-12, "trial " + t);
        }
    }

    @Test
    void fastProjectionEqualsTheSvdTwinBothWays() {
        int[][] shapes = {{6, 15}, {15, 6}, {7, 7}};
        for (int[] sh : shapes) {
            double[] a = random(sh[0] * sh[1], sh[0] * 31L + sh[1], 1);
            double nuc = NuclearNorm.nuclearNorm(a, sh[0], sh[1]);
            double radius = nuc / 3;
            double[] slow = NuclearNorm.projectBySvd(a, sh[0], sh[1], radius);
            double[] fast = a.clone();
            NuclearNorm.Projection p = NuclearNorm.project(fast, sh[0], sh[1], radius);
            assertTrue(p.moved());
            // The Gram route squares the singular values: σ_i comes back with an error of about ε·σ_max²/σ_i, ~1e-8
            // relative for the smallest ones here, and it moves with the BLAS's summation order (1.2e-8 measured with
            // one OpenBLAS thread), hence 1e-7 on the nuclear norm.
            assertEquals(nuc, p.nuclearNormBefore(), 1e-7 * nuc);
            assertArrayEquals(slow, fast, 1e-9);
            assertEquals(radius, NuclearNorm.nuclearNorm(fast, sh[0], sh[1]), 1e-7 * radius);
        }
    }

    @Test
    void projectionSatisfiesTheVariationalInequality() {
        // P = Π(A) iff ⟨A − P, B − P⟩ ≤ 0 for every feasible B; try many random feasible B, and rank-one extremes.
        int m = 5, n = 8;
        double[] a = random(m * n, 11, 2);
        double radius = 3;
        double[] p = a.clone();
        NuclearNorm.project(p, m, n, radius);
        SplittableRandom r = new SplittableRandom(12);
        for (int t = 0; t < 500; t++) {
            double[] b = random(m * n, 100 + t, 1);
            double nb = NuclearNorm.nuclearNorm(b, m, n);
            double scale = radius * r.nextDouble() / nb;
            double dot = 0;
            for (int i = 0; i < b.length; i++) dot += (a[i] - p[i]) * (scale * b[i] - p[i]);
            assertTrue(dot <= 1e-9, "VI violated: " + dot);
        }
        // The distance from A is at most that of random feasible points (brute force on a 2x2 case too).
        double[] a2 = {3, 1, -2, 0.5};
        double[] p2 = a2.clone();
        NuclearNorm.project(p2, 2, 2, 1.5);
        double dp = dist(a2, p2);
        for (int t = 0; t < 20_000; t++) {
            double[] b = random(4, 1000 + t, 1);
            double s = 1.5 * Math.sqrt(r.nextDouble()) / NuclearNorm.nuclearNorm(b, 2, 2);
            for (int i = 0; i < 4; i++) b[i] *= s;
            assertTrue(dp <= dist(a2, b) + 1e-12);
        }
    }

    private static double dist(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
        return Math.sqrt(s);
    }

    @Test
    void insideTheBallNothingMoves() {
        double[] a = random(12, 3, 0.01);
        double[] p = a.clone();
        assertTrue(!NuclearNorm.project(p, 3, 4, 100).moved());
        assertArrayEquals(a, p);
    }

    @Test
    void frankWolfeGapAndSpectralNorm() {
        double[] g = random(20, 5, 1);
        DoubleMatrix.Svd svd = new DoubleMatrix(4, 5, g.clone()).svd();
        assertEquals(svd.s()[0], NuclearNorm.spectralNorm(g, 4, 5), 1e-10);
        // At A = −R·u1 v1ᵀ (the linear minimiser), the gap is 0.
        double radius = 2;
        double[] a = new double[20];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 5; j++) a[i * 5 + j] = -radius * svd.u().get(i, 0) * svd.vt().get(0, j);
        assertEquals(0, NuclearNorm.frankWolfeGap(a, g, 4, 5, radius), 1e-10);
        assertTrue(NuclearNorm.frankWolfeGap(new double[20], g, 4, 5, radius) > 0);
    }
}
