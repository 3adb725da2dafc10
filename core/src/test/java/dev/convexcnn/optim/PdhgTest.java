package dev.convexcnn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The loop against total-variation denoising of three points, min_x ½‖x − b‖² + λ‖Kx‖₁ with K the differences
 * (x₂ − x₁, x₃ − x₂), b = (0, 0.2, 3), λ = 0.3, as the saddle problem ⟨Kx, y⟩ + ½‖x − b‖² − ι(‖y‖∞ ≤ λ). Its
 * minimiser by hand: the first two points merge (x₁ = x₂ = t), the last difference is positive so y₂ = λ, and
 * x = b − Kᵀy gives t = y₁ = 0.2 − y₁ + 0.3, so y = (0.25, 0.3) (|y₁| ≤ λ) and x* = (0.25, 0.25, 2.7). The dual is
 * D(y) = ⟨y, Kb⟩ − ½‖Kᵀy‖², feasible for every iterate.
 */
class PdhgTest {
    private static final double[] B = {0, 0.2, 3};
    private static final double LAMBDA = 0.3;
    private static final double[] OPTIMUM = {0.25, 0.25, 2.7};
    private static final double TAU = 0.45, SIGMA = 0.45; // τσ‖K‖² ≤ 0.2025·4 < 1

    record Point(double primal, double dual, double[] x) implements Pdhg.Candidate {}

    private static double[] k(double[] x) { return new double[] {x[1] - x[0], x[2] - x[1]}; }

    private static double[] kt(double[] y) { return new double[] {-y[0], y[0] - y[1], y[1]}; }

    static final class TotalVariation implements Pdhg.Problem<Point> {
        double[] y = new double[2];

        @Override
        public double[] primalStep(double[] x, double[] image) {
            double[] out = new double[3];
            for (int i = 0; i < 3; i++) out[i] = (x[i] - TAU * image[i] + TAU * B[i]) / (1 + TAU);
            return out;
        }

        @Override
        public double[] dualStep(double[] x) {
            double[] kx = k(x);
            for (int j = 0; j < 2; j++) y[j] = Math.max(-LAMBDA, Math.min(LAMBDA, y[j] + SIGMA * kx[j]));
            return kt(y);
        }

        @Override public double[] dualImage() { return kt(y); }
        @Override public double[] dual() { return y; }
        @Override public void restartDual(double[] q) { y = q.clone(); }

        @Override
        public Point certify(double[] x, double[] q, double[] image) {
            double p = 0;
            for (int i = 0; i < 3; i++) p += 0.5 * (x[i] - B[i]) * (x[i] - B[i]);
            double[] kx = k(x), kb = k(B), ktq = kt(q);
            p += LAMBDA * (Math.abs(kx[0]) + Math.abs(kx[1]));
            double d = q[0] * kb[0] + q[1] * kb[1];
            for (int i = 0; i < 3; i++) d -= 0.5 * ktq[i] * ktq[i];
            return new Point(p, d, x);
        }
    }

    @Test
    void everyFormAndRestartPolicyReachesTheMinimiserWithItsGap() {
        for (Pdhg.Extrapolation e : Pdhg.Extrapolation.values()) {
            for (Pdhg.Restart r : Pdhg.Restart.values()) {
                List<Point> seen = new ArrayList<>();
                Pdhg.Outcome<Point> out = new Pdhg(e, r, true, 10, 1e-12)
                        .run(new TotalVariation(), new double[3], 20_000, (it, c) -> seen.add(c));
                String what = e + "/" + r;
                assertTrue(out.reached(), what + ": gap " + out.answer().gap());
                assertTrue(out.answer().gap() >= -1e-15, what + ": weak duality");
                assertArrayEquals(OPTIMUM, out.answer().x(), 1e-6, what);
                assertEquals(out.iterations() / 10, seen.size(), what);
                // The answer is the best certified candidate seen.
                for (Point c : seen) assertTrue(out.answer().gap() <= c.gap(), what);
            }
        }
    }

    /** A few iterations of each form written out by hand give the loop's iterate to the bit. */
    @Test
    void theTwoFormsAreChambolleAndPocksIterations() {
        int steps = 7;
        // Primal form: y⁺ = prox(y + σKx̄), x⁺ = prox(x − τKᵀy⁺), x̄ = 2x⁺ − x.
        TotalVariation byHand = new TotalVariation();
        double[] x = new double[3], xbar = new double[3];
        for (int t = 0; t < steps; t++) {
            double[] next = byHand.primalStep(x, byHand.dualStep(xbar));
            for (int i = 0; i < 3; i++) xbar[i] = 2 * next[i] - x[i];
            x = next;
        }
        TotalVariation loop = new TotalVariation();
        Pdhg.Outcome<Point> out = new Pdhg(Pdhg.Extrapolation.PRIMAL, Pdhg.Restart.NONE, false, 1000, 0)
                .run(loop, new double[3], steps, null);
        assertArrayEquals(x, out.x(), 0);
        assertArrayEquals(byHand.y, loop.y, 0);
        // Dual form: x⁺ = prox(x − τKᵀȳ), y⁺ = prox(y + σKx⁺), ȳ = 2y⁺ − y.
        byHand = new TotalVariation();
        x = new double[3];
        double[] ybar = new double[2];
        for (int t = 0; t < steps; t++) {
            double[] before = byHand.y.clone();
            x = byHand.primalStep(x, kt(ybar));
            byHand.dualStep(x);
            for (int j = 0; j < 2; j++) ybar[j] = 2 * byHand.y[j] - before[j];
        }
        loop = new TotalVariation();
        out = new Pdhg(Pdhg.Extrapolation.DUAL, Pdhg.Restart.NONE, false, 1000, 0).run(loop, new double[3], steps, null);
        assertArrayEquals(x, out.x(), 1e-15); // Kᵀȳ = 2Kᵀy⁺ − Kᵀy: the same up to rounding
        assertArrayEquals(byHand.y, loop.y, 1e-15);
        assertEquals(steps, out.iterations());
        assertTrue(!out.reached() && out.answer() != null);
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Pdhg(Pdhg.Extrapolation.DUAL, Pdhg.Restart.NONE, true, 0, 1e-6));
        assertThrows(IllegalArgumentException.class, () -> new Pdhg(Pdhg.Extrapolation.DUAL, Pdhg.Restart.NONE, true, 5, -1));
    }
}
