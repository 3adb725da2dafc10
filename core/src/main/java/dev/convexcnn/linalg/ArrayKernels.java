package dev.convexcnn.linalg;

/**
 * Elementwise array kernels on hot paths. With the incubating Vector API module present
 * ({@code --add-modules jdk.incubator.vector}, as the launcher and the tests run) they use explicit SIMD;
 * otherwise a plain loop, which HotSpot 17 does not vectorise when source and target may be the same array.
 * Both give bit-identical results (one add per element), except the two skinny products, whose SIMD form sums each
 * dot product lane by lane (the same result on every call of one machine, a few ulps from the plain loop's). The
 * system property {@code convexcnn.vector=false} forces the plain loops.
 */
public final class ArrayKernels {
    interface Impl {
        void add(float[] src, int from, float[] dst, int to, int n);

        void windowMax(float[] in, int first, int[] offsets, float[] best, float[] where, int to, int n, boolean relu);

        void routeMax(float[] grad, int from, float[] where, float position, float[] dst, int to, int n);

        void windowSelect(float[] grad, int from, float[] where, float[] dst, int first, int[] offsets, int n);

        void scaledCos(double[] v, int off, double[] shift, double scale, int n);

        void average(double[] src, int[] from, int count, double factor, double[] dst, int to, int n);

        void subtract(double[] src, int from, double[] dst, int to, int n);

        void widenRows(float[] src, int from, int srcStride, double[] dst, int to, int dstStride, int rows, int width);

        void rowsTimesTransposed(double[] a, int aOff, int rows, int d, double[] bt, int c, double[] out, int outOff);

        void rowsTimesTransposed(float[] a, int aOff, int rows, int d, float[] bt, int c, float[] out, int outOff);

        void addTransposedProduct(double[] a, int aOff, int lda, int rows, int d, double[] delta, int dOff, int c, double[] gt, int gOff, int ldg);

        void addRowsTimesTransposed(float[] a, int aOff, int lda, int rows, int d, double[] bt, int bOff, int ldb, int c, double[] out, int outOff);

        void addTransposedProduct(float[] a, int aOff, int lda, int rows, int d, double[] delta, int dOff, int c, double[] gt, int gOff, int ldg);
    }

    private static final Impl IMPL = choose();

    private ArrayKernels() {}

