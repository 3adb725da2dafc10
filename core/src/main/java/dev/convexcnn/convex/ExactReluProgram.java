package dev.convexcnn.convex;

import dev.convexcnn.optim.GroupLasso;

/**
 * The convex program equivalent to a two-layer ReLU CNN:
 * min_{V,V′} loss(Φ(V − V′), y) + λ Σ_g (‖V_g‖₂ + ‖V′_g‖₂) s.t. (2D_j − I) Z V_{j,k} ≥ 0 and the same for V′,
 * for every pattern j and class k. Variables are x = [V; V′], each laid out as W (p·h × c).
 * <p>
 * For the augmented Lagrangian, {@link #withMultipliers} gives the smooth-plus-group-lasso objective
 * loss + λΣ‖·‖ + (ρ/2) Σ max(0, γ/ρ − h(x))² − Σ γ²/(2ρ), with h(x) the constraint values.
 */
public final class ExactReluProgram implements ConstrainedProgram {
    private final GroupLassoProgram gated;   // the loss of W = V − V′: the streamed or the Gram form
    private final PatchPatterns patterns;
    private final int gates, size, classes;
    private final GroupLasso penalty;
    // When set, the constraint rows z·v come from the GEMM form's blocked products (patches rebuilt per block of
    // samples), the same code as the gated program's Φ·W; otherwise from the held patch matrix.
    private final PatchProducts products;
    // The loss of V − V′ as a quadratic in x (null: not one), kept so its linear term is made once per program.
    private final dev.convexcnn.optim.Quadratic quadraticLoss;

    public ExactReluProgram(GatedReluProgram gated, PatchPatterns patterns) {
        this(gated, patterns, null);
    }

    /** The program with its constraint products computed by {@code products} (same data, patch geometry and gates). */
    public ExactReluProgram(GatedReluProgram gated, PatchPatterns patterns, PatchProducts products) {
        this(gated, gated.classes(), patterns, products);
        if (patterns.gates() != gated.features().gates() || patterns.patchSize() != gated.features().patchSize()) {
            throw new IllegalArgumentException("patterns and features disagree on gates or patch size");
        }
    }

    /**
     * The program whose loss of W = V − V′ is {@code gated} (any form of the gated program over the same data,
     * gates and classes: the streamed {@link GatedReluProgram} or the Gram form {@link GramGatedProgram}).
     */
    public ExactReluProgram(GroupLassoProgram gated, int classes, PatchPatterns patterns, PatchProducts products) {
        if (products != null && ((long) products.samples() * products.positions() != patterns.rows()
                || products.patchSize() != patterns.patchSize() || products.patterns() != patterns.gates())) {
            throw new IllegalArgumentException("the patch products and the patterns are not of the same data");
        }
        this.products = products;
        if ((long) patterns.gates() * patterns.patchSize() * classes != gated.dimension()) {
            throw new IllegalArgumentException("the loss has " + gated.dimension() + " weights, not the patterns' "
                    + patterns.gates() + " × " + patterns.patchSize() + " × " + classes);
        }
        this.gated = gated;
        this.patterns = patterns;
        this.gates = patterns.gates();
        this.size = patterns.patchSize();
        this.classes = classes;
        this.penalty = new GroupLasso(2, gates, size, classes, gated.penalty().lambda());
        this.quadraticLoss = PenalisedLoss.quadraticIn(gated, penalty);
    }

    @Override public int dimension() { return 2 * gates * size * classes; }
    public GroupLasso penalty() { return penalty; }
    public GroupLassoProgram gated() { return gated; }
    /** The loss of V − V′ as a quadratic in x, or null (see {@link PenalisedLoss#quadraticIn}). */
    dev.convexcnn.optim.Quadratic quadraticLoss() { return quadraticLoss; }
    /** Number of constraint values: 2 blocks × classes × n·P × p. */
    @Override public long constraintCount() { return 2L * classes * patterns.rows() * gates; }

    /** W = V − V′ for x = [V; V′]. */
    public static double[] difference(double[] x) {
        int half = x.length / 2;
        double[] w = new double[half];
        for (int i = 0; i < half; i++) w[i] = x[i] - x[half + i];
        return w;
    }

    /** The loss plus λ Σ‖·‖ of x, ignoring the constraints. */
    @Override public double objective(double[] x) {
        return gated.smooth(difference(x), null) + penalty.value(x);
    }

