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
import org.junit.jupiter.api.Test;

/**
 * The method on min ½‖x − c‖² s.t. x₁ + x₂ = 1, c = (1, 2), the equality as two inequalities h₁ = x₁ + x₂ − 1 ≥ 0,
 * h₂ = 1 − x₁ − x₂ ≥ 0. By hand: x* is c projected on the line, (0, 1); stationarity x − c = γ₁(1, 1) − γ₂(1, 1)
 * gives γ₂ − γ₁ = 1 (γ = (0, 1)). Inner solves: the shared accelerated proximal gradient loop on the penalised
 * objective f + (ρ/2) Σ max(0, γᵢ/ρ − hᵢ)² − Σ γᵢ²/(2ρ) (no regulariser).
 */
class AugmentedLagrangianTest {
    private static final double[] C = {1, 2};

    private static final AugmentedLagrangian.Program LINE = new AugmentedLagrangian.Program() {
        @Override public long constraintCount() { return 2; }
        @Override public double objective(double[] x) { return 0.5 * ((x[0] - C[0]) * (x[0] - C[0]) + (x[1] - C[1]) * (x[1] - C[1])); }

        @Override
        public void constraints(double[] x, double[] out) {
            out[0] = x[0] + x[1] - 1;
            out[1] = 1 - x[0] - x[1];
        }
    };

    private static Composite penalised(double[] gamma, double rho) {
        double[] dh = {1, -1}; // ∂hᵢ/∂x₁ = ∂hᵢ/∂x₂
        return new Composite() {
            @Override public int dimension() { return 2; }

            @Override
            public double smooth(double[] x, double[] grad) {
                double[] h = new double[2];
                LINE.constraints(x, h);
                double v = LINE.objective(x), pull = 0;
                for (int i = 0; i < 2; i++) {
                    double e = Math.max(0, gamma[i] / rho - h[i]);
                    v += rho / 2 * e * e - gamma[i] * gamma[i] / (2 * rho);
                    pull += rho * e * dh[i];
                }
                if (grad != null) for (int j = 0; j < 2; j++) grad[j] = x[j] - C[j] - pull;
                return v;
            }

            @Override public double regularizer(double[] x) { return 0; }
            @Override public void prox(double[] v, double step, double[] out) { System.arraycopy(v, 0, out, 0, 2); }
            @Override public double minNormSubgradientSquared(double[] x, double[] grad) { return grad[0] * grad[0] + grad[1] * grad[1]; }
        };
    }

    /** Inner solves on the shared loop; remembers the multipliers array (live: the method's final γ at the end). */
    private static final class Inner implements AugmentedLagrangian.InnerSolver<State> {
        double[] gamma;

        @Override
        public AugmentedLagrangian.Inner solve(double[] gamma, double rho, double[] x, double tolerance, double step, State resume,
                                               AugmentedLagrangian.InnerBoundary<State> boundary) throws java.io.IOException {
            this.gamma = gamma;
            var apg = new AcceleratedProximalGradient(Backtracking.SCNN, Restart.FUNCTION_VALUE, new Stopping(tolerance, 20_000, 0));
            var out = apg.run(ProximalOracles.values(penalised(gamma, rho)), x, step, false, resume, null,
                    boundary == null ? null : boundary::after);
            return new AugmentedLagrangian.Inner(out.x().clone(), out.certificate(), out.iterations(), out.step());
        }
    }

    private static final AugmentedLagrangian.Settings SETTINGS = new AugmentedLagrangian.Settings(1e-14, 60, 1e-14, 10, 1);

    @Test
    void meetsTheKktConditionsAtTheKnownSolution() throws Exception {
        Inner inner = new Inner();
        List<AugmentedLagrangian.Outer> outers = new ArrayList<>();
        var r = AugmentedLagrangian.solve(LINE, new double[] {5, -3}, SETTINGS, inner, outers::add, null, 0, null);
        assertTrue(r.converged(), "stationarity " + r.stationarity() + ", violation " + r.violation());
        assertEquals(outers.size(), r.outerIterations());
        assertArrayEquals(new double[] {0, 1}, r.x(), 1e-6);
        assertEquals(1, r.objective(), 1e-6); // ½(1² + 1²)
        // KKT at (x, γ), from the definitions: stationarity ∇f − Σγᵢ∇hᵢ = x − c − (γ₁ − γ₂)(1, 1), feasibility, γ ≥ 0.
        double[] g = inner.gamma, x = r.x();
        for (int j = 0; j < 2; j++) assertEquals(0, x[j] - C[j] - (g[0] - g[1]), 1e-6, "stationarity in x" + (j + 1));
        assertEquals(0, x[0] + x[1] - 1, 1e-7, "feasibility");
        assertTrue(g[0] >= 0 && g[1] >= 0);
        assertEquals(1, g[1] - g[0], 1e-6);
        // The reported residuals are the squared ones at the end: within the tolerance.
        assertTrue(r.stationarity() <= 1e-14 && r.violation() <= 1e-14);
        assertEquals(r.violation(), outers.get(outers.size() - 1).violation(), 0);
    }

