package dev.convexcnn.optim;

import dev.convexcnn.linalg.DoubleMatrix;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.linalg.SymmetricEigen;
import java.util.Arrays;

/**
 * The nuclear norm ‖A‖_* of a row-major m×n matrix and its two operators: the proximal map of θ‖·‖_*
 * (singular-value soft-thresholding, {@link #shrink}) and the exact Euclidean projection onto the ball
 * {‖A‖_* ≤ R} (SVD, then the ℓ1-ball projection of the singular values, {@link #project}); with the spectral norm
 * and the Frank–Wolfe gap ⟨G, A⟩ + R·σ_max(G) of the constrained problem.
 *
 * <p>{@link #project} is the fast path: it works on the Gram matrix of the short side (one GEMM and one
 * symmetric eigen-decomposition of min(m, n)², then one rank-k update), exact up to rounding because only the
 * singular values above the ℓ1 threshold survive and those are well separated from zero.
 * {@link #projectBySvd} is its slow, obvious twin through {@link DoubleMatrix#svd()}; {@link #shrink} and
 * {@link #shrinkBySvd} likewise.
 */
public final class NuclearNorm {
    private NuclearNorm() {}

    /** What a projection did: the nuclear norm before, the ℓ1 threshold θ (0 when A was inside), the rank after. */
    public record Projection(double nuclearNormBefore, double threshold, int rankAfter) {
        public boolean moved() { return threshold > 0; }
    }

    /**
     * Euclidean projection of nonnegative values onto {x ≥ 0, Σx ≤ radius} (the ℓ1 ball restricted to the
     * nonnegative orthant, which is where singular values live): x_i = max(s_i − θ, 0), θ the smallest
     * nonnegative number making Σx ≤ radius. Returns θ; writes the result into {@code out}.
     */
    public static double projectL1Nonnegative(double[] s, double radius, double[] out) {
        double sum = 0;
        for (double v : s) {
            if (v < 0) throw new IllegalArgumentException("values must be nonnegative, got " + v);
            sum += v;
        }
        if (sum <= radius) {
            System.arraycopy(s, 0, out, 0, s.length);
            return 0;
        }
        double[] u = s.clone();
        Arrays.sort(u);
        double cum = 0, theta = 0;
        // u ascending: walk from the largest down; rho = number of survivors.
        for (int j = 1; j <= u.length; j++) {
            double v = u[u.length - j];
            cum += v;
            double t = (cum - radius) / j;
            if (v - t > 0) theta = t;
            else break;
        }
        for (int i = 0; i < s.length; i++) out[i] = Math.max(s[i] - theta, 0);
        return theta;
    }

    /**
     * Projects the row-major m×n matrix {@code a} onto {‖A‖_* ≤ radius}, in place. Fast path through the Gram
     * matrix of the shorter side.
     */
    public static Projection project(double[] a, int m, int n, double radius) {
        int k = Math.min(m, n);
        SymmetricEigen eig = gramEigen(a, m, n);
        double[] s = new double[k];
        double nuclear = 0;
        for (int i = 0; i < k; i++) {
            s[i] = Math.sqrt(Math.max(0, eig.values()[i]));
            nuclear += s[i];
        }
        if (nuclear <= radius) return new Projection(nuclear, 0, rank(s));
        double[] t = new double[k];
        double theta = projectL1Nonnegative(s, radius, t);
        int r = 0;
        for (int i = 0; i < k; i++) if (t[i] > 0) r++;
        // Survivors: the r largest, at the top of the ascending order. Q = k-length eigenvectors (rows of eig).
        double[] q = new double[r * k];
        double[] scale = new double[r];
        for (int j = 0; j < r; j++) {
            int i = k - 1 - j;
            System.arraycopy(eig.vectors(), i * k, q, j * k, k);
            scale[j] = t[i] / s[i];
        }
        rescale(a, m, n, q, scale, r);
        return new Projection(nuclear, theta, r);
    }

    /**
     * The proximal map of θ‖·‖_* (singular-value soft-thresholding) of the row-major m×n matrix a, in place:
     * σ_i ← max(σ_i − θ, 0). Fast path through the Gram matrix of the shorter side, like {@link #project}.
     * Returns the rank after.
     */
    public static int shrink(double[] a, int m, int n, double theta) {
        int k = Math.min(m, n);
        SymmetricEigen eig = gramEigen(a, m, n);
        int r = 0;
        for (int i = 0; i < k; i++) if (Math.sqrt(Math.max(0, eig.values()[i])) > theta) r++;
        double[] q = new double[r * k];
        double[] scale = new double[r];
        for (int j = 0; j < r; j++) {
            int i = k - 1 - j;
            double s = Math.sqrt(eig.values()[i]);
            System.arraycopy(eig.vectors(), i * k, q, j * k, k);
            scale[j] = (s - theta) / s;
        }
        rescale(a, m, n, q, scale, r);
        return r;
    }

