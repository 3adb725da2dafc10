package dev.convexcnn.convex;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * R-FISTA, as scnn runs it: accelerated proximal gradient with a backtracking line search (start from step
 * 10, shrink by 0.8 until the quadratic upper bound holds, try 1.25× the last step next time) and a momentum
 * restart whenever the objective goes up. It stops when the squared norm of the minimum-norm subgradient at the
 * iterate is at most the tolerance: a certificate of optimality, not just a stalled loss.
 */
public final class RFista {
    /** Solver settings. scnn's defaults: tol 1e-6, 10,000 iterations. */
    public record Settings(double tolerance, int maxIterations, double initialStep) {
        public Settings {
            if (!(tolerance > 0)) throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
            if (maxIterations <= 0) throw new IllegalArgumentException("iterations must be > 0, got " + maxIterations);
            if (!(initialStep > 0)) throw new IllegalArgumentException("initial step must be > 0");
        }

        public static Settings defaults() { return new Settings(1e-6, 10_000, 10); }
    }

    /** One iteration's record. */
    public record Iteration(int iteration, double objective, double certificate, double step, double seconds) {}

    /** The solution, its objective and certificate, and the log. */
    public record Result(double[] x, double objective, double certificate, int iterations, boolean converged,
                         double step, List<Iteration> log) {}

    private RFista() {}

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

    /**
     * Where {@link #solve} stands after an iteration: everything the next iterations depend on (the iterate x, the
     * extrapolated point y, the momentum t, the next trial step, the objective and certificate at x), so a solve
     * continued from it takes the same iterates as one never stopped.
     */
    public record State(int iteration, double[] x, double[] y, double t, double step, double objective, double certificate) {
        public State {
            if (x.length != y.length) throw new IllegalArgumentException("x and y differ in length: " + x.length + " and " + y.length);
        }
    }

    public static Result solve(CompositeObjective obj, double[] x0, Settings s, Consumer<Iteration> listener) {
        return solve(obj, x0, null, s, listener, null);
    }

    /**
     * {@link #solve} continued from {@code resume} (null: from x0), handing the state after each iteration to
     * {@code onState} (copies, for a checkpoint). The result counts the iterations before the resume; its log
     * holds only the ones run now.
     */
    public static Result solve(CompositeObjective obj, double[] x0, State resume, Settings s, Consumer<Iteration> listener,
                               Consumer<State> onState) {
        final int d = obj.dimension();
        final long t0 = System.nanoTime();
        if (resume != null && resume.x().length != d) {
            throw new IllegalArgumentException("the saved state has " + resume.x().length + " variables, the problem " + d);
        }
        double[] x = resume != null ? resume.x().clone() : x0.clone(), y = resume != null ? resume.y().clone() : x0.clone();
        double[] xNew = new double[d], gy = new double[d], gx = new double[d];
        double[] trial = new double[d];
        double step = resume != null ? resume.step() : s.initialStep(), t = resume != null ? resume.t() : 1;
        double objective, cert;
        if (resume != null) {
            objective = resume.objective();
            cert = resume.certificate();
        } else {
            double fx = obj.smooth(x, gx);
            objective = fx + obj.regularizer(x);
            cert = obj.minNormSubgradientSquared(x, gx);
        }
        List<Iteration> log = new ArrayList<>();
        int it = resume != null ? resume.iteration() : 0;
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
            if (onState != null) onState.accept(new State(it, x.clone(), y.clone(), t, step, objective, cert));
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
        final int d = obj.dimension();
        final long t0 = System.nanoTime();
        final double scale = obj.scale();
        boolean single = precision == Precision.MIXED;
        double[] x = x0.clone(), ax = new double[d], y = new double[d], ay = new double[d], gy = new double[d];
        double[] gx = new double[d], trial = new double[d];
        double[][] cand = {new double[d], new double[d]}, candProduct = {new double[d], new double[d]};
        double[][] one = new double[1][], oneOut = new double[1][];
        double step = s.initialStep(), t = 1;
        product(obj, x, ax, single, one, oneOut);
        double fx = obj.smoothFromProduct(x, ax, gx), rx = obj.regularizer(x);
        double cert = obj.minNormSubgradientSquared(x, gx);
        System.arraycopy(x, 0, y, 0, d);
        System.arraycopy(ax, 0, ay, 0, d);
        List<Iteration> log = new ArrayList<>();
        int it = 0;
        while (true) {
            if (cert <= s.tolerance() && single) {
                // The float iterations say done: recompute the certificate from a double product, and go on in
                // double from here (momentum restarted) if it does not hold.
                single = false;
                product(obj, x, ax, false, one, oneOut);
                fx = obj.smoothFromProduct(x, ax, gx);
                cert = obj.minNormSubgradientSquared(x, gx);
                System.arraycopy(x, 0, y, 0, d);
                System.arraycopy(ax, 0, ay, 0, d);
                t = 1;
            }
            if (cert <= s.tolerance() || it >= s.maxIterations()) break;
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
            double tNew;
            if (change > 0) {
                tNew = 1;
                System.arraycopy(xNew, 0, y, 0, d);
                System.arraycopy(axNew, 0, ay, 0, d);
            } else {
                tNew = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
                double beta = (t - 1) / tNew;
                for (int i = 0; i < d; i++) {
                    y[i] = xNew[i] + beta * (xNew[i] - x[i]);
                    ay[i] = axNew[i] + beta * (axNew[i] - ax[i]);
                }
            }
            t = tNew;
            // The accepted candidate becomes x; x's old arrays become the candidate's buffers.
            cand[accepted] = x;
            candProduct[accepted] = ax;
            x = xNew;
            ax = axNew;
            rx = rNew;
            fx = obj.smoothFromProduct(x, ax, gx);
            cert = obj.minNormSubgradientSquared(x, gx);
            Iteration rec = new Iteration(it, fx + rx, cert, step, (System.nanoTime() - t0) / 1e9);
            log.add(rec);
            if (listener != null) listener.accept(rec);
            step *= 1.25;
        }
        if (single) {
            // Stopped on the iteration cap in float: report the double certificate.
            product(obj, x, ax, false, one, oneOut);
            fx = obj.smoothFromProduct(x, ax, gx);
            cert = obj.minNormSubgradientSquared(x, gx);
        }
        return new Result(x, fx + rx, cert, it, cert <= s.tolerance(), step, log);
    }

    private static void product(QuadraticObjective obj, double[] x, double[] ax, boolean single, double[][] one,
                                double[][] oneOut) {
        one[0] = x;
        oneOut[0] = ax;
        obj.products(one, 1, oneOut, single);
    }
}
