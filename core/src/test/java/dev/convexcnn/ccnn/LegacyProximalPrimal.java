package dev.convexcnn.ccnn;

/**
 * The primal of the penalised program (see {@link PenalizedProgram}) solved directly by accelerated proximal
 * gradient (FISTA): a full gradient pass, then singular-value soft-thresholding by ηλ. Step η = 1/L with
 * L = ‖F‖₂²/n, a bound on the curvature of the mean multinomial logistic loss (its Hessian in the logits is
 * at most the identity). It is the independent reference DCCNN's dual solution is checked against.
 */
final class LegacyProximalPrimal {
    private LegacyProximalPrimal() {}

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
        int len = Q * m * c1;
        double L = (featureNorm * featureNorm + (bias ? n : 0)) / n;
        if (!(L > 0)) throw new IllegalArgumentException("the features are all zero");
        double eta = 1 / L;
        double[] x = new double[len], y = new double[len];
        double[] xb = bias ? new double[c1] : null, yb = bias ? new double[c1] : null;
        double t = 1;
        for (int it = 0; it < iterations; it++) {
            PenalizedProgram.Pass p = PenalizedProgram.pass(fs, y, yb, true);
            double[] next = new double[len];
            for (int i = 0; i < len; i++) next[i] = y[i] - eta * p.gradient()[i];
            double[] a = ProjectedSgd.toA(next, m, Q, c1);
            NuclearBall.shrink(a, m, Q * c1, eta * lambda);
            ProjectedSgd.fromA(a, m, Q, c1, next);
            double tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
            for (int i = 0; i < len; i++) y[i] = next[i] + (t - 1) / tNext * (next[i] - x[i]);
            if (bias) {
                double[] gb = DualSolver.biasGradient(PenalizedProgram.softmax(p.logits(), n, fs.classes()), n, fs.classes(), fs.labels());
                double[] nb = new double[c1];
                for (int k = 0; k < c1; k++) nb[k] = yb[k] - eta * gb[k];
                for (int k = 0; k < c1; k++) yb[k] = nb[k] + (t - 1) / tNext * (nb[k] - xb[k]);
                xb = nb;
            }
            x = next;
            t = tNext;
        }
        return new Result(x, PenalizedProgram.pass(fs, x, xb, false).loss()
                + lambda * PenalizedProgram.nuclearNorm(x, m, Q, c1), xb);
    }
}
