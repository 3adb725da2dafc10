package dev.convexcnn.convex;

import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.optim.WeightedGroups;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The convex program of a three-layer CNN with two ReLU layers. A unit of the network is
 * g(x) = (Σ_l w_l Σ_p (z_p(x)·u_l)₊)₊ v: m₁ first-layer filters u_l (‖u_l‖ ≤ 1) convolved over the patches, a
 * ReLU, a sum over positions, a linear map w ∈ R^{m₁}, a second ReLU and the output weight v; the network sums
 * units, each feeding one class, with weight decay (β/2) Σ (‖w‖² + v²). In one cell of the unit's arrangements
 * (first-layer pattern D_{j_l} and sign s_l = sign w_l for every filter, second-layer pattern D′) the unit is
 * linear in Z = [w_l u_l]_l ∈ R^{h×m₁}, with cost β‖Z‖_F; so the network's problem is
 * <pre>min loss(Σ_cells D′ Σ_l Φ_{j_l} (Z_l − Z′_l)) + β Σ_cells (‖Z‖_F + ‖Z′‖_F)
 *   s.t. s_l (2D_{j_l} − I) X_p Z_l ≥ 0 for every patch p, (2D′ − I) Σ_l Φ_{j_l} Z_l ≥ 0, the same for Z′,</pre>
 * with Φ_j(x) = Σ_p D_j(x, p) z_p(x). Over all cells it is the global optimum over networks of any width; here
 * the cells are sampled from random units, as the two-layer program samples its patterns. The gated relaxation
 * drops the constraints and Z′.
 * <p>
 * Variables: V (h × C) row-major, column ((b·c + k)·Q + cell)·m₁ + l.
 */
public final class ThreeLayerProgram extends LinearConeProgram {
    /** Q cells of units with m₁ filters: first-layer pattern and sign per filter, second-layer pattern (0/1, Q × n). */
    public record Cells(int filters, int count, int[] pattern, double[] sign, double[] outer) {
        public Cells {
            if (pattern.length != count * filters || sign.length != count * filters) throw new IllegalArgumentException("cells: Q × m1 patterns and signs");
        }

        /**
         * Q distinct cells of random units: m₁ of the p patterns at random, signs of standard normal w, and the
         * second-layer pattern of that unit with the gate filters as its first-layer filters.
         */
        public static Cells sample(PatchPatterns pp, Gates gates, int samples, int filters, int count, long seed) {
            int p = gates.count(), h = pp.patchSize(), rows = pp.rows(), P = rows / samples;
            double[] act = new double[rows * p];
            Gemm.dgemm(false, false, rows, p, h, 1, pp.patches(), 0, h, gates.filters(), 0, p, 0, act, 0, p);
            double[] pooled = new double[samples * p];
            for (int r = 0; r < rows; r++) for (int j = 0; j < p; j++) pooled[(r / P) * p + j] += Math.max(0, act[r * p + j]);
            SplittableRandom rnd = new SplittableRandom(seed);
            Set<String> seen = new HashSet<>();
            int[] pat = new int[count * filters];
            double[] sg = new double[count * filters], out = new double[count * samples];
            int q = 0;
            for (int tries = 0; q < count && tries < 50 * count; tries++) {
                int[] js = new int[filters];
                double[] w = new double[filters];
                for (int l = 0; l < filters; l++) { js[l] = rnd.nextInt(p); w[l] = rnd.nextGaussian(); }
                StringBuilder key = new StringBuilder();
                double[] on = new double[samples];
                boolean any = false;
                for (int i = 0; i < samples; i++) {
                    double pre = 0;
                    for (int l = 0; l < filters; l++) pre += w[l] * pooled[i * p + js[l]];
                    on[i] = pre > 0 ? 1 : 0;
                    any |= pre > 0;
                    key.append(pre > 0 ? '1' : '0');
                }
                for (int l = 0; l < filters; l++) key.append(',').append(js[l]).append(w[l] > 0 ? '+' : '-');
                if (!any || !seen.add(key.toString())) continue;
                for (int l = 0; l < filters; l++) { pat[q * filters + l] = js[l]; sg[q * filters + l] = w[l] > 0 ? 1 : -1; }
                System.arraycopy(on, 0, out, q * samples, samples);
                q++;
            }
            if (q == 0) throw new IllegalArgumentException("no sampled unit is active on any sample: check the data");
            return new Cells(filters, q, java.util.Arrays.copyOf(pat, q * filters), java.util.Arrays.copyOf(sg, q * filters),
                    java.util.Arrays.copyOf(out, q * samples));
        }
    }

    private final PatchPatterns pp;
    private final Cells cells;
    private final int h, P, rows, gates, m1, Q, blocks, units, cols;
    private final WeightedGroups penalty;
    private final double[] t, dt, a;
    // Per column: its gate (first-layer pattern), sign and unit, so the element loops need no division.
    private final int[] colGate, colUnit;
    private final double[] colSign;
    private double[] zs, dzs, rowSums;