    /**
     * Writes the constraint values h of x into out, row-major (n·P rows × 2·c·p columns, column (b·c + k)·p + j for
     * block b, class k, pattern j): h = s_j (z·v_{b,k,j}). One matrix product for all blocks and classes, so the
     * product has 2·c·p columns rather than p.
     */
    @Override public void constraints(double[] x, double[] out) {
        int rows = patterns.rows(), cols = 2 * classes * gates;
        double[] vAll = new double[size * cols];
        gather(x, vAll);
        int block = products == null ? rows : blockRows(ROWS_PER_BLOCK);
        for (int r0 = 0; r0 < rows; r0 += block) rowProducts(r0, Math.min(block, rows - r0), vAll, cols, out, r0 * cols);
        applySigns(out, patterns.signs(), rows, cols, gates);
    }

    /** Rows per block of a blocked evaluation, at most wanted: whole samples (P rows each) with the patch products. */
    private int blockRows(int wanted) {
        int rows = patterns.rows();
        if (products == null) return Math.min(wanted, Math.max(1, rows));
        int positions = products.positions();
        return Math.max(1, Math.min(wanted / positions, Math.max(1, rows / positions))) * positions;
    }

    /** z·v (signs not applied) of rows [r0, r0 + m) into out from outOff (m × cols): whole samples with the patch products. */
    private void rowProducts(int r0, int m, double[] vAll, int cols, double[] out, int outOff) {
        if (products != null) products.blockTimes(r0 / products.positions(), m / products.positions(), vAll, cols, out, outOff);
        else dev.convexcnn.linalg.Gemm.dgemm(false, false, m, cols, size, 1, patterns.patches(), r0 * size, size, vAll, 0, cols, 0, out, outOff, cols);
    }

    /** What {@link #facets} finds: the squared violation of the rows scanned, and per pattern the rows found (ascending). */
    public record Facets(double violation, int[][] rows) {}

    /**
     * Per pattern j, rows of the cone constraints where x's groups leave the cone first, seen from the gate filter
     * u_j (inside the cone: a·u_j = |z·u_j| for every row a = s_j z). For a group v with a·v &lt; 0 the segment from u_j to
     * v crosses a's hyperplane at t = a·u / (a·u − a·v), so the row with the largest −a·v / a·u is crossed first: a
     * facet of the cone that v is outside of, where the most violated row need not be one. For each of the pattern's
     * 2·c groups, the {@code perColumn} rows with the largest ratio among the rows not held (held[j], null: none)
     * are found; rows r with rep[r] ≠ r are skipped (null: none), and the violation is over the rows scanned.
     */
    public Facets facets(double[] x, int[] rep, java.util.BitSet[] held, int perColumn) {
        if (perColumn < 1) throw new IllegalArgumentException("rows per group must be >= 1, got " + perColumn);
        int rows = patterns.rows(), cols = 2 * classes * gates, groups = 2 * classes;
        double[] vAll = new double[size * cols];
        gather(x, vAll);
        double[] u = patterns.filters();
        int block = blockRows(ROWS_PER_BLOCK);
        double[] zv = new double[block * cols], zu = new double[block * gates];
        double[] s = patterns.signs();
        // Per (pattern, group): the best perColumn ratios so far, descending, and their rows.
        double[][] best = new double[gates * groups][perColumn];
        int[][] bestRow = new int[gates * groups][perColumn];
        for (double[] b : best) java.util.Arrays.fill(b, Double.NEGATIVE_INFINITY);
        double violation = 0;
        for (int r0 = 0; r0 < rows; r0 += block) {
            int m = Math.min(block, rows - r0);
            rowProducts(r0, m, vAll, cols, zv, 0);
            rowProducts(r0, m, u, gates, zu, 0);
            for (int i = 0; i < m; i++) {
                int row = r0 + i;
                if (rep != null && rep[row] != row) continue;
                for (int j = 0; j < gates; j++) {
                    double sign = s[row * gates + j];
                    // a·u ≥ 0 by the sign's definition; 0 (a patch orthogonal to u_j) ranks first.
                    double au = Math.max(sign * zu[i * gates + j], Double.MIN_NORMAL);
                    boolean isHeld = held != null && held[j].get(row);
                    for (int g = 0; g < groups; g++) {
                        double hv = sign * zv[i * cols + g * gates + j];
                        if (hv >= 0) continue;
                        violation += hv * hv;
                        if (isHeld) continue;
                        double ratio = -hv / au;
                        double[] b = best[j * groups + g];
                        if (ratio <= b[perColumn - 1]) continue;
                        int[] br = bestRow[j * groups + g];
                        int at = perColumn - 1;
                        while (at > 0 && b[at - 1] < ratio) {
                            b[at] = b[at - 1];
                            br[at] = br[at - 1];
                            at--;
                        }
                        b[at] = ratio;
                        br[at] = row;
                    }
                }
            }
        }
        int[][] found = new int[gates][];
        for (int j = 0; j < gates; j++) {
            java.util.TreeSet<Integer> set = new java.util.TreeSet<>();
            for (int g = 0; g < groups; g++) {
                double[] b = best[j * groups + g];
                for (int k = 0; k < perColumn && b[k] > Double.NEGATIVE_INFINITY; k++) set.add(bestRow[j * groups + g][k]);
            }
            found[j] = set.stream().mapToInt(Integer::intValue).toArray();
        }
        return new Facets(violation, found);
    }

