package dev.convexcnn.optim;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.function.Function;

/**
 * Accelerated proximal gradient (FISTA), written once: a line search or fixed step ({@link StepPolicy}), a momentum
 * restart rule ({@link Restart}), a stopping rule that yields the certificate ({@link Stopping}), and an
 * {@link Oracle} that prices trial points. The oracle is where the forms differ: function values of a generic
 * composite, or for a quadratic the recycled products A·x and several trial steps per product
 * ({@link ProximalOracles}). Optionally the iterations run on float products first and finish on double ones
 * (the certificate is always a double one). A run continues from a saved {@link State} to the same bits.
 */
public final class AcceleratedProximalGradient {

    /** How trial steps are chosen, accepted and carried to the next iteration. */
    public interface StepPolicy {
        /** The trial after step in one evaluation's batch. */
        double shrink(double step);

        /** The first trial of the next batch, when a batch prices width steps starting at step. */
        double nextBatch(double step, int width);

        /**
         * Whether a trial passes: lhs ≤ base + ‖x − y‖²/(2·step), the quadratic upper bound, with lhs and base
         * as the oracle states it (f(x) and f(y) + ⟨∇f(y), x − y⟩, or the exact curvature term and 0).
         */
        boolean accepts(double lhs, double base, double squaredMove, double step);

        /** The next iteration's first trial after step was accepted. */
        double grow(double step);

        /**
         * The next iteration's first trial after step was accepted, knowing f's curvature along the accepted move
         * (NaN: unknown); by default the same as {@link #grow(double)}.
         */
        default double grow(double step, double curvature) { return grow(step); }

        /** Whether trials are tested at all; a fixed step takes the first, and the oracle need not price it. */
        default boolean tests() { return true; }

        /** Whether a trial of this step is tested (one the bound is known to hold for is taken as it is). */
        default boolean tests(double step) { return tests(); }
    }

    /**
     * Backtracking as scnn runs it: shrink the step by a factor until the bound holds (relative slack 1e-12,
     * absolute 1e-15, never below 1e-20), and try grow× the accepted step next time.
     */
    public static final class Backtracking implements StepPolicy {
        /** scnn's factors: shrink 0.8, grow 1.25. */
        public static final Backtracking SCNN = new Backtracking(0.8, 1.25);
        /** scnn's factors, with a growth that the curvature along the accepted move says would fail not tried. */
        public static final Backtracking SCNN_GUIDED = new Backtracking(0.8, 1.25, true);
        private final double shrink, grow, shrinkSquared;
        private final boolean guided;

        public Backtracking(double shrink, double grow) {
            this(shrink, grow, false);
        }

        /**
         * guided: the step grows only where the curvature L along the accepted move allows it, grown·L ≤ 1 (the
         * test a trial along that move passes). About every other growth fails the test otherwise, and each failure
         * costs a priced trial; the accepted steps still pass the same test.
         */
        public Backtracking(double shrink, double grow, boolean guided) {
            if (!(shrink > 0 && shrink < 1)) throw new IllegalArgumentException("shrink factor must be in (0, 1), got " + shrink);
            if (!(grow >= 1)) throw new IllegalArgumentException("grow factor must be >= 1, got " + grow);
            this.shrink = shrink;
            this.grow = grow;
            // Two shrinks in one step: the decimal square of the factor as written (0.8 -> 0.64), as one multiply.
            this.shrinkSquared = new BigDecimal(Double.toString(shrink)).pow(2).doubleValue();
            this.guided = guided;
        }

        @Override public double shrink(double step) { return shrink * step; }

        @Override
        public double nextBatch(double step, int width) {
            if (width == 1) return step * shrink;
            if (width == 2) return step * shrinkSquared;
            double s = step;
            for (int j = 0; j < width; j++) s *= shrink;
            return s;
        }

        @Override
        public boolean accepts(double lhs, double base, double squaredMove, double step) {
            return lhs <= base + squaredMove / (2 * step) * (1 + 1e-12) + 1e-15 || step < 1e-20;
        }

        @Override public double grow(double step) { return step * grow; }

        @Override
        public double grow(double step, double curvature) {
            double grown = step * grow;
            return guided && grown * curvature > 1 ? step : grown;
        }

        @Override public String toString() {
            return "backtracking (shrink " + shrink + ", grow " + grow + (guided ? ", growth guided by the curvature" : "") + ")";
        }
    }

