package dev.convexcnn.ccnn;

/**
 * The optimality certificate of one DCCNN layer: the penalised program's primal objective P at the recovered
 * A and the dual objective D at the dual solution made feasible, both on the {@code samples} training samples.
 * Weak duality gives P − D ≥ P − P* ≥ 0, so {@link #gap()} bounds the recovered model's suboptimality.
 *
 * @param constraintRatio ‖G(p)‖₂/λ of the raw dual iterate (≤ 1: feasible before scaling)
 * @param subspace        singular pairs of −G(p) at λ kept by the recovery (the candidate filters)
 * @param filters         rank of the recovered A
 * @param source          "dual" when A came from {@link DualRecovery}; "multiplier" when the solver's own primal
 *                        iterate (the spectral constraint's multiplier) had an objective lower by more than the tolerance and was kept instead
 *                        (an inexact dual point can point the recovery at the wrong subspace)
 */
public record DualCertificate(int layer, int samples, double lambda, double lambdaMax, double primal, double dual,
                              double constraintRatio, int subspace, int filters, int iterations, double seconds,
                              double accuracy, String source) {
    public double gap() { return primal - dual; }

    public double relativeGap() { return gap() / Math.max(Math.abs(primal), 1e-300); }
}
