package dev.convexcnn.convex;

import dev.convexcnn.io.ModelFormatException;
import dev.convexcnn.io.SolverCheckpoint;
import dev.convexcnn.optim.AcceleratedProximalGradient;
import dev.convexcnn.optim.GroupLasso;
import dev.convexcnn.optim.ProximalOracles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * R-FISTA, as scnn runs it: accelerated proximal gradient with a backtracking line search (start from step
 * 10, shrink by 0.8 until the quadratic upper bound holds, try 1.25× the last step next time) and a momentum
 * restart whenever the objective goes up. It stops when the squared norm of the minimum-norm subgradient at the
 * iterate is at most the tolerance: a certificate of optimality, not just a stalled loss.
 * <p>
 * The factored solver ({@link FactoredQuadratic}, e.g. the GEMM form) departs from scnn in the steps it prices,
 * not in the test they pass: a growth that the curvature along the last accepted move says would fail is not
 * tried, and steps that a failed trial from the point 0 proves too long are skipped.
 */
public final class RFista {
    /**
     * Solver settings. scnn's defaults: tol 1e-6, 10,000 iterations. gapTolerance &gt; 0 adds a second rule for
     * the quadratic solver on a group-lasso least-squares program: the relative duality gap must be at most it as
     * well ({@link GroupLasso#relativeGap}); 0 leaves the certificate alone.
     */
    public record Settings(double tolerance, int maxIterations, double initialStep, double gapTolerance, boolean screening) {
        public Settings {
            if (!(tolerance > 0)) throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
            if (maxIterations <= 0) throw new IllegalArgumentException("iterations must be > 0, got " + maxIterations);
            if (!(initialStep > 0)) throw new IllegalArgumentException("initial step must be > 0");
            if (!(gapTolerance >= 0)) throw new IllegalArgumentException("gap tolerance must be >= 0, got " + gapTolerance);
        }

        public Settings(double tolerance, int maxIterations, double initialStep, double gapTolerance) {
            this(tolerance, maxIterations, initialStep, gapTolerance, false);
        }

        public Settings(double tolerance, int maxIterations, double initialStep) {
            this(tolerance, maxIterations, initialStep, 0);
        }

        /**
         * The same settings with screening on or off: the factored solver's products with Mᵀ over a working set of
         * groups between checks ({@link ProximalOracles.Screening}), where the program allows it and no gap
         * tolerance is set (the gap rule needs the whole gradient every iteration).
         */
        public Settings withScreening(boolean on) {
            return new Settings(tolerance, maxIterations, initialStep, gapTolerance, on);
        }

        public static Settings defaults() { return new Settings(1e-6, 10_000, 10); }
    }

    /** One iteration's record. */
    public record Iteration(int iteration, double objective, double certificate, double step, double seconds) {}

    /**
     * The solution, its objective and certificate, and the log; gap is the relative duality gap at x (NaN where
     * the program has none), stoppedBy the rule that ended the solve: "certificate", "gap" (the rule met last, when
     * both are asked for) or "iteration cap".
     */
    public record Result(double[] x, double objective, double certificate, int iterations, boolean converged,
                         double step, List<Iteration> log, double gap, String stoppedBy) {
        public Result(double[] x, double objective, double certificate, int iterations, boolean converged,
                      double step, List<Iteration> log) {
            this(x, objective, certificate, iterations, converged, step, log, Double.NaN,
                    converged ? "certificate" : "iteration cap");
        }
    }

    private RFista() {}

