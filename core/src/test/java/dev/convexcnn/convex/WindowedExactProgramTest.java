package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.nn.Sequential;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The exact program over windowed gates (each pattern once per A×A window, its constraints on that window's
 * patches): the average-pooling CNN's program of {@link PooledReluProgram}, set up by other code. Both are solved to
 * their certificates and must agree; the working set must reach the same optimum; the recovered network must attain
 * it and be the nn network it exports.
 */
class WindowedExactProgramTest {

    private record Setup(Dataset d, Normalization norm, PatchGeometry geom, Gates base, Gates windowed, PatchPatterns pp,
                         ExactReluProgram exact, double lambda) {}

    private static Setup setup(int classes) {
        Dataset d = ThreeLayerProgramTest.randomImages(new Random(8), 20, 6, 6, classes);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);   // 4×4 feature map, windows of 2×2
        Gates base = Gates.sample(geom.patchSize(), 6, 4);
        Gates windowed = base.windowed(geom, 2);
        double lambda = 0.05 * new PooledReluProgram(PatchPatterns.build(d, norm, geom, base), geom, 2, d.labels(), classes,
                Loss.SQUARED, 1, false).lambdaMax();
        GatedReluProgram gated = new GatedReluProgram(GatedFeatures.build(d, norm, geom, windowed), d.labels(), classes, Loss.SQUARED, lambda);
        PatchPatterns pp = PatchPatterns.build(d, norm, geom, windowed);
        return new Setup(d, norm, geom, base, windowed, pp, new ExactReluProgram(gated, pp), lambda);
    }

    private static final AugmentedLagrangian.Settings TIGHT =
            new AugmentedLagrangian.Settings(1e-10, 80, new RFista.Settings(1e-10, 20_000, 10), ConvexTrainer.INITIAL_RHO);

    @Test
    void signsAreZeroOutsideEachColumnsWindowAndEqualPatchesPairOnlyWithinOne() {
        Setup s = setup(2);
        int p = s.windowed().count(), P = s.geom().patches(), ow = s.geom().conv().outWidth();
        double[] signs = s.pp().signs();
        for (int r = 0; r < s.pp().rows(); r++) {
            int pos = r % P, w = (pos / ow / 2) * 2 + (pos % ow) / 2;
            assertEquals(w, s.pp().windowOf(r));
            for (int j = 0; j < p; j++) {
                boolean mine = s.windowed().pools()[j] == w;
                // ±1/A² on the window (the output's units), 0 elsewhere.
                assertTrue(mine ? Math.abs(signs[r * p + j]) == 0.25 : signs[r * p + j] == 0, "row " + r + ", column " + j);
            }
        }
        assertEquals((long) s.pp().rows() * s.base().count(), s.pp().constrainedPairs());
        int[] rep = ConstraintWorkingSet.Duplicates.of(s.pp()).rep();
        for (int r = 0; r < rep.length; r++) assertEquals(s.pp().windowOf(r), s.pp().windowOf(rep[r]));
    }

    @Test
    void itsOptimumIsThePooledProgramsAndTheWorkingSetReachesIt() {
        Setup s = setup(2);
        PooledReluProgram pooled = new PooledReluProgram(PatchPatterns.build(s.d(), s.norm(), s.geom(), s.base()), s.geom(), 2,
                s.d().labels(), 2, Loss.SQUARED, s.lambda(), true);
        var theirs = AugmentedLagrangian.solve(pooled, new double[pooled.dimension()], TIGHT, null);
        var ws = ConstraintWorkingSet.solve(s.exact(), new double[s.exact().dimension()], TIGHT, ConstraintWorkingSet.ROWS_PER_GROUP, null, null);
        assertTrue(theirs.converged() && ws.converged(), theirs.stationarity() + " " + ws.stationarity() + "; " + ws.rounds());
        // A squared violation of 1e-10 leaves constraints off by ~1e-5, and the objective moves by that order.
        assertEquals(theirs.objective(), ws.objective(), 1e-5 * theirs.objective());
        assertTrue(ws.rowsHeld() < ws.rowsTotal(), ws.rowsHeld() + " of " + ws.rowsTotal());
        // Every constraint the working set reports as met is met on the full vector too.
        double[] h = new double[(int) s.exact().constraintCount()];
        s.exact().constraints(ws.x(), h);
        assertTrue(s.exact().violation(h) <= 1e-9, "violation over every constraint " + s.exact().violation(h));
    }

    @Test
    void theRecoveredPoolingNetworkAttainsTheOptimumAndIsTheNnNetwork() {
        Setup s = setup(3);
        var res = ConstraintWorkingSet.solve(s.exact(), new double[s.exact().dimension()], TIGHT, ConstraintWorkingSet.ROWS_PER_GROUP, null, null);
        assertTrue(res.converged(), res.rounds().toString());
        ReluNetwork net = ReluNetwork.recover(res.x(), s.windowed(), 3, s.geom());
        assertTrue(net.neurons() > 0 && net.window() == 2);
        int n = s.d().size();
        double[] preds = net.predict(s.pp().patches(), n);
        double[] gatedPreds = GatedFeatures.logits(s.d(), s.norm(), s.geom(), s.windowed(), ExactReluProgram.difference(res.x()), 3);
        for (int i = 0; i < preds.length; i++) assertEquals(gatedPreds[i], preds[i], 1e-5 * (1 + Math.abs(gatedPreds[i])));
        double recovered = Loss.SQUARED.value(preds, s.d().labels(), n, 3, null) + s.lambda() * net.weightDecay();
        assertEquals(res.objective(), recovered, 1e-5 * res.objective());
        Sequential seq = net.toSequential();
        assertTrue(seq.spec().contains("avgpool2"), seq.spec());
        float[] x = new float[n * s.d().features()];
        dev.convexcnn.nn.Batches.gather(s.d(), null, 0, n, s.norm(), x, null);
        float[] logits = seq.forward(x, n);
        for (int i = 0; i < preds.length; i++) assertEquals(preds[i], logits[i], 1e-4 * (1 + Math.abs(preds[i])));
    }

    @Test
    void convexReluTakesPoolAndTrainsThePoolingNetwork() {
        Dataset d = ThreeLayerProgramTest.randomImages(new Random(3), 24, 6, 6, 2);
        ConvexSettings s = new ConvexSettings("convex-relu", 3, 1, true, 3, 0.05, 0, Loss.SQUARED, 1e-8, 5_000, 2)
                .withWorkingSet(true).withPool(2);
        ConvexTrainer.Run run = new ConvexTrainer(s).fit(d, null);
        assertTrue(run.converged(), "certificate " + run.certificate() + ", violation " + run.violation());
        // The KKT residual's slackness part is reported next to the certificate, and small at its end.
        assertTrue(run.provenance().get("slackness").getAsDouble() <= 1e-8, run.provenance().get("slackness").toString());
        assertTrue(run.gates().windowed() && run.network().window() == 2);
        assertTrue(run.relu().spec().contains("avgpool2"), run.relu().spec());
        assertEquals(run.evaluateGated(d).accuracy(), run.evaluate(d).accuracy(), 1e-12, "the network is the program's model");
    }
}