    /**
     * Backtracking above a floor known to pass (1/L for an L-smooth f: the quadratic bound holds there, so a trial of
     * it is taken untested): grow× the accepted step per iteration up to a ceiling, shrink× on failure but never
     * below the floor; a trial passes when lhs ≤ Q + 1e-15·|Q|, Q = base + ‖x − y‖²/(2·step) (slack for rounding).
     */
    public static final class BoundedBacktracking implements StepPolicy {
        private final double floor, ceiling, shrink, grow;

        public BoundedBacktracking(double floor, double ceiling, double shrink, double grow) {
            if (!(floor > 0 && ceiling >= floor)) throw new IllegalArgumentException("need 0 < floor <= ceiling, got " + floor + ", " + ceiling);
            if (!(shrink > 0 && shrink < 1)) throw new IllegalArgumentException("shrink factor must be in (0, 1), got " + shrink);
            if (!(grow >= 1)) throw new IllegalArgumentException("grow factor must be >= 1, got " + grow);
            this.floor = floor;
            this.ceiling = ceiling;
            this.shrink = shrink;
            this.grow = grow;
        }

        @Override public double shrink(double step) { return Math.max(step * shrink, floor); }

        @Override
        public double nextBatch(double step, int width) {
            double s = step;
            for (int j = 0; j < width; j++) s = shrink(s);
            return s;
        }

        @Override
        public boolean accepts(double lhs, double base, double squaredMove, double step) {
            double quad = base + squaredMove / (2 * step);
            return lhs <= quad + 1e-15 * Math.abs(quad);
        }

        @Override public double grow(double step) { return Math.min(step * grow, ceiling); }

        @Override public boolean tests(double step) { return !(step <= floor); }

        @Override public String toString() {
            return "backtracking in [" + floor + ", " + ceiling + "] (shrink " + shrink + ", grow " + grow + ")";
        }
    }

    /** A fixed step (1/L for an L-smooth f, given as the initial step): every trial passes, nothing grows. */
    public static final StepPolicy FIXED = new StepPolicy() {
        @Override public double shrink(double step) { return step; }
        @Override public double nextBatch(double step, int width) { return step; }
        @Override public boolean accepts(double lhs, double base, double squaredMove, double step) { return true; }
        @Override public double grow(double step) { return step; }
        @Override public boolean tests() { return false; }
        @Override public String toString() { return "fixed step"; }
    };

    /** When the momentum is dropped (O'Donoghue and Candès' adaptive restarts, or never). */
    public enum Restart {
        /** Whenever the objective goes up: F(x⁺) − F(x) &gt; 0, the change the oracle reports. */
        FUNCTION_VALUE,
        /** Whenever the step points uphill: ⟨y − x⁺, x⁺ − x⟩ &gt; 0 ({@link Oracle#uphill}); needs no objective. */
        GRADIENT,
        /** Never: plain FISTA. */
        NONE;

        boolean restart(Oracle o, double change) {
            return switch (this) {
                case FUNCTION_VALUE -> change > 0;
                case GRADIENT -> o.uphill() > 0;
                case NONE -> false;
            };
        }
    }

    /**
     * The stopping rule: the certificate at most tolerance (+∞: any) and, with gapTolerance &gt; 0, the relative
     * duality gap at most it too, and with gapEvery, its gap priced within its tolerance at that very iteration;
     * at most maxIterations iterations.
     */
    public record Stopping(double tolerance, int maxIterations, double gapTolerance, GapEvery gapEvery) {
        public Stopping {
            if (!(tolerance >= 0)) throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
            if (maxIterations <= 0) throw new IllegalArgumentException("iterations must be > 0, got " + maxIterations);
            if (!(gapTolerance >= 0)) throw new IllegalArgumentException("gap tolerance must be >= 0, got " + gapTolerance);
        }

        public Stopping(double tolerance, int maxIterations, double gapTolerance) {
            this(tolerance, maxIterations, gapTolerance, null);
        }
    }

    /** A primal value at x and the value of a feasible dual point: the duality gap P − D ≥ P − P*. */
    public record Gap(double primal, double dual) {
        /** P − D ≤ tolerance·|P|. */
        public boolean within(double tolerance) { return primal - dual <= tolerance * Math.abs(primal); }

        public Certificate.DualityGap certificate(double tolerance) { return new Certificate.DualityGap(primal, dual, tolerance); }
    }

