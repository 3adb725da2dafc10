package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.optim.Quadratic;
import dev.convexcnn.optim.QuadraticPlus;
import java.util.Random;
import dev.convexcnn.linalg.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exact programs' augmented-Lagrangian objective split as a quadratic plus a cheap part: the quadratic's
 * products, linear term and constant must give the loss and its gradient that the plain evaluation gives, for the
 * held Φ and the Gram form, over the whole program and over a working set of rows.
 */
class PenalisedLossTest {
    private record Setup(Dataset d, Normalization norm, PatchGeometry geom, Gates gates) {}

    private static Setup setup() {
        Dataset d = ThreeLayerProgramTest.randomImages(new Random(3), 24, 6, 6, 3);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        return new Setup(d, Normalization.fit(d), geom, Gates.sample(geom.patchSize(), 5, 9));
    }

    private static double[] random(Random r, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * r.nextGaussian();
        return v;
    }

    private static double rel(double a, double b) { return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300); }

    /** Three classes take the skinny kernels; ten (20 columns for two points) the native dgemm where it is present. */
    @ParameterizedTest
    @ValueSource(ints = {3, 10})
    void theHeldPhiAsAQuadraticIsPhiTransposePhiWithTheSquaredLossAndNothingForAnother(int c) {
        Setup s = setup();
        GatedFeatures f = GatedFeatures.build(s.d(), s.norm(), s.geom(), s.gates());
        int n = f.samples(), g = f.columns();
        GatedReluProgram program = new GatedReluProgram(f, s.d().labels(), c, Loss.SQUARED, 0.01);
        assertNull(new GatedReluProgram(f, s.d().labels(), c, Loss.CROSS_ENTROPY, 0.01).asQuadratic());
        Quadratic q = program.asQuadratic();
        Random r = new Random(5);
        double[] w1 = random(r, g * c, 0.3), w2 = random(r, g * c, 0.3);
        double[][] out = {new double[g * c], new double[g * c]}, one = {new double[g * c]};
        q.products(new double[][] {w1, w2}, 2, out, false);
        q.products(new double[][] {w2}, 1, one, false);
        // The naive ΦᵀΦW from the matrix's entries.
        double[] phi = f.matrix(), naive = new double[g * c];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                double z = 0;
                for (int t = 0; t < g; t++) z += phi[i * g + t] * w1[t * c + k];
                for (int t = 0; t < g; t++) naive[t * c + k] += phi[i * g + t] * z;
            }
        }
        double norm = 0;
        for (double v : naive) norm = Math.max(norm, Math.abs(v));
        assertArrayEquals(naive, out[0], 1e-12 * norm);
        // The skinny kernels sum each entry the same way whatever the width; dgemm's blocking may depend on it.
        double exactness = c * 2 >= 10 && Backend.get().isNative() ? 1e-13 * norm : 0;
        assertArrayEquals(one[0], out[1], exactness, "a point's product does not depend (beyond rounding) on the others priced with it");
        // A float product (sgemm on a float copy of Φ where the BLAS is native): within float's rounding.
        double[][] inFloat = {new double[g * c]};
        q.products(new double[][] {w1}, 1, inFloat, true);
        assertArrayEquals(naive, inFloat[0], 1e-5 * norm);
        if (Backend.get().isNative()) assertFalse(java.util.Arrays.equals(out[0], inFloat[0]), "a float product is rounded");
        double[] grad = new double[g * c], gq = new double[g * c];
        double value = program.smooth(w1, grad), fromProduct = q.smoothFromProduct(w1, out[0], gq);
        assertEquals(value, fromProduct, 1e-12 * value);
        double gnorm = 0;
        for (double v : grad) gnorm = Math.max(gnorm, Math.abs(v));
        assertArrayEquals(grad, gq, 1e-12 * gnorm);
    }

    @Test
    void theSplitGivesThePlainObjectiveForEveryFormOverAllRowsAndAWorkingSet() {
        Setup s = setup();
        int c = 3;
        GatedFeatures f = GatedFeatures.build(s.d(), s.norm(), s.geom(), s.gates());
        double lambda = 0.01;
        PatchPatterns pp = PatchPatterns.build(s.d(), s.norm(), s.geom(), s.gates());
        GroupLassoProgram[] losses = {new GatedReluProgram(f, s.d().labels(), c, Loss.SQUARED, lambda),
                GramGatedProgram.build(s.d(), s.norm(), s.geom(), s.gates()).withLambda(lambda)};
        Random r = new Random(11);
        for (GroupLassoProgram loss : losses) {
            ExactReluProgram exact = new ExactReluProgram(loss, c, pp, null);
            int d = exact.dimension();
            double[] gamma = random(r, Math.toIntExact(exact.constraintCount()), 1);
            for (int i = 0; i < gamma.length; i++) gamma[i] = Math.abs(gamma[i]);
            int[][] rows = new int[pp.gates()][];
            for (int j = 0; j < rows.length; j++) rows[j] = new int[] {j, 7 + j, 40 + 2 * j};
            ConstraintWorkingSet.WorkingSetProgram ws = new ConstraintWorkingSet.WorkingSetProgram(exact, rows);
            double[] wsGamma = random(r, Math.toIntExact(ws.constraintCount()), 1);
            for (int i = 0; i < wsGamma.length; i++) wsGamma[i] = Math.abs(wsGamma[i]);
            // One quadratic per program (its linear term made once), whichever multipliers and rows.
            assertTrue(((QuadraticPlus) exact.withMultipliers(gamma, 3.0)).quadraticPart() == ((QuadraticPlus) ws.withMultipliers(wsGamma, 5.0)).quadraticPart());
            for (CompositeObjective obj : new CompositeObjective[] {exact.withMultipliers(gamma, 3.0), ws.withMultipliers(wsGamma, 3.0)}) {
                String where = loss.getClass().getSimpleName() + ", " + (obj == null ? "" : obj.getClass().getSimpleName());
                QuadraticPlus split = (QuadraticPlus) obj;
                Quadratic q = split.quadraticPart();
                assertNotNull(q, where);
                double[] x = random(r, d, 0.2), grad = new double[d], gq = new double[d], gp = new double[d];
                double[][] ax = {new double[d]};
                q.products(new double[][] {x}, 1, ax, false);
                double plain = obj.smooth(x, grad);
                double parts = q.smoothFromProduct(x, ax[0], gq) + split.otherPart(x, gp);
                assertTrue(rel(parts, plain) < 1e-12, where + ": " + parts + " against " + plain);
                double gnorm = 0;
                for (int i = 0; i < d; i++) {
                    gq[i] += gp[i];
                    gnorm = Math.max(gnorm, Math.abs(grad[i]));
                }
                assertArrayEquals(grad, gq, 1e-12 * gnorm, where);
                // The penalty part is not zero here: the multipliers make rows bind.
                assertTrue(split.otherPart(x, null) != 0, where);
            }
        }
    }
}
