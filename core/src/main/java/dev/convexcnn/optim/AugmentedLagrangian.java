package dev.convexcnn.optim;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The augmented Lagrangian method for min F(x) s.t. h(x) ≥ 0, written once over the program ({@link Program}) and
 * the solver of its penalised problems ({@link InnerSolver}): each outer step solves the penalised problem for the
 * multipliers γ and penalty ρ from the last point (warm step), then updates γ ← max(0, γ − ρ·h(x)) and doubles ρ
 * (up to 1024 times its start) when the squared violation did not halve and is still above the tolerance. ρ starts
 * at initialRho × {@link Program#penaltyScale()}. The inner solves are inexact at first: the inner tolerance starts
 * at 1000 × the inner setting and falls tenfold per step (never below the current violation, never below the
 * setting), since solving the penalised problem exactly for multipliers that are still wrong is wasted work. It
 * stops when the whole KKT residual is within the tolerance: stationarity (the inner certificate, which is the
 * Lagrangian's for the updated multipliers), feasibility (Σ max(0, −h)²) and complementary slackness (Σ (γ·h)²),
 * each squared. Without the last, multipliers left on constraints that no longer bind (a warm start's) can
 * satisfy the first two at a point above the optimum.
 */
public final class AugmentedLagrangian {

    /** What the method reads of the program between inner solves. */
    public interface Program {
        long constraintCount();

        /** F(x), ignoring the constraints. */
        double objective(double[] x);

        /** Writes h(x) into out. */
        void constraints(double[] x, double[] out);

        /** Σ max(0, −h)²: how far x is from feasible. */
        default double violation(double[] hValues) {
            double v = 0;
            for (double hv : hValues) if (hv < 0) v += hv * hv;
            return v;
        }

        /**
         * The penalty ρ at which the penalty's curvature matches the objective's, the unit in which the method reads
         * its initial ρ. 1 unless the program can estimate it: a ρ far above it makes every inner solve
         * ill-conditioned (small steps), one far below it makes the multipliers converge slowly.
         */
        default double penaltyScale() { return 1; }
    }

    /** An inner solve's end: its point, its certificate (stationarity of the penalised problem), iterations, last step. */
    public record Inner(double[] x, double certificate, int iterations, double step) {}

    /** Called with the inner solver's state at its iteration boundaries; may stop the solve by throwing. */
    @FunctionalInterface
    public interface InnerBoundary<S> {
        void after(S state) throws IOException;
    }

    /**
     * Solves the penalised problem for (γ, ρ) (γ live: not to be kept) from x to the tolerance, its first step
     * step; continues resume when not null; reports its states to boundary when not null.
     */
    @FunctionalInterface
    public interface InnerSolver<S> {
        Inner solve(double[] gamma, double rho, double[] x, double tolerance, double step, S resume, InnerBoundary<S> boundary)
                throws IOException;
    }

    /** The outer tolerance and steps, the inner solves' tolerance and first step, the initial ρ (in penaltyScale units). */
    public record Settings(double tolerance, int maxOuter, double innerTolerance, double initialStep, double initialRho) {
        public Settings {
            if (!(tolerance > 0)) throw new IllegalArgumentException("tolerance must be > 0");
            if (maxOuter <= 0) throw new IllegalArgumentException("outer iterations must be > 0");
            if (!(initialRho > 0)) throw new IllegalArgumentException("rho must be > 0");
        }
    }

    public record Outer(int outer, int innerIterations, double objective, double stationarity, double violation,
                        double slackness, double rho, double seconds) {}

    /** The end: x, its figures, and the multipliers and ρ after the last update (to warm-start a related solve). */
    public record Result(double[] x, double objective, double stationarity, double violation, double slackness,
                         boolean converged, int outerIterations, int innerIterations, List<Outer> log, double[] multipliers,
                         double rho) {}

    /**
     * The method inside an outer step's inner solve: the outer counters and multipliers that step uses, and the inner
     * solver's state. The arrays are live: copy before keeping.
     */
    public record State<S>(int outer, double[] gamma, double rho, double lastViolation, double innerTolerance, int innerBefore,
                           S inner) {}

    /** Called at the inner solver's boundaries with the method's state and the run's seconds so far. */
    @FunctionalInterface
    public interface Boundary<S> {
        void after(State<S> state, double seconds) throws IOException;
    }

    private static final double MAX_RHO_FACTOR = 1024;
    /** The first inner tolerance, as a multiple of the inner setting. */
    private static final double INEXACT_START = 1000;

    private AugmentedLagrangian() {}

    /**
     * Runs from x0, or continues start (null: none), whose run had taken secondsBefore; listener and boundary may
     * be null.
     */
    public static <S> Result solve(Program program, double[] x0, Settings s, InnerSolver<S> solver, Consumer<Outer> listener,
                                   State<S> start, double secondsBefore, Boundary<S> boundary) throws IOException {
        long t0 = System.nanoTime() - (long) (secondsBefore * 1e9);
        int m = (int) program.constraintCount();
        double[] gamma = new double[m], h = new double[m];
        double[] x = x0.clone();
        double rho0 = s.initialRho() * program.penaltyScale();
        if (!(rho0 > 0) || Double.isInfinite(rho0)) throw new IllegalStateException("penalty scale must be finite and > 0, got " + rho0);
        double rho = rho0, lastViolation = Double.POSITIVE_INFINITY;
        double innerTol = s.innerTolerance(), tolNow = INEXACT_START * innerTol;
        List<Outer> log = new ArrayList<>();
        int innerTotal = 0;
        double step = s.initialStep();
        Inner inner = null;
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
            // Warm start: the last point, and the last accepted step (so the line search need not shrink from the first).
            final int o = outer, before = innerTotal;
            final double[] g = gamma;
            final double r = rho, lv = lastViolation, tn = tolNow;
            S resumeInner = start != null && outer == first ? start.inner() : null;
            inner = solver.solve(gamma, rho, x, tolNow, step, resumeInner, boundary == null ? null
                    : st -> boundary.after(new State<>(o, g, r, lv, tn, before, st), (System.nanoTime() - t0) / 1e9));
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
            if (inner.certificate() <= s.tolerance() && violation <= s.tolerance() && slack <= s.tolerance()) {
                return new Result(x, rec.objective(), inner.certificate(), violation, slack, true, outer, innerTotal, log, gamma, rho);
            }
            // The multipliers do the work; ρ grows only when the violation stops falling, and stays bounded,
            // since a large ρ makes the inner problem ill-conditioned and the certificate hard to reach.
            if (violation > s.tolerance() && violation > 0.5 * lastViolation && rho < MAX_RHO_FACTOR * rho0) {
                rho *= 2;
            }
            lastViolation = violation;
            tolNow = Math.max(innerTol, Math.min(tolNow / 10, violation));
        }
        return new Result(x, program.objective(x), inner.certificate(), violation, slack, false, s.maxOuter(), innerTotal, log, gamma, rho);
    }
}
