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
            int i = r / P;
            for (int col = 0; col < cols; col++) {
                int u = col / m1, cell = u % Q, l = col % m1;
                if (s[r * gates + cells.pattern()[cell * m1 + l]] > 0) a[i * units + u] += t[r * cols + col];
            }
        }
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
            for (int col = 0; col < cols; col++) {
                int cell = (col / m1) % Q, l = col % m1;
                out[r * cols + col] = cells.sign()[cell * m1 + l] * s[r * gates + cells.pattern()[cell * m1 + l]] * t[r * cols + col];
            }
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
            int i = r / P;
            for (int col = 0; col < cols; col++) {
                int u = col / m1, cell = u % Q, l = col % m1, j = cells.pattern()[cell * m1 + l];
                double sr = s[r * gates + j];
                double v = sr > 0 ? da[i * units + u] : 0;
                if (q != null) v += q[r * cols + col] * cells.sign()[cell * m1 + l] * sr;
                dt[r * cols + col] = v;
            }
        }
        Gemm.dgemm(true, false, h, cols, rows, 1, pp.patches(), 0, h, dt, 0, cols, 0, grad, 0, cols);
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
