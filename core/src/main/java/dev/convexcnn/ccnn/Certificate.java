package dev.convexcnn.ccnn;

/**
 * The optimality certificate of a layer's convex program min L(A) s.t. ‖A‖_* ≤ R at the returned A:
 * gap = ⟨∇L(A), A⟩ + R·σ_max(∇L(A)) ≥ L(A) − L* (the Frank–Wolfe gap), on {@code samples} training samples.
 */
public record Certificate(int layer, int samples, double objective, double gap, double nuclearNorm, double radius,
                          double gradientSpectralNorm, double accuracy) {
    /** ‖A‖_* ≤ R up to rounding. */
    public boolean feasible() { return nuclearNorm <= radius * (1 + 1e-9); }

    /** The gap relative to the objective. */
    public double relativeGap() { return gap / Math.max(objective, 1e-300); }
}
