package dev.convexcnn.optim;

/**
 * F(x) = q(x) + p(x) + r(x): a quadratic q whose products are the costly part of an evaluation, and a smooth p that
 * is cheap (e.g. an augmented Lagrangian's penalty on a few constraint rows). A solver keeps q's products of its
 * iterates as for a plain quadratic ({@link ProximalOracles#quadraticPlus}): q and ∇q at an extrapolated point come
 * from kept products, and p is evaluated wherever it is needed. f = q + p.
 */
public interface QuadraticPlus extends Composite {
    /** q, or null when this objective's smooth part has no quadratic of that kind (then f is priced by values). */
    Quadratic quadraticPart();

    /** p(x); writes ∇p(x) into grad (overwriting it) when grad is not null. */
    double otherPart(double[] x, double[] grad);
}