    /**
     * A duality gap too costly to price every iteration (it takes passes of its own): priced at x after every
     * every-th iteration (as the run counts them, a resumed run going on counting; never at a run's start), it holds
     * only at an iteration where it was priced within tolerance, so a run stops on it only there.
     */
    public record GapEvery(int every, double tolerance, Function<Oracle, Gap> gap) {
        public GapEvery {
            if (every < 1) throw new IllegalArgumentException("gap checks every k iterations need k >= 1, got " + every);
            if (!(tolerance >= 0)) throw new IllegalArgumentException("gap tolerance must be >= 0, got " + tolerance);
            Objects.requireNonNull(gap);
        }
    }

    /** What prices trial points; owns the iterate x, the extrapolated point y and whatever is kept linear in them. */
    public interface Oracle {
        /** Trial steps priced per evaluation. */
        default int width() { return 1; }

        /** Starts at x0 (not written), with y = x; single: float products. Returns the certificate at x. */
        double start(double[] x0, boolean single);

        /** Takes x, y and their kept images from a saved state (copied). */
        void resume(State state);

        /** Iteration it begins (counted as the run counts them, a resumed run going on counting). */
        default void iteration(int it) {}

        /**
         * Whether the certificate and gradient last computed cover only part of the program (a working set of
         * groups): the run then does not end on them but on {@link #exact}.
         */
        default boolean partial() { return false; }

        /** Prepares this iteration's trials: the gradient at y. */
        void gradientAtY();

        /** Prices the trial points prox(y − steps[j]·∇f(y)), j &lt; count ≤ width, in one evaluation. */
        void price(double[] steps, int count, boolean single);

        /** Whether trial j (of step) passes the step policy's test. */
        boolean accepts(int j, double step, StepPolicy policy);

        /**
         * After trial j (of step) failed the test: a step above which every trial of this iteration fails as well,
         * or +∞ (the default) when the oracle cannot tell. The loop skips the steps above it.
         */
        default double failedStepCeiling(int j, double step) { return Double.POSITIVE_INFINITY; }

        /**
         * f's curvature along the move to the trial last accepted, 2(f(x⁺) − f(y) − ⟨∇f(y), d⟩)/‖d‖², or NaN (the
         * default) where the oracle does not price it.
         */
        default double acceptedCurvature() { return Double.NaN; }

        /** Makes trial j the candidate; returns F(candidate) − F(x) (NaN where the oracle prices no objective). */
        double take(int j, boolean single);

        /** ⟨y − candidate, candidate − x⟩, for the gradient restart. */
        default double uphill() { throw new UnsupportedOperationException("this oracle has no gradient restart"); }

        /** y = candidate + β(candidate − x), or the candidate itself after a restart; then x = candidate. */
        void advance(boolean restart, double beta);

        /** The certificate at x (leaving ∇f(x) in {@link #gradient}). */
        double certificate();

        /** Recomputes what x keeps from double products and returns the certificate (mixed precision only). */
        default double exact() { throw new UnsupportedOperationException("this oracle has no float products"); }

        /**
         * Whether its float products are of moves from kept double ones (A·c = A·y + A·(c − y), only the move in
         * float), so that their rounding shrinks with the moves instead of setting a floor under the certificate: at a
         * stall or a float stop the run then refreshes them ({@link #refresh}) and goes on in float.
         */
        default boolean refreshes() { return false; }

        /** Recomputes what x and y keep from double products and returns the certificate (where {@link #refreshes}). */
        default double refresh() { throw new UnsupportedOperationException("this oracle keeps no refreshable products"); }

        /** y = x, with its images: the momentum dropped. */
        void restartAtX();

        double[] x();

        double[] y();

        /** The images of x kept by the oracle (A·x, M·x), and those of y, in the same order; empty for none. */
        double[][] xImages();

        double[][] yImages();

        /** ∇f(x) as last computed. */
        double[] gradient();

        /** F(x) = f(x) + r(x). */
        double objective();

        /** f(x) and r(x) apart, NaN where the oracle keeps only their sum. */
        double smooth();

        double regularizer();

        /** The program's duality gap, or null. */
        default RelativeGap dualityGap() { return null; }
    }

