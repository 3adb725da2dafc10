package dev.convexcnn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.optim.AcceleratedProximalGradient.Backtracking;
import dev.convexcnn.optim.AcceleratedProximalGradient.Oracle;
import dev.convexcnn.optim.AcceleratedProximalGradient.Restart;
import dev.convexcnn.optim.AcceleratedProximalGradient.State;
import dev.convexcnn.optim.AcceleratedProximalGradient.StepPolicy;
import dev.convexcnn.optim.AcceleratedProximalGradient.Stopping;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The loop against a two-variable lasso, ½xᵀAx − ⟨b, x⟩ + λ‖x‖₁ with A = [[2, ½], [½, 1]], b = (3, 0.2), λ = ½,
 * whose minimiser (5/4, 0) follows from the optimality conditions by hand: with x₂ = 0, 2x₁ − 3 + ½ = 0, and then
 * |(Ax − b)₂| = |5/8 − 0.2| = 0.425 ≤ λ. Every oracle, step and restart policy must land there.
 */
class AcceleratedProximalGradientTest {
    private static final double[][] A = {{2, 0.5}, {0.5, 1}};
    /** A = MᵀM, M upper triangular (Cholesky). */
    private static final double[][] M = {{Math.sqrt(2), 0.5 / Math.sqrt(2)}, {0, Math.sqrt(1 - 0.125)}};
    private static final double[] B = {3, 0.2};
    private static final double LAMBDA = 0.5;
    private static final double[] OPTIMUM = {1.25, 0};

    /** The lasso, as a factored quadratic (so one object serves all three oracles). */
    private static final class Lasso implements Factored {
        @Override public int dimension() { return 2; }
        @Override public int rows() { return 2; }
        @Override public double scale() { return 1; }
        @Override public double[] linearTerm() { return B; }
        @Override public double constant() { return 0; }

        @Override
        public void forward(double[] x, double[] mx, boolean single) {
            for (int i = 0; i < 2; i++) mx[i] = round(M[i][0] * x[0] + M[i][1] * x[1], single);
        }

        @Override
        public void adjoint(double[] u, double[] out, boolean single) {
            for (int j = 0; j < 2; j++) out[j] = round(M[0][j] * u[0] + M[1][j] * u[1], single);
        }

        @Override
        public void products(double[][] xs, int count, double[][] out, boolean single) {
            for (int k = 0; k < count; k++) {
                for (int i = 0; i < 2; i++) out[k][i] = round(A[i][0] * xs[k][0] + A[i][1] * xs[k][1], single);
            }
        }

        @Override
        public double regularizer(double[] x) { return LAMBDA * (Math.abs(x[0]) + Math.abs(x[1])); }

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

        private static double round(double v, boolean single) { return single ? (float) v : v; }
    }

    /** A plain composite (no products) over the same lasso: f from its own formula. */
    private static Composite values(Lasso q) {
        return new Composite() {
            @Override public int dimension() { return 2; }

            @Override
            public double smooth(double[] x, double[] grad) {
                double[] ax = {A[0][0] * x[0] + A[0][1] * x[1], A[1][0] * x[0] + A[1][1] * x[1]};
                if (grad != null) for (int i = 0; i < 2; i++) grad[i] = ax[i] - B[i];
                return (x[0] * ax[0] + x[1] * ax[1]) / 2 - B[0] * x[0] - B[1] * x[1];
            }

            @Override public double regularizer(double[] x) { return q.regularizer(x); }
            @Override public void prox(double[] v, double step, double[] out) { q.prox(v, step, out); }
            @Override public double minNormSubgradientSquared(double[] x, double[] grad) { return q.minNormSubgradientSquared(x, grad); }
        };
    }

    private static List<Supplier<Oracle>> oracles() {
        Lasso q = new Lasso();
        return List.of(() -> ProximalOracles.values(values(q)), () -> ProximalOracles.products(q), () -> ProximalOracles.factored(q));
    }

    /** The optimality conditions at x, with the gradient Ax − b computed here. */
    private static void optimal(double[] x, String where) {
        double[] g = {A[0][0] * x[0] + A[0][1] * x[1] - B[0], A[1][0] * x[0] + A[1][1] * x[1] - B[1]};
        assertEquals(-LAMBDA * Math.signum(x[0]), g[0], 1e-6, where + ": stationarity in x₁");
        assertEquals(0, x[1], 1e-12, where + ": x₂ at zero");
        assertTrue(Math.abs(g[1]) <= LAMBDA, where + ": |∇₂f| ≤ λ, got " + g[1]);
        assertArrayEquals(OPTIMUM, x, 1e-6, where);
    }

