package dev.convexcnn.ccnn;

import dev.convexcnn.optim.AcceleratedProximalGradient;

/**
 * The primal of the penalised program (see {@link PenalizedProgram}) solved directly by accelerated proximal
 * gradient (FISTA): a full gradient pass, then singular-value soft-thresholding by ηλ. Step η = 1/L with
 * L = ‖F‖₂²/n, a bound on the curvature of the mean multinomial logistic loss (its Hessian in the logits is
 * at most the identity). It is the independent reference DCCNN's dual solution is checked against.
 */
public final class ProximalPrimal {
    private ProximalPrimal() {}

    /** W-layout solution, its objective and its bias (null without one). */
    public record Result(double[] w, double objective, double[] bias) {}

    public static Result solve(FeatureSource fs, double lambda, int iterations, double featureNorm) {
        Result r = solve(fs, lambda, iterations, featureNorm, false);
        return new Result(r.w(), r.objective(), null);
    }

    /**
     * With {@code bias}, the program with an unpenalised bias b (C−1 values) added to the logits, fitted with w;
     * the curvature bound becomes (‖F‖₂² + n)/n, that of the operator [F, 1].
     */
    public static Result solve(FeatureSource fs, double lambda, int iterations, double featureNorm, boolean bias) {
        int m = fs.dim(), Q = fs.positions(), c1 = fs.classes() - 1, n = fs.size();
        double L = (featureNorm * featureNorm + (bias ? n : 0)) / n;
        if (!(L > 0)) throw new IllegalArgumentException("the features are all zero");
        double eta = 1 / L;
        // Plain FISTA: step 1/L, no restart, no certificate (it runs all its iterations).
        PrimalOracle oracle = new PrimalOracle(fs, lambda, bias, null);
        double[] x = oracle.run(new AcceleratedProximalGradient(AcceleratedProximalGradient.FIXED,
                AcceleratedProximalGradient.Restart.NONE, new AcceleratedProximalGradient.Stopping(0, iterations, 0)), eta).x();
        double[] xb = bias ? oracle.bias() : null;
        return new Result(x, PenalizedProgram.pass(fs, x, xb, false).loss()
                + lambda * PenalizedProgram.nuclearNorm(x, m, Q, c1), xb);
    }
}
