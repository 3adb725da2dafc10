package dev.convexcnn.convex;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.optim.WeightedGroups;

/**
 * The convex program of the circular CNN with one ReLU layer (Ergen and Pilanci 2021, section on circular
 * CNNs): the network f(x) = Σ_j (⟨u_j ⊛ x, w_j⟩)₊ v_j, with ⊛ the 2-D circular convolution of the whole image by a
 * full-size filter u_j (‖u_j‖ ≤ 1), a linear map w_j of the convolved image to a scalar, a ReLU and the output
 * weight v_j; weight decay (β/2) Σ (‖w_j‖² + v_j²). Since ⟨u ⊛ x, w⟩ = x·z with ẑ = conj(û)·ŵ, the cheapest
 * (u, w) for a given z costs ‖w‖ = ‖ẑ‖₁/d, and the program is the two-layer one with that norm:
 * <pre>min loss(Σ_j D_j X (z_j − z′_j)) + β Σ_j (‖ẑ_j‖₁ + ‖ẑ′_j‖₁)/d  s.t. (2D_j − I) X z_j ≥ 0, same for z′_j,</pre>
 * an ℓ1 penalty on the spectrum. It is posed in the orthonormal real Fourier coordinates q = Qᵀz
 * ({@link RealFourier2d}), where X̃ = XQ is the FFT of every image and the penalty is a weighted group norm with
 * groups of one or two coordinates. The gated relaxation drops the constraints and the z′ block.
 * <p>
 * Variables: V (d × C) row-major, column (b·c + k)·p + j for block b (z or z′), class k, pattern j.
 */
public final class CircularProgram extends LinearConeProgram {
    private final RealFourier2d fourier;
    private final int d, gates, blocks, cols;
    private final double[] xt;     // X̃, n × d
    private final double[] on;     // D, n × p (0/1)
    private final WeightedGroups penalty;
    private final double[] t, dt;  // X̃V and its adjoint, n × C

    public CircularProgram(RealFourier2d fourier, double[] fourierRows, double[] patterns, int gates, int[] labels,
                           int classes, Loss loss, double lambda, boolean exact) {
        super(labels, classes, loss);
        this.fourier = fourier;
        this.d = fourier.size();
        this.gates = gates;
        this.blocks = exact ? 2 : 1;
        this.cols = blocks * classes * gates;
        if (fourierRows.length != samples * d || patterns.length != samples * gates) {
            throw new IllegalArgumentException("Fourier rows must be n × d and patterns n × p");
        }
        this.xt = fourierRows;
        this.on = patterns;
        int ng = fourier.groups() * cols;
        int[] start = new int[ng + 1], members = new int[d * cols];
        double[] w = new double[ng];
        int g = 0, a = 0;
        for (int col = 0; col < cols; col++) {
            for (int f = 0; f < fourier.groups(); f++) {
                for (int r = fourier.groupStart(f); r < fourier.groupStart(f + 1); r++) members[a++] = r * cols + col;
                w[g] = fourier.groupWeight(f);
                start[++g] = a;
            }
        }
        this.penalty = new WeightedGroups(d * cols, start, members, w, lambda);
        this.t = new double[samples * cols];
        this.dt = new double[samples * cols];
    }

    /**
     * The program on data d (one channel), with the patterns D_j = 1[x·g_j > 0] of the gate filters (pixel space,
     * d × p) after normalisation.
     */
    public static CircularProgram build(Dataset data, Normalization norm, Gates gates, Loss loss, double lambda, boolean exact) {
        if (data.channels() != 1) throw new IllegalArgumentException("the circular CNN program takes one-channel images, got " + data.channels());
        RealFourier2d f = new RealFourier2d(data.height(), data.width());
        double[][] rows = fourierRows(data, norm, f);
        return new CircularProgram(f, rows[1], patterns(rows[0], data.size(), f.size(), gates), gates.count(),
                data.labels(), data.classes(), loss, lambda, exact);
    }

