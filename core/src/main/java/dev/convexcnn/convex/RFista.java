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

    public static Result solve(CompositeObjective obj, double[] x0, Settings s, Consumer<Iteration> listener) {
        final int d = obj.dimension();
        final long t0 = System.nanoTime();
        double[] x = x0.clone(), y = x0.clone(), xNew = new double[d], gy = new double[d], gx = new double[d];
        double[] trial = new double[d];
        double step = s.initialStep(), t = 1;
        double fx = obj.smooth(x, gx);
        double objective = fx + obj.regularizer(x);
        double cert = obj.minNormSubgradientSquared(x, gx);
        List<Iteration> log = new ArrayList<>();
        int it = 0;
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
        }
        return new Result(x, objective, cert, it, cert <= s.tolerance(), step, log);
    }
}
