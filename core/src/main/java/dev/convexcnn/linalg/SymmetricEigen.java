package dev.convexcnn.linalg;

import org.netlib.util.intW;

/**
 * Eigen-decomposition of a symmetric matrix by LAPACK dsyevd. Eigenvalues ascending; row i of
 * {@code vectors} (n×n row-major) is the unit eigenvector of {@code values[i]}. The input is not modified.
 */
public record SymmetricEigen(double[] values, double[] vectors, int n) {

    public static SymmetricEigen of(double[] symmetric, int n) {
        if (symmetric.length < n * n) throw new IllegalArgumentException("need " + n + "x" + n + " values");
        if (n == 0) return new SymmetricEigen(new double[0], new double[0], 0);
        double[] a = java.util.Arrays.copyOf(symmetric, n * n);
        double[] w = new double[n];
        var lapack = Backend.get().lapack();
        intW info = new intW(0);
        double[] wq = new double[1];
        int[] iq = new int[1];
        // Row-major symmetric = column-major symmetric; eigenvectors come back as LAPACK columns = our rows.
        lapack.dsyevd("V", "U", n, a, n, w, wq, -1, iq, -1, info);
        int lwork = Math.max(1, (int) wq[0]);
        int liwork = Math.max(1, iq[0]);
        lapack.dsyevd("V", "U", n, a, n, w, new double[lwork], lwork, new int[liwork], liwork, info);
        if (info.val != 0) throw new ArithmeticException("dsyevd failed with info=" + info.val + " on " + n + "x" + n);
        return new SymmetricEigen(w, a, n);
    }

    public double maxValue() { return n == 0 ? 0 : values[n - 1]; }
}