    public PatchPatterns patterns() { return patterns; }
    public int classes() { return classes; }

    /** h = s_j (z·v): the columns come in 2·c runs of p patterns, so no index is taken modulo p in the loop. */
    private static void applySigns(double[] out, double[] s, int rows, int cols, int gates) {
        for (int r = 0; r < rows; r++) {
            int so = r * gates;
            for (int o = r * cols, end = o + cols; o < end; o += gates) {
                for (int j = 0; j < gates; j++) out[o + j] *= s[so + j];
            }
        }
    }

    /** All weights as one h × (2·c·p) matrix, column (b·c + k)·p + j = the group of block b, class k, pattern j. */
    private void gather(double[] x, double[] vAll) {
        int cols = 2 * classes * gates, half = gates * size * classes;
        for (int b = 0; b < 2; b++) {
            for (int k = 0; k < classes; k++) {
                for (int j = 0; j < gates; j++) {
                    int col = (b * classes + k) * gates + j;
                    for (int t = 0; t < size; t++) vAll[t * cols + col] = x[b * half + (j * size + t) * classes + k];
                }
            }
        }
    }

    /**
     * The penalty on a block of m rows whose products z·v (signs not applied) are in p: h = s·p, m = max(0,
     * γ/ρ − h), q = −ρ m s (d/dh of (ρ/2) m² is −ρ m, and dh/dv = s z); returns Σ m². γ is read from gammaOff, the
     * signs from signOff. A small static method, so the JIT compiles the hot loop on its own; Math.max, because the
     * sign of γ/ρ − h is random and a branch would mispredict.
     */
    static double penaltyBlock(double[] gamma, int gammaOff, double[] p, double[] s, int signOff, int rows, int cols,
                               int gates, double invRho, double rho, double[] q) {
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            int so = signOff + r * gates;
            for (int o = r * cols, end = o + cols; o < end; o += gates) {
                for (int j = 0; j < gates; j++) {
                    double sign = s[so + j];
                    double m = Math.max(gamma[gammaOff + o + j] * invRho - sign * p[o + j], 0.0);
                    sum += m * m;
                    q[o + j] = -rho * m * sign;
                }
            }
        }
        return sum;
    }

    /**
     * 2·L_loss / λ_max(ZᵀZ): the loss Hessian of x = [V; V′] has top eigenvalue 2·L_loss (L_loss of the gated
     * loss, by power iteration on gradient differences at W = 0, exact for the squared loss), and the penalty's
     * is at most ρ·s²·λ_max(ZᵀZ) per group (s the signs' scale). Computed once, cached.
     */
    @Override public synchronized double penaltyScale() {
        if (penaltyScale > 0) return penaltyScale;
        // The signs square to 1, or to 1/A⁴ for windowed gates (their rows' scale).
        double sign = patterns.signScale();
        double zz = sign * sign * topEigenvalueOfGram(patterns.patches(), patterns.rows(), size);
        if (zz == 0) return penaltyScale = 1;
        double curvature = lossCurvature();
        return penaltyScale = curvature > 0 ? curvature / zz : 1;
    }

    /** λ_max(AᵀA) for A (rows × h, row-major), by power iteration on the h × h Gram matrix. */
    static double topEigenvalueOfGram(double[] a, int rows, int size) {
        if (rows == 0) return 0;
        double[] gram = new double[size * size];
        dev.convexcnn.linalg.Gemm.dgemm(true, false, size, size, rows, 1, a, 0, size, a, 0, size, 0, gram, 0, size);
        double[] u = new double[size];
        java.util.Arrays.fill(u, 1 / Math.sqrt(size));
        double zz = 0;
        for (int it = 0; it < 100; it++) {
            double[] next = new double[size];
            for (int r = 0; r < size; r++) for (int b = 0; b < size; b++) next[r] += gram[r * size + b] * u[b];
            zz = norm(next);
            if (zz == 0) return 0;
            for (int b = 0; b < size; b++) u[b] = next[b] / zz;
        }
        return zz;
    }

    /** 2·L_loss: the top eigenvalue of the loss Hessian in x = [V; V′] (cached). */
    synchronized double lossCurvature() {
        if (lossCurvature > 0) return lossCurvature;
        int d = gated.dimension();
        double[] w0 = new double[d], g0 = new double[d], g1 = new double[d], v = new double[d];
        gated.smooth(w0, g0);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(17);
        for (int i = 0; i < d; i++) v[i] = rnd.nextDouble() - 0.5;
        double scaleV = 1e-3 / norm(v), lLoss = 0;
        for (int it = 0; it < 30; it++) {
            for (int i = 0; i < d; i++) v[i] *= scaleV;
            gated.smooth(v, g1);
            for (int i = 0; i < d; i++) g1[i] -= g0[i];
            lLoss = norm(g1) / 1e-3;
            if (!(lLoss > 0)) return lossCurvature = -1;
            System.arraycopy(g1, 0, v, 0, d);
            scaleV = 1e-3 / norm(v);
        }
        return lossCurvature = 2 * lLoss;
    }

    private double penaltyScale, lossCurvature;

    private static double norm(double[] a) {
        double s = 0;
        for (double x : a) s += x * x;
        return Math.sqrt(s);
    }

    /**
     * Rows of the constraint matrix per block in the augmented Lagrangian's evaluation: the products and the penalty's
     * derivative are held for one block (2 × 1,024 × 2cp doubles), not for all n·P rows (2 × 33 MB at n = 100 with
     * 32 patterns, growing with n). Time per evaluation is the same within noise for blocks of 256 to all rows
     * (13.5-14.2 ms at n = 100, 32 patterns, measured); it is two products with K or M = h, and the penalty pass.
     */
    static final int ROWS_PER_BLOCK = 1024;

    /** The augmented Lagrangian objective for multipliers γ (same layout as h) and penalty ρ. */
    @Override public CompositeObjective withMultipliers(double[] gamma, double rho) {
        return withMultipliers(gamma, rho, ROWS_PER_BLOCK);
    }

    /** The same with another block size (tests: the value must not depend on it). */
    CompositeObjective withMultipliers(double[] gamma, double rho, int rowsPerBlock) {
        final int rows = patterns.rows(), h = size, half = gates * size * classes, cols = 2 * classes * gates;
        // With the blocked products a block is whole samples (P rows each).
        final int positions = products == null ? 1 : products.positions();
        final int block = blockRows(rowsPerBlock);
        final double[] zv = new double[block * cols], q = new double[block * cols];
        final double[] vAll = new double[h * cols], gAll = new double[h * cols];
        final double[] z = patterns.patches(), signs = patterns.signs();
        final double invRho = 1 / rho;
        double g2 = 0;
        for (double g : gamma) g2 += g * g;
        final double gammaSquared = g2;
        return new PenalisedLoss(gated, quadraticLoss, penalty, (x, grad) -> {
            gather(x, vAll);
            double sum = 0;
            boolean any = false;
            for (int r0 = 0; r0 < rows; r0 += block) {
                int m = Math.min(block, rows - r0);
                // z·v for the block's rows, then the penalty with the signs applied on the fly.
                rowProducts(r0, m, vAll, cols, zv, 0);
                double part = penaltyBlock(gamma, r0 * cols, zv, signs, r0 * gates, m, cols, gates, invRho, rho, q);
                sum += part;
                if (grad != null && part > 0) {
                    // Zᵀ q, one product for all blocks and classes, summed over the row blocks.
                    if (products != null) products.blockTransposeTimes(r0 / positions, m / positions, q, cols, any ? 1 : 0, gAll);
                    else dev.convexcnn.linalg.Gemm.dgemm(true, false, h, cols, m, 1, z, r0 * h, h, q, 0, cols, any ? 1 : 0, gAll, 0, cols);
                    any = true;
                }
            }
            if (grad != null) {
                java.util.Arrays.fill(grad, 0);
                if (any) {
                    // Scattered back to the group layout.
                    for (int b = 0; b < 2; b++) {
                        for (int k = 0; k < classes; k++) {
                            for (int j = 0; j < gates; j++) {
                                int col = (b * classes + k) * gates + j;
                                for (int t = 0; t < h; t++) grad[b * half + (j * h + t) * classes + k] = gAll[t * cols + col];
                            }
                        }
                    }
                }
            }
            return rho / 2 * sum - gammaSquared / (2 * rho);
        });
    }
}
