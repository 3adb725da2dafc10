package dev.convexcnn.optim;

import java.util.Arrays;

/**
 * Conjugate gradients for H x = g with H symmetric positive definite, given only as a product v ↦ H v, from
 * x = 0. Each iterate minimises the quadratic q(x) = ½ xᵀHx − gᵀx over a growing Krylov space that contains the
 * previous iterate, so q never increases. The stopping certificate is the relative residual ‖g − H x‖/‖g‖ (the
 * recurred residual, equal to the true one up to rounding).
 */
public final class ConjugateGradient {
    private ConjugateGradient() {}

    /** A symmetric positive (semi-)definite operator. */
    public interface Operator {
        /** Writes H v into out. */
        void apply(double[] v, double[] out);
    }

    /**
     * @param x          the solution, written here (its incoming content is ignored: the start is 0)
     * @param iterations at most this many products
     * @param tolerance  stop when ‖g − H x‖ ≤ tolerance · ‖g‖
     * @return the result: iterations used, final relative residual, and q(x) (≤ 0)
     */
    public static Result solve(Operator h, double[] g, double[] x, int iterations, double tolerance) {
        final int n = g.length;
        double[] r = g.clone(), p = g.clone(), hp = new double[n];
        Arrays.fill(x, 0);
        double rr = dot(r, r), g2 = rr;
        int it = 0;
        if (g2 == 0) return new Result(0, 0, 0);
        while (it < iterations && rr > tolerance * tolerance * g2) {
            h.apply(p, hp);
            double php = dot(p, hp);
            if (!(php > 0)) break; // no curvature left along p (only in the semi-definite case)
            double a = rr / php;
            for (int i = 0; i < n; i++) {
                x[i] += a * p[i];
                r[i] -= a * hp[i];
            }
            double rrNew = dot(r, r);
            double b = rrNew / rr;
            rr = rrNew;
            for (int i = 0; i < n; i++) p[i] = r[i] + b * p[i];
            it++;
        }
        // q(x) = -gᵀx + ½xᵀHx and Hx = g - r, so q = -½(gᵀx + rᵀx).
        double q = -0.5 * (dot(g, x) + dot(r, x));
        return new Result(it, Math.sqrt(rr / g2), q);
    }

    /**
     * @param iterations       products with H used
     * @param relativeResidual ‖g − H x‖/‖g‖ at the returned x: the certificate the tolerance was checked on
     * @param quadratic        q(x) = ½ xᵀHx − gᵀx (≤ 0)
     */
    public record Result(int iterations, double relativeResidual, double quadratic) {
        /** Whether the residual reached the tolerance the solve was given. */
        public boolean reached(double tolerance) { return relativeResidual <= tolerance; }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
