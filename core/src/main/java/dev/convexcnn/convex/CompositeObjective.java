package dev.convexcnn.convex;

/**
 * F(x) = f(x) + r(x): a smooth part with a gradient, and a regulariser with a proximal operator. The shape
 * every proximal solver here takes (init → step* → finish, one step testable on its own).
 */
public interface CompositeObjective {
    /** Number of variables. */
    int dimension();

    /** f(x); writes ∇f(x) into grad when grad is not null. */
    double smooth(double[] x, double[] grad);

    /** r(x). */
    double regularizer(double[] x);

    /** out = prox_{step·r}(v). */
    void prox(double[] v, double step, double[] out);

    /**
     * ‖the minimum-norm element of ∇f(x) + ∂r(x)‖²: zero exactly at a minimiser, so it is the optimality
     * certificate the solvers stop on.
     */
    double minNormSubgradientSquared(double[] x, double[] grad);
}
