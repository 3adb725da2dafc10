package dev.convexcnn.compress;

import dev.convexcnn.linalg.DoubleMatrix;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Tensor decompositions of a dense tensor (row-major, the last mode fastest), in double precision: CP by
 * alternating least squares, Tucker by HOSVD and HOOI (on any subset of the modes), and TT-SVD. Factor matrices
 * are row-major I_n × R_n. The mode-n unfolding has rows i_n and columns the other modes in order, the last
 * fastest, so X_(n) = A_n · (⊙ of the other factors)ᵀ with that same ordering.
 */
public final class Decompositions {
    private Decompositions() {}

    /**
     * maxIterations and tolerance (relative change of the fit) stop CP-ALS; hooiIterations is the number of HOOI
     * sweeps after the HOSVD start (0: plain truncated HOSVD); seed fills CP columns beyond a mode's size.
     */
    public record Settings(int maxIterations, double tolerance, int hooiIterations, long seed) {
        public Settings {
            if (maxIterations < 1 || hooiIterations < 0 || !(tolerance >= 0)) throw new IllegalArgumentException("bad decomposition settings");
        }
        public static Settings defaults() { return new Settings(500, 1e-12, 10, 0); }
    }

    public record Cp(double[][] factors, int rank, double relativeError, int iterations) {}
    /** factors[n] is null for a mode that is not factorised (Tucker-2's spatial modes). */
    public record Tucker(double[] core, int[] coreDims, double[][] factors, double relativeError) {}
    /** cores[n] is r_{n-1} × I_n × r_n with r_0 = r_d = 1, row-major. */
    public record TensorTrain(double[][] cores, int[] ranks, double relativeError) {}

    // ---- tensor algebra ----

    static int size(int[] dims) {
        int n = 1;
        for (int d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    /** The mode-n unfolding, dims[n] × (product of the others). */
    public static DoubleMatrix unfold(double[] x, int[] dims, int n) {
        int before = 1, after = 1;
        for (int i = 0; i < n; i++) before *= dims[i];
        for (int i = n + 1; i < dims.length; i++) after *= dims[i];
        int in = dims[n];
        DoubleMatrix m = new DoubleMatrix(in, before * after);
        double[] d = m.data();
        for (int b = 0; b < before; b++) for (int i = 0; i < in; i++) {
            System.arraycopy(x, (b * in + i) * after, d, i * before * after + b * after, after);
        }
        return m;
    }

    /** y = x ×_n M, with M J × dims[n] (row-major); returns the new tensor (dims[n] becomes J). */
    public static double[] modeProduct(double[] x, int[] dims, int n, double[] m, int rowsM) {
        int before = 1, after = 1;
        for (int i = 0; i < n; i++) before *= dims[i];
        for (int i = n + 1; i < dims.length; i++) after *= dims[i];
        int in = dims[n];
        double[] y = new double[before * rowsM * after];
        for (int b = 0; b < before; b++) for (int j = 0; j < rowsM; j++) {
            int dst = (b * rowsM + j) * after;
            for (int i = 0; i < in; i++) {
                double mji = m[j * in + i];
                if (mji == 0) continue;
                int src = (b * in + i) * after;
                for (int a = 0; a < after; a++) y[dst + a] += mji * x[src + a];
            }
        }
        return y;
    }

    public static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        return t;
    }

    static double norm(double[] x) {
        double s = 0;
        for (double v : x) s += v * v;
        return Math.sqrt(s);
    }

    public static double relativeError(double[] x, double[] approx) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += (x[i] - approx[i]) * (x[i] - approx[i]);
        double nx = norm(x);
        return nx == 0 ? Math.sqrt(s) : Math.sqrt(s) / nx;
    }

    /** The r leading left singular vectors of m, as an m.rows() × r row-major matrix (r ≤ min(rows, cols)). */
    static double[] leadingLeft(DoubleMatrix m, int r) {
        DoubleMatrix u = m.svd().u();
        if (r > u.cols()) throw new IllegalArgumentException("rank " + r + " exceeds " + u.cols());
        double[] out = new double[m.rows() * r];
        for (int i = 0; i < m.rows(); i++) for (int j = 0; j < r; j++) out[i * r + j] = u.get(i, j);
        return out;
    }

    // ---- Tucker: HOSVD and HOOI ----

