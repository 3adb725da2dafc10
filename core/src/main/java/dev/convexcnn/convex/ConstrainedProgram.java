package dev.convexcnn.convex;

/**
 * A convex program min loss(x) + r(x) s.t. h(x) ≥ 0 with linear h, in the form the augmented Lagrangian solves:
 * the objective without the constraints, the constraint values, and the penalised objective for multipliers γ
 * and penalty ρ, loss + r + (ρ/2) Σ max(0, γ/ρ − h)² − Σ γ²/(2ρ).
 */
public interface ConstrainedProgram extends dev.convexcnn.optim.AugmentedLagrangian.Program {
    int dimension();

    /** The loss plus the regulariser of x, ignoring the constraints. */
    @Override
    double objective(double[] x);

    CompositeObjective withMultipliers(double[] gamma, double rho);
}