    /** {pixels (n × d, normalised), Fourier coordinates (n × d)}. */
    public static double[][] fourierRows(Dataset data, Normalization norm, RealFourier2d f) {
        int n = data.size(), dd = f.size();
        if ((long) n * dd > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(n + " images of " + dd + " pixels are too many");
        double[] px = new double[n * dd], q = new double[n * dd];
        float[] scratch = new float[dd];
        for (int i = 0; i < n; i++) {
            norm.apply(data.pixels(), i * dd, scratch, 0, dd, 1);
            for (int r = 0; r < dd; r++) px[i * dd + r] = scratch[r];
            f.forward(px, i * dd, q, i * dd);
        }
        return new double[][] {px, q};
    }

    /** D (n × p, 0/1): D[i, j] = 1[x_i·g_j > 0]. */
    public static double[] patterns(double[] pixels, int n, int dd, Gates gates) {
        if (gates.patchSize() != dd) throw new IllegalArgumentException("gates are for " + gates.patchSize() + " pixels, not " + dd);
        int p = gates.count();
        double[] s = new double[n * p];
        Gemm.dgemm(false, false, n, p, dd, 1, pixels, 0, dd, gates.filters(), 0, p, 0, s, 0, p);
        for (int i = 0; i < s.length; i++) s[i] = s[i] > 0 ? 1 : 0;
        return s;
    }

    public RealFourier2d fourier() { return fourier; }
    public int gates() { return gates; }
    public boolean exact() { return blocks == 2; }
    /** Columns of V: blocks · classes · patterns. */
    public int columns() { return cols; }

    @Override public WeightedGroups penalty() { return penalty; }
    @Override public int dimension() { return d * cols; }
    @Override public long constraintCount() { return blocks == 2 ? (long) samples * cols : 0; }

    @Override
    protected void forward(double[] x, double[] out) {
        Gemm.dgemm(false, false, samples, cols, d, 1, xt, 0, d, x, 0, cols, 0, t, 0, cols);
        java.util.Arrays.fill(out, 0);
        for (int i = 0; i < samples; i++) {
            for (int b = 0; b < blocks; b++) {
                double sign = b == 0 ? 1 : -1;
                for (int k = 0; k < classes; k++) {
                    double s = 0;
                    int o = i * cols + (b * classes + k) * gates;
                    for (int j = 0; j < gates; j++) s += on[i * gates + j] * t[o + j];
                    out[i * classes + k] += sign * s;
                }
            }
        }
    }

    @Override
    protected void constraintValues(double[] out) {
        for (int i = 0; i < samples; i++) {
            for (int col = 0; col < cols; col++) out[i * cols + col] = (2 * on[i * gates + col % gates] - 1) * t[i * cols + col];
        }
    }

    @Override
    protected void backward(double[] dz, double[] q, double[] grad) {
        for (int i = 0; i < samples; i++) {
            for (int col = 0; col < cols; col++) {
                int j = col % gates, k = (col / gates) % classes;
                double sign = col / (gates * classes) == 0 ? 1 : -1;
                double v = sign * on[i * gates + j] * dz[i * classes + k];
                if (q != null) v += q[i * cols + col] * (2 * on[i * gates + j] - 1);
                dt[i * cols + col] = v;
            }
        }
        Gemm.dgemm(true, false, d, cols, samples, 1, xt, 0, d, dt, 0, cols, 0, grad, 0, cols);
    }

    /** Column col of V (Fourier coordinates of z for block b, class k, pattern j). */
    public double[] column(double[] x, int col) {
        double[] q = new double[d];
        for (int r = 0; r < d; r++) q[r] = x[r * cols + col];
        return q;
    }

    /** The recovered circular CNN: one unit per nonzero column. */
    public CircularCnn recover(double[] x, Normalization norm) {
        java.util.List<CircularCnn.Unit> units = new java.util.ArrayList<>();
        for (int col = 0; col < cols; col++) {
            double[] q = column(x, col);
            boolean any = false;
            for (double v : q) any |= v != 0;
            if (!any) continue;
            int k = (col / gates) % classes;
            double sign = col / (gates * classes) == 0 ? 1 : -1;
            units.add(CircularCnn.unitFor(fourier, fourier.inverse(q, 0), k, sign));
        }
        return new CircularCnn(fourier.height(), fourier.width(), classes, norm, units);
    }
}
