package dev.convexcnn.convex;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The exact ReLU program by the augmented Lagrangian method: each outer step solves the penalised problem by
 * {@link RFista} from the last point, then updates the multipliers γ ← max(0, γ − ρ h(x)) and doubles ρ when
 * the violation did not fall to a quarter. It stops when the inner certificate and the squared violation are
 * both at most the tolerance. The KKT residual it reports: stationarity (the inner certificate), feasibility
 * (Σ max(0, −h)²) and complementary slackness (Σ (γ·h)²).
 */
public final class AugmentedLagrangian {
    public record Settings(double tolerance, int maxOuter, RFista.Settings inner, double initialRho) {
        public Settings {
            if (!(tolerance > 0)) throw new IllegalArgumentException("tolerance must be > 0");
            if (maxOuter <= 0) throw new IllegalArgumentException("outer iterations must be > 0");
            if (!(initialRho > 0)) throw new IllegalArgumentException("rho must be > 0");
        }

        public static Settings defaults() {
            return new Settings(1e-6, 50, new RFista.Settings(1e-6, 2_000, 10), 1.0);
        }
    }

    public record Outer(int outer, int innerIterations, double objective, double stationarity, double violation,
                        double slackness, double rho, double seconds) {}

    public record Result(double[] x, double objective, double stationarity, double violation, double slackness,
                         boolean converged, int outerIterations, int innerIterations, List<Outer> log) {}

    private AugmentedLagrangian() {}

    public static Result solve(ExactReluProgram program, double[] x0, Settings s, Consumer<Outer> listener) {
        long t0 = System.nanoTime();
        int m = (int) program.constraintCount();
        double[] gamma = new double[m], h = new double[m];
        double[] x = x0.clone();
        double rho = s.initialRho(), lastViolation = Double.POSITIVE_INFINITY;
        List<Outer> log = new ArrayList<>();
        int innerTotal = 0;
        RFista.Result inner = null;
        double violation = Double.NaN, slack = Double.NaN;
        for (int outer = 1; outer <= s.maxOuter(); outer++) {
            inner = RFista.solve(program.withMultipliers(gamma, rho), x, s.inner(), null);
            innerTotal += inner.iterations();
            x = inner.x();
            program.constraints(x, h);
            violation = program.violation(h);
            slack = 0;
            for (int i = 0; i < m; i++) {
                double gNew = Math.max(0, gamma[i] - rho * h[i]);
                slack += (gNew * h[i]) * (gNew * h[i]);
                gamma[i] = gNew;
            }
            Outer rec = new Outer(outer, inner.iterations(), program.objective(x), inner.certificate(), violation, slack,
                    rho, (System.nanoTime() - t0) / 1e9);
            log.add(rec);
            if (listener != null) listener.accept(rec);
            if (inner.certificate() <= s.tolerance() && violation <= s.tolerance()) {
                return new Result(x, rec.objective(), inner.certificate(), violation, slack, true, outer, innerTotal, log);
            }
            if (violation > 0.25 * lastViolation) rho *= 2;
            lastViolation = violation;
        }
        return new Result(x, program.objective(x), inner.certificate(), violation, slack, false, s.maxOuter(), innerTotal, log);
    }
}
