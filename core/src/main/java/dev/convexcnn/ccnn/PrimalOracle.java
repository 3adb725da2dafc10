package dev.convexcnn.ccnn;

import dev.convexcnn.optim.AcceleratedProximalGradient;
import dev.convexcnn.optim.AcceleratedProximalGradient.State;
import dev.convexcnn.optim.AcceleratedProximalGradient.StepPolicy;
import dev.convexcnn.optim.NuclearNorm;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The penalised primal ({@link PenalizedProgram}) for the shared accelerated proximal gradient loop: the pair
 * (w, b) (b only with a bias), a gradient pass at y, then singular-value soft-thresholding of w by step·λ and a
 * plain gradient step for b. At a fixed step it prices nothing at the trial point (one pass per iteration); a
 * tested trial costs a forward pass at it, and on held features then gives y's logits for the next gradient. The
 * certificate after an iteration is what {@code checks} reports (+∞ without). The bias and the logits at x and y
 * ride in the loop's state as the images of x and y, so a run resumes from them.
 */
final class PrimalOracle implements AcceleratedProximalGradient.Oracle {

    /** The certificate after the given iteration at (w, b) (the oracle's own arrays: copy before keeping). */
    @FunctionalInterface
    interface Checks {
        double after(int iteration, double[] w, double[] b);
    }

    private final FeatureSource fs;
    private final double lambda;
    private final boolean bias;
    private final Checks checks;
    private final int n, m, Q, C, c1;
    private double[] x, y, nx, xb, yb, nb, gb;
    private PenalizedProgram.Pass atY;
    // Kept between iterations: the logits at y, x and a trial, and the probabilities at y (megabytes at full scale).
    private double[] yLogits, xLogits, trialLogits, probabilities;
    // Logits are linear in (w, b): once a tested trial is taken, y's are L(x') + c·(L(x') − L(x)), and the gradient at
    // y costs one pass over the features for Hᵀδ instead of two products (features read in parts only).
    private boolean xKnown, yKnown, trialKnown;
    private int iteration, restarts;

    PrimalOracle(FeatureSource fs, double lambda, boolean bias, Checks checks) {
        this.fs = fs;
        this.lambda = lambda;
        this.bias = bias;
        this.checks = checks;
        this.n = fs.size();
        this.m = fs.dim();
        this.Q = fs.positions();
        this.C = fs.classes();
        this.c1 = C - 1;
    }