    /**
     * Tucker decomposition on the modes where {@code factored} is true, at the given ranks (ignored on the other
     * modes): truncated HOSVD, then {@code settings.hooiIterations()} HOOI sweeps, each mode's factor being the
     * leading left singular vectors of the tensor projected on all other factors. Factors have orthonormal
     * columns; the core is x ×_n U_nᵀ.
     */
    public static Tucker tucker(double[] x, int[] dims, int[] ranks, boolean[] factored, Settings settings) {
        int d = dims.length;
        double[][] u = new double[d][];
        for (int n = 0; n < d; n++) {
            if (!factored[n]) continue;
            u[n] = leadingLeft(unfold(x, dims, n), Math.min(ranks[n], Math.min(dims[n], size(dims) / dims[n])));
        }
        int[] r = new int[d];
        for (int n = 0; n < d; n++) r[n] = factored[n] ? u[n].length / dims[n] : dims[n];
        for (int it = 0; it < settings.hooiIterations(); it++) {
            for (int n = 0; n < d; n++) {
                if (!factored[n]) continue;
                double[] y = x;
                int[] yd = dims.clone();
                for (int m = 0; m < d; m++) {
                    if (m == n || !factored[m]) continue;
                    y = modeProduct(y, yd, m, transpose(u[m], dims[m], r[m]), r[m]);
                    yd[m] = r[m];
                }
                DoubleMatrix yn = unfold(y, yd, n);
                u[n] = leadingLeft(yn, Math.min(r[n], Math.min(yn.rows(), yn.cols())));
                r[n] = u[n].length / dims[n];
            }
        }
        double[] core = x;
        int[] cd = dims.clone();
        for (int n = 0; n < d; n++) {
            if (!factored[n]) continue;
            core = modeProduct(core, cd, n, transpose(u[n], dims[n], r[n]), r[n]);
            cd[n] = r[n];
        }
        // Pad to the requested ranks with zero columns where the data had lower rank than asked.
        for (int n = 0; n < d; n++) {
            if (!factored[n] || r[n] == ranks[n]) continue;
            double[] pu = new double[dims[n] * ranks[n]];
            for (int i = 0; i < dims[n]; i++) System.arraycopy(u[n], i * r[n], pu, i * ranks[n], r[n]);
            double[] emb = new double[ranks[n] * r[n]];
            for (int i = 0; i < r[n]; i++) emb[i * r[n] + i] = 1;
            core = modeProduct(core, cd, n, emb, ranks[n]);
            cd[n] = ranks[n];
            u[n] = pu;
            r[n] = ranks[n];
        }
        Tucker t = new Tucker(core, cd, u, 0);
        return new Tucker(core, cd, u, relativeError(x, reconstruct(t, dims)));
    }

    /** The full tensor of a Tucker decomposition. */
    public static double[] reconstruct(Tucker t, int[] dims) {
        double[] y = t.core();
        int[] yd = t.coreDims().clone();
        for (int n = 0; n < dims.length; n++) {
            if (t.factors()[n] == null) continue;
            y = modeProduct(y, yd, n, t.factors()[n], dims[n]);
            yd[n] = dims[n];
        }
        return y;
    }

    // ---- CP-ALS ----

    /**
     * CP by alternating least squares: each sweep sets A_n = X_(n)·(⊙_{m≠n} A_m)·(∗_{m≠n} A_mᵀA_m)⁺. It starts from
     * the leading left singular vectors of each unfolding (random columns beyond the mode size) and stops when the
     * relative error changes by less than the tolerance. The column norms are balanced across the factors at the end.
     */
    public static Cp cpAls(double[] x, int[] dims, int rank, Settings settings) {
        int d = dims.length;
        SplittableRandom rnd = new SplittableRandom(settings.seed());
        double[][] a = new double[d][];
        for (int n = 0; n < d; n++) {
            DoubleMatrix xn = unfold(x, dims, n);
            int k = Math.min(rank, Math.min(xn.rows(), xn.cols()));
            double[] lead = leadingLeft(xn, k);
            a[n] = new double[dims[n] * rank];
            for (int i = 0; i < dims[n]; i++) {
                for (int r = 0; r < rank; r++) a[n][i * rank + r] = r < k ? lead[i * k + r] : rnd.nextGaussian() / Math.sqrt(dims[n]);
            }
        }
        double nx = norm(x), prev = Double.MAX_VALUE, err = 1;
        int it = 0;
        while (it < settings.maxIterations()) {
            it++;
            for (int n = 0; n < d; n++) {
                double[] v = new double[rank * rank];
                Arrays.fill(v, 1);
                for (int m = 0; m < d; m++) {
                    if (m == n) continue;
                    for (int p = 0; p < rank; p++) for (int q = 0; q < rank; q++) {
                        double s = 0;
                        for (int i = 0; i < dims[m]; i++) s += a[m][i * rank + p] * a[m][i * rank + q];
                        v[p * rank + q] *= s;
                    }
                }
                double[] mk = mttkrp(x, dims, a, n, rank);
                a[n] = times(mk, dims[n], rank, pinv(v, rank), rank);
            }
            err = relativeError(x, reconstructCp(a, dims, rank));
            if (nx == 0 || Math.abs(prev - err) <= settings.tolerance() * Math.max(1, err) && it > 1) break;
            prev = err;
        }
        balance(a, dims, rank);
        return new Cp(a, rank, err, it);
    }