    @Test
    void everyOracleAndPolicyReachesTheLassoOptimum() throws Exception {
        // L = largest eigenvalue of A = (3 + √2)/2; 1/L is the fixed step.
        double lipschitz = (3 + Math.sqrt(2)) / 2;
        int k = 0;
        for (Supplier<Oracle> oracle : oracles()) {
            for (StepPolicy step : new StepPolicy[] {Backtracking.SCNN, new Backtracking(0.5, 2), AcceleratedProximalGradient.FIXED}) {
                for (Restart restart : Restart.values()) {
                    for (boolean single : oracle.get() instanceof ProximalOracles.Values ? new boolean[] {false} : new boolean[] {false, true}) {
                        String where = "oracle " + k + ", " + step + ", " + restart + ", single " + single;
                        var apg = new AcceleratedProximalGradient(step, restart, new Stopping(1e-14, 5_000, 0));
                        double first = step == AcceleratedProximalGradient.FIXED ? 1 / lipschitz : 10;
                        var out = apg.run(oracle.get(), new double[] {-1, 2}, first, single, null, null, null);
                        assertTrue(out.converged(), where + ": certificate " + out.certificate());
                        assertEquals("certificate", out.stoppedBy(), where);
                        optimal(out.x(), where);
                        // F at the optimum: ½·2·(5/4)² − 3·5/4 + ½·5/4 = −25/16.
                        assertEquals(-25.0 / 16, out.objective(), 1e-12, where);
                    }
                }
            }
            k++;
        }
    }

    @Test
    void aRunContinuedFromAnyStateEndsAsTheUninterruptedOne() throws Exception {
        var apg = new AcceleratedProximalGradient(Backtracking.SCNN, Restart.FUNCTION_VALUE, new Stopping(1e-14, 5_000, 0));
        for (Supplier<Oracle> oracle : oracles()) {
            List<State> states = new ArrayList<>();
            var whole = apg.run(oracle.get(), new double[] {-1, 2}, 10, false, null, null, st -> states.add(copy(st)));
            assertTrue(states.size() > 5, "a run of some length, got " + states.size());
            for (State at : List.of(states.get(0), states.get(states.size() / 2))) {
                var resumed = apg.run(oracle.get(), null, 10, false, at, null, null);
                assertEquals(whole.iterations(), resumed.iterations());
                assertArrayEquals(whole.x(), resumed.x(), 0);
                assertEquals(whole.objective(), resumed.objective(), 0);
            }
        }
    }

    private static State copy(State s) {
        double[][] xi = new double[s.xImages().length][], yi = new double[s.yImages().length][];
        for (int i = 0; i < xi.length; i++) {
            xi[i] = s.xImages()[i].clone();
            yi[i] = s.yImages()[i].clone();
        }
        return new State(s.iteration(), s.x().clone(), s.y().clone(), xi, yi, s.step(), s.t(), s.objective(), s.smooth(),
                s.regularizer(), s.certificate(), s.single(), s.seconds(), s.stallBest(), s.stallBestAt());
    }

    @Test
    void policiesAndRules() {
        // Two shrinks in one batch are the decimal square of the factor (0.8 → 0.64), one per trial otherwise.
        assertEquals(10 * 0.64, Backtracking.SCNN.nextBatch(10, 2), 0);
        assertEquals(10 * 0.8, Backtracking.SCNN.nextBatch(10, 1), 0);
        assertEquals(12.5, Backtracking.SCNN.grow(10), 0);
        // Guided growth: the grown step is tried only when the curvature along the accepted move lets it pass.
        assertEquals(12.5, Backtracking.SCNN.grow(10, 1), 0);
        assertEquals(12.5, Backtracking.SCNN_GUIDED.grow(10, 0.08), 0);
        assertEquals(10, Backtracking.SCNN_GUIDED.grow(10, 0.081), 0);
        assertEquals(12.5, Backtracking.SCNN_GUIDED.grow(10, Double.NaN), 0);
        assertTrue(Restart.FUNCTION_VALUE.restart(null, 1e-300) && !Restart.FUNCTION_VALUE.restart(null, 0) && !Restart.NONE.restart(null, 1));
        assertThrows(IllegalArgumentException.class, () -> new Backtracking(1.2, 1.25));
        assertThrows(IllegalArgumentException.class, () -> new Stopping(-1, 10, 0));
        // A gap rule needs a program with a gap.
        var apg = new AcceleratedProximalGradient(Backtracking.SCNN, Restart.FUNCTION_VALUE, new Stopping(1e-10, 10, 1e-3));
        assertThrows(IllegalArgumentException.class,
                () -> apg.run(ProximalOracles.products(new Lasso()), new double[2], 10, false, null, null, null));
    }
}
