package dev.convexcnn.linalg;

import dev.ludovic.netlib.blas.BLAS;

/**
 * Row-major matrix products over the column-major BLAS. A row-major m×n matrix with leading dimension ld is
 * the column-major n×m matrix of its transpose, so C = op(A)·op(B) is computed as Cᵀ = op(B)ᵀ·op(A)ᵀ.
 */
public final class Gemm {
    private Gemm() {}

    /**
     * C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major. op(A) is m×k (A is m×k, or k×m when transA).
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        BLAS blas = Backend.get().blas();
        blas.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, bOff, ldb, a, aOff, lda, beta, c, cOff, ldc);
    }

    /** Packed row-major shorthand: leading dimensions are the row lengths. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, float[] b, float beta, float[] c) {
        sgemm(transA, transB, m, n, k, alpha, a, 0, transA ? m : k, b, 0, transB ? k : n, beta, c, 0, n);
    }

    /** Double-precision twin of {@link #sgemm(boolean, boolean, int, int, int, float, float[], int, int, float[], int, int, float, float[], int, int)}. */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                             double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                             double beta, double[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        BLAS blas = Backend.get().blas();
        blas.dgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, bOff, ldb, a, aOff, lda, beta, c, cOff, ldc);
    }

    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                             double[] a, double[] b, double beta, double[] c) {
        dgemm(transA, transB, m, n, k, alpha, a, 0, transA ? m : k, b, 0, transB ? k : n, beta, c, 0, n);
    }

    /**
     * C[g×g] = alpha · AᵀA + beta · C for a row-major m×g block A at aOff (leading dimension g): one dsyrk, half
     * the work of a dgemm. Only the lower triangle of the row-major C is written; {@link #symmetriseFromLower}
     * fills the rest once the sums are done.
     */
    public static void gramLower(int m, int g, double alpha, double[] a, int aOff, double beta, double[] c) {
        if (g == 0) return;
        // Row-major A (m×g) is the column-major g×m matrix Aᵀ; AᵀA is then (Aᵀ)(Aᵀ)ᵀ, the "N" form of dsyrk. The
        // column-major upper triangle it fills is the row-major lower one.
        Backend.get().blas().dsyrk("U", "N", g, m, alpha, a, aOff, g, beta, c, 0, g);
    }

    /** Copies the lower triangle of a row-major g×g matrix onto its upper one. */
    public static void symmetriseFromLower(int g, double[] c) {
        for (int r = 0; r < g; r++) {
            for (int col = r + 1; col < g; col++) c[r * g + col] = c[col * g + r];
        }
    }
}