    /**
     * The solver between two iterations: all the next iteration reads, so a run continued from it ends as the
     * uninterrupted one, bit for bit. Arrays are live (the oracle's own): copy before keeping. stallBest and
     * stallBestAt are the float phase's stall watch.
     */
    public record State(int iteration, double[] x, double[] y, double[][] xImages, double[][] yImages, double step, double t,
                        double objective, double smooth, double regularizer, double certificate, boolean single,
                        double seconds, double stallBest, int stallBestAt) {}

    /** Called after each iteration with its figures. */
    @FunctionalInterface
    public interface Listener {
        void after(int iteration, double objective, double certificate, double step, double seconds);
    }

    /** Called after each iteration with the state (to save it); may stop the run by throwing. */
    @FunctionalInterface
    public interface Boundary {
        void after(State state) throws IOException;
    }

    /**
     * The end of a run: x (live), F(x) and its parts, the certificate, the relative gap (NaN without one), and the
     * rule that ended it: "certificate", "gap", "certificate and gap" or "iteration cap".
     */
    public record Outcome(double[] x, double objective, double certificate, int iterations, boolean converged, double step,
                          double gap, String stoppedBy) {}

    /**
     * Iterations without the certificate halving after which float iterations give way to double ones (for an oracle
     * that {@link Oracle#refreshes}: after which its products are refreshed).
     */
    static final int STALL = 100;
    /** A refreshed certificate this many times the float one ends the float phase of a refreshing oracle. */
    static final double FLOAT_MISLED = 10;

    private final StepPolicy steps;
    private final Restart restart;
    private final Stopping stopping;

    public AcceleratedProximalGradient(StepPolicy steps, Restart restart, Stopping stopping) {
        this.steps = Objects.requireNonNull(steps);
        this.restart = Objects.requireNonNull(restart);
        this.stopping = Objects.requireNonNull(stopping);
    }

    /**
     * Runs from x0, or from start when not null; single: float products until the stopping rule holds or the
     * certificate stalls, then double ones. listener and boundary may be null. A NaN certificate ends the run (not
     * converged): no later iteration can mend it.
     */
    public Outcome run(Oracle o, double[] x0, double initialStep, boolean single, State start, Listener listener,
                       Boundary boundary) throws IOException {
        final long t0 = System.nanoTime() - (start != null ? (long) (start.seconds() * 1e9) : 0);
        double step = initialStep, t = 1, cert;
        int it = 0;
        if (start == null) {
            cert = o.start(x0, single);
        } else {
            o.resume(start);
            step = start.step();
            t = start.t();
            cert = start.certificate();
            single = start.single();
            it = start.iteration();
        }
        Stop stop = new Stop(stopping, o.dualityGap());
        if (start != null) {
            stop.best = start.stallBest();
            stop.bestAt = start.stallBestAt();
        }
        stop.update(it, o, cert);
        final int width = o.width();
        final double[] trialSteps = new double[width];
        while (true) {
            if ((stop.met() || stop.stalled(it, cert)) && single && o.refreshes()) {
                // Float moves from double products: their rounding sets no floor, only a drift, which a refresh of x's
                // and y's products removes (no restart). Go on in float, the stall watch started again, unless the
                // refreshed certificate is far above the float one (the float iterates were misled: go on in double).
                double inFloat = cert;
                cert = o.refresh();
                stop.update(it, o, cert);
                if (cert > FLOAT_MISLED * inFloat) {
                    single = false;
                } else {
                    stop.best = cert;
                    stop.bestAt = it;
                }
            } else if ((stop.met() || stop.stalled(it, cert)) && single) {
                // The float iterations say done (or make no more progress: float rounding sets a floor under the
                // certificate): recompute it from double products, and go on in double from here (momentum
                // restarted) if it does not hold.
                single = false;
                cert = o.exact();
                stop.update(it, o, cert);
                o.restartAtX();
                t = 1;
            }
            if (stop.met() || it >= stopping.maxIterations() || Double.isNaN(cert)) break;
            it++;
            o.iteration(it);
            o.gradientAtY();
            double first = step, accepted = Double.NaN;
            int taken = -1;
            while (taken < 0) {
                trialSteps[0] = first;
                for (int j = 1; j < width; j++) trialSteps[j] = steps.shrink(trialSteps[j - 1]);
                o.price(trialSteps, width, single);
                double ceiling = Double.POSITIVE_INFINITY;
                for (int j = 0; j < width && taken < 0; j++) {
                    if (!steps.tests(trialSteps[j]) || o.accepts(j, trialSteps[j], steps)) {
                        taken = j;
                        accepted = trialSteps[j];
                    } else {
                        ceiling = Math.min(ceiling, o.failedStepCeiling(j, trialSteps[j]));
                    }
                }
                first = steps.nextBatch(first, width);
                // Steps that a failed trial proves too long are not priced: the same step is accepted, with fewer
                // products (e.g. the first iteration from 0, about 30 shrinks from scnn's step 10). The margin
                // keeps a step the rounding of float products could decide either way.
                while (taken < 0 && first > ceiling * (1 + 1e-4)) {
                    double next = steps.shrink(first);
                    if (!(next < first)) break;
                    first = next;
                }
            }
            step = accepted;
            boolean restarted = restart.restart(o, o.take(taken, single));
            double tNew = restarted ? 1 : (1 + Math.sqrt(1 + 4 * t * t)) / 2;
            o.advance(restarted, (t - 1) / tNew);
            t = tNew;
            cert = o.certificate();
            stop.update(it, o, cert);
            stop.checkEvery(it, o);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (listener != null) listener.after(it, o.objective(), cert, step, seconds);
            step = steps.grow(step, o.acceptedCurvature());
            if (boundary != null) {
                boundary.after(new State(it, o.x(), o.y(), o.xImages(), o.yImages(), step, t, o.objective(), o.smooth(),
                        o.regularizer(), cert, single, seconds, stop.best, stop.bestAt));
            }
        }
        if (single || o.partial()) {
            // Stopped on the iteration cap in float, or with a working set's certificate: report the double one
            // over the whole program.
            cert = o.exact();
            stop.update(it, o, cert);
        }
        RelativeGap gapOf = o.dualityGap();
        double gap = gapOf != null ? gapOf.relativeGap(o.x(), o.smooth(), o.regularizer(), o.gradient())
                : stop.lastAt == it && stop.last != null ? stop.last.certificate(stopping.gapEvery().tolerance()).value() : Double.NaN;
        return new Outcome(o.x(), o.objective(), cert, it, stop.met(), step, gap, stop.stoppedBy());
    }

