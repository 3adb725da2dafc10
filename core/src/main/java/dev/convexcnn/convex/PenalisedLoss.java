package dev.convexcnn.convex;

import dev.convexcnn.optim.GroupLasso;
import dev.convexcnn.optim.Quadratic;
import dev.convexcnn.optim.QuadraticPlus;

/**
 * The exact programs' augmented-Lagrangian objective: loss(V − V′) + p(x) + λ Σ‖·‖ over x = [V; V′], with p the
 * penalty of the constraint rows. With the squared loss the loss is a quadratic in x whose products the solver keeps
 * ({@link QuadraticPlus}): the loss's products are the costly part, p's rows (a working set) are few.
 */
final class PenalisedLoss implements GroupLassoProgram, QuadraticPlus {
    /** p(x), with ∇p(x) written into grad (overwriting it) when grad is not null. */
    @FunctionalInterface
    interface Penalty {
        double value(double[] x, double[] grad);
    }

    private final GroupLassoProgram loss;
    private final GroupLasso penalty;
    private final Penalty part;
    private final Quadratic quadratic;
    private final int half;
    private final double[] wg, gp;

    /** quadratic: loss(V − V′) as a quadratic in x ({@link #quadraticIn}, made once per program), or null. */
    PenalisedLoss(GroupLassoProgram loss, Quadratic quadratic, GroupLasso penalty, Penalty part) {
        this.loss = loss;
        this.penalty = penalty;
        this.part = part;
        this.half = loss.dimension();
        this.quadratic = quadratic;
        this.wg = new double[half];
        this.gp = new double[2 * half];
    }

    /**
     * loss(V − V′) as a quadratic in x = [V; V′], or null where the loss is no quadratic of W: the Gram form, the GEMM
     * form and the held Φ are, with the squared loss. Cheap to make (its linear term is computed when first asked for).
     */
    static Quadratic quadraticIn(GroupLassoProgram loss, GroupLasso penalty) {
        Quadratic w = null;
        if (loss instanceof GramGatedProgram g) w = g;
        else if (loss instanceof GemmGatedProgram g && g.loss() == Loss.SQUARED) w = g;
        else if (loss instanceof GatedReluProgram g) w = g.asQuadratic();
        return w == null ? null : new Difference(w, penalty);
    }

    @Override public int dimension() { return 2 * half; }
    @Override public GroupLasso penalty() { return penalty; }
    @Override public Quadratic quadraticPart() { return quadratic; }
    @Override public double otherPart(double[] x, double[] grad) { return part.value(x, grad); }

    @Override
    public double smooth(double[] x, double[] grad) {
        double f = loss.smooth(ExactReluProgram.difference(x), grad == null ? null : wg);
        double p = part.value(x, grad == null ? null : gp);
        if (grad != null) {
            for (int i = 0; i < half; i++) {
                grad[i] = wg[i] + gp[i];
                grad[half + i] = -wg[i] + gp[half + i];
            }
        }
        return f + p;
    }

    /**
     * q(x) = loss(V − V′) for a quadratic loss of W: A_x = DᵀA D and b_x = Dᵀb for D = [I, −I], so A_x·x = [A·W; −A·W]
     * and b_x = [b; −b]; the regulariser is the exact program's.
     */
    static final class Difference implements Quadratic {
        private final Quadratic w;
        private final GroupLasso penalty;
        private final int half;
        private double[] b;

        Difference(Quadratic w, GroupLasso penalty) {
            this.w = w;
            this.penalty = penalty;
            this.half = w.dimension();
        }

        @Override public int dimension() { return 2 * half; }
        @Override public boolean widensCheaply() { return w.widensCheaply(); }

        @Override
        public void products(double[][] xs, int count, double[][] out, boolean single) {
            double[][] ws = new double[count][], aws = new double[count][];
            for (int j = 0; j < count; j++) {
                ws[j] = ExactReluProgram.difference(xs[j]);
                aws[j] = new double[half];
            }
            w.products(ws, count, aws, single);
            for (int j = 0; j < count; j++) {
                for (int i = 0; i < half; i++) {
                    out[j][i] = aws[j][i];
                    out[j][half + i] = -aws[j][i];
                }
            }
        }

        @Override public double scale() { return w.scale(); }

        @Override
        public synchronized double[] linearTerm() {
            if (b == null) {
                double[] bw = w.linearTerm(), out = new double[2 * half];
                for (int i = 0; i < half; i++) {
                    out[i] = bw[i];
                    out[half + i] = -bw[i];
                }
                b = out;
            }
            return b;
        }

        @Override public double constant() { return w.constant(); }
        @Override public double regularizer(double[] x) { return penalty.value(x); }
        @Override public void prox(double[] v, double step, double[] out) { penalty.prox(v, step, out); }
        @Override public double minNormSubgradientSquared(double[] x, double[] grad) { return penalty.minNormSubgradientSquared(x, grad); }
    }
}
