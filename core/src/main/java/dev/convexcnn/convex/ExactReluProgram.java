package dev.convexcnn.convex;

/**
 * The convex program equivalent to a two-layer ReLU CNN:
 * min_{V,V′} loss(Φ(V − V′), y) + λ Σ_g (‖V_g‖₂ + ‖V′_g‖₂) s.t. (2D_j − I) Z V_{j,k} ≥ 0 and the same for V′,
 * for every pattern j and class k. Variables are x = [V; V′], each laid out as W (p·h × c).
 * <p>
 * For the augmented Lagrangian, {@link #withMultipliers} gives the smooth-plus-group-lasso objective
 * loss + λΣ‖·‖ + (ρ/2) Σ max(0, γ/ρ − h(x))² − Σ γ²/(2ρ), with h(x) the constraint values.
 */
public final class ExactReluProgram {
    private final GatedReluProgram gated;
    private final PatchPatterns patterns;
    private final int gates, size, classes;
    private final GroupLasso penalty;

    public ExactReluProgram(GatedReluProgram gated, PatchPatterns patterns) {
        if (patterns.gates() != gated.features().gates() || patterns.patchSize() != gated.features().patchSize()) {
            throw new IllegalArgumentException("patterns and features disagree on gates or patch size");
        }
        this.gated = gated;
        this.patterns = patterns;
        this.gates = patterns.gates();
        this.size = patterns.patchSize();
        this.classes = gated.classes();
        this.penalty = new GroupLasso(2, gates, size, classes, gated.penalty().lambda());
    }

    public int dimension() { return 2 * gates * size * classes; }
    public GroupLasso penalty() { return penalty; }
    public GatedReluProgram gated() { return gated; }
    /** Number of constraint values: 2 blocks × classes × n·P × p. */
    public long constraintCount() { return 2L * classes * patterns.rows() * gates; }

    /** W = V − V′ for x = [V; V′]. */
    public static double[] difference(double[] x) {
        int half = x.length / 2;
        double[] w = new double[half];
        for (int i = 0; i < half; i++) w[i] = x[i] - x[half + i];
        return w;
    }

    /** The loss plus λ Σ‖·‖ of x, ignoring the constraints. */
    public double objective(double[] x) {
        return gated.smooth(difference(x), null) + penalty.value(x);
    }

    /**
     * Writes the constraint values h (2 × c × rows × p, block-major) of x into out: h = S ∘ (Z v) per block and
     * class.
     */
    public void constraints(double[] x, double[] out) {
        int rows = patterns.rows(), p = gates, h = size;
        double[] vk = new double[h * p];
        double[] zs = patterns.patches(), s = patterns.signs();
        for (int b = 0; b < 2; b++) {
            for (int k = 0; k < classes; k++) {
                gather(x, b, k, vk);
                int off = (b * classes + k) * rows * p;
                dev.convexcnn.linalg.Gemm.dgemm(false, false, rows, p, h, 1, zs, 0, h, vk, 0, p, 0, out, off, p);
                for (int i = 0; i < rows * p; i++) out[off + i] *= s[i];
            }
        }
    }

    /** Σ max(0, −h)²: how far x is from feasible. */
    public double violation(double[] hValues) {
        double v = 0;
        for (double hv : hValues) if (hv < 0) v += hv * hv;
        return v;
    }

    /** The block b, class k weights as an h × p matrix (column j = the group of pattern j). */
    private void gather(double[] x, int b, int k, double[] vk) {
        int base = b * gates * size * classes;
        for (int j = 0; j < gates; j++) {
            for (int t = 0; t < size; t++) vk[t * gates + j] = x[base + (j * size + t) * classes + k];
        }
    }

    /**
     * For one block and class: m = max(0, γ/ρ − h) elementwise, q = −ρ m s (d/dh of (ρ/2) m² is −ρ m, and
     * dh/dv = s z); returns Σ m². A small static method, so the JIT compiles the hot loop on its own.
     */
    private static double penaltyBlock(double[] gamma, double[] hv, int off, double[] s, double invRho, double rho,
                                       double[] q, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double m = gamma[off + i] * invRho - hv[off + i];
            m = Math.max(m, 0.0);   // branch-free: the sign of m is random
            sum += m * m;
            q[i] = -rho * m * s[i];
        }
        return sum;
    }

    /** The augmented Lagrangian objective for multipliers γ (same layout as h) and penalty ρ. */
    public CompositeObjective withMultipliers(double[] gamma, double rho) {
        final int rows = patterns.rows(), p = gates, h = size, half = gates * size * classes;
        final double[] hv = new double[(int) constraintCount()];
        final double[] wg = new double[half];
        final double[] q = new double[rows * p];
        final double[] gk = new double[h * p];
        final double invRho = 1 / rho;
        double g2 = 0;
        for (double g : gamma) g2 += g * g;
        final double gammaSquared = g2;
        return new CompositeObjective() {
            @Override public int dimension() { return 2 * half; }

            @Override
            public double smooth(double[] x, double[] grad) {
                double[] w = difference(x);
                double f = gated.smooth(w, grad == null ? null : wg);
                if (grad != null) {
                    for (int i = 0; i < half; i++) {
                        grad[i] = wg[i];
                        grad[half + i] = -wg[i];
                    }
                }
                constraints(x, hv);
                double pen = -gammaSquared / (2 * rho);
                double[] zs = patterns.patches(), s = patterns.signs();
                for (int b = 0; b < 2; b++) {
                    for (int k = 0; k < classes; k++) {
                        int off = (b * classes + k) * rows * p;
                        double sum = penaltyBlock(gamma, hv, off, s, invRho, rho, q, rows * p);
                        boolean anyActive = sum > 0;
                        pen += rho / 2 * sum;
                        if (grad != null && anyActive) {
                            dev.convexcnn.linalg.Gemm.dgemm(true, false, h, p, rows, 1, zs, 0, h, q, 0, p, 0, gk, 0, p);
                            int base = b * half;
                            for (int j = 0; j < p; j++) {
                                for (int t = 0; t < h; t++) grad[base + (j * h + t) * classes + k] += gk[t * p + j];
                            }
                        }
                    }
                }
                return f + pen;
            }

            @Override public double regularizer(double[] x) { return penalty.value(x); }
            @Override public void prox(double[] v, double step, double[] out) { penalty.prox(v, step, out); }

            @Override
            public double minNormSubgradientSquared(double[] x, double[] grad) {
                return penalty.minNormSubgradientSquared(x, grad);
            }
        };
    }
}