    /**
     * The stopping rules' state: since which iteration each has held, so the outcome can say which was met last,
     * and the float phase's stall watch.
     */
    private static final class Stop {
        private final Stopping s;
        private final RelativeGap gap;
        private final GapEvery every;
        private int certSince = -1, gapSince = -1, everySince = -1, lastAt = -1;
        private boolean certOk, gapOk, everyOk;
        private Gap last;
        private double best = Double.POSITIVE_INFINITY;
        private int bestAt;

        Stop(Stopping s, RelativeGap gap) {
            this.s = s;
            this.gap = s.gapTolerance() > 0 ? gap : null;
            this.every = s.gapEvery();
            this.everyOk = every == null;
            if (s.gapTolerance() > 0 && gap == null) {
                throw new IllegalArgumentException("a duality-gap tolerance needs a group-lasso least-squares program (the squared loss)");
            }
        }

        void update(int it, Oracle o, double cert) {
            boolean c = cert <= s.tolerance();
            if (c && !certOk) certSince = it;
            certOk = c;
            if (gap != null) {
                boolean g = gap.relativeGap(o.x(), o.smooth(), o.regularizer(), o.gradient()) <= s.gapTolerance();
                if (g && !gapOk) gapSince = it;
                gapOk = g;
            } else {
                gapOk = true;
            }
        }

        /** After iteration it: prices the every-k gap when it is due; it holds only where priced. */
        void checkEvery(int it, Oracle o) {
            if (every == null) return;
            everyOk = false;
            if (it % every.every() == 0) {
                last = every.gap().apply(o);
                lastAt = it;
                everyOk = last.within(every.tolerance());
                if (everyOk) everySince = it;
            }
        }

        boolean met() { return certOk && gapOk && everyOk; }

        /** Whether the certificate has not halved its best value for {@link #STALL} iterations. */
        boolean stalled(int it, double cert) {
            if (cert < best / 2) {
                best = cert;
                bestAt = it;
            }
            return it - bestAt > STALL;
        }

        String stoppedBy() {
            if (!met()) return "iteration cap";
            if (gap == null && every == null) return "certificate";
            int since = Math.max(gap != null ? gapSince : -1, every != null ? everySince : -1);
            return certSince > since ? "certificate" : since > certSince ? "gap" : "certificate and gap";
        }
    }
}
