package dev.convexcnn.optim;

/**
 * F(x) = f(x) + r(x): a smooth part with a gradient, and a regulariser with a proximal operator. The shape every
 * proximal solver takes ({@link AcceleratedProximalGradient}); a method's program implements it.
 */
public interface Composite {
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

    /**
     * Whether r is positively homogeneous, r(t·v) = t·r(v) for t ≥ 0 (a norm, a sum of norms): then
     * prox_{t·r}(t·v) = t·prox_r(v), so from the point 0 every trial step moves along one direction.
     */
    default boolean homogeneousRegularizer() { return false; }
}
