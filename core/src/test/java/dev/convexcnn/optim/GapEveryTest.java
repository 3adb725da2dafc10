package dev.convexcnn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.optim.AcceleratedProximalGradient.BoundedBacktracking;
import dev.convexcnn.optim.AcceleratedProximalGradient.Gap;
import dev.convexcnn.optim.AcceleratedProximalGradient.GapEvery;
import dev.convexcnn.optim.AcceleratedProximalGradient.Oracle;
import dev.convexcnn.optim.AcceleratedProximalGradient.Restart;
import dev.convexcnn.optim.AcceleratedProximalGradient.State;
import dev.convexcnn.optim.AcceleratedProximalGradient.Stopping;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The loop's bounded backtracking and its duality gap checked every k iterations, on the two-variable lasso
 * ½xᵀAx − ⟨b, x⟩ + λ‖x‖₁, A = [[2, ½], [½, 1]], b = (3, 0.2), λ = ½, minimiser (5/4, 0) and value −25/16 (see
 * {@code AcceleratedProximalGradientTest}). Its dual, from λ‖x‖₁ = max over ‖z‖∞ ≤ λ of ⟨z, x⟩:
 * D(z) = −½(b − z)ᵀA⁻¹(b − z); z = b − Ax scaled into the box is feasible, and D = P at the minimiser.
 */
class GapEveryTest {
    private static final double[][] A = {{2, 0.5}, {0.5, 1}};
    private static final double[] B = {3, 0.2};
    private static final double LAMBDA = 0.5, LIPSCHITZ = (3 + Math.sqrt(2)) / 2;

    private static final Composite LASSO = new Composite() {
        @Override public int dimension() { return 2; }

        @Override
        public double smooth(double[] x, double[] grad) {
            double[] ax = times(x);
            if (grad != null) for (int i = 0; i < 2; i++) grad[i] = ax[i] - B[i];
            return (x[0] * ax[0] + x[1] * ax[1]) / 2 - B[0] * x[0] - B[1] * x[1];
        }

        @Override public double regularizer(double[] x) { return LAMBDA * (Math.abs(x[0]) + Math.abs(x[1])); }

        @Override
        public void prox(double[] v, double step, double[] out) {
            for (int i = 0; i < 2; i++) out[i] = Math.signum(v[i]) * Math.max(Math.abs(v[i]) - step * LAMBDA, 0);
        }

        @Override
        public double minNormSubgradientSquared(double[] x, double[] grad) {
            double sum = 0;
            for (int i = 0; i < 2; i++) {
                double e = x[i] != 0 ? grad[i] + LAMBDA * Math.signum(x[i]) : Math.max(Math.abs(grad[i]) - LAMBDA, 0);
                sum += e * e;
            }
            return sum;
        }
    };

    private static double[] times(double[] x) {
        return new double[] {A[0][0] * x[0] + A[0][1] * x[1], A[1][0] * x[0] + A[1][1] * x[1]};
    }

    /** P(x) and D(z) at z = (b − Ax)·min(1, λ/‖b − Ax‖∞). */
    private static Gap gap(double[] x) {
        double[] ax = times(x);
        double[] z = {B[0] - ax[0], B[1] - ax[1]};
        double s = Math.min(1, LAMBDA / Math.max(Math.abs(z[0]), Math.abs(z[1])));
        double[] r = {B[0] - s * z[0], B[1] - s * z[1]};
        double det = A[0][0] * A[1][1] - A[0][1] * A[1][0];
        double[] ainvR = {(A[1][1] * r[0] - A[0][1] * r[1]) / det, (A[0][0] * r[1] - A[1][0] * r[0]) / det};
        double primal = LASSO.smooth(x, null) + LASSO.regularizer(x);
        return new Gap(primal, -(r[0] * ainvR[0] + r[1] * ainvR[1]) / 2);
    }

    @Test
    void theDualOfTheLassoMeetsItsPrimalAtTheMinimiser() {
        Gap at = gap(new double[] {1.25, 0});
        assertEquals(-25.0 / 16, at.primal(), 1e-15);
        assertEquals(-25.0 / 16, at.dual(), 1e-15);
        // Weak duality elsewhere.
        for (double[] x : new double[][] {{0, 0}, {-1, 2}, {1, 0.1}, {1.3, -0.01}}) assertTrue(gap(x).primal() >= gap(x).dual());
    }

    @Test
    void theGapIsPricedEveryKIterationsOnlyAndStopsTheRunThere() throws Exception {
        for (int every : new int[] {1, 3, 5}) {
            List<Integer> pricedAt = new ArrayList<>();
            int[] iteration = {1}; // the iteration being done: the listener hears of it after its gap
            GapEvery rule = new GapEvery(every, 1e-9, o -> {
                pricedAt.add(iteration[0]);
                Gap g = gap(o.x());
                assertTrue(g.primal() - g.dual() >= -1e-15, "weak duality");
                return g;
            });
            // +∞: no certificate rule, the gap alone ends the run.
            var apg = new AcceleratedProximalGradient(AcceleratedProximalGradient.FIXED, Restart.NONE,
                    new Stopping(Double.POSITIVE_INFINITY, 5_000, 0, rule));
            var out = apg.run(ProximalOracles.values(LASSO), new double[] {-1, 2}, 1 / LIPSCHITZ, false, null,
                    (it, objective, certificate, step, seconds) -> iteration[0] = it + 1, null);
            String where = "every " + every;
            assertTrue(out.converged(), where);
            assertEquals("gap", out.stoppedBy(), where);
            assertEquals(0, out.iterations() % every, where + ": stopped at " + out.iterations());
            // Priced after iterations every, 2·every, ..., never at the start.
            assertEquals(out.iterations() / every, pricedAt.size(), where);
            for (int i = 0; i < pricedAt.size(); i++) assertEquals((i + 1) * every, pricedAt.get(i), where);
            Gap last = gap(out.x());
            assertTrue(last.within(1e-9), where);
            assertEquals(last.certificate(1e-9).value(), out.gap(), 0, where);
            // The gap bounds the distance: P is μ-strongly convex (μ = the least eigenvalue of A), ‖x − x*‖² ≤ 2(P − D)/μ.
            double mu = (3 - Math.sqrt(2)) / 2, dx = out.x()[0] - 1.25, dy = out.x()[1];
            assertTrue(dx * dx + dy * dy <= 2 * (last.primal() - last.dual()) / mu + 1e-30, where);
        }
    }

