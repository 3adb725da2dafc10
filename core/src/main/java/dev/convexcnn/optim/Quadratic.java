package dev.convexcnn.optim;

/**
 * A composite objective whose smooth part is a quadratic, f(x) = scale·(⟨x, Ax⟩/2 − ⟨b, x⟩) + constant with A
 * symmetric positive semidefinite. Its gradient scale·(Ax − b) is affine in x, so a solver that keeps the products
 * A·x of its iterates gets A·y of any combination y of them for free, and can price several trial points with one
 * wide product ({@link ProximalOracles#products}).
 */
public interface Quadratic extends Composite {
    /**
     * out[j] = A·xs[j] for j < count, in one product. With single, the product may be rounded to float (about
     * 1e-7 relative): fast iterations, never a certificate.
     */
    void products(double[][] xs, int count, double[][] out, boolean single);

    /**
     * Whether a product of two points costs about as much as one (a memory-bound product), so that a solver may price
     * two trial steps with one product ({@link ProximalOracles#quadraticPlus}).
     */
    default boolean widensCheaply() { return true; }

    /** The factor in front of the quadratic. */
    double scale();

    /** b (not to be written). */
    double[] linearTerm();

    /** The constant term. */
    double constant();

    /** f(x) from ax = A·x; writes ∇f(x) = scale·(ax − b) into grad when grad is not null. */
    default double smoothFromProduct(double[] x, double[] ax, double[] grad) {
        double[] b = linearTerm();
        double s = scale(), quad = 0;
        for (int i = 0; i < x.length; i++) {
            quad += x[i] * (ax[i] / 2 - b[i]);
            if (grad != null) grad[i] = s * (ax[i] - b[i]);
        }
        return s * quad + constant();
    }

    /**
     * f(x2) − f(x1) = scale·⟨x2 − x1, (Ax1 + Ax2)/2 − b⟩ (A symmetric), without subtracting two values of f: the
     * difference keeps its relative precision when it is far below f itself.
     */
    default double smoothDifference(double[] x1, double[] ax1, double[] x2, double[] ax2) {
        double[] b = linearTerm();
        double sum = 0;
        for (int i = 0; i < x1.length; i++) sum += (x2[i] - x1[i]) * ((ax1[i] + ax2[i]) / 2 - b[i]);
        return scale() * sum;
    }

    /** The program's relative duality gap, for a second stopping rule; null when it has none. */
    default RelativeGap dualityGap() { return null; }

    @Override
    default double smooth(double[] x, double[] grad) {
        double[][] out = {new double[x.length]};
        products(new double[][] {x}, 1, out, false);
        return smoothFromProduct(x, out[0], grad);
    }
}
