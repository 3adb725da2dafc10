package dev.convexcnn.convex;

import dev.convexcnn.optim.GroupLasso;

/**
 * A program whose regulariser is a group lasso: r, its proximal operator, the certificate and λ_max come from
 * {@link #penalty}, written once for the gated programs' forms.
 */
public interface GroupLassoProgram extends CompositeObjective {
    /** The regulariser λ Σ_g ‖x_g‖. */
    GroupLasso penalty();

    @Override default double regularizer(double[] w) { return penalty().value(w); }

    @Override default void prox(double[] v, double step, double[] out) { penalty().prox(v, step, out); }

    /** λ Σ_g ‖x_g‖ is a sum of norms. */
    @Override default boolean homogeneousRegularizer() { return true; }

    @Override
    default double minNormSubgradientSquared(double[] w, double[] grad) {
        return penalty().minNormSubgradientSquared(w, grad);
    }

    /** λ_max = max_g ‖∇_g f(0)‖: the smallest λ for which 0 is optimal. Choose λ as a fraction of it. */
    default double lambdaMax() {
        double[] grad = new double[dimension()];
        smooth(new double[dimension()], grad);
        return penalty().maxGroupNorm(grad);
    }
}
