package dev.convexcnn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.convex.ConvexSettings;
import dev.convexcnn.convex.ConvexTrainer;
import dev.convexcnn.convex.GatedFeatures;
import dev.convexcnn.convex.GatedReluProgram;
import dev.convexcnn.convex.Gates;
import dev.convexcnn.convex.Loss;
import dev.convexcnn.convex.PatchGeometry;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkConvexTrainerTest {
    /** n images of s × s pixels, c classes, the class set by which quadrant is brightest (as the core's tests). */
    static Dataset quadrants(int n, int s, int c, long seed) {
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

    static JavaRDD<Slice> slices(JavaSparkContext sc, Dataset d, int k) {
        SampleSource src = SampleSource.InMemory.of(d);
        return sc.parallelize(IntStream.range(0, k).boxed().toList(), k).map(i -> Slice.of(src.load(), i, k));
    }

    @Test
    void distributedSmoothPartEqualsTheSingleMachineOneWithUnevenAndEmptyPartitions() {
        JavaSparkContext sc = TestSpark.context();
        Dataset d = quadrants(7, 6, 3, 4);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        Gates gates = Gates.sample(geom.patchSize(), 5, 3);
        FeatureSpec spec = FeatureSpec.of(geom, norm, gates);
        for (Loss loss : Loss.values()) {
            GatedReluProgram single = new GatedReluProgram(GatedFeatures.build(d, norm, geom, gates), d.labels(), 3, loss, 0.2);
            double[] w = new double[single.dimension()];
            SplittableRandom r = new SplittableRandom(11);
            for (int i = 0; i < w.length; i++) w[i] = 0.2 * r.nextGaussian();
            double[] g1 = new double[w.length], g2 = new double[w.length];
            double f1 = single.smooth(w, g1);
            for (int k : new int[] {1, 3, 9}) {   // 9 partitions of 7 samples: two are empty
                JavaRDD<Shard> shards = slices(sc, d, k).map(sl -> Shard.phi(sl, spec, loss));
                for (int depth : new int[] {1, 2, 3}) {
                    DistributedGatedProgram dist = new DistributedGatedProgram(shards, 5, geom.patchSize(), 3, 0.2, depth);
                    double f2 = dist.smooth(w, g2);
                    // Partition sums add in another order: equal to rounding, relative to the values' scale.
                    assertEquals(f1, f2, 1e-12 * Math.abs(f1), loss + ", k = " + k + ", depth " + depth);
                    assertArrayEquals(g1, g2, 1e-12 * TestSpark.maxAbs(g1), loss + ", k = " + k + ", depth " + depth);
                    assertEquals(single.regularizer(w), dist.regularizer(w), 1e-12 * single.regularizer(w));
                    double c1 = single.minNormSubgradientSquared(w, g1);
                    assertEquals(c1, dist.minNormSubgradientSquared(w, g2), 1e-10 * c1);
                }
            }
        }
    }

    @Test
    void informativeGatesAcrossPartitionsMatchTheCoreIncludingDuplicatesAndDeadGates() {
        JavaSparkContext sc = TestSpark.context();
        Dataset d = quadrants(23, 6, 3, 8);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 2, true);
        int h = geom.patchSize(), p = 7;
        Gates base = Gates.sample(h, p, 5);
        double[] f = base.filters().clone();
        for (int t = 0; t < h; t++) {
            f[t * p + 2] = 2.5 * f[t * p + 0];            // same pattern as gate 0
            f[t * p + 4] = 0;                             // never on
            f[t * p + 6] = 0.5 * f[t * p + 3];            // same pattern as gate 3
        }
        Gates gates = new Gates(h, p, f);
        int[] expected = GatedFeatures.build(d, norm, geom, gates).informativeGates();
        assertTrue(expected.length <= 4, "the fixture must hold duplicates and a dead gate");
        FeatureSpec spec = FeatureSpec.of(geom, norm, gates);
        for (int k : new int[] {1, 4}) {
            JavaRDD<Shard> shards = slices(sc, d, k).map(sl -> Shard.phi(sl, spec, Loss.SQUARED));
            assertArrayEquals(expected, SparkConvexTrainer.informativeGates(shards, p, 2), "k = " + k);
        }
    }

    @Test
    void normalizationEqualsTheCoreFit() {
        Dataset d = quadrants(31, 6, 3, 2);
        Normalization expected = Normalization.fit(d);
        Normalization got = SparkConvexTrainer.normalization(slices(TestSpark.context(), d, 3), 1, 31L * 36, 2);
        assertEquals(expected.mean()[0], got.mean()[0], 1e-6f);
        assertEquals(expected.std()[0], got.std()[0], 1e-6f);
    }

    @Test
    void onLocal2TheDistributedSolveReachesTheSingleMachineOptimum() {
        Dataset d = quadrants(60, 6, 3, 1);
        ConvexSettings s = ConvexSettings.defaults().withPatches(3, 1).withPatterns(10).withLoss(Loss.CROSS_ENTROPY)
                .withTolerance(1e-7).withMaxIterations(2000).withSeed(7);
        ConvexTrainer.Run single = new ConvexTrainer(s).fit(d, null);
        SparkConvexTrainer.Result dist = new SparkConvexTrainer(s, new SparkConvexTrainer.Options(3, 2))
                .fit(TestSpark.context(), SampleSource.InMemory.of(d), null);
        ConvexTrainer.Run run = dist.run();
        assertTrue(single.converged() && run.converged(), "both must reach the certificate");
        assertEquals(single.gates().count(), run.gates().count(), "patterns kept");
        assertArrayEquals(single.gates().filters(), run.gates().filters());
        assertEquals(single.lambdaMax(), run.lambdaMax(), 1e-12 * single.lambdaMax());
        assertEquals(single.objective(), run.objective(), 1e-9 * single.objective(), "objective");
        double scale = 0;
        for (double v : single.weights()) scale = Math.max(scale, Math.abs(v));
        assertArrayEquals(single.weights(), run.weights(), 1e-4 * scale, "weights");

        // The certificate holds for the single-machine program at the distributed solution, too.
        GatedFeatures phi = GatedFeatures.build(d, single.normalization(), single.geometry(), single.gates());
        GatedReluProgram whole = new GatedReluProgram(phi, d.labels(), 3, s.loss(), run.lambda());
        double[] g = new double[whole.dimension()];
        whole.smooth(run.weights(), g);
        assertTrue(whole.minNormSubgradientSquared(run.weights(), g) <= 1.01e-7, "certificate");
        assertEquals(single.evaluateGated(d).accuracy(), dist.trainAccuracy(), 1e-12);
        assertEquals(3, run.provenance().getAsJsonObject("spark").get("partitions").getAsInt());
        assertTrue(dist.smoothEvaluations() >= 2L * run.iterations(), "two evaluations per iteration at least");
    }

    @Test
    void theDistributedSolverFollowsTheSingleMachineTrajectory() {
        // Same iterations, same steps: the solver is the core's, only the sums are ordered differently.
        Dataset d = quadrants(45, 6, 3, 3);
        ConvexSettings s = ConvexSettings.defaults().withPatches(3, 2).withPatterns(8).withLoss(Loss.SQUARED)
                .withTolerance(1e-14).withMaxIterations(15).withSeed(3);
        // Spark's products are double: the single machine's must be too for the trajectories to agree to rounding; and
        // both start from zero on Φ (the Gram form would start from a reweighted-ridge point).
        ConvexTrainer.Run single = new ConvexTrainer(s.withPrecision(dev.convexcnn.convex.RFista.Precision.DOUBLE)
                .withProducts(dev.convexcnn.convex.ProductForm.STREAMED)).fit(d, null);
        ConvexTrainer.Run run = new SparkConvexTrainer(s, new SparkConvexTrainer.Options(2, 1))
                .fit(TestSpark.context(), SampleSource.InMemory.of(d), null).run();
        assertEquals(15, single.log().size());
        assertEquals(single.log().size(), run.log().size());
        for (int i = 0; i < single.log().size(); i++) {
            double a = single.log().get(i).objective(), b = run.log().get(i).objective();
            assertEquals(a, b, 1e-10 * a, "objective at iteration " + (i + 1));
        }
        assertArrayEquals(single.weights(), run.weights(), 1e-9 * TestSpark.maxAbs(single.weights()));
    }

    @Test
    void theExactProgramIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SparkConvexTrainer(
                ConvexSettings.defaults().withProgram("convex-relu"), new SparkConvexTrainer.Options(2, 2)));
        assertTrue(e.getMessage().contains("gated-relu"));
        assertThrows(IllegalArgumentException.class, () -> new SparkConvexTrainer.Options(0, 2));
    }

    @Test
    void aSolveWhoseDriverDiedResumesFromItsCheckpointToTheUninterruptedResult(@TempDir Path dir) throws Exception {
        Dataset d = quadrants(60, 6, 3, 5);
        ConvexSettings s = ConvexSettings.defaults().withPatches(3, 1).withPatterns(10).withLoss(Loss.CROSS_ENTROPY)
                .withTolerance(1e-9).withMaxIterations(3000).withSeed(4)
                .withProducts(dev.convexcnn.convex.ProductForm.STREAMED);   // not the cost model's (timed) choice: the same form in every run
        SampleSource src = SampleSource.InMemory.of(d);
        SparkConvexTrainer.Options plain = new SparkConvexTrainer.Options(3, 2);
        ConvexTrainer.Run whole = new SparkConvexTrainer(s, plain).fit(TestSpark.context(), src, null).run();
        assertTrue(whole.converged() && whole.iterations() > 40, "a solve of some length, got " + whole.iterations());

        // The driver "dies" at iteration 37: the checkpoint holds iteration 35 (every 5).
        Path ckpt = dir.resolve("solve.ckpt");
        SparkConvexTrainer.Options saving = plain.withCheckpoint(ckpt, 5);
        List<String> notes = new ArrayList<>();
        RuntimeException killed = assertThrows(RuntimeException.class, () -> new SparkConvexTrainer(s, saving).fit(TestSpark.context(), src, st -> {
            if (st.iteration() == 37) throw new IllegalStateException("driver killed");
        }, notes::add));
        assertEquals("driver killed", killed.getMessage());
        assertTrue(notes.get(0).startsWith("products streamed, "), notes.toString());   // the form first, then the checkpoint
        assertTrue(notes.get(1).contains("none yet"), notes.toString());
        assertTrue(Files.isRegularFile(ckpt));

        // The same command again, on other partitions (the split is not part of the problem): it resumes at 35.
        notes.clear();
        SparkConvexTrainer.Result again = new SparkConvexTrainer(s, new SparkConvexTrainer.Options(2, 1).withCheckpoint(ckpt, 5))
                .fit(TestSpark.context(), src, null, notes::add);
        assertTrue(notes.get(1).contains("resuming at iteration 35"), notes.toString());
        assertEquals(35, again.resumedAt());
        ConvexTrainer.Run resumed = again.run();
        assertEquals(whole.iterations(), resumed.iterations(), "iterations");
        assertEquals(whole.iterations() - 35, resumed.log().size());
        assertEquals(whole.objective(), resumed.objective(), 1e-12 * whole.objective(), "objective");
        assertEquals(whole.certificate(), resumed.certificate(), 1e-6 * whole.certificate(), "certificate");
        assertArrayEquals(whole.weights(), resumed.weights(), 1e-12 * TestSpark.maxAbs(whole.weights()), "weights");
        assertEquals(35, resumed.provenance().getAsJsonObject("spark").get("resumedAtIteration").getAsInt());

        // Another problem (λ) refuses the file; a damaged file is refused, not continued.
        ConvexSettings other = s.withLambdaFraction(0.02);
        var e = assertThrows(java.io.UncheckedIOException.class, () -> new SparkConvexTrainer(other, saving).fit(TestSpark.context(), src, null));
        assertTrue(e.getCause().getMessage().contains("belongs to another solve"), e.getCause().getMessage());
        byte[] b = Files.readAllBytes(ckpt);
        b[b.length / 2] ^= 1;
        Files.write(ckpt, b);
        e = assertThrows(java.io.UncheckedIOException.class, () -> new SparkConvexTrainer(s, saving).fit(TestSpark.context(), src, null));
        assertTrue(e.getCause().getMessage().contains("damaged"), e.getCause().getMessage());
    }

    @Test
    void theOrderedSumDoesNotDependOnTaskOrderAndMatchesASequentialSum() {
        JavaSparkContext sc = TestSpark.context();
        SplittableRandom r = new SplittableRandom(3);
        List<scala.Tuple2<Integer, double[]>> parts = new ArrayList<>();
        double[] expect = new double[4];
        for (int i = 0; i < 17; i++) {
            double[] v = new double[4];
            for (int j = 0; j < 4; j++) {
                v[j] = Math.pow(10, r.nextInt(-8, 9)) * r.nextGaussian();
                expect[j] += v[j];
            }
            parts.add(new scala.Tuple2<>(i, v));
        }
        List<scala.Tuple2<Integer, double[]>> shuffled = new ArrayList<>(parts);
        java.util.Collections.shuffle(shuffled, new Random(1));
        for (int depth : new int[] {1, 2, 3}) {
            double[] a = DistributedGatedProgram.orderedSum(sc.parallelize(parts, 17), 17, depth, 4);
            double[] b = DistributedGatedProgram.orderedSum(sc.parallelize(shuffled, 5), 17, depth, 4);
            assertArrayEquals(a, b, 0, "depth " + depth);
            if (depth == 1) assertArrayEquals(expect, a, 0, "index order, one level");
        }
    }
}