    /** X_(n) · (Khatri–Rao product of the other factors), computed entry by entry. */
    static double[] mttkrp(double[] x, int[] dims, double[][] a, int n, int rank) {
        int d = dims.length;
        double[] out = new double[dims[n] * rank];
        int[] idx = new int[d];
        double[] prod = new double[rank];
        for (int e = 0; e < x.length; e++) {
            int rem = e;
            for (int m = d - 1; m >= 0; m--) { idx[m] = rem % dims[m]; rem /= dims[m]; }
            double xv = x[e];
            if (xv == 0) continue;
            Arrays.fill(prod, xv);
            for (int m = 0; m < d; m++) {
                if (m == n) continue;
                int base = idx[m] * rank;
                for (int r = 0; r < rank; r++) prod[r] *= a[m][base + r];
            }
            int base = idx[n] * rank;
            for (int r = 0; r < rank; r++) out[base + r] += prod[r];
        }
        return out;
    }

    public static double[] reconstructCp(double[][] a, int[] dims, int rank) {
        int d = dims.length;
        double[] y = new double[size(dims)];
        int[] idx = new int[d];
        for (int e = 0; e < y.length; e++) {
            int rem = e;
            for (int m = d - 1; m >= 0; m--) { idx[m] = rem % dims[m]; rem /= dims[m]; }
            double s = 0;
            for (int r = 0; r < rank; r++) {
                double p = 1;
                for (int m = 0; m < d; m++) p *= a[m][idx[m] * rank + r];
                s += p;
            }
            y[e] = s;
        }
        return y;
    }

    private static void balance(double[][] a, int[] dims, int rank) {
        int d = dims.length;
        for (int r = 0; r < rank; r++) {
            double[] norms = new double[d];
            double logProd = 0;
            boolean zero = false;
            for (int n = 0; n < d; n++) {
                double s = 0;
                for (int i = 0; i < dims[n]; i++) s += a[n][i * rank + r] * a[n][i * rank + r];
                norms[n] = Math.sqrt(s);
                if (norms[n] == 0) zero = true;
                else logProd += Math.log(norms[n]);
            }
            if (zero) continue;
            double target = Math.exp(logProd / d);
            for (int n = 0; n < d; n++) {
                double f = target / norms[n];
                for (int i = 0; i < dims[n]; i++) a[n][i * rank + r] *= f;
            }
        }
    }

    static double[] times(double[] a, int rows, int inner, double[] b, int cols) {
        double[] c = new double[rows * cols];
        for (int i = 0; i < rows; i++) for (int k = 0; k < inner; k++) {
            double v = a[i * inner + k];
            if (v == 0) continue;
            for (int j = 0; j < cols; j++) c[i * cols + j] += v * b[k * cols + j];
        }
        return c;
    }

    /** Pseudo-inverse of a square n × n matrix by SVD, singular values below 1e-12·σ_max treated as 0. */
    static double[] pinv(double[] v, int n) {
        DoubleMatrix.Svd s = new DoubleMatrix(n, n, v.clone()).svd();
        double[] out = new double[n * n];
        double cut = 1e-12 * (s.s().length > 0 ? s.s()[0] : 0);
        for (int k = 0; k < s.s().length; k++) {
            if (s.s()[k] <= cut) continue;
            double inv = 1 / s.s()[k];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) out[i * n + j] += s.vt().get(k, i) * inv * s.u().get(j, k);
        }
        return out;
    }

    // ---- TT-SVD ----

    /**
     * TT-SVD (Oseledets 2011): sweep left to right, at step n taking the SVD of the (r_{n-1}·I_n) × rest matrix and
     * keeping ranks[n-1] singular triplets (fewer if the matrix is smaller, then padded with zeros). ranks has
     * d − 1 entries.
     */
    public static TensorTrain ttSvd(double[] x, int[] dims, int[] ranks) {
        int d = dims.length;
        if (ranks.length != d - 1) throw new IllegalArgumentException("a " + d + "-mode train has " + (d - 1) + " ranks");
        double[][] cores = new double[d][];
        double[] rest = x.clone();
        int rPrev = 1;
        for (int n = 0; n < d - 1; n++) {
            int rows = rPrev * dims[n], cols = rest.length / rows;
            DoubleMatrix.Svd s = new DoubleMatrix(rows, cols, rest).svd();
            int keep = Math.min(ranks[n], s.s().length), r = ranks[n];
            double[] core = new double[rows * r];
            for (int i = 0; i < rows; i++) for (int j = 0; j < keep; j++) core[i * r + j] = s.u().get(i, j);
            cores[n] = core;
            double[] next = new double[r * cols];
            for (int j = 0; j < keep; j++) for (int c = 0; c < cols; c++) next[j * cols + c] = s.s()[j] * s.vt().get(j, c);
            rest = next;
            rPrev = r;
        }
        cores[d - 1] = rest;
        TensorTrain t = new TensorTrain(cores, ranks.clone(), 0);
        return new TensorTrain(cores, ranks.clone(), relativeError(x, reconstruct(t, dims)));
    }

    public static double[] reconstruct(TensorTrain t, int[] dims) {
        double[] left = t.cores()[0];
        int rows = dims[0];
        for (int n = 1; n < dims.length; n++) {
            int r = t.ranks()[n - 1];
            int cols = dims[n] * (n < dims.length - 1 ? t.ranks()[n] : 1);
            left = times(left, rows, r, t.cores()[n], cols);
            rows *= dims[n];
        }
        return left;
    }
}
