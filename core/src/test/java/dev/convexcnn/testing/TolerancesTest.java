package dev.convexcnn.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The rounding bound accepts another summation order and refuses a real error just above it. */
class TolerancesTest {

    @Test
    void productBoundAcceptsReorderedSumsAndRefusesRealErrors() {
        Random r = new Random(1);
        int rows = 40, cols = 3000;
        double[] a = new double[rows * cols], x = new double[cols];
        for (int i = 0; i < a.length; i++) a[i] = 1e3 * r.nextGaussian();
        for (int j = 0; j < cols; j++) x[j] = r.nextGaussian();
        double[] forward = new double[rows], backward = new double[rows], pairwise = new double[rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) forward[i] += a[i * cols + j] * x[j];
            for (int j = cols - 1; j >= 0; j--) backward[i] += a[i * cols + j] * x[j];
            pairwise[i] = pairwise(a, i * cols, x, 0, cols);
        }
        double[] scale = Tolerances.absProduct(a, rows, cols, x);
        Tolerances.assertProductsClose(forward, backward, scale, cols, "backward order");
        Tolerances.assertProductsClose(forward, pairwise, scale, cols, "pairwise order");
        double[] wrong = forward.clone();
        wrong[7] += 3 * Tolerances.sumBound(cols, scale[7]);
        assertThrows(AssertionFailedError.class, () -> Tolerances.assertProductsClose(forward, wrong, scale, cols, "wrong"));
    }

    private static double pairwise(double[] a, int off, double[] x, int from, int n) {
        if (n <= 8) {
            double s = 0;
            for (int j = 0; j < n; j++) s += a[off + from + j] * x[from + j];
            return s;
        }
        int h = n / 2;
        return pairwise(a, off, x, from, h) + pairwise(a, off, x, from + h, n - h);
    }

    @Test
    void relativeComparisonsAreRelative() {
        Tolerances.assertClose(3877.289771379733, 3877.2897713797342, Tolerances.ROUNDED, "one ulp apart");
        assertThrows(AssertionFailedError.class, () -> Tolerances.assertClose(1.0, 1.0 + 1e-9, Tolerances.ROUNDED, "too far"));
        Tolerances.assertArrayClose(new double[] {1e6, 1e-20}, new double[] {1e6 * (1 + 1e-13), 2e-20}, Tolerances.ROUNDED, "norm-wise");
        assertThrows(AssertionFailedError.class,
                () -> Tolerances.assertArrayClose(new double[] {1, 2}, new double[] {1, 2.001}, 1e-6, "element off"));
        assertThrows(IllegalArgumentException.class, () -> Tolerances.gamma(1L << 53));
    }
}
