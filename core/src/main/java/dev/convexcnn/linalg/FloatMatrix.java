package dev.convexcnn.linalg;

import java.util.Arrays;

/** A dense row-major float matrix. Products go through BLAS ({@link Gemm}). */
public final class FloatMatrix {
    private final int rows;
    private final int cols;
    private final float[] data;

    public FloatMatrix(int rows, int cols) {
        this(rows, cols, new float[checkedSize(rows, cols)]);
    }

    /** Wraps data (not copied); it must hold rows × cols values, row after row. */
    public FloatMatrix(int rows, int cols, float[] data) {
        if (data.length != checkedSize(rows, cols)) {
            throw new IllegalArgumentException("data has " + data.length + " values, a " + rows + "x" + cols + " matrix needs " + rows * cols);
        }
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    static int checkedSize(int rows, int cols) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative dimension " + rows + "x" + cols);
        long n = (long) rows * cols;
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(rows + "x" + cols + " is too large for one array");
        return (int) n;
    }

    public int rows() { return rows; }
    public int cols() { return cols; }
    public float[] data() { return data; }
    public float get(int r, int c) { return data[r * cols + c]; }
    public void set(int r, int c, float v) { data[r * cols + c] = v; }

    /** this · other. */
    public FloatMatrix times(FloatMatrix other) {
        if (cols != other.rows) throw new IllegalArgumentException("cannot multiply " + shape() + " by " + other.shape());
        FloatMatrix out = new FloatMatrix(rows, other.cols);
        Gemm.sgemm(false, false, rows, other.cols, cols, 1f, data, other.data, 0f, out.data);
        return out;
    }

    /** thisᵀ · other, without forming the transpose. */
    public FloatMatrix transposeTimes(FloatMatrix other) {
        if (rows != other.rows) throw new IllegalArgumentException("cannot multiply " + shape() + "ᵀ by " + other.shape());
        FloatMatrix out = new FloatMatrix(cols, other.cols);
        Gemm.sgemm(true, false, cols, other.cols, rows, 1f, data, other.data, 0f, out.data);
        return out;
    }

    public FloatMatrix transpose() {
        FloatMatrix t = new FloatMatrix(cols, rows);
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t.data[c * rows + r] = data[r * cols + c];
        return t;
    }

    public DoubleMatrix toDouble() {
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) d[i] = data[i];
        return new DoubleMatrix(rows, cols, d);
    }

    public String shape() { return rows + "x" + cols; }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatMatrix m && m.rows == rows && m.cols == cols && Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() { return 31 * (31 * rows + cols) + Arrays.hashCode(data); }

    @Override
    public String toString() { return "FloatMatrix " + shape(); }
}
