package dev.convexcnn.convex;

import dev.convexcnn.optim.WeightedGroups;

/**
 * The common shape of the CNN programs built on a linear map: predictions z = A(x) (n × c), a weighted group
 * penalty, and (for the exact programs) linear cone constraints h = C(x) ≥ 0. A subclass supplies the forward map,
 * the constraint values and the adjoint; this class turns them into the gated objective (R-FISTA) and the
 * augmented Lagrangian objective, so every program is solved and certified the same way.
 */
public abstract class LinearConeProgram implements ConstrainedProgram {
    protected final int samples, classes;
    protected final int[] labels;
    protected final Loss loss;
    private final double[] z, dz;

    protected LinearConeProgram(int[] labels, int classes, Loss loss) {
        this.samples = labels.length;
        this.classes = classes;
        this.labels = labels;
        this.loss = loss;
        this.z = new double[samples * classes];
        this.dz = new double[samples * classes];
    }

    /** The regulariser λ Σ w_g ‖x_g‖. */
    public abstract WeightedGroups penalty();

    /** Predictions of x into out (n × c); may cache what {@link #constraintValues} and {@link #backward} need. */
    protected abstract void forward(double[] x, double[] out);

    /** h(x) of the x last given to {@link #forward}. */
    protected abstract void constraintValues(double[] out);

    /**
     * grad = Aᵀ dz + Cᵀ q for the x last given to {@link #forward}; q (same layout as h) may be null.
     */
    protected abstract void backward(double[] dz, double[] q, double[] grad);

    public int classes() { return classes; }
    public Loss loss() { return loss; }

    /** The loss of x, and its gradient into grad when not null. */
    public double smoothLoss(double[] x, double[] grad) {
        forward(x, z);
        double f = loss.value(z, labels, samples, classes, grad == null ? null : dz);
        if (grad != null) backward(dz, null, grad);
        return f;
    }

    /** Predictions of x (n × c). */
    public double[] predict(double[] x) {
        double[] out = new double[samples * classes];
        forward(x, out);
        return out;
    }

    @Override public double objective(double[] x) { return smoothLoss(x, null) + penalty().value(x); }

    @Override public void constraints(double[] x, double[] out) {
        forward(x, z);
        constraintValues(out);
    }

    /** The unconstrained (gated) problem loss + penalty, for R-FISTA. */
    public CompositeObjective unconstrained() {
        final WeightedGroups pen = penalty();
        return new CompositeObjective() {
            @Override public int dimension() { return LinearConeProgram.this.dimension(); }
            @Override public double smooth(double[] x, double[] grad) { return smoothLoss(x, grad); }
            @Override public double regularizer(double[] x) { return pen.value(x); }
            @Override public void prox(double[] v, double step, double[] out) { pen.prox(v, step, out); }
            @Override public double minNormSubgradientSquared(double[] x, double[] grad) { return pen.minNormSubgradientSquared(x, grad); }
        };
    }

    /** The smallest λ at which x = 0 is optimal for the unconstrained problem (an upper bound for the exact one). */
    public double lambdaMax() {
        double[] grad = new double[dimension()];
        smoothLoss(new double[dimension()], grad);
        return penalty().withLambda(1).lambdaMax(grad);
    }

    @Override
    public CompositeObjective withMultipliers(double[] gamma, double rho) {
        final WeightedGroups pen = penalty();
        double g2 = 0;
        for (double g : gamma) g2 += g * g;
        final double gammaSquared = g2;
        return new CompositeObjective() {
            @Override public int dimension() { return LinearConeProgram.this.dimension(); }
            @Override public double smooth(double[] x, double[] grad) { return penalisedLoss(x, gamma, rho, grad) - gammaSquared / (2 * rho); }
            @Override public double regularizer(double[] x) { return pen.value(x); }
            @Override public void prox(double[] v, double step, double[] out) { pen.prox(v, step, out); }
            @Override public double minNormSubgradientSquared(double[] x, double[] grad) { return pen.minNormSubgradientSquared(x, grad); }
        };
    }

    private double[] hv, q;

    /**
     * loss(x) + (ρ/2) Σ max(γ/ρ − h(x), 0)², and its gradient into grad when not null. A subclass may fuse the
     * passes over the constraints, summing in the same order so that the value is the same to the last bit.
     */
    protected double penalisedLoss(double[] x, double[] gamma, double rho, double[] grad) {
        int m = (int) constraintCount();
        if (hv == null) {
            hv = new double[m];
            q = new double[m];
        }
        forward(x, z);
        double f = loss.value(z, labels, samples, classes, grad == null ? null : dz);
        constraintValues(hv);
        double sum = 0;
        for (int i = 0; i < m; i++) {
            double mm = Math.max(gamma[i] / rho - hv[i], 0.0);
            sum += mm * mm;
            q[i] = -rho * mm;
        }
        if (grad != null) backward(dz, q, grad);
        return f + rho / 2 * sum;
    }
}
