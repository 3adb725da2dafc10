package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Windowed gates (--pool): the features against their definition, the program's predictions against the pooled
 * program's, its optimum against the pooled gated relaxation's where the two coincide (one output), the Gram and
 * streamed forms against each other, and the model file.
 */
class WindowedGatesTest {
    private static Dataset images(long seed, int n, int side, int classes) {
        return ThreeLayerProgramTest.randomImages(new Random(seed), n, side, side, classes);
    }

    /** Φ_{j,m}(x) = (1/A²) Σ_{p ∈ window m} 1[z_p·g_j > 0] z_p, summed here position by position. */
    @Test
    void featuresAreTheWindowAveragesOfTheSwitchedOnPatches() {
        Dataset d = images(3, 7, 7, 3);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 2, 1, true);    // 6×6 map
        Gates base = Gates.sample(geom.patchSize(), 4, 11);
        Gates gates = base.windowed(geom, 3);                     // 2×2 windows of 3×3 positions
        assertEquals(4 * 4, gates.count());
        GatedFeatures f = GatedFeatures.build(d, norm, geom, gates);
        int h = geom.patchSize(), P = geom.patches(), side = 6;
        float[] scratch = new float[geom.scratchSize()];
        double[] z = new double[P * h];
        for (int i = 0; i < d.size(); i++) {
            geom.patchesOf(d, norm, i, scratch, z, 0);
            for (int q = 0; q < gates.count(); q++) {
                double[] want = new double[h];
                for (int pos = 0; pos < P; pos++) {
                    int m = (pos / side / 3) * 2 + (pos % side) / 3;
                    if (m != gates.pools()[q]) continue;
                    double act = 0;
                    for (int t = 0; t < h; t++) act += z[pos * h + t] * gates.filter(t, q);
                    if (act > 0) for (int t = 0; t < h; t++) want[t] += z[pos * h + t] / 9;
                }
                for (int t = 0; t < h; t++) {
                    double got = f.matrix()[(i * gates.count() + q) * h + t];
                    assertEquals(want[t], got, 1e-12 * (1 + Math.abs(want[t])), "sample " + i + ", column " + q + ", entry " + t);
                }
            }
        }
    }

    /** Pattern j over window m with class weights w is the pooled gated program's V_{j,m,k} = w_k. */
    @Test
    void predictionsAreThePooledGatedProgramsWithTheSameWeights() {
        Dataset d = images(5, 9, 6, 3);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);    // 4×4 map, windows of 2×2
        int c = 3, p = 5;
        Gates base = Gates.sample(geom.patchSize(), p, 2);
        Gates gates = base.windowed(geom, 2);
        int windows = 4, h = geom.patchSize();
        GatedFeatures f = GatedFeatures.build(d, norm, geom, gates);
        Random r = new Random(1);
        double[] w = new double[f.columns() * c];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        double[] ours = new double[d.size() * c];
        new GatedReluProgram(f, d.labels(), c, Loss.SQUARED, 1).predict(w, ours);
        PooledReluProgram pooled = new PooledReluProgram(PatchPatterns.build(d, norm, geom, base), geom, 2, d.labels(), c,
                Loss.SQUARED, 1, false);
        int perPool = c * p, cols = windows * perPool;
        double[] v = new double[h * cols];
        for (int j = 0; j < p; j++) for (int m = 0; m < windows; m++) for (int t = 0; t < h; t++) for (int k = 0; k < c; k++) {
            v[t * cols + m * perPool + k * p + j] = w[((j * windows + m) * h + t) * c + k];
        }
        double[] theirs = pooled.predict(v);
        for (int i = 0; i < ours.length; i++) assertEquals(theirs[i], ours[i], 1e-10 * (1 + Math.abs(theirs[i])));
    }

    /**
     * With one output, a group per (pattern, window) is the pooled gated relaxation's group per (pattern, window,
     * class): the same program, set up by independent code, solved to its certificate by each.
     */
    @Test
    void withOneOutputTheOptimumIsThePooledGatedRelaxations() {
        Dataset two = images(7, 12, 6, 2);
        int[] zeros = new int[two.size()];
        Dataset d = new Dataset("one-output", 6, 6, 1, 1, two.pixels(), zeros);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        Gates base = Gates.sample(geom.patchSize(), 4, 5);
        GatedFeatures f = GatedFeatures.build(d, norm, geom, base.windowed(geom, 2));
        double lambda = 0.05 * GatedReluProgram.lambdaMax(f, d.labels(), 1, Loss.SQUARED);
        RFista.Settings rs = new RFista.Settings(1e-13, 50_000, 10);
        RFista.Result ours = RFista.solve(new GatedReluProgram(f, d.labels(), 1, Loss.SQUARED, lambda), new double[f.columns()], rs, null);
        PooledReluProgram pooled = new PooledReluProgram(PatchPatterns.build(d, norm, geom, base), geom, 2, d.labels(), 1,
                Loss.SQUARED, lambda, false);
        RFista.Result theirs = RFista.solve(pooled.unconstrained(), new double[pooled.dimension()], rs, null);
        assertTrue(ours.converged() && theirs.converged(), ours.certificate() + " " + theirs.certificate());
        assertEquals(theirs.objective(), ours.objective(), 1e-8 * theirs.objective());
    }

    @Test
    void gramAndStreamedFormsReachTheSameCertifiedOptimum() {
        Dataset d = images(9, 30, 8, 3);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);    // 6×6 map, 3×3 windows of 2×2
        Gates gates = Gates.fromPatches(d, norm, geom, 6, 4).windowed(geom, 2);
        GatedFeatures f = GatedFeatures.build(d, norm, geom, gates);
        GramGatedProgram gram = GramGatedProgram.build(d, norm, geom, gates);
        double lambda = 0.02 * gram.lambdaMax();
        assertEquals(GatedReluProgram.lambdaMax(f, d.labels(), 3, Loss.SQUARED), gram.lambdaMax(), 1e-9 * gram.lambdaMax());
        RFista.Settings rs = new RFista.Settings(1e-12, 50_000, 10);
        GatedReluProgram streamed = new GatedReluProgram(f, d.labels(), 3, Loss.SQUARED, lambda);
        RFista.Result a = RFista.solve(streamed, new double[streamed.dimension()], rs, null);
        RFista.Result b = RFista.solveQuadratic(gram.withLambda(lambda), new double[streamed.dimension()], rs, RFista.Precision.DOUBLE, null);
        assertTrue(a.converged() && b.converged());
        assertEquals(a.objective(), b.objective(), 1e-8 * a.objective());
        // The Gram form's point certified on the streamed program too: the same optimality conditions.
        double[] grad = new double[streamed.dimension()];
        streamed.smooth(b.x(), grad);
        assertTrue(streamed.minNormSubgradientSquared(b.x(), grad) < 1e-10);
    }

    /**
     * The Gram form's reweighted-ridge start: below zero's objective, and R-FISTA from it reaches the optimum a cold
     * start reaches (the start changes the path, not the answer), in fewer iterations.
     */
    @Test
    void theReweightedRidgeStartLeadsToTheColdStartsOptimum() {
        Dataset d = images(12, 60, 8, 3);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        Gates gates = Gates.sample(geom.patchSize(), 5, 8).windowed(geom, 3);
        GramGatedProgram gram = GramGatedProgram.build(d, norm, geom, gates);
        double lambda = 1e-3 * gram.lambdaMax();
        GramGatedProgram at = gram.withLambda(lambda);
        double[] start = gram.reweightedRidgeStart(lambda, 6), zero = new double[at.dimension()];
        double startValue = at.smooth(start, null) + at.regularizer(start), zeroValue = at.smooth(zero, null);
        assertTrue(startValue < 0.5 * zeroValue, startValue + " vs " + zeroValue);
        RFista.Settings rs = new RFista.Settings(1e-14, 200_000, 10);
        RFista.Result cold = RFista.solveQuadratic(at, zero, rs, RFista.Precision.DOUBLE, null);
        RFista.Result warm = RFista.solveQuadratic(at, start, rs, RFista.Precision.DOUBLE, null);
        assertTrue(cold.converged() && warm.converged(), cold.certificate() + " " + warm.certificate());
        assertEquals(cold.objective(), warm.objective(), 1e-8 * cold.objective());
        assertTrue(warm.iterations() < cold.iterations(), warm.iterations() + " vs " + cold.iterations());
    }

    @Test
    void gatesFromPatchesSplitTwoDrawnPatchesAndAreSeeded() {
        Dataset d = images(2, 10, 6, 2);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        Gates a = Gates.fromPatches(d, norm, geom, 8, 3), b = Gates.fromPatches(d, norm, geom, 8, 3);
        assertArrayEquals(a.filters(), b.filters());
        // Each filter's hyperplane g·z + offset = 0 passes through the midpoint of two patches of the data, so some
        // patch of the data is on each side: every gate splits the patches.
        GatedFeatures f = GatedFeatures.build(d, norm, geom, a);
        assertEquals(8, f.informativeGates().length);
    }

    @Test
    void theMethodsDefaultsAreWindowedAndScaleThePatternsDownOnSmallSets() {
        GatedReluMethod m = new GatedReluMethod();
        ConvexSettings full = m.defaults(dev.convexcnn.method.DataInfo.MNIST);
        assertEquals(ConvexSettings.AUTO_POOL, full.pool());
        assertEquals(32, full.patterns());
        assertEquals(8, full.windowFor(new PatchGeometry(28, 28, 1, full.kernel(), full.stride(), full.bias())));
        assertEquals(16, m.defaults(new dev.convexcnn.method.DataInfo("mnist", 5_000, 28, 28, 1, 10)).patterns());
        assertEquals(8, m.defaults(new dev.convexcnn.method.DataInfo("mnist", 1_000, 28, 28, 1, 10)).patterns());
        assertEquals(32, m.defaults(new dev.convexcnn.method.DataInfo("mnist", 0, 0, 0, 0, 0)).patterns());
    }

    @Test
    void autoPoolCutsTheMapIntoThreeByThreeWindowsWhereItCan() {
        ConvexSettings s = ConvexSettings.defaults().withPool(ConvexSettings.AUTO_POOL);
        assertEquals(8, s.windowFor(new PatchGeometry(28, 28, 1, 5, 1, true)));     // 24×24
        assertEquals(13, s.windowFor(new PatchGeometry(28, 28, 1, 3, 1, true)));    // 26×26: 2×2
        assertEquals(0, s.windowFor(new PatchGeometry(28, 28, 1, 28, 1, true)));    // 1×1: global
        assertEquals(0, s.withPatternsFrom("m.bin").windowFor(new PatchGeometry(28, 28, 1, 5, 1, true)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gates.sample(26, 2, 1).windowed(new PatchGeometry(28, 28, 1, 5, 1, true), 7));
        assertTrue(e.getMessage().contains("--pool 7") && e.getMessage().contains("24x24"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConvexSettings.defaults().withPool(4).withPatternsFrom("m.bin"));
        assertThrows(IllegalArgumentException.class, () -> ConvexSettings.defaults().withPool(4).withGeneration(1, 8));
    }

    @Test
    void aWindowedRunSavesAndReloadsToTheSamePredictions(@TempDir Path dir) throws Exception {
        Dataset d = images(4, 40, 8, 3);
        ConvexSettings s = ConvexSettings.defaults().withPatches(3, 1).withPatterns(4).withPool(3)
                .withGateSampling(Gates.Sampling.PATCHES).withMaxIterations(3_000).withTolerance(1e-8);
        ConvexTrainer.Run run = new ConvexTrainer(s).fit(d, null);
        assertTrue(run.converged());
        assertTrue(run.gates().windowed());
        assertEquals("gram", run.provenance().get("products").getAsString());
        Path file = dir.resolve("w.ccnn");
        GatedModelFile.save(file, run, 3);
        GatedModelFile.GatedModel back = GatedModelFile.load(file, dev.convexcnn.io.TensorFile.read(file));
        assertArrayEquals(run.gates().pools(), back.gates().pools());
        double[] a = run.logits(d), b = back.logits(d);
        // The file holds floats: the reloaded model predicts within float rounding of the run's.
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5 * (1 + Math.abs(a[i])));
        assertTrue(Files.size(file) > 0);
    }
}