    private static Impl choose() {
        boolean wanted = !"false".equals(System.getProperty("convexcnn.vector"));
        if (wanted && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return (Impl) Class.forName("dev.convexcnn.linalg.VectorArrayKernels").getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return new Scalar();
            }
        }
        return new Scalar();
    }

    /** Whether the SIMD kernels are in use. */
    public static boolean vectorized() {
        return !(IMPL instanceof Scalar);
    }

    /** dst[to .. to+n) += src[from .. from+n). */
    public static void add(float[] src, int from, float[] dst, int to, int n) {
        IMPL.add(src, from, dst, to, n);
    }

    /**
     * best[to+i] = max over q of in[first + offsets[q] + i], where[to+i] = the first q that attains it (as a float),
     * for i &lt; n: a whole pooling window in one pass over its inputs, the max and its position kept with selects.
     * With {@code relu}, best is max(0, ·) of that and where is −1 where the max is not positive (ReLU after the max,
     * which sends no gradient there), as a separate ReLU gives (NaN passes through).
     */
    public static void windowMax(float[] in, int first, int[] offsets, float[] best, float[] where, int to, int n, boolean relu) {
        IMPL.windowMax(in, first, offsets, best, where, to, n, relu);
    }

    /** dst[to+i] += where[from+i] == position ? grad[from+i] : 0: the max pool's gradient for one position. */
    public static void routeMax(float[] grad, int from, float[] where, float position, float[] dst, int to, int n) {
        IMPL.routeMax(grad, from, where, position, dst, to, n);
    }

    /**
     * dst[first + offsets[q] + i] = where[from+i] == q ? grad[from+i] : 0 for every q, i &lt; n: {@link #routeMax} for
     * windows that tile the input, where each pixel gets its gradient from one window and needs no zeroing nor add;
     * the gradient and the positions read once for the whole window.
     */
    public static void windowSelect(float[] grad, int from, float[] where, float[] dst, int first, int[] offsets, int n) {
        IMPL.windowSelect(grad, from, where, dst, first, offsets, n);
    }

    /** v[off + j] = scale·{@link FastCos#cos}(v[off + j] + shift[j]) for j &lt; n. */
    public static void scaledCos(double[] v, int off, double[] shift, double scale, int n) {
        IMPL.scaledCos(v, off, shift, scale, n);
    }

    /**
     * dst[to + j] = (src[from[0] + j] + src[from[1] + j] + … + src[from[count − 1] + j])·factor for j &lt; n, the sum
     * taken left to right: an average pool over count rows of one array (dst must not overlap them).
     */
    public static void average(double[] src, int[] from, int count, double factor, double[] dst, int to, int n) {
        IMPL.average(src, from, count, factor, dst, to, n);
    }

    /** dst[to .. to+n) −= src[from .. from+n). */
    public static void subtract(double[] src, int from, double[] dst, int to, int n) {
        IMPL.subtract(src, from, dst, to, n);
    }

    /**
     * dst[to + t·dstStride + j] = src[from + t·srcStride + j] for t &lt; rows, j &lt; width: rows of floats widened
     * into a strided double array (a block of float columns gathered into rows of doubles).
     */
    public static void widenRows(float[] src, int from, int srcStride, double[] dst, int to, int dstStride, int rows, int width) {
        IMPL.widenRows(src, from, srcStride, dst, to, dstStride, rows, width);
    }

    /**
     * out[outOff + i·c + k] = Σ_j a[aOff + i·d + j]·bt[k·d + j] for i &lt; rows, k &lt; c: rows of A (row-major, d wide)
     * times B given transposed (c × d). For a few columns c, where a BLAS call packs all of A to multiply it by so
     * little (a logistic loss's logits from held features: 4x faster than dgemm at d = 4,320, c = 9).
     */
    public static void rowsTimesTransposed(double[] a, int aOff, int rows, int d, double[] bt, int c, double[] out, int outOff) {
        IMPL.rowsTimesTransposed(a, aOff, rows, d, bt, c, out, outOff);
    }

    /**
     * The float twin of {@link #rowsTimesTransposed(double[], int, int, int, double[], int, double[], int)}, blocked
     * three rows by four columns (seven loads per twelve fused multiply-adds). For a few columns, where a BLAS call
     * packs all of A: a 1664 × 1664 matrix times 20 columns at 64–72 % of a square sgemm's rate on two cores, where
     * OpenBLAS's sgemm gave 24–49 % (bench/GramProductProbe.java). Each output is summed lane by lane over d in the
     * same order whatever block computes it.
     */
    public static void rowsTimesTransposed(float[] a, int aOff, int rows, int d, float[] bt, int c, float[] out, int outOff) {
        IMPL.rowsTimesTransposed(a, aOff, rows, d, bt, c, out, outOff);
    }

    /** The float product with the rows split over the threads (at least minRows each): the split changes no bit. */
    public static void rowsTimesTransposedInParallel(float[] a, int aOff, int rows, int d, float[] bt, int c, float[] out, int outOff,
                                                     int minRows) {
        Parallel.forRange(rows, minRows, (lo, hi) -> rowsTimesTransposed(a, aOff + lo * d, hi - lo, d, bt, c, out, outOff + lo * c));
    }

    /**
     * gt[gOff + k·ldg + j] += Σ_i a[aOff + i·lda + j]·delta[dOff + i·c + k] for k &lt; c, j &lt; d: Aᵀ·Δ for A (rows × d,
     * row stride lda) and Δ (rows × c), added transposed (c × d, row stride ldg) into gt; the gradient's half of
     * {@link #rowsTimesTransposed}. Each entry of gt gets its terms in row order, so column ranges may run in parallel.
     */
    public static void addTransposedProduct(double[] a, int aOff, int lda, int rows, int d, double[] delta, int dOff, int c,
                                            double[] gt, int gOff, int ldg) {
        IMPL.addTransposedProduct(a, aOff, lda, rows, d, delta, dOff, c, gt, gOff, ldg);
    }

    /**
     * out[outOff + i·c + k] += Σ_{j&lt;d} a[aOff + i·lda + j]·bt[bOff + k·ldb + j] for i &lt; rows, k &lt; c: float rows
     * times double columns, each product and sum in double. For a segment of stored float features (a working set's
     * filter outputs), whose c columns of B (c·d doubles) should fit in L1: the caller splits d into such segments.
     */
    public static void addRowsTimesTransposed(float[] a, int aOff, int lda, int rows, int d, double[] bt, int bOff, int ldb, int c,
                                              double[] out, int outOff) {
        IMPL.addRowsTimesTransposed(a, aOff, lda, rows, d, bt, bOff, ldb, c, out, outOff);
    }

    /** {@link #addTransposedProduct(double[], int, int, int, int, double[], int, int, double[], int, int)} on float rows, in double. */
    public static void addTransposedProduct(float[] a, int aOff, int lda, int rows, int d, double[] delta, int dOff, int c,
                                            double[] gt, int gOff, int ldg) {
        IMPL.addTransposedProduct(a, aOff, lda, rows, d, delta, dOff, c, gt, gOff, ldg);
    }

    /**
     * {@link #rowsTimesTransposed} with the rows split over the threads (at least minRows per thread): each output
     * is one row's, so the split does not change a bit.
     */
    public static void rowsTimesTransposedInParallel(double[] a, int aOff, int rows, int d, double[] bt, int c, double[] out, int outOff,
                                                     int minRows) {
        Parallel.forRange(rows, minRows, (lo, hi) -> rowsTimesTransposed(a, aOff + lo * d, hi - lo, d, bt, c, out, outOff + lo * c));
    }

    /**
     * {@link #addTransposedProduct} (row stride d, Δ and gt packed) with the d columns in ranges of {@code columns}
     * split over the threads. The SIMD kernel sums lanes by fused multiply-adds and a call's last d mod 8 columns
     * plainly, so with {@code columns} a multiple of 8 every column is summed the same way for any split: the result
     * does not depend on the thread count.
     */
    public static void addTransposedProductByColumns(double[] a, int aOff, int rows, int d, double[] delta, int c, double[] gt,
                                                     int columns) {
        if (columns <= 0 || columns % 8 != 0) throw new IllegalArgumentException("columns must be a positive multiple of 8, got " + columns);
        Parallel.forRange((d + columns - 1) / columns, 1, (lo, hi) -> {
            int j0 = lo * columns, j1 = Math.min(d, hi * columns);
            addTransposedProduct(a, aOff + j0, d, rows, j1 - j0, delta, 0, c, gt, j0, d);
        });
    }

    /** The plain loops: the reference the SIMD kernels are tested against. */
    static final class Scalar implements Impl {
        @Override
        public void widenRows(float[] src, int from, int srcStride, double[] dst, int to, int dstStride, int rows, int width) {
            for (int t = 0; t < rows; t++) for (int j = 0; j < width; j++) dst[to + t * dstStride + j] = src[from + t * srcStride + j];
        }

        @Override
        public void add(float[] src, int from, float[] dst, int to, int n) {
            for (int i = 0; i < n; i++) dst[to + i] += src[from + i];
        }

        @Override
        public void windowMax(float[] in, int first, int[] offsets, float[] best, float[] where, int to, int n, boolean relu) {
            windowMaxFrom(in, first, offsets, best, where, to, 0, n, relu);
        }

        /** {@link #windowMax} for i in [i0, n): the plain loop, and the SIMD kernel's tail. */
        static void windowMaxFrom(float[] in, int first, int[] offsets, float[] best, float[] where, int to, int i0, int n, boolean relu) {
            for (int i = i0; i < n; i++) {
                float b = in[first + offsets[0] + i], w = 0;
                for (int q = 1; q < offsets.length; q++) {
                    float v = in[first + offsets[q] + i];
                    if (v > b) w = q;
                    b = Math.max(b, v);
                }
                if (relu) {
                    if (b <= 0f) w = -1;
                    b = Math.max(0f, b);
                }
                best[to + i] = b;
                where[to + i] = w;
            }
        }

        @Override
        public void routeMax(float[] grad, int from, float[] where, float position, float[] dst, int to, int n) {
            for (int i = 0; i < n; i++) {
                if (where[from + i] == position) dst[to + i] += grad[from + i];
            }
        }

        @Override
        public void windowSelect(float[] grad, int from, float[] where, float[] dst, int first, int[] offsets, int n) {
            windowSelectFrom(grad, from, where, dst, first, offsets, 0, n);
        }

        /** {@link #windowSelect} for i in [i0, n): the plain loop, and the SIMD kernel's tail. */
        static void windowSelectFrom(float[] grad, int from, float[] where, float[] dst, int first, int[] offsets, int i0, int n) {
            for (int i = i0; i < n; i++) {
                float g = grad[from + i], w = where[from + i];
                for (int q = 0; q < offsets.length; q++) dst[first + offsets[q] + i] = w == q ? g : 0f;
            }
        }

        @Override
        public void scaledCos(double[] v, int off, double[] shift, double scale, int n) {
            for (int j = 0; j < n; j++) v[off + j] = scale * FastCos.cos(v[off + j] + shift[j]);
        }

        @Override
        public void average(double[] src, int[] from, int count, double factor, double[] dst, int to, int n) {
            for (int j = 0; j < n; j++) {
                double v = src[from[0] + j];
                for (int k = 1; k < count; k++) v += src[from[k] + j];
                dst[to + j] = v * factor;
            }
        }

        @Override
        public void subtract(double[] src, int from, double[] dst, int to, int n) {
            for (int j = 0; j < n; j++) dst[to + j] -= src[from + j];
        }

        @Override
        public void rowsTimesTransposed(double[] a, int aOff, int rows, int d, double[] bt, int c, double[] out, int outOff) {
            for (int i = 0; i < rows; i++) {
                for (int k = 0; k < c; k++) {
                    double s = 0;
                    for (int j = 0; j < d; j++) s += a[aOff + i * d + j] * bt[k * d + j];
                    out[outOff + i * c + k] = s;
                }
            }
        }

        @Override
        public void rowsTimesTransposed(float[] a, int aOff, int rows, int d, float[] bt, int c, float[] out, int outOff) {
            for (int i = 0; i < rows; i++) {
                for (int k = 0; k < c; k++) {
                    float s = 0;
                    for (int j = 0; j < d; j++) s += a[aOff + i * d + j] * bt[k * d + j];
                    out[outOff + i * c + k] = s;
                }
            }
        }

        @Override
        public void addTransposedProduct(double[] a, int aOff, int lda, int rows, int d, double[] delta, int dOff, int c, double[] gt,
                                         int gOff, int ldg) {
            for (int i = 0; i < rows; i++) {
                for (int k = 0; k < c; k++) {
                    double v = delta[dOff + i * c + k];
                    for (int j = 0; j < d; j++) gt[gOff + k * ldg + j] += a[aOff + i * lda + j] * v;
                }
            }
        }

        @Override
        public void addRowsTimesTransposed(float[] a, int aOff, int lda, int rows, int d, double[] bt, int bOff, int ldb, int c,
                                           double[] out, int outOff) {
            for (int i = 0; i < rows; i++) {
                for (int k = 0; k < c; k++) {
                    double s = 0;
                    for (int j = 0; j < d; j++) s += (double) a[aOff + i * lda + j] * bt[bOff + k * ldb + j];
                    out[outOff + i * c + k] += s;
                }
            }
        }

        @Override
        public void addTransposedProduct(float[] a, int aOff, int lda, int rows, int d, double[] delta, int dOff, int c, double[] gt,
                                         int gOff, int ldg) {
            for (int i = 0; i < rows; i++) {
                for (int k = 0; k < c; k++) {
                    double v = delta[dOff + i * c + k];
                    for (int j = 0; j < d; j++) gt[gOff + k * ldg + j] += (double) a[aOff + i * lda + j] * v;
                }
            }
        }
    }
}
