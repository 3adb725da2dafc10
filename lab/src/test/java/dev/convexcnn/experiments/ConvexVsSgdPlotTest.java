package dev.convexcnn.experiments;

import dev.convexcnn.convex.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** A diverged SGD curve is cut at its first non-finite or above-cap point, so it cannot stretch the plot's axis. */
class ConvexVsSgdPlotTest {
    @Test
    void curvesAreCutAtTheFirstNonFiniteOrAboveCapPoint() {
        double[] t = {1, 2, 3, 4};
        double[][] nan = ConvexVsSgd.plottable(t, new double[] {0.5, 0.4, Double.NaN, 0.3}, 5);
        assertArrayEquals(new double[] {1, 2}, nan[0]);
        assertArrayEquals(new double[] {0.5, 0.4}, nan[1]);
        double[][] big = ConvexVsSgd.plottable(t, new double[] {0.5, 6, 0.1, 0.1}, 5);
        assertArrayEquals(new double[] {1}, big[0]);
        double[][] fine = ConvexVsSgd.plottable(t, new double[] {0.5, 0.4, 0.3, 0.2}, 5);
        assertArrayEquals(t, fine[0]);
    }
}
