package dev.convexcnn.convex;

import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.optim.WeightedGroups;

/**
 * The two-layer CNN with average pooling: conv - ReLU - avgpool(a×a windows, stride a) - linear. A neuron's
 * output is Σ_m v_m (1/|m|) Σ_{p∈m} (z_p·u)₊; with the regulariser β Σ ‖u‖₂‖v‖₁ a neuron splits, at no cost, into
 * one neuron per pooled output (and per class), so the network's problem is the convex program
 * <pre>min loss(Σ_{j,m} Φ_{j,m}(V_{j,m} − V′_{j,m})) + β Σ (‖V_{j,m}‖ + ‖V′_{j,m}‖)
 *   s.t. (2D_j − I) z_p V_{j,m} ≥ 0 for p ∈ m, the same for V′,</pre>
 * with Φ_{j,m}(x) = (1/|m|) Σ_{p∈m} D_j(x, p) z_p(x): one group per pattern, pool and class. A window as large as
 * the feature map is global average pooling: the two-layer program of {@link ExactReluProgram} with its features
 * divided by the number of positions. Only the patches of pool m constrain V_{j,m}, since only they reach its
 * neuron. The gated relaxation drops the constraints and V′.
 * <p>
 * Variables: V (h × C) row-major, column m·(B·c·p) + (b·c + k)·p + j, so that each pool's columns are contiguous.
 */
public final class PooledReluProgram extends LinearConeProgram {
    private final PatchPatterns pp;
    private final int h, P, gates, pools, window, blocks, perPool, cols, poolRows;
    private final int[][] rowsOf;       // global patch rows (i·P + p) of each pool, sample-major
    private final double[][] zm;        // the patches of each pool, poolRows × h
    private final WeightedGroups penalty;
    private final double[] t, dt;       // per pool: poolRows × perPool, pool after pool

    public PooledReluProgram(PatchPatterns pp, PatchGeometry geom, int window, int[] labels, int classes, Loss loss,
                             double lambda, boolean exact) {
        super(labels, classes, loss);
        var conv = geom.conv();
        int oh = conv.outHeight(), ow = conv.outWidth();
        if (window <= 0 || oh % window != 0 || ow % window != 0) {
            throw new IllegalArgumentException("pool window " + window + " must divide the " + oh + "x" + ow + " feature map");
        }
        this.pp = pp;
        this.h = pp.patchSize();
        this.P = geom.patches();
        this.gates = pp.gates();
        this.window = window;
        int mh = oh / window, mw = ow / window;
        this.pools = mh * mw;
        this.blocks = exact ? 2 : 1;
        this.perPool = blocks * classes * gates;
        this.cols = pools * perPool;
        int per = window * window;
        this.poolRows = samples * per;
        this.rowsOf = new int[pools][poolRows];
        int[] fill = new int[pools];
        for (int i = 0; i < samples; i++) {
            for (int py = 0; py < oh; py++) for (int px = 0; px < ow; px++) {
                int m = (py / window) * mw + px / window;
                rowsOf[m][fill[m]++] = i * P + py * ow + px;
            }
        }
        this.zm = new double[pools][poolRows * h];
        for (int m = 0; m < pools; m++) {
            for (int r = 0; r < poolRows; r++) System.arraycopy(pp.patches(), rowsOf[m][r] * h, zm[m], r * h, h);
        }
        int[] start = new int[cols + 1], members = new int[h * cols];
        for (int col = 0; col < cols; col++) {
            for (int tt = 0; tt < h; tt++) members[col * h + tt] = tt * cols + col;
            start[col + 1] = (col + 1) * h;
        }
        double[] w = new double[cols];
        java.util.Arrays.fill(w, 1);
        this.penalty = new WeightedGroups(h * cols, start, members, w, lambda);
        long big = (long) pools * poolRows * perPool;
        if (big > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("the pooled program is too large: use fewer samples or patterns");
        this.t = new double[(int) big];
        this.dt = new double[(int) big];
    }

    public int pools() { return pools; }
    public int window() { return window; }
    public boolean exact() { return blocks == 2; }
    @Override public WeightedGroups penalty() { return penalty; }
    @Override public int dimension() { return h * cols; }
    @Override public long constraintCount() { return blocks == 2 ? (long) pools * poolRows * perPool : 0; }

    @Override
    protected void forward(double[] x, double[] out) {
        java.util.Arrays.fill(out, 0);
        double[] s = pp.signs();
        double inv = 1.0 / (window * window);
        for (int m = 0; m < pools; m++) {
            int off = m * poolRows * perPool;
            Gemm.dgemm(false, false, poolRows, perPool, h, 1, zm[m], 0, h, x, m * perPool, cols, 0, t, off, perPool);
            for (int r = 0; r < poolRows; r++) {
                int g = rowsOf[m][r], i = g / P;
                for (int c0 = 0; c0 < perPool; c0++) {
                    if (s[g * gates + c0 % gates] <= 0) continue;
                    int k = (c0 / gates) % classes;
                    double sign = c0 / (gates * classes) == 0 ? inv : -inv;
                    out[i * classes + k] += sign * t[off + r * perPool + c0];
                }
            }
        }
    }

    @Override
    protected void constraintValues(double[] out) {
        double[] s = pp.signs();
        for (int m = 0; m < pools; m++) {
            int off = m * poolRows * perPool;
            for (int r = 0; r < poolRows; r++) {
                int g = rowsOf[m][r];
                for (int c0 = 0; c0 < perPool; c0++) out[off + r * perPool + c0] = s[g * gates + c0 % gates] * t[off + r * perPool + c0];
            }
        }
    }

    @Override
    protected void backward(double[] dz, double[] q, double[] grad) {
        double[] s = pp.signs();
        double inv = 1.0 / (window * window);
        for (int m = 0; m < pools; m++) {
            int off = m * poolRows * perPool;
            for (int r = 0; r < poolRows; r++) {
                int g = rowsOf[m][r], i = g / P;
                for (int c0 = 0; c0 < perPool; c0++) {
                    double sr = s[g * gates + c0 % gates];
                    int k = (c0 / gates) % classes;
                    double v = sr > 0 ? (c0 / (gates * classes) == 0 ? inv : -inv) * dz[i * classes + k] : 0;
                    if (q != null) v += q[off + r * perPool + c0] * sr;
                    dt[off + r * perPool + c0] = v;
                }
            }
            Gemm.dgemm(true, false, h, perPool, poolRows, 1, zm[m], 0, h, dt, off, perPool, 0, grad, m * perPool, cols);
        }
    }

    /** The recovered network: for every nonzero V_{j,m} (class k), a neuron u = V/√‖V‖ into pool m, v = ±√‖V‖. */
    public PooledReluNetwork recover(double[] x, PatchGeometry geometry) {
        java.util.List<PooledReluNetwork.Neuron> list = new java.util.ArrayList<>();
        for (int col = 0; col < cols; col++) {
            double nrm = penalty.norm(x, col);
            if (nrm == 0) continue;
            int m = col / perPool, c0 = col % perPool, k = (c0 / gates) % classes;
            double root = Math.sqrt(nrm), sign = c0 / (gates * classes) == 0 ? 1 : -1;
            double[] u = new double[h];
            for (int tt = 0; tt < h; tt++) u[tt] = x[tt * cols + col] / root;
            list.add(new PooledReluNetwork.Neuron(u, m, k, sign * root));
        }
        return new PooledReluNetwork(geometry, window, classes, list);
    }
}
