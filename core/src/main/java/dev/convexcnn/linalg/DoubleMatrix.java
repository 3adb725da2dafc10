package dev.convexcnn.linalg;

import java.util.Arrays;
import org.netlib.util.intW;

/** A dense row-major double matrix, with products through BLAS and the SVD through LAPACK. */
public final class DoubleMatrix {
    private final int rows;
    private final int cols;
    private final double[] data;

    public DoubleMatrix(int rows, int cols) {
        this(rows, cols, new double[FloatMatrix.checkedSize(rows, cols)]);
    }

    /** Wraps data (not copied); it must hold rows × cols values, row after row. */
    public DoubleMatrix(int rows, int cols, double[] data) {
        if (data.length != FloatMatrix.checkedSize(rows, cols)) {
            throw new IllegalArgumentException("data has " + data.length + " values, a " + rows + "x" + cols + " matrix needs " + rows * cols);
        }
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    public static DoubleMatrix identity(int n) {
        DoubleMatrix m = new DoubleMatrix(n, n);
        for (int i = 0; i < n; i++) m.data[i * n + i] = 1;
        return m;
    }

    public int rows() { return rows; }
    public int cols() { return cols; }
    public double[] data() { return data; }
    public double get(int r, int c) { return data[r * cols + c]; }
    public void set(int r, int c, double v) { data[r * cols + c] = v; }

    public DoubleMatrix times(DoubleMatrix other) {
        if (cols != other.rows) throw new IllegalArgumentException("cannot multiply " + shape() + " by " + other.shape());
        DoubleMatrix out = new DoubleMatrix(rows, other.cols);
        Gemm.dgemm(false, false, rows, other.cols, cols, 1, data, other.data, 0, out.data);
        return out;
    }

    public DoubleMatrix transposeTimes(DoubleMatrix other) {
        if (rows != other.rows) throw new IllegalArgumentException("cannot multiply " + shape() + "ᵀ by " + other.shape());
        DoubleMatrix out = new DoubleMatrix(cols, other.cols);
        Gemm.dgemm(true, false, cols, other.cols, rows, 1, data, other.data, 0, out.data);
        return out;
    }

    public DoubleMatrix transpose() {
        DoubleMatrix t = new DoubleMatrix(cols, rows);
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t.data[c * rows + r] = data[r * cols + c];
        return t;
    }

    public double frobeniusNorm() {
        double s = 0;
        for (double v : data) s += v * v;
        return Math.sqrt(s);
    }

    /** The thin SVD, A = U·diag(s)·Vᵀ with U m×k, Vᵀ k×n, k = min(m, n), singular values descending. */
    public record Svd(DoubleMatrix u, double[] s, DoubleMatrix vt) {}

    /**
     * Thin SVD by LAPACK dgesdd. The row-major A is, to LAPACK, the column-major Aᵀ = U₁ S V₁ᵀ, so
     * A = V₁ S U₁ᵀ: LAPACK's Vᵀ buffer is our U and its U buffer is our Vᵀ, both already row-major.
     * LAPACK's U is allocated full square (n×n here): with jobz 'S' some builds write past k columns.
     */
    public Svd svd() {
        // A wide matrix through its transpose: LAPACK's square U buffer (above) is then min(m, n)², not n² (13 MB
        // for a 100 × 1,296 layer matrix, per call). A = U S Vᵀ ⇔ Aᵀ = V S Uᵀ.
        if (cols > rows) {
            Svd t = transpose().svd();
            return new Svd(t.vt().transpose(), t.s(), t.u().transpose());
        }
        // dgesdd's divide-and-conquer does not converge on rare matrices (info > 0; seen on a 500 × 1,296 layer
        // gradient of a full-MNIST DCCNN run); dgesvd's QR iteration is slower and does.
        Svd s = lapackSvd(true, true, true);
        return s != null ? s : lapackSvd(false, true, true);
    }

    /**
     * The singular values alone, descending, with the same fallback as {@link #svd}: no n × n buffer for U, which
     * the thin SVD needs (13 MB for a 1,296-column matrix, per call).
     */
    public double[] singularValues() {
        Svd s = lapackSvd(true, false, false);
        return (s != null ? s : lapackSvd(false, false, false)).s();
    }

    /**
     * The singular values and the left singular vectors (U, m × k; vt null), by dgesvd asked for that side alone: no
     * n × n buffer for the other side (13 MB for a 1,296-column matrix, per call), which dgesdd's thin SVD needs.
     */
    public Svd leftSingularVectors() {
        return lapackSvd(false, true, false);
    }

    /** {@link #svd} by LAPACK dgesvd (QR iteration): its fallback where dgesdd does not converge. */
    Svd svdByQrIteration() {
        return lapackSvd(false, true, true);
    }

    /**
     * The thin SVD by dgesdd (null where it does not converge) or dgesvd; see {@link #svd} for the layout. Only the
     * sides asked for are computed (u or vt null otherwise); dgesdd computes both or neither.
     */
    private Svd lapackSvd(boolean divideAndConquer, boolean left, boolean right) {
        if (divideAndConquer && left != right) throw new IllegalArgumentException("dgesdd computes both sides or neither");
        int m = rows, n = cols, k = Math.min(m, n);
        if (k == 0) return new Svd(left ? new DoubleMatrix(m, 0) : null, new double[0], right ? new DoubleMatrix(0, n) : null);
        double[] a = data.clone();
        double[] s = new double[k];
        // Row-major A is LAPACK's column-major Aᵀ (n × m): LAPACK's VT is our U (left), its U our Vᵀ (right).
        double[] lu = right ? new double[n * n] : new double[1];
        double[] lvt = left ? new double[k * m] : new double[1];
        int ldu = right ? n : 1, ldvt = left ? k : 1;
        String jobu = right ? "S" : "N", jobvt = left ? "S" : "N";
        intW info = new intW(0);
        double[] query = new double[1];
        var lapack = Backend.get().lapack();
        if (divideAndConquer) {
            int[] iwork = new int[8 * k];
            lapack.dgesdd(jobu, n, m, a, n, s, lu, ldu, lvt, ldvt, query, -1, iwork, info);
            int lwork = Math.max(1, (int) query[0]);
            lapack.dgesdd(jobu, n, m, a, n, s, lu, ldu, lvt, ldvt, new double[lwork], lwork, iwork, info);
            if (info.val > 0) return null;
        } else {
            lapack.dgesvd(jobu, jobvt, n, m, a, n, s, lu, ldu, lvt, ldvt, query, -1, info);
            int lwork = Math.max(1, (int) query[0]);
            lapack.dgesvd(jobu, jobvt, n, m, a, n, s, lu, ldu, lvt, ldvt, new double[lwork], lwork, info);
        }
        if (info.val != 0) {
            throw new ArithmeticException((divideAndConquer ? "dgesdd" : "dgesvd") + " failed with info=" + info.val + " on a "
                    + shape() + " matrix");
        }
        return new Svd(left ? new DoubleMatrix(m, k, lvt) : null, s, right ? new DoubleMatrix(k, n, Arrays.copyOf(lu, k * n)) : null);
    }

    public String shape() { return rows + "x" + cols; }

    @Override
    public boolean equals(Object o) {
        return o instanceof DoubleMatrix m && m.rows == rows && m.cols == cols && Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() { return 31 * (31 * rows + cols) + Arrays.hashCode(data); }

    @Override
    public String toString() { return "DoubleMatrix " + shape(); }
}
