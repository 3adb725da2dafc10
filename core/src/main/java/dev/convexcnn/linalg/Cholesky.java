package dev.convexcnn.linalg;

/** Symmetric positive definite systems A·X = B by LAPACK's Cholesky solver (dposv). */
public final class Cholesky {
    private Cholesky() {}

    /**
     * X for A (n × n, symmetric positive definite, row-major: the same array in column-major) and B (n × m,
     * row-major); A and B are left unchanged. A matrix that is not positive definite is an ArithmeticException.
     */
    public static double[] solve(int n, double[] a, int m, double[] b) {
        return solveShifted(n, a, null, m, b);
    }

    /**
     * X for (A + diag(shift))·X = B: the same, with shift (n values, or null for none) added to A's diagonal in the
     * one copy of A that LAPACK factors.
     */
    public static double[] solveShifted(int n, double[] a, double[] shift, int m, double[] b) {
        if (a.length < (long) n * n || b.length < (long) n * m) throw new IllegalArgumentException("shapes: A " + n + "x" + n + ", B " + n + "x" + m);
        if (shift != null && shift.length != n) throw new IllegalArgumentException("shift of " + shift.length + " values for " + n + " rows");
        double[] f = java.util.Arrays.copyOf(a, n * n);
        if (shift != null) for (int i = 0; i < n; i++) f[i * n + i] += shift[i];
        double[] x = new double[n * m];   // column-major n × m
        for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) x[j * n + i] = b[i * m + j];
        org.netlib.util.intW info = new org.netlib.util.intW(0);
        Backend.get().lapack().dposv("L", n, m, f, n, x, n, info);
        if (info.val > 0) throw new ArithmeticException("the matrix is not positive definite (leading minor " + info.val + ")");
        if (info.val < 0) throw new IllegalArgumentException("dposv: argument " + (-info.val) + " is invalid");
        double[] out = new double[n * m];
        for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) out[i * m + j] = x[j * n + i];
        return out;
    }
}