    /**
     * The solver between two iterations: everything the next iteration reads, so that a solve continued from it
     * ends as the uninterrupted one, bit for bit. The arrays are the solver's own (live): copy before keeping.
     * ax and ay (the products of x and y) are null for {@link #solve}; objective is f(x) + r(x) there, and for
     * {@link #solveQuadratic} smooth and regularizer hold f(x) and r(x) apart; single is whether the products are
     * still float ones. mx and my (M·x and M·y of a {@link FactoredQuadratic}) are null except in the factored solver;
     * there y's products are combinations of earlier ones, not a product of y, so they are kept, not recomputed.
     */
    public record State(int iteration, double[] x, double[] ax, double[] y, double[] ay, double[] mx, double[] my,
                        double step, double t, double objective, double smooth, double regularizer, double certificate,
                        boolean single, double seconds, double stallBest, int stallBestAt) {

        /** The generic solver's state (no products, no stall watch): iterate, extrapolated point, momentum, next step. */
        public State(int iteration, double[] x, double[] y, double t, double step, double objective, double certificate) {
            this(iteration, x, null, y, null, null, null, step, t, objective, Double.NaN, Double.NaN, certificate, false, 0,
                    Double.POSITIVE_INFINITY, 0);
            if (x.length != y.length) throw new IllegalArgumentException("x and y differ in length: " + x.length + " and " + y.length);
        }

        /** The same state with the run's seconds so far in place of seconds. */
        public State withSeconds(double s) {
            return new State(iteration, x, ax, y, ay, mx, my, step, t, objective, smooth, regularizer, certificate, single, s,
                    stallBest, stallBestAt);
        }

        /** Puts the state into a checkpoint under names starting with prefix (the arrays are copied). */
        public void save(SolverCheckpoint c, String prefix) {
            c.whole(prefix + "iteration", iteration).put(prefix + "x", x).put(prefix + "y", y)
                    .real(prefix + "step", step).real(prefix + "t", t).real(prefix + "objective", objective)
                    .real(prefix + "smooth", smooth).real(prefix + "regularizer", regularizer)
                    .real(prefix + "certificate", certificate).whole(prefix + "single", single ? 1 : 0).real(prefix + "seconds", seconds)
                    // The float phase's stall watch: its best certificate so far (-1: none yet) and when.
                    .real(prefix + "stallBest", Double.isInfinite(stallBest) ? -1 : stallBest).whole(prefix + "stallBestAt", stallBestAt);
            if (ax != null) c.put(prefix + "ax", ax).put(prefix + "ay", ay);
            if (mx != null) c.put(prefix + "mx", mx).put(prefix + "my", my);
        }

        /** The state saved under prefix, for a problem of dimension d; quadratic: with the products. */
        public static State load(SolverCheckpoint c, String prefix, int d, boolean quadratic) throws ModelFormatException {
            return load(c, prefix, d, quadratic, 0);
        }

        /**
         * The state saved under prefix, for a problem of dimension d; quadratic: with the products; rows &gt; 0: a
         * {@link FactoredQuadratic}'s state, with M·x and M·y of that length.
         */
        public static State load(SolverCheckpoint c, String prefix, int d, boolean quadratic, int rows) throws ModelFormatException {
            return new State((int) c.whole(prefix + "iteration", 0, Integer.MAX_VALUE), c.doubles(prefix + "x", d),
                    quadratic ? c.doubles(prefix + "ax", d) : null, c.doubles(prefix + "y", d), quadratic ? c.doubles(prefix + "ay", d) : null,
                    rows > 0 ? c.doubles(prefix + "mx", rows) : null, rows > 0 ? c.doubles(prefix + "my", rows) : null,
                    c.real(prefix + "step"), c.real(prefix + "t"), c.real(prefix + "objective"), c.real(prefix + "smooth"),
                    c.real(prefix + "regularizer"), c.real(prefix + "certificate"), c.whole(prefix + "single", 0, 1) == 1,
                    c.real(prefix + "seconds"), stallBest(c.real(prefix + "stallBest")), (int) c.whole(prefix + "stallBestAt", 0, Integer.MAX_VALUE));
        }

        private static double stallBest(double saved) {
            return saved < 0 ? Double.POSITIVE_INFINITY : saved;
        }
    }

    /** Called after each iteration with the state (to save it); may stop the solve by throwing. */
    @FunctionalInterface
    public interface Boundary {
        void after(State state) throws IOException;
    }

    /**
     * Arithmetic of {@link #solveQuadratic}'s products: all double, or float products for the iterations with the
     * stopping certificate always recomputed from a double product (and the iterations continued in double when it
     * does not hold there).
     */
    public enum Precision {
        DOUBLE, MIXED;

        public String id() { return name().toLowerCase(java.util.Locale.ROOT); }

