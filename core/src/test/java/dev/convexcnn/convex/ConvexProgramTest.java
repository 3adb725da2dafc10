package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.nn.Sequential;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast operators against explicit products, the prox and the solvers by their optimality conditions. */
public class ConvexProgramTest {

    /** n images of s × s pixels, c classes, the class set by which quadrant is brightest. */
    public static Dataset quadrants(int n, int s, int c, long seed) {
        Random r = new Random(seed);
        float[] px = new float[n * s * s];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % c;
            for (int a = 0; a < s; a++)
                for (int b = 0; b < s; b++) {
                    int q = (a < s / 2 ? 0 : 2) + (b < s / 2 ? 0 : 1);
                    px[i * s * s + a * s + b] = (float) (0.3 * r.nextDouble() + (q == y[i] ? 0.6 : 0));
                }
        }
        return new Dataset("quadrants", s, s, 1, c, px, y);
    }

    @Test
    void gatedFeaturesEqualTheExplicitMaskedPatchSums() {
        Dataset d = quadrants(7, 6, 3, 1);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        Gates gates = Gates.sample(geom.patchSize(), 5, 3);
        GatedFeatures f = GatedFeatures.build(d, norm, geom, gates);
        PatchPatterns pp = PatchPatterns.build(d, norm, geom, gates);
        int P = geom.patches(), h = geom.patchSize();
        for (int i = 0; i < d.size(); i++) {
            for (int j = 0; j < gates.count(); j++) {
                for (int t = 0; t < h; t++) {
                    double expected = 0;
                    for (int p = 0; p < P; p++) {
                        double dot = 0;
                        for (int u = 0; u < h; u++) dot += pp.patches()[(i * P + p) * h + u] * gates.filter(u, j);
                        if (dot > 0) expected += pp.patches()[(i * P + p) * h + t];
                        assertEquals(dot > 0 ? 1 : -1, pp.signs()[(i * P + p) * gates.count() + j]);
                    }
                    assertEquals(expected, f.matrix()[(i * gates.count() + j) * h + t], 1e-9);
                }
            }
        }
    }

    @Test
    void duplicateAndEmptyPatternsAreDroppedDistinctOnesKept() {
        Dataset d = quadrants(10, 6, 3, 4);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        Gates g = Gates.sample(geom.patchSize(), 3, 5);
        double[] never = new double[geom.patchSize()];
        never[geom.patchSize() - 1] = -1;   // only the bias entry, negative: no patch is ever on
        double[] filters = new double[geom.patchSize() * 5];
        for (int t = 0; t < geom.patchSize(); t++) {
            filters[t * 5] = g.filter(t, 0);
            filters[t * 5 + 1] = g.filter(t, 1);
            filters[t * 5 + 2] = g.filter(t, 0);    // a duplicate of pattern 0
            filters[t * 5 + 3] = never[t];
            filters[t * 5 + 4] = g.filter(t, 2);
        }
        GatedFeatures f = GatedFeatures.build(d, norm, geom, new Gates(geom.patchSize(), 5, filters));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {0, 1, 4}, f.informativeGates());
    }

    @Test
    void gatedSolverReachesItsCertificateAndNothingNearbyIsBetter() {
        Dataset d = quadrants(40, 6, 3, 3);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        Gates gates = Gates.sample(geom.patchSize(), 8, 4);
        GatedFeatures f = GatedFeatures.build(d, norm, geom, gates);
        for (Loss loss : Loss.values()) {
            double lmax = GatedReluProgram.lambdaMax(f, d.labels(), 3, loss);
            GatedReluProgram prog = new GatedReluProgram(f, d.labels(), 3, loss, 0.05 * lmax);
            RFista.Result r = RFista.solve(prog, new double[prog.dimension()], new RFista.Settings(1e-10, 20_000, 10), null);
            assertTrue(r.converged(), loss + ": certificate " + r.certificate());
            assertTrue(r.certificate() <= 1e-10);
            Random rnd = new Random(5);
            double[] x = r.x();
            for (int trial = 0; trial < 50; trial++) {
                double[] y = x.clone();
                for (int i = 0; i < y.length; i++) y[i] += 1e-3 * rnd.nextGaussian();
                double fy = prog.smooth(y, null) + prog.regularizer(y);
                assertTrue(fy >= r.objective() - 1e-12, "a nearby point is better");
            }
            // At λ ≥ λ_max the optimum is zero.
            GatedReluProgram big = new GatedReluProgram(f, d.labels(), 3, loss, 1.0001 * lmax);
            RFista.Result zero = RFista.solve(big, new double[big.dimension()], RFista.Settings.defaults(), null);
            assertEquals(0, big.penalty().active(zero.x()));
        }
    }

    @Test
    void exactProgramIsFeasibleAndItsReluNetworkAttainsTheConvexObjective() {
        Dataset d = quadrants(24, 4, 2, 6);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 2, 2, true);
        Gates gates = Gates.sample(geom.patchSize(), 6, 7);
        GatedFeatures f = GatedFeatures.build(d, norm, geom, gates);
        double lmax = GatedReluProgram.lambdaMax(f, d.labels(), 2, Loss.SQUARED);
        double lambda = 0.05 * lmax;
        GatedReluProgram gated = new GatedReluProgram(f, d.labels(), 2, Loss.SQUARED, lambda);
        PatchPatterns pp = PatchPatterns.build(d, norm, geom, gates);
        ExactReluProgram exact = new ExactReluProgram(gated, pp);
        var r = AugmentedLagrangian.solve(exact, new double[exact.dimension()],
                new AugmentedLagrangian.Settings(1e-9, 60, new RFista.Settings(1e-9, 5_000, 10), 1), null);
        assertTrue(r.converged(), "stationarity " + r.stationarity() + ", violation " + r.violation());

        ReluNetwork net = ReluNetwork.recover(r.x(), gates.count(), geom.patchSize(), 2, geom);
        assertTrue(net.neurons() > 0);
        double[] preds = net.predict(pp.patches(), d.size());
        double recovered = Loss.SQUARED.value(preds, d.labels(), d.size(), 2, null) + lambda * net.weightDecay();
        assertEquals(r.objective(), recovered, 1e-6 * Math.max(1, r.objective()), "weight-decay objective of the ReLU net");

        // The nn network built from it predicts the same (in float).
        Sequential seq = net.toSequential();
        float[] x = new float[d.size() * d.features()];
        dev.convexcnn.nn.Batches.gather(d, null, 0, d.size(), norm, x, null);
        float[] logits = seq.forward(x, d.size());
        for (int i = 0; i < preds.length; i++) assertEquals(preds[i], logits[i], 1e-4 * (1 + Math.abs(preds[i])));

        // The gated relaxation is a relaxation: its optimum is no higher.
        RFista.Result g = RFista.solve(gated, new double[gated.dimension()], new RFista.Settings(1e-10, 20_000, 10), null);
        assertTrue(g.objective() <= r.objective() + 1e-7);
    }
}
