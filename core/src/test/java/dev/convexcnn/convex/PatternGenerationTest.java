package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Pattern generation: the violation search against brute force, a planted pattern found, warm = cold. */
class PatternGenerationTest {
    /** 4×4 images, 2×2 patches stride 2 (4 patches, h = 5 with the bias). */
    private static Dataset images(int n, long seed, int[] labels) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] px = new float[n * 16];
        for (int i = 0; i < px.length; i++) px[i] = (float) r.nextGaussian();
        return new Dataset("planted", 4, 4, 1, 2, px, labels);
    }

    /**
     * Labels of a two-layer ReLU CNN with one neuron: class 1 where Σ_p (u*·z_p)₊ is above its median. The
     * planted filter u* is not among the sampled gates.
     */
    static final double[] PLANTED = {1.0, -0.8, 0.6, -0.4, 0.2};

    static Dataset planted(int n, long seed) {
        Dataset d = images(n, seed, new int[n]);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 2, 2, true);
        double[] act = new double[n];
        double[] z = new double[geom.patches() * geom.patchSize()];
        float[] scratch = new float[geom.scratchSize()];
        for (int i = 0; i < n; i++) {
            geom.patchesOf(d, norm, i, scratch, z, 0);
            for (int p = 0; p < geom.patches(); p++) {
                double a = 0;
                for (int t = 0; t < geom.patchSize(); t++) a += PLANTED[t] * z[p * geom.patchSize() + t];
                act[i] += Math.max(0, a);
            }
        }
        double[] sorted = act.clone();
        java.util.Arrays.sort(sorted);
        double median = sorted[n / 2];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = act[i] > median ? 1 : 0;
        return new Dataset("planted", 4, 4, 1, 2, d.pixels(), y);
    }

    private static ConvexSettings settings(String program) {
        return new ConvexSettings(program, 2, 2, true, 1, 0.02, 0, Loss.SQUARED, 1e-13, 20_000, 5)
                .withPrecision(RFista.Precision.DOUBLE);
    }

    @Test
    void theSearchsValuesAreTheBruteForceSums() {
        Dataset d = planted(50, 3);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 2, 2, true);
        SplittableRandom r = new SplittableRandom(1);
        double[] nu = new double[d.size() * 2];
        for (int i = 0; i < nu.length; i++) nu[i] = r.nextGaussian() / nu.length;
        Gates current = Gates.sample(geom.patchSize(), 3, 9);
        List<PatternSearch.Candidate> found = PatternSearch.search(d, norm, geom, nu, 2, current, 12, 20, 4);
        assertEquals(12, found.size());
        for (int j = 0; j < found.size(); j++) {
            PatternSearch.Candidate c = found.get(j);
            double nrm = 0;
            for (double v : c.filter()) nrm += v * v;
            assertEquals(1, nrm, 1e-12, "unit filter");
            double brute = PatternSearch.value(d, norm, geom, nu, 2, c.filter(), c.classIndex());
            assertEquals(brute, c.value(), 1e-10 * brute, "candidate " + j);
            if (j > 0) assertTrue(c.value() <= found.get(j - 1).value(), "largest first");
        }
        // The ascent improves on its random starts: the best is at least the best of many random unit filters.
        double bestRandom = 0;
        for (int a = 0; a < 200; a++) {
            double[] u = new double[geom.patchSize()];
            double s = 0;
            for (int t = 0; t < u.length; t++) s += (u[t] = r.nextGaussian()) * u[t];
            for (int t = 0; t < u.length; t++) u[t] /= Math.sqrt(s);
            for (int k = 0; k < 2; k++) bestRandom = Math.max(bestRandom, PatternSearch.value(d, norm, geom, nu, 2, u, k));
        }
        assertTrue(found.get(0).value() >= bestRandom, found.get(0).value() + " below random " + bestRandom);
    }

    @Test
    void generationFindsAPlantedMissingPattern() {
        Dataset d = planted(60, 11);
        ConvexSettings s = settings("gated-relu");
        ConvexTrainer.Run before = new ConvexTrainer(s).fit(d, null);
        ConvexTrainer.Run after = new ConvexTrainer(s.withGeneration(4, 32)).fit(d, null);
        JsonObject gen = after.provenance().getAsJsonObject("generation");
        assertTrue(before.converged() && after.converged());
        assertEquals(before.objective(), gen.get("objectiveBefore").getAsDouble(), 1e-12 * before.objective());
        assertTrue(gen.getAsJsonArray("rounds").get(0).getAsJsonObject().get("added").getAsInt() > 0, "nothing added: " + gen);
        assertTrue(after.objective() < 0.9 * before.objective(), after.objective() + " vs " + before.objective());
        assertTrue(after.gates().count() > before.gates().count());

        // With the planted filter itself among the gates, the optimum is no lower than what generation found.
        Gates withPlanted = before.gates().concat(new Gates(5, 1, PLANTED.clone()));
        double plantedOptimum = coldOptimum(d, after, withPlanted);
        assertTrue(after.objective() <= plantedOptimum * (1 + 1e-6), after.objective() + " above the planted pattern's optimum " + plantedOptimum);
        // And the violation disappeared: no candidate of the last search is above λ(1 + margin).
        double ratio = gen.get("largestViolationRatio").getAsDouble();
        assertTrue(ratio <= 1 + ConvexTrainer.GENERATION_MARGIN, "largest violation " + ratio + ": " + gen);
        assertTrue(gen.get("largestViolationRatio").getAsDouble() < 1 + 1e-3);
    }

    /** The gated program over these gates solved from zero at the run's λ. */
    private static double coldOptimum(Dataset d, ConvexTrainer.Run run, Gates gates) {
        GatedFeatures f = GatedFeatures.build(d, run.normalization(), run.geometry(), gates);
        GatedReluProgram p = new GatedReluProgram(f, d.labels(), d.classes(), Loss.SQUARED, run.lambda());
        RFista.Result r = RFista.solve(p, new double[p.dimension()], new RFista.Settings(1e-13, 50_000, 10, 0), null);
        assertTrue(r.converged(), "cold solve certificate " + r.certificate());
        return r.objective();
    }

    @Test
    void aWarmResolveReachesTheColdSolvesOptimum() {
        Dataset d = planted(60, 12);
        ConvexTrainer.Run run = new ConvexTrainer(settings("gated-relu").withPatterns(2).withGeneration(2, 16)).fit(d, null);
        assertTrue(run.converged(), "warm certificate " + run.certificate());
        assertTrue(run.gates().count() > 2, "generation added nothing");
        double cold = coldOptimum(d, run, run.gates());
        assertEquals(cold, run.objective(), 1e-8 * cold, "warm vs cold");
    }

    @Test
    void theExactProgramGeneratesAndItsWarmResolveMatchesACold() {
        Dataset d = planted(40, 13);
        ConvexSettings s = new ConvexSettings("convex-relu", 2, 2, true, 2, 0.02, 0, Loss.SQUARED, 1e-12, 5_000, 5);
        ConvexTrainer.Run before = new ConvexTrainer(s).fit(d, null);
        ConvexTrainer.Run after = new ConvexTrainer(s.withGeneration(2, 16)).fit(d, null);
        assertTrue(before.converged() && after.converged(), "certificate " + after.certificate() + ", violation " + after.violation());
        assertTrue(after.objective() < before.objective(), after.objective() + " vs " + before.objective());
        assertTrue(after.gates().count() > before.gates().count());
        // The augmented Lagrangian from zero on the final gates, same λ: the same optimum.
        Gates gates = after.gates();
        GatedReluProgram g = new GatedReluProgram(GatedFeatures.build(d, after.normalization(), after.geometry(), gates), d.labels(),
                d.classes(), Loss.SQUARED, after.lambda());
        ExactReluProgram exact = new ExactReluProgram(g, PatchPatterns.build(d, after.normalization(), after.geometry(), gates));
        var cold = AugmentedLagrangian.solve(exact, new double[2 * g.dimension()],
                new AugmentedLagrangian.Settings(1e-12, 50, new RFista.Settings(1e-12, 5_000, 10, 0), ConvexTrainer.INITIAL_RHO), null);
        assertTrue(cold.converged(), "cold: stationarity " + cold.stationarity() + ", violation " + cold.violation());
        // Relative 1e-6, not the gated test's 1e-8: a squared violation ≤ 1e-12 leaves constraints off by up to 1e-6,
        // which moves the objective by that order (measured: 2.6e-8 apart).
        assertEquals(cold.objective(), after.objective(), 1e-6 * cold.objective(), "warm vs cold");
    }

    /** The same over the constraint working set: the re-solve keeps the old patterns' rows and multipliers. */
    @Test
    void theWorkingSetsWarmResolveMatchesACold() {
        Dataset d = planted(40, 13);
        ConvexSettings s = new ConvexSettings("convex-relu", 2, 2, true, 2, 0.02, 0, Loss.SQUARED, 1e-10, 5_000, 5).withWorkingSet(true);
        ConvexTrainer.Run after = new ConvexTrainer(s.withGeneration(2, 16)).fit(d, null);
        assertTrue(after.converged(), "certificate " + after.certificate() + ", violation " + after.violation());
        Gates gates = after.gates();
        assertTrue(gates.count() > 2, "generation added nothing");
        GatedReluProgram g = new GatedReluProgram(GatedFeatures.build(d, after.normalization(), after.geometry(), gates), d.labels(),
                d.classes(), Loss.SQUARED, after.lambda());
        ExactReluProgram exact = new ExactReluProgram(g, PatchPatterns.build(d, after.normalization(), after.geometry(), gates));
        var cold = ConstraintWorkingSet.solve(exact, new double[2 * g.dimension()],
                new AugmentedLagrangian.Settings(1e-10, 50, new RFista.Settings(1e-10, 5_000, 10, 0), ConvexTrainer.INITIAL_RHO),
                ConstraintWorkingSet.ROWS_PER_GROUP, null, null);
        assertTrue(cold.converged(), "cold: stationarity " + cold.stationarity() + ", violation " + cold.violation());
        // A squared violation ≤ 1e-10 leaves constraints off by up to 1e-5, which moves the objective by that order.
        assertEquals(cold.objective(), after.objective(), 1e-5 * cold.objective(), "warm vs cold");
    }

    @Test
    void aGenerationRunRefusesToResumeInOneLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        GatedReluMethod m = new GatedReluMethod();
        ConvexSettings s = ConvexSettings.defaults().withPatterns(4).withPatches(5, 6).withMaxIterations(30).withSeed(2).withGeneration(2, 8);
        java.nio.file.Path ckpt = dir.resolve("g.ckpt");
        Dataset train = dev.convexcnn.method.MethodContractTest.bands(200, 3);
        var killed = dev.convexcnn.method.TrainContext.quiet().withCheckpoint(ckpt, false,
                dev.convexcnn.method.Checkpointer.Policy.everyIterations(1).stoppingAfter(10));
        assertThrows(dev.convexcnn.method.Checkpointer.Stopped.class, () -> m.train(train, s, killed));
        var resume = dev.convexcnn.method.TrainContext.quiet().withCheckpoint(ckpt, true, null);
        var e = assertThrows(IllegalArgumentException.class, () -> m.train(train, s, resume));
        assertTrue(e.getMessage().contains("--generate-patterns") && e.getMessage().contains("--resume") && !e.getMessage().contains("\n"),
                e.getMessage());
    }

    @Test
    void badOptionsAreRefusedNamingTheFlag() {
        var o = new GatedReluMethod.Options();
        o.generateRounds = -1;
        var e = assertThrows(IllegalArgumentException.class, () -> o.apply(ConvexSettings.defaults()));
        assertTrue(e.getMessage().contains("--generate-patterns"), e.getMessage());
        var o2 = new ExactReluMethod.Options();
        o2.candidates = 0;
        e = assertThrows(IllegalArgumentException.class, () -> o2.apply(ConvexSettings.defaults()));
        assertTrue(e.getMessage().contains("--candidates"), e.getMessage());
        var o3 = new GatedReluMethod.Options();
        o3.generateRounds = 3;
        o3.candidates = 10;
        ConvexSettings s = o3.apply(ConvexSettings.defaults());
        assertEquals(3, s.generationRounds());
        assertEquals(10, s.candidates());
    }
}
