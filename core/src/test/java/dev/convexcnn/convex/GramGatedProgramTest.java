package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.testing.Tolerances;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Gram form of the squared-loss gated program against the streamed one it replaces. */
class GramGatedProgramTest {

    @Test
    void gramLowerAccumulatesTheNaiveProduct() {
        Random r = new Random(3);
        int m1 = 7, m2 = 4, g = 5;
        double[] a = new double[(m1 + m2) * g];
        for (int i = 0; i < a.length; i++) a[i] = r.nextGaussian();
        double[] c = new double[g * g];
        java.util.Arrays.fill(c, 99);   // beta = 0 must overwrite, not add
        Gemm.gramLower(m1, g, 1, a, 0, 0, c);
        Gemm.gramLower(m2, g, 1, a, m1 * g, 1, c);
        Gemm.symmetriseFromLower(g, c);
        for (int x = 0; x < g; x++) {
            for (int y = 0; y < g; y++) {
                double s = 0, abs = 0;
                for (int i = 0; i < m1 + m2; i++) {
                    s += a[i * g + x] * a[i * g + y];
                    abs += Math.abs(a[i * g + x] * a[i * g + y]);
                }
                Tolerances.assertProductsClose(new double[] {s}, new double[] {c[x * g + y]}, new double[] {abs}, m1 + m2,
                        "(" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void branchFreeMaskIsExactlyPositive() {
        double[] special = {0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1, -1, 1e-300, -1e-300};
        Random r = new Random(4);
        double[] a = new double[special.length + 1000];
        System.arraycopy(special, 0, a, 0, special.length);
        for (int i = special.length; i < a.length; i++) a[i] = r.nextGaussian();
        double[] mask = new double[a.length - 3];
        GatedFeatures.positive(a, 3, mask, mask.length);
        for (int q = 0; q < mask.length; q++) assertEquals(a[q + 3] > 0 ? 1.0 : 0.0, mask[q], "value " + a[q + 3]);
    }

    @Test
    void rowsAreTheSameWhateverTheBlocksAndChunks() {
        // 28×28 images and 64 gates make blocks of 3 samples, so 60 samples split over chunks and blocks.
        Random r = new Random(6);
        int n = 60, s = 28;
        float[] px = new float[n * s * s];
        for (int i = 0; i < px.length; i++) px[i] = r.nextFloat();
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = i % 3;
        Dataset d = new Dataset("noise", s, s, 1, 3, px, y);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        Gates gates = Gates.sample(geom.patchSize(), 64, 3);
        GatedFeatures.RowBuilder rows = new GatedFeatures.RowBuilder(d, norm, geom, gates);
        double[] whole = new double[n * rows.columns()], one = new double[whole.length], serial = new double[whole.length];
        rows.javaChunks(true).fill(0, n, whole, 0);
        for (int i = 0; i < n; i++) rows.fill(i, 1, one, i * rows.columns());
        // Blocks of other sizes are products of other shapes: the BLAS may round them differently.
        Tolerances.assertArrayClose(one, whole, Tolerances.ROUNDED, "one sample at a time");
        rows.javaChunks(false).fill(0, n, serial, 0);
        Tolerances.assertArrayClose(whole, serial, Tolerances.ROUNDED, "one Java thread or several");
        Tolerances.assertArrayClose(GatedFeatures.build(d, norm, geom, gates).matrix(), whole, Tolerances.ROUNDED, "held build");
        // Logits are streamed the same way: Φ W, never holding Φ.
        double[] w = new double[rows.columns() * 3], expected = new double[n * 3];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        Gemm.dgemm(false, false, n, 3, rows.columns(), 1, whole, w, 0, expected);
        Tolerances.assertArrayClose(expected, GatedFeatures.logits(d, norm, geom, gates, w, 3), Tolerances.ROUNDED, "streamed logits");
    }

    @Test
    void valueGradientAndLambdaMaxEqualTheStreamedProgram() {
        Dataset d = ConvexProgramTest.quadrants(37, 6, 3, 5);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        Gates gates = Gates.sample(geom.patchSize(), 6, 2);
        GatedFeatures phi = GatedFeatures.build(d, norm, geom, gates);
        GatedReluProgram streamed = new GatedReluProgram(phi, d.labels(), 3, Loss.SQUARED, 0.01);
        // Blocks of 10 rows: four dsyrk calls, the last one short.
        GramGatedProgram gram = GramGatedProgram.build(d, norm, geom, gates, 10).withLambda(0.01);
        assertEquals(streamed.dimension(), gram.dimension());
        Tolerances.assertClose(GatedReluProgram.lambdaMax(phi, d.labels(), 3, Loss.SQUARED), gram.lambdaMax(), Tolerances.ROUNDED, "λ_max");
        Random r = new Random(9);
        for (int trial = 0; trial < 3; trial++) {
            double[] w = new double[gram.dimension()];
            for (int i = 0; i < w.length; i++) w[i] = trial == 0 ? 0 : 0.1 * r.nextGaussian();
            double[] g1 = new double[w.length], g2 = new double[w.length];
            double f1 = streamed.smooth(w, g1), f2 = gram.smooth(w, g2);
            Tolerances.assertClose(f1, f2, 1e-11, "value, trial " + trial);
            Tolerances.assertArrayClose(g1, g2, 1e-11, "gradient, trial " + trial);
            Tolerances.assertClose(streamed.regularizer(w), gram.regularizer(w), Tolerances.ROUNDED, "regulariser, trial " + trial);
        }
        // Held features give the same statistics as the streamed build.
        GramGatedProgram held = GramGatedProgram.of(phi, d.labels(), 3).withLambda(0.01);
        double[] w = new double[gram.dimension()];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        Tolerances.assertClose(gram.smooth(w, null), held.smooth(w, null), 1e-11, "held features");
    }

    @Test
    void bothFormsReachTheSameCertifiedOptimum() {
        Dataset d = ConvexProgramTest.quadrants(40, 6, 3, 8);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        Gates gates = Gates.sample(geom.patchSize(), 5, 4);
        GatedFeatures phi = GatedFeatures.build(d, norm, geom, gates);
        double lambda = 0.05 * GatedReluProgram.lambdaMax(phi, d.labels(), 3, Loss.SQUARED);
        GatedReluProgram streamed = new GatedReluProgram(phi, d.labels(), 3, Loss.SQUARED, lambda);
        GramGatedProgram gram = GramGatedProgram.build(d, norm, geom, gates, 16).withLambda(lambda);
        RFista.Settings s = new RFista.Settings(1e-12, 20_000, 10);
        RFista.Result a = RFista.solve(streamed, new double[streamed.dimension()], s, null);
        RFista.Result b = RFista.solve(gram, new double[gram.dimension()], s, null);
        assertTrue(a.converged() && b.converged(), "both reach the certificate");
        assertEquals(a.objective(), b.objective(), 1e-10);
        // The Gram solution certified on the streamed program itself.
        double[] grad = new double[streamed.dimension()];
        streamed.smooth(b.x(), grad);
        assertTrue(streamed.minNormSubgradientSquared(b.x(), grad) <= 1e-11, "certificate of the Gram solution");
        double scale = 0;
        for (double v : a.x()) scale = Math.max(scale, Math.abs(v));
        assertArrayEquals(a.x(), b.x(), 1e-4 * scale);
    }

    @Test
    void informativeGatesMatchTheExactTestAndSelectKeepsTheBlocks() {
        Dataset d = ConvexProgramTest.quadrants(10, 6, 3, 4);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        int h = geom.patchSize();
        Gates g = Gates.sample(h, 3, 5);
        double[] filters = new double[h * 5];
        for (int t = 0; t < h; t++) {
            filters[t * 5] = g.filter(t, 0);
            filters[t * 5 + 1] = g.filter(t, 1);
            filters[t * 5 + 2] = g.filter(t, 0);               // a duplicate of pattern 0
            filters[t * 5 + 3] = t == h - 1 ? -1 : 0;          // never on
            filters[t * 5 + 4] = g.filter(t, 2);
        }
        Gates five = new Gates(h, 5, filters);
        GramGatedProgram all = GramGatedProgram.build(d, norm, geom, five, 3);
        int[] keep = all.informativeGates();
        assertArrayEquals(GatedFeatures.build(d, norm, geom, five).informativeGates(), keep);
        assertArrayEquals(new int[] {0, 1, 4}, keep);
        GramGatedProgram selected = all.select(keep).withLambda(0.02);
        GramGatedProgram direct = GramGatedProgram.build(d, norm, geom, five.select(keep), 4).withLambda(0.02);
        Random r = new Random(1);
        double[] w = new double[selected.dimension()], g1 = new double[w.length], g2 = new double[w.length];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        assertEquals(direct.smooth(w, g1), selected.smooth(w, g2), 1e-11 * direct.smooth(w, null));
        assertArrayEquals(g1, g2, 1e-11);
    }

    @Test
    void tooManyColumnsIsAClearError() {
        Dataset d = ConvexProgramTest.quadrants(2, 6, 3, 1);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        Gates gates = Gates.sample(geom.patchSize(), GramGatedProgram.MAX_COLUMNS / geom.patchSize() + 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GramGatedProgram.build(d, norm, geom, gates));
        assertTrue(e.getMessage().contains("columns"), e.getMessage());
    }
}
