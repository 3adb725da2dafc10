package dev.convexcnn.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Spearman, its permutation p-value and the partial rank correlation, against hand-worked values. */
class RankCorrelationTest {
    @Test
    void tiesGetTheirAverageRank() {
        assertArrayEquals(new double[] {1, 2, 3.5, 5, 3.5}, RankCorrelation.ranks(new double[] {5, 6, 7, 8, 7}), 0);
    }

    @Test
    void spearmanByHand() {
        // Ranks (1..5) against (1, 2, 3.5, 5, 3.5): deviations (-2..2) and (-2, -1, .5, 2, .5);
        // sum of products 8, sums of squares 10 and 9.5, so rho = 8 / sqrt(95).
        double rho = RankCorrelation.spearman(new double[] {1, 2, 3, 4, 5}, new double[] {5, 6, 7, 8, 7});
        assertEquals(8 / Math.sqrt(95), rho, 1e-12);
        // Monotone maps do not change it; reversing one side flips its sign.
        assertEquals(rho, RankCorrelation.spearman(new double[] {10, 20, 300, 4000, 50000}, new double[] {5, 6, 7, 8, 7}), 1e-12);
        assertEquals(-rho, RankCorrelation.spearman(new double[] {5, 4, 3, 2, 1}, new double[] {5, 6, 7, 8, 7}), 1e-12);
    }

    @Test
    void permutationPOfAPerfectOrderOfFive() {
        // Only the identity and the reversal of 5 values reach |rho| = 1: p = 2/120.
        double p = RankCorrelation.permutationP(new double[] {1, 2, 3, 4, 5}, new double[] {2, 4, 6, 8, 10}, 20_000, 7);
        assertEquals(2.0 / 120, p, 0.004);
        double none = RankCorrelation.permutationP(new double[] {1, 2, 3, 4, 5, 6}, new double[] {3, 1, 6, 2, 5, 4}, 5_000, 7);
        assertTrue(none > 0.3, "an unrelated order is not significant: " + none);
    }

    @Test
    void partialByHand() {
        // x = (1,2,3,4), y = (1,3,2,4), z = (2,1,4,3): rxy = 0.8, rxz = 0.6, ryz = 0,
        // so the partial is 0.8 / sqrt(1 - 0.36) = 1.
        double[] x = {1, 2, 3, 4}, y = {1, 3, 2, 4}, z = {2, 1, 4, 3};
        assertEquals(0.8, RankCorrelation.spearman(x, y), 1e-12);
        assertEquals(0.6, RankCorrelation.spearman(x, z), 1e-12);
        assertEquals(0.0, RankCorrelation.spearman(y, z), 1e-12);
        assertEquals(1.0, RankCorrelation.partialSpearman(x, y, z), 1e-12);
    }
}
