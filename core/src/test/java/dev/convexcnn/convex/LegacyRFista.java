package dev.convexcnn.convex;

import dev.convexcnn.io.ModelFormatException;
import dev.convexcnn.io.SolverCheckpoint;
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
 */
final class LegacyRFista {
    /**
     * Solver settings. scnn's defaults: tol 1e-6, 10,000 iterations. gapTolerance &gt; 0 adds a second rule for
     * the quadratic solver on a group-lasso least-squares program: the relative duality gap must be at most it as
     * well ({@link GroupLasso#relativeGap}); 0 leaves the certificate alone.
     */
    public record Settings(double tolerance, int maxIterations, double initialStep, double gapTolerance) {
        public Settings {
            if (!(tolerance > 0)) throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
            if (maxIterations <= 0) throw new IllegalArgumentException("iterations must be > 0, got " + maxIterations);
            if (!(initialStep > 0)) throw new IllegalArgumentException("initial step must be > 0");
            if (!(gapTolerance >= 0)) throw new IllegalArgumentException("gap tolerance must be >= 0, got " + gapTolerance);
        }

        public Settings(double tolerance, int maxIterations, double initialStep) {
            this(tolerance, maxIterations, initialStep, 0);
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

    private LegacyRFista() {}

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
     * each iteration.
     */
    public static Result solve(CompositeObjective obj, double[] x0, Settings s, Consumer<Iteration> listener, State start,
                               Boundary boundary) throws IOException {
        final int d = obj.dimension();
        final long t0 = System.nanoTime() - (start != null ? (long) (start.seconds() * 1e9) : 0);
        double[] x = x0.clone(), y = x0.clone(), xNew = new double[d], gy = new double[d], gx = new double[d];
        double[] trial = new double[d];
        double step = s.initialStep(), t = 1;
        double objective, cert;
        int it = 0;
        if (start == null) {
            double fx = obj.smooth(x, gx);
            objective = fx + obj.regularizer(x);
            cert = obj.minNormSubgradientSquared(x, gx);
        } else {
            x = start.x().clone();
            y = start.y().clone();
            step = start.step();
            t = start.t();
            objective = start.objective();
            cert = start.certificate();
            it = start.iteration();
        }
        List<Iteration> log = new ArrayList<>();
        while (cert > s.tolerance() && it < s.maxIterations()) {
            it++;
            double fy = obj.smooth(y, gy);
            double fNew;
            while (true) {
                for (int i = 0; i < d; i++) trial[i] = y[i] - step * gy[i];
                obj.prox(trial, step, xNew);
                fNew = obj.smooth(xNew, gx);
                double lin = 0, sq = 0;
                for (int i = 0; i < d; i++) {
                    double diff = xNew[i] - y[i];
                    lin += gy[i] * diff;
                    sq += diff * diff;
                }
                if (fNew <= fy + lin + sq / (2 * step) * (1 + 1e-12) + 1e-15 || step < 1e-20) break;
                step *= 0.8;
            }
            double objNew = fNew + obj.regularizer(xNew);
            double tNew;
            if (objNew > objective) {
                // Restart: drop the momentum.
                tNew = 1;
                System.arraycopy(xNew, 0, y, 0, d);
            } else {
                tNew = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
                double beta = (t - 1) / tNew;
                for (int i = 0; i < d; i++) y[i] = xNew[i] + beta * (xNew[i] - x[i]);
            }
            t = tNew;
            double[] swap = x;
            x = xNew;
            xNew = swap;
            objective = objNew;
            cert = obj.minNormSubgradientSquared(x, gx);
            Iteration rec = new Iteration(it, objective, cert, step, (System.nanoTime() - t0) / 1e9);
            log.add(rec);
            if (listener != null) listener.accept(rec);
            step *= 1.25;
            if (boundary != null) boundary.after(new State(it, x, null, y, null, null, null, step, t, objective, Double.NaN, Double.NaN, cert, false, rec.seconds(),
                    Double.POSITIVE_INFINITY, 0));
        }
        return new Result(x, objective, cert, it, cert <= s.tolerance(), step, log);
    }

    /**
     * The same iterates as {@link #solve} (same steps, restarts and stopping rule), for a quadratic smooth part:
     * A·y comes from the products of the last two iterates (y is their combination), and each trial of the
     * line search prices two steps, t and 0.8t, with one product of twice the width, which costs about as much as
     * one (the narrow product is memory-bound). One product per iteration instead of about three. The
     * sufficient-decrease test uses the exact identity f(x) − f(y) − ⟨∇f(y), x − y⟩ = (scale/2)⟨d, A·d⟩, d = x − y,
     * and the restart test a difference of f computed as such, so neither loses precision to cancellation.
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
     * {@link FactoredQuadratic} by {@link #solveFactored}.
     */
    public static Result solveQuadratic(QuadraticObjective obj, double[] x0, Settings s, Precision precision,
                                        Consumer<Iteration> listener, State start, Boundary boundary) throws IOException {
        if (obj instanceof FactoredQuadratic f) return solveFactored(f, x0, s, precision, listener, start, boundary);
        final int d = obj.dimension();
        final long t0 = System.nanoTime() - (start != null ? (long) (start.seconds() * 1e9) : 0);
        final double scale = obj.scale();
        boolean single = precision == Precision.MIXED;
        double[] x = (start != null ? start.x() : x0).clone(), ax = new double[d], y = new double[d], ay = new double[d], gy = new double[d];
        double[] gx = new double[d], trial = new double[d];
        double[][] cand = {new double[d], new double[d]}, candProduct = {new double[d], new double[d]};
        double[][] one = new double[1][], oneOut = new double[1][];
        double step = s.initialStep(), t = 1;
        double fx, rx, cert;
        int it = 0;
        if (start == null) {
            product(obj, x, ax, single, one, oneOut);
            fx = obj.smoothFromProduct(x, ax, gx);
            rx = obj.regularizer(x);
            cert = obj.minNormSubgradientSquared(x, gx);
            System.arraycopy(x, 0, y, 0, d);
            System.arraycopy(ax, 0, ay, 0, d);
        } else {
            x = start.x().clone();
            ax = start.ax().clone();
            y = start.y().clone();
            ay = start.ay().clone();
            step = start.step();
            t = start.t();
            fx = start.smooth();
            obj.smoothFromProduct(x, ax, gx); // the gradient at x, for the stopping rules
            rx = start.regularizer();
            cert = start.certificate();
            single = start.single();
            it = start.iteration();
        }
        Stop stop = new Stop(s, obj.groupLasso());
        if (start != null) {
            stop.best = start.stallBest();
            stop.bestAt = start.stallBestAt();
        }
        stop.update(it, x, fx, rx, gx, cert);
        List<Iteration> log = new ArrayList<>();
        while (true) {
            if ((stop.met() || stop.stalled(it, cert)) && single) {
                // The float iterations say done (or make no more progress: float rounding sets a floor under
                // the certificate): recompute the certificate from a double product, and go on in double from
                // here (momentum restarted) if it does not hold.
                single = false;
                product(obj, x, ax, false, one, oneOut);
                fx = obj.smoothFromProduct(x, ax, gx);
                cert = obj.minNormSubgradientSquared(x, gx);
                stop.update(it, x, fx, rx, gx, cert);
                System.arraycopy(x, 0, y, 0, d);
                System.arraycopy(ax, 0, ay, 0, d);
                t = 1;
            }
            if (stop.met() || it >= s.maxIterations()) break;
            it++;
            double fy = obj.smoothFromProduct(y, ay, gy);
            double s1 = step;
            int accepted = -1;
            double acceptedStep = step;
            while (accepted < 0) {
                double[] steps = {s1, 0.8 * s1};
                for (int j = 0; j < 2; j++) {
                    for (int i = 0; i < d; i++) trial[i] = y[i] - steps[j] * gy[i];
                    obj.prox(trial, steps[j], cand[j]);
                }
                obj.products(cand, 2, candProduct, single);
                for (int j = 0; j < 2 && accepted < 0; j++) {
                    double curvature = 0, sq = 0;
                    for (int i = 0; i < d; i++) {
                        double diff = cand[j][i] - y[i];
                        curvature += diff * (candProduct[j][i] - ay[i]);
                        sq += diff * diff;
                    }
                    if (scale * curvature / 2 <= sq / (2 * steps[j]) * (1 + 1e-12) + 1e-15 || steps[j] < 1e-20) {
                        accepted = j;
                        acceptedStep = steps[j];
                    }
                }
                s1 *= 0.64;
            }
            step = acceptedStep;
            double[] xNew = cand[accepted], axNew = candProduct[accepted];
            double rNew = obj.regularizer(xNew);
            double change = obj.smoothDifference(x, ax, xNew, axNew) + rNew - rx;
            boolean restart = change > 0;
            double tNew = nextT(restart, t), beta = (t - 1) / tNew;
            extrapolate(restart, beta, xNew, x, y, d);
            extrapolate(restart, beta, axNew, ax, ay, d);
            t = tNew;
            // The accepted candidate becomes x; x's old arrays become the candidate's buffers.
            cand[accepted] = x;
            candProduct[accepted] = ax;
            x = xNew;
            ax = axNew;
            rx = rNew;
            fx = obj.smoothFromProduct(x, ax, gx);
            cert = obj.minNormSubgradientSquared(x, gx);
            stop.update(it, x, fx, rx, gx, cert);
            Iteration rec = new Iteration(it, fx + rx, cert, step, (System.nanoTime() - t0) / 1e9);
            log.add(rec);
            if (listener != null) listener.accept(rec);
            step *= 1.25;
            if (boundary != null) boundary.after(new State(it, x, ax, y, ay, null, null, step, t, fx + rx, fx, rx, cert, single, rec.seconds(),
                    stop.best, stop.bestAt));
        }
        if (single) {
            // Stopped on the iteration cap in float: report the double certificate.
            product(obj, x, ax, false, one, oneOut);
            fx = obj.smoothFromProduct(x, ax, gx);
            cert = obj.minNormSubgradientSquared(x, gx);
            stop.update(it, x, fx, rx, gx, cert);
        }
        return stop.result(x, fx + rx, cert, it, step, log, obj.groupLasso(), fx, rx, gx);
    }

    /**
     * {@link #solveQuadratic} for A = MᵀM given by products with M and Mᵀ: the same steps, restarts and stopping
     * rules, priced differently. Each trial step costs one product with M (the sufficient-decrease test needs
     * ⟨d, A d⟩ = ‖M d‖², with M·y a combination of kept products), and the accepted point one product with Mᵀ
     * (A·x for the next gradient). When M·x is far cheaper than Mᵀ·u (the gated program's Φ·x multiplies only the
     * groups that are not zero), an iteration costs little more than one Mᵀ product. Trial steps are priced one at a
     * time: the product with M is compute-bound, so the second trial of {@link #solveQuadratic} would be waste.
     * Continued from {@code start} (null: from x0), with {@code boundary} (may be null) as {@link #solveQuadratic}.
     */
    static Result solveFactored(FactoredQuadratic obj, double[] x0, Settings s, Precision precision, Consumer<Iteration> listener,
                                State start, Boundary boundary) throws IOException {
        final int d = obj.dimension(), m = obj.rows();
        final long t0 = System.nanoTime() - (start != null ? (long) (start.seconds() * 1e9) : 0);
        final double scale = obj.scale();
        boolean single = precision == Precision.MIXED;
        double[] x = (start != null ? start.x() : x0).clone(), mx = new double[m], ax = new double[d];
        double[] y = new double[d], my = new double[m], ay = new double[d], gy = new double[d], gx = new double[d];
        double[] trial = new double[d], cand = new double[d], mc = new double[m], ac = new double[d];
        double step = s.initialStep(), t = 1;
        double fx, rx, cert;
        int it = 0;
        if (start == null) {
            obj.forward(x, mx, single);
            obj.adjoint(mx, ax, single);
            fx = obj.smoothFromProduct(x, ax, gx);
            rx = obj.regularizer(x);
            cert = obj.minNormSubgradientSquared(x, gx);
            System.arraycopy(x, 0, y, 0, d);
            System.arraycopy(mx, 0, my, 0, m);
            System.arraycopy(ax, 0, ay, 0, d);
        } else {
            if (start.mx() == null || start.ax() == null) throw new IllegalArgumentException("the saved state has no products of M");
            x = start.x().clone();
            mx = start.mx().clone();
            ax = start.ax().clone();
            y = start.y().clone();
            my = start.my().clone();
            ay = start.ay().clone();
            step = start.step();
            t = start.t();
            fx = start.smooth();
            obj.smoothFromProduct(x, ax, gx); // the gradient at x, for the stopping rules
            rx = start.regularizer();
            cert = start.certificate();
            single = start.single();
            it = start.iteration();
        }
        Stop stop = new Stop(s, obj.groupLasso());
        if (start != null) {
            stop.best = start.stallBest();
            stop.bestAt = start.stallBestAt();
        }
        stop.update(it, x, fx, rx, gx, cert);
        List<Iteration> log = new ArrayList<>();
        while (true) {
            if ((stop.met() || stop.stalled(it, cert)) && single) {
                // As in solveQuadratic: the stopping rule is checked on double products.
                single = false;
                obj.forward(x, mx, false);
                obj.adjoint(mx, ax, false);
                fx = obj.smoothFromProduct(x, ax, gx);
                cert = obj.minNormSubgradientSquared(x, gx);
                stop.update(it, x, fx, rx, gx, cert);
                System.arraycopy(x, 0, y, 0, d);
                System.arraycopy(mx, 0, my, 0, m);
                System.arraycopy(ax, 0, ay, 0, d);
                t = 1;
            }
            if (stop.met() || it >= s.maxIterations()) break;
            it++;
            obj.smoothFromProduct(y, ay, gy);
            double st = step;
            while (true) {
                for (int i = 0; i < d; i++) trial[i] = y[i] - st * gy[i];
                obj.prox(trial, st, cand);
                obj.forward(cand, mc, single);
                double curvature = 0, sq = 0;
                for (int i = 0; i < m; i++) {
                    double e = mc[i] - my[i];
                    curvature += e * e;
                }
                for (int i = 0; i < d; i++) {
                    double diff = cand[i] - y[i];
                    sq += diff * diff;
                }
                if (scale * curvature / 2 <= sq / (2 * st) * (1 + 1e-12) + 1e-15 || st < 1e-20) break;
                st *= 0.8;
            }
            step = st;
            obj.adjoint(mc, ac, single);
            double rNew = obj.regularizer(cand);
            double change = obj.smoothDifference(x, ax, cand, ac) + rNew - rx;
            boolean restart = change > 0;
            double tNew = nextT(restart, t), beta = (t - 1) / tNew;
            extrapolate(restart, beta, cand, x, y, d);
            extrapolate(restart, beta, mc, mx, my, m);
            extrapolate(restart, beta, ac, ax, ay, d);
            t = tNew;
            double[] swap = x; x = cand; cand = swap;
            swap = mx; mx = mc; mc = swap;
            swap = ax; ax = ac; ac = swap;
            rx = rNew;
            fx = obj.smoothFromProduct(x, ax, gx);
            cert = obj.minNormSubgradientSquared(x, gx);
            stop.update(it, x, fx, rx, gx, cert);
            Iteration rec = new Iteration(it, fx + rx, cert, step, (System.nanoTime() - t0) / 1e9);
            log.add(rec);
            if (listener != null) listener.accept(rec);
            step *= 1.25;
            if (boundary != null) boundary.after(new State(it, x, ax, y, ay, mx, my, step, t, fx + rx, fx, rx, cert, single, rec.seconds(),
                    stop.best, stop.bestAt));
        }
        if (single) {
            obj.forward(x, mx, false);
            obj.adjoint(mx, ax, false);
            fx = obj.smoothFromProduct(x, ax, gx);
            cert = obj.minNormSubgradientSquared(x, gx);
            stop.update(it, x, fx, rx, gx, cert);
        }
        return stop.result(x, fx + rx, cert, it, step, log, obj.groupLasso(), fx, rx, gx);
    }

    /**
     * The stopping rules: the squared certificate at most the tolerance and, when a gap tolerance is set, the
     * relative duality gap at most it too. Remembers since which iteration each has held, so the result can say
     * which rule was met last (the one that stopped the solve).
     */
    /** FISTA's next momentum t', or 1 after a restart (the objective went up: momentum dropped). */
    private static double nextT(boolean restart, double t) {
        return restart ? 1 : (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    }

    /** y = xNew + β(xNew − x) over n entries, or y = xNew exactly after a restart. */
    private static void extrapolate(boolean restart, double beta, double[] xNew, double[] x, double[] y, int n) {
        if (restart) {
            System.arraycopy(xNew, 0, y, 0, n);
            return;
        }
        for (int i = 0; i < n; i++) y[i] = xNew[i] + beta * (xNew[i] - x[i]);
    }

    private static final class Stop {
        /** Iterations without progress after which float iterations give way to double ones. */
        static final int STALL = 100;
        private final Settings s;
        private final GroupLasso lasso;
        private int certSince = -1, gapSince = -1;
        private boolean certOk, gapOk;

        Stop(Settings s, GroupLasso lasso) {
            this.s = s;
            this.lasso = s.gapTolerance() > 0 ? lasso : null;
            if (s.gapTolerance() > 0 && lasso == null) {
                throw new IllegalArgumentException("a duality-gap tolerance needs a group-lasso least-squares program (the squared loss)");
            }
        }

        void update(int it, double[] x, double f, double r, double[] grad, double cert) {
            boolean c = cert <= s.tolerance();
            if (c && !certOk) certSince = it;
            certOk = c;
            if (lasso != null) {
                boolean g = lasso.relativeGap(x, f, r, grad) <= s.gapTolerance();
                if (g && !gapOk) gapSince = it;
                gapOk = g;
            } else {
                gapOk = true;
            }
        }

        boolean met() { return certOk && gapOk; }

        private double best = Double.POSITIVE_INFINITY;
        private int bestAt;

        /** Whether the certificate has not halved its best value for {@link #STALL} iterations. */
        boolean stalled(int it, double cert) {
            if (cert < best / 2) {
                best = cert;
                bestAt = it;
            }
            return it - bestAt > STALL;
        }

        Result result(double[] x, double objective, double cert, int it, double step, List<Iteration> log,
                      GroupLasso gapOf, double f, double r, double[] grad) {
            double gap = gapOf == null ? Double.NaN : gapOf.relativeGap(x, f, r, grad);
            String by = !met() ? "iteration cap" : lasso == null || certSince > gapSince ? "certificate"
                    : gapSince > certSince ? "gap" : "certificate and gap";
            return new Result(x, objective, cert, it, met(), step, log, gap, by);
        }
    }

    private static void product(QuadraticObjective obj, double[] x, double[] ax, boolean single, double[][] one,
                                double[][] oneOut) {
        one[0] = x;
        oneOut[0] = ax;
        obj.products(one, 1, oneOut, single);
    }
}