    /** The eigen-decomposition of the Gram matrix of a's shorter side (A·Aᵀ when m ≤ n, else Aᵀ·A). */
    private static SymmetricEigen gramEigen(double[] a, int m, int n) {
        int k = Math.min(m, n);
        double[] gram = new double[k * k];
        if (m <= n) Gemm.dgemm(false, true, m, m, n, 1, a, a, 0, gram);
        else Gemm.dgemm(true, false, n, n, m, 1, a, a, 0, gram);
        return SymmetricEigen.of(gram, k);
    }

    /**
     * a ← the part of a along the r Gram eigenvectors q (rows, of the shorter side), each scaled by scale[j]:
     * Qᵀ diag(scale) (Q A) when m ≤ n (Q r×m), else (A Qᵀ) diag(scale) Q (Q r×n); zero when r = 0.
     */
    private static void rescale(double[] a, int m, int n, double[] q, double[] scale, int r) {
        if (m <= n) {
            double[] qa = new double[r * n];
            Gemm.dgemm(false, false, r, n, m, 1, q, a, 0, qa);
            for (int j = 0; j < r; j++) for (int c = 0; c < n; c++) qa[j * n + c] *= scale[j];
            if (r == 0) Arrays.fill(a, 0, m * n, 0);
            else Gemm.dgemm(true, false, m, n, r, 1, q, qa, 0, a);
        } else {
            double[] aq = new double[m * r];
            Gemm.dgemm(false, true, m, r, n, 1, a, q, 0, aq);
            for (int row = 0; row < m; row++) for (int j = 0; j < r; j++) aq[row * r + j] *= scale[j];
            if (r == 0) Arrays.fill(a, 0, m * n, 0);
            else Gemm.dgemm(false, false, m, n, r, 1, aq, q, 0, a);
        }
    }

    /** The slow twin of {@link #shrink}: a full SVD, soft-thresholded singular values, U·diag(s')·Vᵀ. */
    public static double[] shrinkBySvd(double[] a, int m, int n, double theta) {
        DoubleMatrix.Svd svd = new DoubleMatrix(m, n, a.clone()).svd();
        double[] t = new double[svd.s().length];
        for (int i = 0; i < t.length; i++) t[i] = Math.max(svd.s()[i] - theta, 0);
        return compose(svd, t, m, n);
    }

    /** The slow twin of {@link #project}: a full SVD, the ℓ1 projection, and U·diag(s')·Vᵀ. Returns a new array. */
    public static double[] projectBySvd(double[] a, int m, int n, double radius) {
        DoubleMatrix.Svd svd = new DoubleMatrix(m, n, a.clone()).svd();
        double[] t = new double[svd.s().length];
        projectL1Nonnegative(svd.s(), radius, t);
        return compose(svd, t, m, n);
    }

    static double[] compose(DoubleMatrix.Svd svd, double[] s, int m, int n) {
        int k = s.length;
        double[] us = new double[m * k];
        double[] u = svd.u().data();
        for (int i = 0; i < m; i++) for (int j = 0; j < k; j++) us[i * k + j] = u[i * k + j] * s[j];
        double[] out = new double[m * n];
        Gemm.dgemm(false, false, m, n, k, 1, us, svd.vt().data(), 0, out);
        return out;
    }

    /** The nuclear norm via the singular values of the Gram matrix. */
    public static double nuclearNorm(double[] a, int m, int n) {
        double sum = 0;
        for (double v : singularValues(a, m, n)) sum += v;
        return sum;
    }

    /** Singular values, ascending, via the Gram matrix of the shorter side. */
    public static double[] singularValues(double[] a, int m, int n) {
        int k = Math.min(m, n);
        double[] gram = new double[k * k];
        if (m <= n) Gemm.dgemm(false, true, m, m, n, 1, a, a, 0, gram);
        else Gemm.dgemm(true, false, n, n, m, 1, a, a, 0, gram);
        double[] ev = SymmetricEigen.of(gram, k).values();
        double[] s = new double[k];
        for (int i = 0; i < k; i++) s[i] = Math.sqrt(Math.max(0, ev[i]));
        return s;
    }

    /** σ_max, the spectral norm. */
    public static double spectralNorm(double[] a, int m, int n) {
        double[] s = singularValues(a, m, n);
        return s.length == 0 ? 0 : s[s.length - 1];
    }

    /**
     * The Frank–Wolfe gap of min f(A) s.t. ‖A‖_* ≤ R at A with gradient G: max_{‖S‖_*≤R} ⟨G, A − S⟩ =
     * ⟨G, A⟩ + R·σ_max(G). Nonnegative for feasible A; it bounds f(A) − f* from above.
     */
    public static double frankWolfeGap(double[] a, double[] g, int m, int n, double radius) {
        double dot = 0;
        for (int i = 0; i < m * n; i++) dot += a[i] * g[i];
        return dot + radius * spectralNorm(g, m, n);
    }

    private static int rank(double[] s) {
        double max = 0;
        for (double v : s) max = Math.max(max, v);
        int r = 0;
        for (double v : s) if (v > 1e-12 * max && v > 0) r++;
        return r;
    }
}
