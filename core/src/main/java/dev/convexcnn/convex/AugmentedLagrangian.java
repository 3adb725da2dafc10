package dev.convexcnn.convex;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The exact ReLU program by the augmented Lagrangian method: each outer step solves the penalised problem by
 * {@link RFista} from the last point, then updates the multipliers γ ← max(0, γ − ρ h(x)) and doubles ρ (up to
 * 1024 times its start) when the squared violation did not halve and is still above the tolerance.
 * ρ starts at initialRho × {@link ConstrainedProgram#penaltyScale()}. The inner solves are inexact at first: the
 * inner tolerance starts at 1000 × the inner setting and falls tenfold per step (never below the current
 * violation, never below the setting), since solving the penalised problem exactly for multipliers that are
 * still wrong is wasted work. It stops when the inner certificate and the squared violation are both at most
 * the tolerance. The KKT residual it reports: stationarity (the inner certificate,
 * which is the Lagrangian's for the updated multipliers), feasibility (Σ max(0, −h)²) and complementary
 * slackness (Σ (γ·h)²).
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

    private static final double MAX_RHO_FACTOR = 1024;
    /** The first inner tolerance, as a multiple of the inner setting. */
    private static final double INEXACT_START = 1000;

    private AugmentedLagrangian() {}

    public static Result solve(ConstrainedProgram program, double[] x0, Settings s, Consumer<Outer> listener) {
        long t0 = System.nanoTime();
        int m = (int) program.constraintCount();
        double[] gamma = new double[m], h = new double[m];
        double[] x = x0.clone();
        double rho0 = s.initialRho() * program.penaltyScale();
        if (!(rho0 > 0) || Double.isInfinite(rho0)) throw new IllegalStateException("penalty scale must be finite and > 0, got " + rho0);
        double rho = rho0, lastViolation = Double.POSITIVE_INFINITY;
        double innerTol = s.inner().tolerance(), tolNow = INEXACT_START * innerTol;
        List<Outer> log = new ArrayList<>();
        int innerTotal = 0;
        double step = s.inner().initialStep();
        RFista.Result inner = null;
        double violation = Double.NaN, slack = Double.NaN;
        for (int outer = 1; outer <= s.maxOuter(); outer++) {
            // Warm start: the last point, and the last accepted step (so the line search need not shrink from 10).
            inner = RFista.solve(program.withMultipliers(gamma, rho), x,
                    new RFista.Settings(tolNow, s.inner().maxIterations(), step), null);
            step = inner.step();
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
            // The multipliers do the work; ρ grows only when the violation stops falling, and stays bounded,
            // since a large ρ makes the inner problem ill-conditioned and the certificate hard to reach.
            if (violation > s.tolerance() && violation > 0.5 * lastViolation && rho < MAX_RHO_FACTOR * rho0) {
                rho *= 2;
            }
            lastViolation = violation;
            tolNow = Math.max(innerTol, Math.min(tolNow / 10, violation));
        }
        return new Result(x, program.objective(x), inner.certificate(), violation, slack, false, s.maxOuter(), innerTotal, log);
    }
}