        public static Precision parse(String s) {
            for (Precision p : values()) if (p.id().equals(s.trim().toLowerCase(java.util.Locale.ROOT))) return p;
            throw new IllegalArgumentException("solver precision must be double or mixed, got '" + s + "'");
        }
    }

    public static Result solve(CompositeObjective obj, double[] x0, Settings s, Consumer<Iteration> listener) {
        try {
            return solve(obj, x0, s, listener, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no boundary: cannot happen
        }
    }

    /**
     * {@link #solve} continued from {@code resume} (null: from x0), handing a copy of the state after each iteration
     * to {@code onState} (for a checkpoint kept by the caller, e.g. Spark's driver).
     */
    public static Result solve(CompositeObjective obj, double[] x0, State resume, Settings s, Consumer<Iteration> listener,
                               Consumer<State> onState) {
        if (resume != null && resume.x().length != obj.dimension()) {
            throw new IllegalArgumentException("the saved state has " + resume.x().length + " variables, the problem " + obj.dimension());
        }
        try {
            return solve(obj, x0 != null ? x0 : resume.x(), s, listener, resume, onState == null ? null : st -> onState.accept(
                    new State(st.iteration(), st.x().clone(), st.y().clone(), st.t(), st.step(), st.objective(), st.certificate())));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the boundary writes nothing: cannot happen
        }
    }

    /**
     * {@link #solve} continued from {@code start} (null: from x0), with {@code boundary} (may be null) called after
     * each iteration. f and ∇f are evaluated at every trial point ({@link ProximalOracles#values}), or for a
     * {@link dev.convexcnn.optim.QuadraticPlus} with a quadratic part, that part from kept products
     * ({@link ProximalOracles#quadraticPlus}); the gap tolerance does not apply.
     */
    public static Result solve(CompositeObjective obj, double[] x0, Settings s, Consumer<Iteration> listener, State start,
                               Boundary boundary) throws IOException {
        return solve(obj, x0, s, Precision.DOUBLE, listener, start, boundary);
    }

    /**
     * {@link #solve(CompositeObjective, double[], Settings, Consumer, State, Boundary)} with the quadratic part's
     * products in float where precision is mixed (as in {@link #solveQuadratic}: the stopping certificate from a
     * double product); other objectives are all double.
     */
    public static Result solve(CompositeObjective obj, double[] x0, Settings s, Precision precision, Consumer<Iteration> listener,
                               State start, Boundary boundary) throws IOException {
        if (obj instanceof dev.convexcnn.optim.QuadraticPlus qp && qp.quadraticPart() != null) {
            // A quadratic plus a cheap part (the exact program's augmented Lagrangian with the squared loss): the
            // quadratic's products kept, one product per iteration; a state saved without them gets them computed.
            return run(ProximalOracles.quadraticPlus(qp), Form.PRODUCTS, x0, s, 0, precision == Precision.MIXED, listener, start, boundary);
        }
        return run(ProximalOracles.values(obj), Form.VALUES, x0, s, 0, false, listener, start, boundary);
    }

    /**
     * The same iterates as {@link #solve} (same steps, restarts and stopping rule), for a quadratic smooth part:
     * A·y comes from the products of the last two iterates (y is their combination), and each trial of the
     * line search prices two steps, t and 0.8t, with one product of twice the width ({@link ProximalOracles#products}).
     * One product per iteration instead of about three.
     */
    public static Result solveQuadratic(QuadraticObjective obj, double[] x0, Settings s, Precision precision,
                                        Consumer<Iteration> listener) {
        try {
            return solveQuadratic(obj, x0, s, precision, listener, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no boundary: cannot happen
        }
    }

    /**
     * {@link #solveQuadratic} continued from {@code start} (null: from x0), with {@code boundary} (may be null); a
     * {@link FactoredQuadratic} priced by one product with M per trial ({@link ProximalOracles#factored}): the same
     * steps, restarts and stopping rules.
     */
    public static Result solveQuadratic(QuadraticObjective obj, double[] x0, Settings s, Precision precision,
                                        Consumer<Iteration> listener, State start, Boundary boundary) throws IOException {
        if (obj instanceof FactoredQuadratic f) {
            if (start != null && (start.mx() == null || start.ax() == null)) {
                throw new IllegalArgumentException("the saved state has no products of M");
            }
            AcceleratedProximalGradient.Oracle oracle = s.screening() && s.gapTolerance() == 0
                    ? ProximalOracles.factored(f, ProximalOracles.Screening.of(s.tolerance())) : ProximalOracles.factored(f);
            return run(oracle, Form.FACTORED, x0, s, s.gapTolerance(), precision == Precision.MIXED,
                    listener, start, boundary);
        }
        return run(ProximalOracles.products(obj), Form.PRODUCTS, x0, s, s.gapTolerance(), precision == Precision.MIXED,
                listener, start, boundary);
    }

    /** Which oracle a state belongs to: what it keeps besides x and y. */
    private enum Form { VALUES, PRODUCTS, FACTORED }

    /** The one loop ({@link AcceleratedProximalGradient}) with scnn's step and restart policies, in RFista's types. */
    private static Result run(AcceleratedProximalGradient.Oracle oracle, Form form, double[] x0, Settings s, double gapTolerance,
                              boolean single, Consumer<Iteration> listener, State start, Boundary boundary) throws IOException {
        // The factored form knows the curvature along each accepted move: it does not try a growth that would fail.
        AcceleratedProximalGradient apg = new AcceleratedProximalGradient(form == Form.FACTORED
                ? AcceleratedProximalGradient.Backtracking.SCNN_GUIDED : AcceleratedProximalGradient.Backtracking.SCNN,
                AcceleratedProximalGradient.Restart.FUNCTION_VALUE,
                new AcceleratedProximalGradient.Stopping(s.tolerance(), s.maxIterations(), gapTolerance));
        List<Iteration> log = new ArrayList<>();
        AcceleratedProximalGradient.Outcome out = apg.run(oracle, x0, s.initialStep(), single, start == null ? null : toLoop(start, form),
                (it, objective, cert, step, seconds) -> {
                    Iteration rec = new Iteration(it, objective, cert, step, seconds);
                    log.add(rec);
                    if (listener != null) listener.accept(rec);
                },
                boundary == null ? null : st -> boundary.after(fromLoop(st, form)));
        return new Result(out.x(), out.objective(), out.certificate(), out.iterations(), out.converged(), out.step(), log,
                out.gap(), out.stoppedBy());
    }

    private static AcceleratedProximalGradient.State toLoop(State s, Form form) {
        double[][] xi = switch (form) {
            case VALUES -> new double[0][];
            case PRODUCTS -> new double[][] {s.ax()};
            case FACTORED -> new double[][] {s.mx(), s.ax()};
        };
        double[][] yi = switch (form) {
            case VALUES -> new double[0][];
            case PRODUCTS -> new double[][] {s.ay()};
            case FACTORED -> new double[][] {s.my(), s.ay()};
        };
        return new AcceleratedProximalGradient.State(s.iteration(), s.x(), s.y(), xi, yi, s.step(), s.t(), s.objective(),
                s.smooth(), s.regularizer(), s.certificate(), s.single(), s.seconds(), s.stallBest(), s.stallBestAt());
    }

    private static State fromLoop(AcceleratedProximalGradient.State s, Form form) {
        double[][] xi = s.xImages(), yi = s.yImages();
        return switch (form) {
            // The generic solver has no float phase: no stall watch saved.
            case VALUES -> new State(s.iteration(), s.x(), null, s.y(), null, null, null, s.step(), s.t(), s.objective(), Double.NaN,
                    Double.NaN, s.certificate(), false, s.seconds(), Double.POSITIVE_INFINITY, 0);
            case PRODUCTS -> new State(s.iteration(), s.x(), xi[0], s.y(), yi[0], null, null, s.step(), s.t(), s.objective(), s.smooth(),
                    s.regularizer(), s.certificate(), s.single(), s.seconds(), s.stallBest(), s.stallBestAt());
            case FACTORED -> new State(s.iteration(), s.x(), xi[1], s.y(), yi[1], xi[0], yi[0], s.step(), s.t(), s.objective(),
                    s.smooth(), s.regularizer(), s.certificate(), s.single(), s.seconds(), s.stallBest(), s.stallBestAt());
        };
    }
}
