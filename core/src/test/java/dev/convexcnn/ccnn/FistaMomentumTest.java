package dev.convexcnn.ccnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The dual solvers' shared FISTA momentum step, against the formulas worked out by hand. */
class FistaMomentumTest {

    @Test
    void extrapolatesByTheFistaWeight() {
        double[] x = {0, 0}, xb = {0}, nx = {1, 2}, nb = {3}, y = {2, 1}, yb = {5};
        // ⟨y − nx, nx − x⟩ = 1·1 − 1·2 + 2·3 = 5 > 0, but restarts are off.
        DualSolver.Momentum m = DualSolver.momentum(x, xb, nx, nb, y, yb, 2, false);
        double tn = (1 + Math.sqrt(17)) / 2;
        assertEquals(tn, m.t(), 1e-15);
        assertFalse(m.restarted());
        double w = 1 / tn;
        assertArrayEquals(new double[] {1 + w, 2 + 2 * w}, y, 1e-15);
        assertArrayEquals(new double[] {3 + 3 * w}, yb, 1e-15);
    }

    @Test
    void restartsOnlyWhenTheStepPointsUphill() {
        double[] x = {0, 0}, xb = {0}, nx = {1, 2}, nb = {3}, y = {2, 1}, yb = {5};
        DualSolver.Momentum up = DualSolver.momentum(x, xb, nx, nb, y, yb, 2, true);
        assertTrue(up.restarted());
        assertEquals(1, up.t());
        assertArrayEquals(new double[] {1, 2}, y);
        assertArrayEquals(new double[] {3}, yb);
        // y = nx now, so ⟨y − nx, ·⟩ = 0: downhill, no restart.
        DualSolver.Momentum down = DualSolver.momentum(x, xb, nx, nb, y, yb, 2, true);
        assertFalse(down.restarted());
    }
}