    /** Runs the loop from (0, 0) at step eta (wrapping the boundary's IOException, which cannot come: none). */
    AcceleratedProximalGradient.Outcome run(AcceleratedProximalGradient apg, double eta) {
        try {
            return apg.run(this, new double[Q * m * c1], eta, false, null, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bias iterate (zeros without a bias). */
    double[] bias() { return xb; }

    /** The bias at the extrapolated point. */
    double[] yBias() { return yb; }

    /** The iterations done (a resumed run's included). */
    int iteration() { return iteration; }

    /** How many times the momentum was dropped. */
    int restarts() { return restarts; }

    @Override
    public double start(double[] x0, boolean single) {
        x = x0.clone();
        y = x0.clone();
        nx = new double[x.length];
        xb = new double[c1];
        yb = new double[c1];
        nb = new double[c1];
        xKnown = yKnown = trialKnown = false;
        return Double.POSITIVE_INFINITY;
    }

    @Override
    public void resume(State state) {
        x = state.x().clone();
        y = state.y().clone();
        nx = new double[x.length];
        xb = bias ? state.xImages()[0].clone() : new double[c1];
        yb = bias ? state.yImages()[0].clone() : new double[c1];
        nb = new double[c1];
        iteration = state.iteration();
        // The logits kept at the boundary, if any: so that a resumed run makes the same passes as an uninterrupted one.
        double[] lx = state.xImages().length > 1 ? state.xImages()[1] : new double[0];
        double[] ly = state.yImages().length > 1 ? state.yImages()[1] : new double[0];
        xKnown = lx.length == n * c1;
        yKnown = ly.length == n * c1;
        trialKnown = false;
        if (xKnown || yKnown) {
            yLogits = yKnown ? ly.clone() : new double[n * c1];
            xLogits = xKnown ? lx.clone() : new double[n * c1];
            trialLogits = new double[n * c1];
            probabilities = new double[n * C];
        }
    }

    @Override
    public void gradientAtY() {
        if (yLogits == null) {
            yLogits = new double[n * (C - 1)];
            xLogits = new double[n * (C - 1)];
            trialLogits = new double[n * (C - 1)];
            probabilities = new double[n * C];
        }
        atY = yKnown && fs.concurrentBlocks() ? PenalizedProgram.passFromLogits(fs, yLogits)
                : PenalizedProgram.pass(fs, y, bias ? yb : null, true, yLogits);
        if (bias) gb = DualSolver.biasGradient(PenalizedProgram.softmax(atY.logits(), n, C, probabilities), n, C, fs.labels());
    }

    @Override
    public void price(double[] steps, int count, boolean single) {
        double eta = steps[0];
        double[] g = atY.gradient();
        for (int i = 0; i < nx.length; i++) nx[i] = y[i] - eta * g[i];
        double[] a = ProjectedSgd.toA(nx, m, Q, c1);
        NuclearNorm.shrink(a, m, Q * c1, eta * lambda);
        ProjectedSgd.fromA(a, m, Q, c1, nx);
        if (bias) {
            for (int k = 0; k < c1; k++) nb[k] = yb[k] - eta * gb[k];
        }
        trialKnown = false;
    }

    /** The quadratic bound at y against the loss at the trial: one forward pass. */
    @Override
    public boolean accepts(int j, double step, StepPolicy policy) {
        double[] g = atY.gradient();
        double base = atY.loss(), d2 = 0;
        for (int i = 0; i < nx.length; i++) {
            double d = nx[i] - y[i];
            base += g[i] * d;
            d2 += d * d;
        }
        if (bias) {
            for (int k = 0; k < c1; k++) {
                double d = nb[k] - yb[k];
                base += gb[k] * d;
                d2 += d * d;
            }
        }
        double loss = PenalizedProgram.pass(fs, nx, bias ? nb : null, false, trialLogits).loss();
        trialKnown = true;
        return policy.accepts(loss, base, d2, step);
    }

    @Override public double take(int j, boolean single) { return Double.NaN; }

    @Override
    public double uphill() {
        double sum = 0;
        for (int i = 0; i < nx.length; i++) sum += (y[i] - nx[i]) * (nx[i] - x[i]);
        for (int k = 0; k < c1; k++) sum += (yb[k] - nb[k]) * (nb[k] - xb[k]);
        return sum;
    }

    @Override
    public void advance(boolean restart, double beta) {
        // After a restart t and t' are both 1: the coefficient (t − 1)/t' is 0.
        double c = restart ? 0 : beta;
        for (int i = 0; i < nx.length; i++) y[i] = nx[i] + c * (nx[i] - x[i]);
        for (int k = 0; k < c1; k++) yb[k] = nb[k] + c * (nb[k] - xb[k]);
        double[] swap = x; x = nx; nx = swap;
        swap = xb; xb = nb; nb = swap;
        if (restart) restarts++;
        if (trialKnown) {
            // The same expression as y's, on the logits of the new x (the trial) and the old.
            yKnown = c == 0 || xKnown;
            if (yKnown) for (int i = 0; i < trialLogits.length; i++) yLogits[i] = trialLogits[i] + c * (trialLogits[i] - xLogits[i]);
            swap = xLogits; xLogits = trialLogits; trialLogits = swap;
            xKnown = true;
        } else {
            xKnown = yKnown = false;
        }
        trialKnown = false;
    }

    @Override
    public double certificate() {
        iteration++;
        return checks == null ? Double.POSITIVE_INFINITY : checks.after(iteration, x, xb);
    }

    @Override
    public void restartAtX() {
        System.arraycopy(x, 0, y, 0, x.length);
        System.arraycopy(xb, 0, yb, 0, c1);
        yKnown = xKnown;
        if (yKnown) System.arraycopy(xLogits, 0, yLogits, 0, xLogits.length);
    }

    @Override public double[] x() { return x; }
    @Override public double[] y() { return y; }
    /** The bias (empty without one), then the logits at x when known (else empty): not copies. */
    @Override public double[][] xImages() { return new double[][] {bias ? xb : new double[0], xKnown ? xLogits : new double[0]}; }
    @Override public double[][] yImages() { return new double[][] {bias ? yb : new double[0], yKnown ? yLogits : new double[0]}; }
    /** Not computed at x (no gap rule reads it). */
    @Override public double[] gradient() { return null; }
    @Override public double objective() { return Double.NaN; }
    @Override public double smooth() { return Double.NaN; }
    @Override public double regularizer() { return Double.NaN; }
}
