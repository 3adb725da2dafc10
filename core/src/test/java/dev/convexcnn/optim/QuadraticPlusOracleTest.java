package dev.convexcnn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.optim.AcceleratedProximalGradient.Backtracking;
import dev.convexcnn.optim.AcceleratedProximalGradient.Restart;
import dev.convexcnn.optim.AcceleratedProximalGradient.State;
import dev.convexcnn.optim.AcceleratedProximalGradient.Stopping;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The oracle for a quadratic plus a cheap smooth part ({@link ProximalOracles#quadraticPlus}) on an augmented
 * Lagrangian's shape: q(x) = ½‖Mx‖² − ⟨b, x⟩, p(x) = (ρ/2) Σ max(0, γ/ρ − Cx)², r = λ‖x‖₁. It must stop where the
 * optimality conditions (computed here from the formulas) hold, at the optimum the plain value oracle finds, with
 * about one product per iteration, and a run continued from a saved state must end as the uninterrupted one.
 */
class QuadraticPlusOracleTest {
    private static final int D = 20, ROWS = 40, CONS = 15;
    private static final double LAMBDA = 0.3, RHO = 2;

    /** The problem; counts its products. */
    private static final class Problem implements QuadraticPlus {
        final double[][] m = new double[ROWS][D], c = new double[CONS][D];
        final double[] b = new double[D], gamma = new double[CONS];
        int products, points, evaluations, singleProducts;
        final Quadratic q;

        Problem(long seed) {
            Random rnd = new Random(seed);
            for (double[] row : m) for (int j = 0; j < D; j++) row[j] = rnd.nextGaussian();
            for (double[] row : c) for (int j = 0; j < D; j++) row[j] = rnd.nextGaussian();
            for (int j = 0; j < D; j++) b[j] = 5 * rnd.nextGaussian();
            for (int i = 0; i < CONS; i++) gamma[i] = rnd.nextDouble();
            q = new Quadratic() {
                @Override public int dimension() { return D; }

                @Override
                public void products(double[][] xs, int count, double[][] out, boolean single) {
                    products++;
                    points += count;
                    if (single) singleProducts++;
                    for (int k = 0; k < count; k++) {
                        out[k] = ata(xs[k], out[k]);
                        // A float product: each entry rounded to float (about 6e-8 relative).
                        if (single) for (int j = 0; j < D; j++) out[k][j] = (float) out[k][j];
                    }
                }

                @Override public double scale() { return 1; }
                @Override public double[] linearTerm() { return b; }
                @Override public double constant() { return 0; }
                @Override public double regularizer(double[] x) { return Problem.this.regularizer(x); }
                @Override public void prox(double[] v, double step, double[] out) { Problem.this.prox(v, step, out); }
                @Override public double minNormSubgradientSquared(double[] x, double[] g) { return Problem.this.minNormSubgradientSquared(x, g); }
            };
        }

        double[] ata(double[] x, double[] out) {
            double[] mx = new double[ROWS];
            for (int i = 0; i < ROWS; i++) for (int j = 0; j < D; j++) mx[i] += m[i][j] * x[j];
            java.util.Arrays.fill(out, 0);
            for (int i = 0; i < ROWS; i++) for (int j = 0; j < D; j++) out[j] += m[i][j] * mx[i];
            return out;
        }

        @Override public int dimension() { return D; }
        @Override public Quadratic quadraticPart() { return q; }

        @Override
        public double otherPart(double[] x, double[] grad) {
            if (grad != null) java.util.Arrays.fill(grad, 0);
            double sum = 0;
            for (int i = 0; i < CONS; i++) {
                double h = 0;
                for (int j = 0; j < D; j++) h += c[i][j] * x[j];
                double mm = Math.max(gamma[i] / RHO - h, 0);
                sum += mm * mm;
                if (grad != null) for (int j = 0; j < D; j++) grad[j] -= RHO * mm * c[i][j];
            }
            return RHO / 2 * sum;
        }

        /** f and ∇f from the formulas, no product kept. */
        @Override
        public double smooth(double[] x, double[] grad) {
            evaluations++;
            double[] ax = ata(x, new double[D]), gp = new double[D];
            double f = otherPart(x, gp);
            for (int j = 0; j < D; j++) {
                f += x[j] * ax[j] / 2 - b[j] * x[j];
                if (grad != null) grad[j] = ax[j] - b[j] + gp[j];
            }
            return f;
        }

        @Override
        public double regularizer(double[] x) {
            double s = 0;
            for (double v : x) s += Math.abs(v);
            return LAMBDA * s;
        }

        @Override
        public void prox(double[] v, double step, double[] out) {
            for (int i = 0; i < D; i++) out[i] = Math.signum(v[i]) * Math.max(Math.abs(v[i]) - step * LAMBDA, 0);
        }

        @Override
        public double minNormSubgradientSquared(double[] x, double[] grad) {
            double sum = 0;
            for (int i = 0; i < D; i++) {
                double e = x[i] != 0 ? grad[i] + LAMBDA * Math.signum(x[i]) : Math.max(Math.abs(grad[i]) - LAMBDA, 0);
                sum += e * e;
            }
            return sum;
        }
    }

    /**
     * Tolerance 1e-11: the step test's absolute slack (1e-15 on the model's difference, {@link Backtracking}) accepts
     * any step once the move is that small, which floors the certificate of the kept-product oracles near 2e-15·L
     * (here L ≈ 100: about 1e-13, measured for {@link ProximalOracles#products} as well).
     */
    private static final AcceleratedProximalGradient APG =
            new AcceleratedProximalGradient(Backtracking.SCNN, Restart.FUNCTION_VALUE, new Stopping(1e-11, 20_000, 0));

    @Test
    void itStopsAtTheOptimumTheValueOracleFindsWithOneProductPerIteration() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            Problem pr = new Problem(seed);
            double[] x0 = new double[D];
            pr.evaluations = 0;
            var byValues = APG.run(ProximalOracles.values(pr), x0, 10, false, null, null, null);
            int evaluations = pr.evaluations;
            pr.products = 0;
            pr.points = 0;
            var kept = APG.run(ProximalOracles.quadraticPlus(pr), x0, 10, false, null, null, null);
            assertTrue(byValues.converged() && kept.converged(), "seed " + seed + ": certificates " + byValues.certificate() + ", " + kept.certificate());
            // The optimality conditions, from the formulas: the min-norm subgradient of ∇f + λ∂‖·‖₁.
            double[] g = new double[D];
            pr.smooth(kept.x(), g);
            assertTrue(pr.minNormSubgradientSquared(kept.x(), g) <= 1e-10, "seed " + seed);
            assertEquals(byValues.objective(), kept.objective(), 1e-12 * Math.abs(byValues.objective()), "seed " + seed);
            assertArrayEquals(byValues.x(), kept.x(), 1e-5, "seed " + seed);
            // The objective the oracle keeps is F at its x.
            assertEquals(pr.smooth(kept.x(), null) + pr.regularizer(kept.x()), kept.objective(), 1e-12 * Math.abs(kept.objective()));
            // One product (of two points) per iteration and one at the start, plus one per failed pair of trials.
            // Each f and ∇f of the value oracle costs a product (M and Mᵀ); the kept oracle's products price two points
            // (measured: 83, 101 and 86 products against 173, 224 and 190 evaluations, in the same iterations).
            assertTrue(pr.products <= 0.6 * evaluations, "seed " + seed + ": " + pr.products + " products against " + evaluations + " evaluations");
            assertTrue(pr.points <= 2 * pr.products);
        }
    }

    @Test
    void withFloatProductsItStillStopsWhereTheDoubleOptimalityConditionsHold() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            Problem pr = new Problem(seed);
            double[] x0 = new double[D];
            var exact = APG.run(ProximalOracles.quadraticPlus(pr), x0, 10, false, null, null, null);
            pr.singleProducts = 0;
            pr.products = 0;
            var mixed = APG.run(ProximalOracles.quadraticPlus(pr), x0, 10, true, null, null, null);
            assertTrue(mixed.converged(), "seed " + seed + ": certificate " + mixed.certificate());
            // Float moves from double products: the rounding shrinks with the moves, so the float iterations go on to
            // the stop (refreshed in double at each stall of the certificate) instead of stalling on a rounding floor.
            assertTrue(pr.singleProducts > 0.8 * pr.products, "seed " + seed + ": " + pr.singleProducts + " float products of " + pr.products);
            double[] g = new double[D];
            pr.smooth(mixed.x(), g);
            assertTrue(pr.minNormSubgradientSquared(mixed.x(), g) <= 1e-10, "seed " + seed);
            assertEquals(exact.objective(), mixed.objective(), 1e-10 * Math.abs(exact.objective()), "seed " + seed);
            assertEquals(pr.smooth(mixed.x(), null) + pr.regularizer(mixed.x()), mixed.objective(), 1e-12 * Math.abs(mixed.objective()));
        }
    }

    @Test
    void aRunContinuedFromAStateEndsAsTheUninterruptedOne() throws Exception {
        Problem pr = new Problem(4);
        List<State> states = new ArrayList<>();
        var whole = APG.run(ProximalOracles.quadraticPlus(pr), new double[D], 10, false, null, null, st -> states.add(copy(st, true)));
        assertTrue(states.size() > 20, "a run of some length, got " + states.size());
        State mid = states.get(states.size() / 2);
        var resumed = APG.run(ProximalOracles.quadraticPlus(pr), null, 10, false, mid, null, null);
        assertEquals(whole.iterations(), resumed.iterations());
        assertArrayEquals(whole.x(), resumed.x(), 0);
        assertEquals(whole.objective(), resumed.objective(), 0);
        // A state saved without the products (by another oracle) gets them computed, and reaches the same optimum.
        State bare = copy(mid, false);
        var fromBare = APG.run(ProximalOracles.quadraticPlus(pr), null, 10, false, bare, null, null);
        assertTrue(fromBare.converged());
        assertArrayEquals(whole.x(), fromBare.x(), 1e-5);
        // In mixed precision too: the float phase and its refreshes go on from the saved state as they would have.
        states.clear();
        var mixed = APG.run(ProximalOracles.quadraticPlus(pr), new double[D], 10, true, null, null, st -> states.add(copy(st, true)));
        State midMixed = states.get(states.size() / 2);
        assertTrue(midMixed.single(), "the middle of the run is in float");
        var resumedMixed = APG.run(ProximalOracles.quadraticPlus(pr), null, 10, true, midMixed, null, null);
        assertEquals(mixed.iterations(), resumedMixed.iterations());
        assertArrayEquals(mixed.x(), resumedMixed.x(), 0);
    }

    private static State copy(State s, boolean images) {
        double[][] xi = {images ? s.xImages()[0].clone() : null}, yi = {images ? s.yImages()[0].clone() : null};
        return new State(s.iteration(), s.x().clone(), s.y().clone(), xi, yi, s.step(), s.t(), s.objective(), s.smooth(),
                s.regularizer(), s.certificate(), s.single(), s.seconds(), s.stallBest(), s.stallBestAt());
    }
}
