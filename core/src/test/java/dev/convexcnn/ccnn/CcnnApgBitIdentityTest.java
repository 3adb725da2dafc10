package dev.convexcnn.ccnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Temporary: CCNN's primal FISTA on the shared loop against copies of the old loops, bit for bit. */
class CcnnApgBitIdentityTest {

    @Test
    void dualSolverFista() {
        FeatureSource fs = DccnnTest.features(60, 3);
        double lambda = 0.2 * DualSolver.lambdaMax(fs);
        for (boolean centre : new boolean[] {true, false}) {
            for (boolean restart : new boolean[] {true, false}) {
                for (double tol : new double[] {1e-9, 1e-3, 1e-5}) for (int iterations : new int[] {7, 20, 600}) {
                    String where = "tol " + tol + " centre " + centre + " restart " + restart + " its " + iterations;
                    DualSolver.Solution a = DualSolver.solve(fs, lambda, iterations, new DualSolver.Options(centre, restart, true, 1, 20, tol, 30, 1), null);
                    LegacyDualSolver.Solution b = LegacyDualSolver.solve(fs, lambda, iterations,
                            new LegacyDualSolver.Options(centre, restart, true, 1, 20, tol, 30, 1), null);
                    assertArrayEquals(b.w(), a.w(), 0, where);
                    if (centre) assertArrayEquals(b.bias(), a.bias(), 0, where);
                    assertArrayEquals(b.dual(), a.dual(), 0, where);
                    assertEquals(b.primalObjective(), a.primalObjective(), 0, where);
                    assertEquals(b.iterations(), a.iterations(), where);
                    assertEquals(b.restarts(), a.restarts(), where);
                    assertEquals(b.checks().size(), a.checks().size(), where);
                    for (int i = 0; i < b.checks().size(); i++) {
                        assertEquals(b.checks().get(i).primal(), a.checks().get(i).primal(), 0, where);
                        assertEquals(b.checks().get(i).dual(), a.checks().get(i).dual(), 0, where);
                        assertEquals(b.checks().get(i).iteration(), a.checks().get(i).iteration(), where);
                    }
                    System.out.println(where + ": " + a.iterations() + " iterations, " + a.restarts() + " restarts");
                }
            }
        }
    }

    @Test
    void proximalPrimal() {
        FeatureSource fs = DccnnTest.features(60, 3);
        double lambda = 0.2 * DualSolver.lambdaMax(fs);
        double norm = PenalizedProgram.featureNorm(fs, 50, 1) * 1.01;
        for (boolean bias : new boolean[] {true, false}) {
            for (int iterations : new int[] {1, 2, 300}) {
                ProximalPrimal.Result a = ProximalPrimal.solve(fs, lambda, iterations, norm, bias);
                LegacyProximalPrimal.Result b = LegacyProximalPrimal.solve(fs, lambda, iterations, norm, bias);
                assertArrayEquals(b.w(), a.w(), 0);
                if (bias) assertArrayEquals(b.bias(), a.bias(), 0);
                assertEquals(b.objective(), a.objective(), 0);
            }
        }
    }
}