    public ThreeLayerProgram(PatchPatterns pp, int samples, Cells cells, int[] labels, int classes, Loss loss,
                             double lambda, boolean exact) {
        super(labels, classes, loss);
        if (pp.rows() % samples != 0 || cells.outer().length != cells.count() * samples) {
            throw new IllegalArgumentException("patches and cells disagree on the number of samples");
        }
        this.pp = pp;
        this.cells = cells;
        this.h = pp.patchSize();
        this.rows = pp.rows();
        this.P = rows / samples;
        this.gates = pp.gates();
        this.m1 = cells.filters();
        this.Q = cells.count();
        this.blocks = exact ? 2 : 1;
        this.units = blocks * classes * Q;
        this.cols = units * m1;
        long big = (long) rows * cols;
        if (big > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the three-layer program on " + samples + " samples × " + P + " patches × " + cols
                    + " columns is too large: use fewer samples, cells or a larger stride");
        }
        int[] start = new int[units + 1], members = new int[h * cols];
        int a0 = 0;
        for (int u = 0; u < units; u++) {
            for (int tt = 0; tt < h; tt++) for (int l = 0; l < m1; l++) members[a0++] = tt * cols + u * m1 + l;
            start[u + 1] = a0;
        }
        double[] w = new double[units];
        java.util.Arrays.fill(w, 1);
        this.penalty = new WeightedGroups(h * cols, start, members, w, lambda);
        this.t = new double[(int) big];
        this.dt = new double[(int) big];
        this.a = new double[samples * units];
        this.colGate = new int[cols];
        this.colUnit = new int[cols];
        this.colSign = new double[cols];
        for (int col = 0; col < cols; col++) {
            int u = col / m1, cell = u % Q, l = col % m1;
            colGate[col] = cells.pattern()[cell * m1 + l];
            colUnit[col] = u;
            colSign[col] = cells.sign()[cell * m1 + l];
        }
    }

    public Cells cells() { return cells; }
    public boolean exact() { return blocks == 2; }
    @Override public WeightedGroups penalty() { return penalty; }
    @Override public int dimension() { return h * cols; }
    @Override public long constraintCount() { return blocks == 2 ? (long) rows * cols + (long) samples * units : 0; }

    private double on(int r, int j) { return pp.signs()[r * gates + j] > 0 ? 1 : 0; }

    @Override
    protected void forward(double[] x, double[] out) {
        Gemm.dgemm(false, false, rows, cols, h, 1, pp.patches(), 0, h, x, 0, cols, 0, t, 0, cols);
        java.util.Arrays.fill(a, 0);
        double[] s = pp.signs();
        for (int r = 0; r < rows; r++) {
            int tb = r * cols, sb = r * gates, ab = (r / P) * units;
            for (int col = 0; col < cols; col++) {
                if (s[sb + colGate[col]] > 0) a[ab + colUnit[col]] += t[tb + col];
            }
        }
        predictionsFromUnitSums(out);
    }

    /** out (n × c) from the unit sums a: each unit through its second-layer pattern, with its sign, into its class. */
    private void predictionsFromUnitSums(double[] out) {
        java.util.Arrays.fill(out, 0);
        for (int i = 0; i < samples; i++) {
            for (int u = 0; u < units; u++) {
                int cell = u % Q, k = (u / Q) % classes;
                double sign = u / (Q * classes) == 0 ? 1 : -1;
                out[i * classes + k] += sign * cells.outer()[cell * samples + i] * a[i * units + u];
            }
        }
    }

    @Override
    protected void constraintValues(double[] out) {
        double[] s = pp.signs();
        for (int r = 0; r < rows; r++) {
            int tb = r * cols, sb = r * gates;
            for (int col = 0; col < cols; col++) out[tb + col] = colSign[col] * s[sb + colGate[col]] * t[tb + col];
        }
        int off = rows * cols;
        for (int i = 0; i < samples; i++) {
            for (int u = 0; u < units; u++) out[off + i * units + u] = (2 * cells.outer()[(u % Q) * samples + i] - 1) * a[i * units + u];
        }
    }

    @Override
    protected void backward(double[] dz, double[] q, double[] grad) {
        double[] da = new double[samples * units];
        int off = rows * cols;
        for (int i = 0; i < samples; i++) {
            for (int u = 0; u < units; u++) {
                int cell = u % Q, k = (u / Q) % classes;
                double sign = u / (Q * classes) == 0 ? 1 : -1, on = cells.outer()[cell * samples + i];
                double v = sign * on * dz[i * classes + k];
                if (q != null) v += q[off + i * units + u] * (2 * on - 1);
                da[i * units + u] = v;
            }
        }
        double[] s = pp.signs();
        for (int r = 0; r < rows; r++) {
            int tb = r * cols, sb = r * gates, ab = (r / P) * units;
            if (q == null) {
                for (int col = 0; col < cols; col++) dt[tb + col] = s[sb + colGate[col]] > 0 ? da[ab + colUnit[col]] : 0;
            } else {
                for (int col = 0; col < cols; col++) {
                    double sr = s[sb + colGate[col]];
                    dt[tb + col] = (sr > 0 ? da[ab + colUnit[col]] : 0) + q[tb + col] * colSign[col] * sr;
                }
            }
        }
        Gemm.dgemm(true, false, h, cols, rows, 1, pp.patches(), 0, h, dt, 0, cols, 0, grad, 0, cols);
    }

    /**
     * The augmented Lagrangian's smooth part in two passes over the n·P × columns block (the generic path takes four
     * and two more arrays of that size): the first accumulates the unit sums, the penalty and the constraint part of
     * the gradient, the second adds the loss part once the unit sums are known. The gradient is the generic path's
     * to the last bit; the penalty is summed per row, then over rows.
     */
    @Override
    protected double penalisedLoss(double[] x, double[] gamma, double rho, double[] grad) {
        if (!exact()) return super.penalisedLoss(x, gamma, rho, grad);   // no constraints: the loss alone
        Gemm.dgemm(false, false, rows, cols, h, 1, pp.patches(), 0, h, x, 0, cols, 0, t, 0, cols);
        java.util.Arrays.fill(a, 0);
        double[] s = pp.signs();
        if (rowSums == null) rowSums = new double[rows];
        // Over samples on the cores: a sample's rows write only its own unit sums; per-row sums added in row order
        // make the value independent of the thread count.
        dev.convexcnn.linalg.Parallel.forRange(samples, 16, (from, to) -> {
            for (int r = from * P; r < to * P; r++) {
                int tb = r * cols, sb = r * gates, ab = (r / P) * units;
                double rowSum = 0;
                for (int col = 0; col < cols; col++) {
                    double sr = s[sb + colGate[col]], tv = t[tb + col];
                    if (sr > 0) a[ab + colUnit[col]] += tv;
                    double mm = Math.max(gamma[tb + col] / rho - colSign[col] * sr * tv, 0.0);
                    rowSum += mm * mm;
                    if (grad != null) dt[tb + col] = -rho * mm * colSign[col] * sr;
                }
                rowSums[r] = rowSum;
            }
        });
        double sum = 0;
        for (double v : rowSums) sum += v;
        if (zs == null) {
            zs = new double[samples * classes];
            dzs = new double[samples * classes];
        }
        predictionsFromUnitSums(zs);
        double f = loss.value(zs, labels, samples, classes, grad == null ? null : dzs);
        int off = rows * cols;
        double[] da = grad == null ? null : new double[samples * units];
        for (int i = 0; i < samples; i++) {
            for (int u = 0; u < units; u++) {
                double on = cells.outer()[(u % Q) * samples + i];
                double mm = Math.max(gamma[off + i * units + u] / rho - (2 * on - 1) * a[i * units + u], 0.0);
                sum += mm * mm;
                if (da != null) {
                    int k = (u / Q) % classes;
                    double sign = u / (Q * classes) == 0 ? 1 : -1;
                    da[i * units + u] = sign * on * dzs[i * classes + k] + -rho * mm * (2 * on - 1);
                }
            }
        }
        if (grad != null) {
            dev.convexcnn.linalg.Parallel.forRange(samples, 16, (from, to) -> {
                for (int r = from * P; r < to * P; r++) {
                    int tb = r * cols, sb = r * gates, ab = (r / P) * units;
                    for (int col = 0; col < cols; col++) {
                        if (s[sb + colGate[col]] > 0) dt[tb + col] += da[ab + colUnit[col]];
                    }
                }
            });
            Gemm.dgemm(true, false, h, cols, rows, 1, pp.patches(), 0, h, dt, 0, cols, 0, grad, 0, cols);
        }
        return f + rho / 2 * sum;
    }

    /**
     * The recovered network: for each nonzero Z (‖Z‖_F = F), filters u_l = s_l Z_l/‖Z_l‖, w_l = s_l ‖Z_l‖/√F and
     * v = ±√F, so that ‖w‖ = |v| and the weight decay is F.
     */
    public ThreeLayerCnn recover(double[] x, PatchGeometry geometry) {
        java.util.List<ThreeLayerCnn.Unit> list = new java.util.ArrayList<>();
        for (int u = 0; u < units; u++) {
            double f = penalty.norm(x, u);
            if (f == 0) continue;
            int cell = u % Q, k = (u / Q) % classes;
            double sign = u / (Q * classes) == 0 ? 1 : -1;
            double[] filt = new double[m1 * h], w = new double[m1];
            for (int l = 0; l < m1; l++) {
                double nl = 0;
                for (int tt = 0; tt < h; tt++) nl += x[tt * cols + u * m1 + l] * x[tt * cols + u * m1 + l];
                nl = Math.sqrt(nl);
                if (nl == 0) continue;
                double sl = cells.sign()[cell * m1 + l];
                for (int tt = 0; tt < h; tt++) filt[l * h + tt] = sl * x[tt * cols + u * m1 + l] / nl;
                w[l] = sl * nl / Math.sqrt(f);
            }
            list.add(new ThreeLayerCnn.Unit(filt, w, sign * Math.sqrt(f), k));
        }
        return new ThreeLayerCnn(geometry, m1, classes, list);
    }
}
