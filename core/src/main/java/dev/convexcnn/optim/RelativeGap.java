package dev.convexcnn.optim;

/** A program's duality gap relative to its primal value, from x, f(x), r(x) and ∇f(x): a stopping rule's figure. */
@FunctionalInterface
public interface RelativeGap {
    double relativeGap(double[] x, double f, double r, double[] grad);
}
