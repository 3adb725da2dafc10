package dev.convexcnn.convex;

/**
 * A convex program min loss(x) + r(x) s.t. h(x) ≥ 0 with linear h, in the form the augmented Lagrangian solves:
 * the objective without the constraints, the constraint values, and the penalised objective for multipliers γ
 * and penalty ρ, loss + r + (ρ/2) Σ max(0, γ/ρ − h)² − Σ γ²/(2ρ).
 */
public interface ConstrainedProgram {
    int dimension();

    long constraintCount();

    /** The loss plus the regulariser of x, ignoring the constraints. */
    double objective(double[] x);

    /** Writes h(x) into out. */
    void constraints(double[] x, double[] out);

    /** Σ max(0, −h)²: how far x is from feasible. */
    default double violation(double[] hValues) {
        double v = 0;
        for (double hv : hValues) if (hv < 0) v += hv * hv;
        return v;
    }

    CompositeObjective withMultipliers(double[] gamma, double rho);

    /**
     * The penalty ρ at which the penalty's curvature matches the objective's, the unit in which the augmented
     * Lagrangian reads its initial ρ. 1 unless the program can estimate it: a ρ far above it makes every inner
     * solve ill-conditioned (small steps), one far below it makes the multipliers converge slowly.
     */
    default double penaltyScale() { return 1; }
}