    @Test
    void aCertificateRuleAndTheGapMustBothHold() throws Exception {
        // The min-norm subgradient to 1e-20 is stricter than the gap to 1e-3: the run goes on past the first gap within.
        GapEvery loose = new GapEvery(4, 1e-3, o -> gap(o.x()));
        var both = new AcceleratedProximalGradient(AcceleratedProximalGradient.FIXED, Restart.NONE, new Stopping(1e-20, 5_000, 0, loose));
        var gapOnly = new AcceleratedProximalGradient(AcceleratedProximalGradient.FIXED, Restart.NONE,
                new Stopping(Double.POSITIVE_INFINITY, 5_000, 0, loose));
        var a = both.run(ProximalOracles.values(LASSO), new double[] {-1, 2}, 1 / LIPSCHITZ, false, null, null, null);
        var b = gapOnly.run(ProximalOracles.values(LASSO), new double[] {-1, 2}, 1 / LIPSCHITZ, false, null, null, null);
        assertTrue(a.converged() && b.converged());
        assertTrue(a.iterations() > b.iterations(), a.iterations() + " vs " + b.iterations());
        assertEquals(0, a.iterations() % 4);
        assertTrue(a.certificate() <= 1e-20);
        // The gap holds only where priced, so it is met last (or with the certificate).
        assertTrue(a.stoppedBy().equals("gap") || a.stoppedBy().equals("certificate and gap"), a.stoppedBy());
    }

    @Test
    void boundedBacktrackingReachesTheOptimumAndAResumedRunEndsTheSame() throws Exception {
        double floor = 1 / LIPSCHITZ;
        var policy = new BoundedBacktracking(floor, 64 * floor, 0.5, 1.25);
        for (Restart restart : new Restart[] {Restart.GRADIENT, Restart.FUNCTION_VALUE, Restart.NONE}) {
            var apg = new AcceleratedProximalGradient(policy, restart, new Stopping(1e-14, 5_000, 0, new GapEvery(7, 1e-12, o -> gap(o.x()))));
            List<State> states = new ArrayList<>();
            List<Double> steps = new ArrayList<>();
            Oracle o = ProximalOracles.values(LASSO);
            var whole = apg.run(o, new double[] {-1, 2}, policy.grow(floor), false, null,
                    (it, objective, certificate, step, seconds) -> steps.add(step), st -> states.add(copy(st)));
            assertTrue(whole.converged(), restart.toString());
            assertArrayEquals(new double[] {1.25, 0}, whole.x(), 1e-7, restart.toString());
            for (double s : steps) assertTrue(s >= floor && s <= 64 * floor, "step " + s);
            assertTrue(steps.stream().anyMatch(s -> s > floor), "some step above 1/L was taken");
            for (State at : List.of(states.get(2), states.get(states.size() / 2))) {
                var resumed = apg.run(ProximalOracles.values(LASSO), null, 0, false, at, null, null);
                assertEquals(whole.iterations(), resumed.iterations());
                assertArrayEquals(whole.x(), resumed.x(), 0);
            }
        }
    }

    @Test
    void boundedBacktrackingRules() {
        var p = new BoundedBacktracking(1, 8, 0.5, 1.25);
        assertEquals(1.25, p.grow(1), 0);
        assertEquals(8, p.grow(7), 0);
        assertEquals(1, p.shrink(1.5), 0);
        assertEquals(2, p.shrink(4), 0);
        assertEquals(1, p.nextBatch(8, 5), 0);
        // The floor passes untested; above it, the bound with a 1e-15 relative slack.
        assertFalse(p.tests(1));
        assertTrue(p.tests(1.0000001));
        assertTrue(p.accepts(2 + 1e-16, 1, 2, 1));
        assertFalse(p.accepts(2 + 1e-12, 1, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> new BoundedBacktracking(2, 1, 0.5, 1.25));
        assertThrows(IllegalArgumentException.class, () -> new GapEvery(0, 1e-3, o -> null));
        // The fixed step and scnn's backtracking test as before.
        assertFalse(AcceleratedProximalGradient.FIXED.tests(1));
        assertTrue(AcceleratedProximalGradient.Backtracking.SCNN.tests(1));
    }

    private static State copy(State s) {
        return new State(s.iteration(), s.x().clone(), s.y().clone(), new double[0][], new double[0][], s.step(), s.t(), s.objective(),
                s.smooth(), s.regularizer(), s.certificate(), s.single(), s.seconds(), s.stallBest(), s.stallBestAt());
    }
}
