package dev.convexcnn.testing;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The tolerances of the numeric tests, in one place.
 *
 * <p>Results that pass through BLAS, LAPACK, an FFT or several threads are not promised bit for bit: OpenBLAS picks
 * its kernel by CPU ({@code OPENBLAS_CORETYPE}), blocks by shape and splits by thread count, and each choice sums in
 * another order. Two orders of an n-term sum both lie within γ_n·Σ|terms| of the exact sum (γ_n = n·u/(1 − n·u), u
 * the unit roundoff; Higham, <i>Accuracy and Stability of Numerical Algorithms</i>, §3.1), so they differ by at most
 * twice that. The bound is relative to the sum of absolute values, |A|·|x|, not to |A·x|: a result near zero after
 * cancellation may differ in every digit.
 *
 * <p>Which comparison to use:
 * <ul>
 *   <li>a product or sum computed two ways: {@link #assertProductsClose} with |A|·|x| ({@link #absProduct}) and
 *       the number of terms;</li>
 *   <li>a scalar or vector that went through many products (an objective, a gradient, a solver's iterate):
 *       {@link #assertClose} / {@link #assertArrayClose} with a relative tolerance chosen well above rounding
 *       ({@link #ROUNDED}, or a looser one for iterative solvers, said at the call);</li>
 *   <li>exact equality only where the code promises it: same backend, same thread count, same shapes (e.g. a seeded
 *       run repeated in one JVM, a resumed run against an uninterrupted one); say so in the test's name.</li>
 * </ul>
 */
public final class Tolerances {
    private Tolerances() {}

    /** Unit roundoff of double (2⁻⁵³). */
    public static final double U = Math.ulp(1.0) / 2;
    /** Unit roundoff of float (2⁻²⁴). */
    public static final double U_FLOAT = Math.ulp(1.0f) / 2;
    /**
     * Relative tolerance for a double result that went through a bounded number of reorderable products (an
     * objective or gradient evaluated two ways): about 10⁴ roundoffs, far above rounding, far below any real error.
     */
    public static final double ROUNDED = 1e-12;

    /** γ_n = n·u/(1 − n·u), the forward error factor of an n-term sum in double. */
    public static double gamma(long terms) {
        double nu = terms * U;
        if (nu >= 0.5) throw new IllegalArgumentException("no useful bound for " + terms + " terms");
        return nu / (1 - nu);
    }

    /** γ_n in float: n·u_f/(1 − n·u_f). */
    public static double gammaFloat(long terms) {
        double nu = terms * U_FLOAT;
        if (nu >= 0.5) throw new IllegalArgumentException("no useful bound for " + terms + " float terms");
        return nu / (1 - nu);
    }

    /** The largest difference two summation orders of an n-term double sum with Σ|terms| = absSum may show. */
    public static double sumBound(long terms, double absSum) {
        return 2 * gamma(terms) * absSum;
    }

    /** |A|·|x| for A row-major (rows × cols), per row: the scale of A·x's rounding error. */
    public static double[] absProduct(double[] a, int rows, int cols, double[] x) {
        if (a.length < (long) rows * cols || x.length < cols) throw new IllegalArgumentException("shapes");
        double[] out = new double[rows];
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < cols; j++) s += Math.abs(a[i * cols + j]) * Math.abs(x[j]);
            out[i] = s;
        }
        return out;
    }

    /**
     * |A|·|X| for A row-major (rows × inner) and X row-major (inner × cols), entry by entry (rows × cols).
     */
    public static double[] absProduct(double[] a, int rows, int inner, double[] x, int cols) {
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int t = 0; t < inner; t++) {
                double av = Math.abs(a[i * inner + t]);
                if (av == 0) continue;
                for (int j = 0; j < cols; j++) out[i * cols + j] += av * Math.abs(x[t * cols + j]);
            }
        }
        return out;
    }

    /**
     * Two evaluations of the same products (each entry an n-term sum whose absolute terms sum to absScale[i]) agree
     * to the rounding bound of two summation orders.
     */
    public static void assertProductsClose(double[] expected, double[] actual, double[] absScale, long terms, String what) {
        if (expected.length != actual.length || absScale.length != expected.length) {
            fail(what + ": lengths " + expected.length + ", " + actual.length + ", " + absScale.length);
        }
        double g = gamma(terms);
        for (int i = 0; i < expected.length; i++) {
            double bound = 2 * g * absScale[i] + Double.MIN_NORMAL;
            double diff = Math.abs(expected[i] - actual[i]);
            if (!(diff <= bound)) {
                fail(String.format("%s: index %d: expected %s but was %s (difference %.3g above the bound %.3g of two "
                        + "summation orders of %d terms, |A||x| = %.6g)", what, i, expected[i], actual[i], diff, bound, terms, absScale[i]));
            }
        }
    }

    /** |expected − actual| ≤ rtol·max(|expected|, |actual|) + atol. */
    public static void assertClose(double expected, double actual, double rtol, double atol, String what) {
        double diff = Math.abs(expected - actual);
        double bound = rtol * Math.max(Math.abs(expected), Math.abs(actual)) + atol;
        if (!(diff <= bound)) {
            fail(String.format("%s: expected %s but was %s (relative difference %.3g, tolerance rtol %.1g + atol %.1g)",
                    what, expected, actual, diff / Math.max(Math.abs(expected), Double.MIN_NORMAL), rtol, atol));
        }
    }

    /** |expected − actual| ≤ rtol·max(|expected|, |actual|). */
    public static void assertClose(double expected, double actual, double rtol, String what) {
        assertClose(expected, actual, rtol, 0, what);
    }

    /**
     * Norm-wise: max|expected − actual| ≤ rtol·max|expected| (entries near zero are judged on the vector's scale, as
     * the rounding of a product makes them).
     */
    public static void assertArrayClose(double[] expected, double[] actual, double rtol, String what) {
        if (expected.length != actual.length) fail(what + ": lengths " + expected.length + " and " + actual.length);
        double scale = 0;
        for (int i = 0; i < expected.length; i++) scale = Math.max(scale, Math.max(Math.abs(expected[i]), Math.abs(actual[i])));
        double bound = rtol * scale;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs(expected[i] - actual[i]);
            if (!(diff <= bound)) {
                fail(String.format("%s: index %d: expected %s but was %s (difference %.3g, tolerance %.1g × max %.6g = %.3g)",
                        what, i, expected[i], actual[i], diff, rtol, scale, bound));
            }
        }
    }

    /** Float arrays, norm-wise, as {@link #assertArrayClose(double[], double[], double, String)}. */
    public static void assertArrayClose(float[] expected, float[] actual, double rtol, String what) {
        double[] e = new double[expected.length], a = new double[actual.length];
        for (int i = 0; i < e.length; i++) e[i] = expected[i];
        for (int i = 0; i < a.length; i++) a[i] = actual[i];
        assertArrayClose(e, a, rtol, what);
    }
}
