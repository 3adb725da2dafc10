package dev.convexcnn.optim;

/**
 * A quadratic objective whose matrix is A = MᵀM for a linear map M given by its products: f(x) = scale·(‖Mx‖²/2 −
 * ⟨b, x⟩) + constant. A solver that keeps M·x of its iterates prices a trial point by one product with M
 * (⟨d, A d⟩ = ‖M d‖²) and needs the product with Mᵀ only for the point it accepts ({@link ProximalOracles#factored}).
 */
public interface Factored extends Quadratic {
    /** Length of M·x. */
    int rows();

    /** mx = M·x; with single, from float products (about 1e-7 relative). */
    void forward(double[] x, double[] mx, boolean single);

    /** out = Mᵀ·u; with single, from float products. */
    void adjoint(double[] u, double[] out, boolean single);

    /**
     * The group lasso whose groups {@link #adjointOn} computes apart, or null (the default): then the solver takes
     * every product with Mᵀ whole. A program returns it only when its regularizer is that group lasso.
     */
    default GroupLasso screenedGroups() { return null; }

    /**
     * (Mᵀ·u)_g for the groups g in groups[0, count) only, written into out at their indices; out's other entries are
     * left as they are. Costs about count/groups of a whole {@link #adjoint}.
     */
    default void adjointOn(double[] u, int[] groups, int count, double[] out, boolean single) {
        throw new UnsupportedOperationException("this program has no adjoint by groups");
    }

    /** Products are taken one point at a time (below): two cost twice one. */
    @Override default boolean widensCheaply() { return false; }

    /** A·x as Mᵀ(M·x), one point at a time. */
    @Override
    default void products(double[][] xs, int count, double[][] out, boolean single) {
        double[] mx = new double[rows()];
        for (int j = 0; j < count; j++) {
            forward(xs[j], mx, single);
            adjoint(mx, out[j], single);
        }
    }
}
