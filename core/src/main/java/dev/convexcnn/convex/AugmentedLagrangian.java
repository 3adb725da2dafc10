package dev.convexcnn.convex;

import dev.convexcnn.io.ModelFormatException;
import dev.convexcnn.io.SolverCheckpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
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

    /**
     * The method inside an outer step's inner solve: the outer counters and multipliers that step uses, and the inner
     * solver's state. The arrays are live: copy before keeping.
     */
    public record State(int outer, double[] gamma, double rho, double lastViolation, double innerTolerance, int innerBefore,
                        RFista.State inner) {
        public void save(SolverCheckpoint c, String prefix) {
            c.whole(prefix + "outer", outer).put(prefix + "gamma", gamma).real(prefix + "rho", rho)
                    .real(prefix + "lastViolation", lastViolation).real(prefix + "innerTolerance", innerTolerance)
                    .whole(prefix + "innerBefore", innerBefore);
            inner.save(c, prefix + "inner.");
        }

        /** The state saved under prefix, for a program with d variables and m constraints. */
        public static State load(SolverCheckpoint c, String prefix, int d, int m) throws ModelFormatException {
            return new State((int) c.whole(prefix + "outer", 1, Integer.MAX_VALUE), c.doubles(prefix + "gamma", m), c.real(prefix + "rho"),
                    c.real(prefix + "lastViolation"), c.real(prefix + "innerTolerance"),
                    (int) c.whole(prefix + "innerBefore", 0, Integer.MAX_VALUE), RFista.State.load(c, prefix + "inner.", d, false));
        }
    }

    /** Called after each inner iteration with the state (to save it); may stop the solve by throwing. */
    @FunctionalInterface
    public interface Boundary {
        void after(State state) throws IOException;
    }

    public static Result solve(ConstrainedProgram program, double[] x0, Settings s, Consumer<Outer> listener) {
        try {
            return solve(program, x0, s, listener, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no boundary: cannot happen
        }
    }

    /** {@link #solve} continued from {@code start} (null: from x0), with {@code boundary} (may be null). */
    public static Result solve(ConstrainedProgram program, double[] x0, Settings s, Consumer<Outer> listener, State start,
                               Boundary boundary) throws IOException {
        long t0 = System.nanoTime() - (start != null ? (long) (start.inner().seconds() * 1e9) : 0);
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
        int first = 1;
        if (start != null) {
            first = start.outer();
            gamma = start.gamma().clone();
            rho = start.rho();
            lastViolation = start.lastViolation();
            tolNow = start.innerTolerance();
            innerTotal = start.innerBefore();
        }
        for (int outer = first; outer <= s.maxOuter(); outer++) {
            // Warm start: the last point, and the last accepted step (so the line search need not shrink from 10).
            final int o = outer, before = innerTotal;
            final double[] g = gamma;
            final double r = rho, lv = lastViolation, tn = tolNow;
            RFista.State resumeInner = start != null && outer == first ? start.inner() : null;
            // The state carries the whole run's seconds, not the inner solve's.
            inner = RFista.solve(program.withMultipliers(gamma, rho), x,
                    new RFista.Settings(tolNow, s.inner().maxIterations(), step), null, resumeInner,
                    boundary == null ? null : st -> boundary.after(new State(o, g, r, lv, tn, before, st.withSeconds((System.nanoTime() - t0) / 1e9))));
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