    @Test
    void aSolveContinuedFromAnInnerBoundaryEndsAsTheUninterruptedOne() throws Exception {
        List<AugmentedLagrangian.State<State>> states = new ArrayList<>();
        var whole = AugmentedLagrangian.solve(LINE, new double[] {5, -3}, SETTINGS, new Inner(), null, null, 0,
                (st, seconds) -> states.add(new AugmentedLagrangian.State<>(st.outer(), st.gamma().clone(), st.rho(), st.lastViolation(),
                        st.innerTolerance(), st.innerBefore(), copy(st.inner()))));
        assertTrue(states.size() > 10);
        for (var at : List.of(states.get(1), states.get(states.size() / 2), states.get(states.size() - 1))) {
            var resumed = AugmentedLagrangian.solve(LINE, new double[] {5, -3}, SETTINGS, new Inner(), null, at, 0, null);
            assertArrayEquals(whole.x(), resumed.x(), 0);
            assertEquals(whole.innerIterations(), resumed.innerIterations());
            assertEquals(whole.outerIterations(), resumed.outerIterations());
        }
    }

    private static State copy(State s) {
        return new State(s.iteration(), s.x().clone(), s.y().clone(), new double[0][], new double[0][], s.step(), s.t(), s.objective(),
                s.smooth(), s.regularizer(), s.certificate(), s.single(), s.seconds(), s.stallBest(), s.stallBestAt());
    }

    /**
     * min ½(x − 2)² s.t. x ≥ 0 (optimum x = 2, the constraint slack) from a warm start whose multiplier γ = 5 is wrong.
     * Solved exactly, the penalised problem gives x = 3.5 and γ' = 1.5: stationary for γ' and feasible, but
     * γ'·h = 5.25, above the optimum by 1.125. The method must not stop there: slackness is part of its rule.
     */
    @Test
    void aStaleMultiplierDoesNotStopTheMethodAboveTheOptimum() throws java.io.IOException {
        AugmentedLagrangian.Program ray = new AugmentedLagrangian.Program() {
            @Override public long constraintCount() { return 1; }
            @Override public double objective(double[] x) { return 0.5 * (x[0] - 2) * (x[0] - 2); }
            @Override public void constraints(double[] x, double[] out) { out[0] = x[0]; }
        };
        // The penalised problem's exact minimiser: x = 2 where 2 ≥ γ/ρ, else (2 + γ)/(1 + ρ) (then below γ/ρ).
        AugmentedLagrangian.InnerSolver<Void> exact = (gamma, rho, x, tol, step, resume, boundary) -> {
            double t = 2 >= gamma[0] / rho ? 2 : (2 + gamma[0]) / (1 + rho);
            return new AugmentedLagrangian.Inner(new double[] {t}, 0, 1, step);
        };
        AugmentedLagrangian.Settings s = new AugmentedLagrangian.Settings(1e-10, 20, 1e-10, 1, 1);
        AugmentedLagrangian.State<Void> warm = new AugmentedLagrangian.State<>(1, new double[] {5}, 1, Double.POSITIVE_INFINITY, 1e-10, 0, null);
        AugmentedLagrangian.Result r = AugmentedLagrangian.solve(ray, new double[] {0}, s, exact, null, warm, 0, null);
        assertTrue(r.converged());
        assertEquals(2, r.outerIterations(), "the first step ends stationary and feasible but not complementary");
        assertEquals(5.25 * 5.25, r.log().get(0).slackness(), 1e-12);
        assertEquals(0, r.log().get(0).violation());
        assertEquals(2, r.x()[0], 1e-15);
        assertEquals(0, r.objective(), 1e-15);
        assertEquals(0, r.slackness(), 0);
    }
}
