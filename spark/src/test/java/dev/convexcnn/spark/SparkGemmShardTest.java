package dev.convexcnn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.convex.ConvexSettings;
import dev.convexcnn.convex.ConvexTrainer;
import dev.convexcnn.convex.Gates;
import dev.convexcnn.convex.GemmGatedProgram;
import dev.convexcnn.convex.Loss;
import dev.convexcnn.convex.PatchGeometry;
import dev.convexcnn.convex.PatchProducts;
import dev.convexcnn.convex.ProductForm;
import dev.convexcnn.convex.RFista;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import java.util.Random;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** The GEMM form's shards ({@link PatchShard}) against the core's single-machine GEMM program. */
class SparkGemmShardTest {
    /** n images of 7 × 9 pixels, c classes, the class set by which third of the image is brightest. */
    static Dataset oddShapes(int n, int c, long seed) {
        int hgt = 7, wid = 9;
        Random r = new Random(seed);
        float[] px = new float[n * hgt * wid];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % c;
            for (int a = 0; a < hgt; a++)
                for (int b = 0; b < wid; b++) px[(i * hgt + a) * wid + b] = (float) (0.3 * r.nextDouble() + (b / 3 == y[i] ? 0.6 : 0));
        }
        return new Dataset("odd", hgt, wid, 1, c, px, y);
    }

    /** p Gaussian gates with gate 2 = gate 0 (times 0.5: the same signs exactly), gate 4 never on, gate 5 = gate 1. */
    static Gates plantedGates(int h, int p, long seed) {
        double[] f = Gates.sample(h, p, seed).filters().clone();
        for (int t = 0; t < h; t++) {
            f[t * p + 2] = 0.5 * f[t * p];
            f[t * p + 4] = 0;
            f[t * p + 5] = f[t * p + 1];
        }
        return new Gates(h, p, f);
    }

    @Test
    void distributedGemmSmoothPartAndGradientEqualTheCoresOnOddShapes() {
        JavaSparkContext sc = TestSpark.context();
        Dataset d = oddShapes(7, 3, 2);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 2, true);   // 3 × 4 positions of 3 × 3 patches, stride 2
        int p = 7;
        Gates gates = plantedGates(geom.patchSize(), p, 9);
        FeatureSpec spec = FeatureSpec.of(geom, norm, gates);
        PatchProducts whole = new PatchProducts(d, norm, geom, gates);
        int[] keep = whole.informativeGates();
        assertTrue(keep.length < p, "the fixture must hold duplicates and a dead gate");
        for (Loss loss : Loss.values()) {
            for (boolean selected : new boolean[] {false, true}) {
                PatchProducts pp = selected ? whole.select(keep) : whole;
                GemmGatedProgram single = new GemmGatedProgram(pp, d.labels(), 3, loss, 0.2);
                double[] w = new double[single.dimension()];
                SplittableRandom r = new SplittableRandom(11);
                for (int i = 0; i < w.length; i++) w[i] = 0.2 * r.nextGaussian();
                double[] g1 = new double[w.length], g2 = new double[w.length];
                double f1 = single.smooth(w, g1);
                // 4 partitions of 7 samples: the first holds a single one; 9: two are empty.
                for (int k : new int[] {1, 4, 9}) {
                    JavaRDD<Shard> shards = SparkConvexTrainerTest.slices(sc, d, k).map(sl -> Shard.patches(sl, spec, loss));
                    if (selected) shards = shards.map(sh -> sh.select(keep));
                    int gatesHere = selected ? keep.length : p;
                    for (int depth : new int[] {1, 2}) {
                        String at = loss + (selected ? ", kept gates" : ", all gates") + ", k = " + k + ", depth " + depth;
                        DistributedGatedProgram dist = new DistributedGatedProgram(shards, gatesHere, geom.patchSize(), 3, 0.2, depth);
                        double f2 = dist.smooth(w, g2);
                        assertEquals(f1, f2, 1e-10 * Math.abs(f1), at);
                        assertArrayEquals(g1, g2, 1e-10 * TestSpark.maxAbs(g1), at);
                        double c1 = single.minNormSubgradientSquared(w, g1);
                        assertEquals(c1, dist.minNormSubgradientSquared(w, g2), 1e-10 * c1, at);
                    }
                }
            }
        }
    }

    @Test
    void aShardMovedToAnotherExecutorRebuildsItsMasksAndGivesTheSameBits() throws Exception {
        Dataset d = oddShapes(5, 3, 4);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 2, true);
        FeatureSpec spec = FeatureSpec.of(geom, norm, plantedGates(geom.patchSize(), 7, 9));
        Shard built = Shard.patches(Slice.of(d, 0, 1), spec, Loss.CROSS_ENTROPY);
        Shard kept = built.select(new int[] {0, 1, 3, 6});
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream o = new java.io.ObjectOutputStream(bytes)) {
            o.writeObject(kept);
        }
        Shard moved;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            moved = (Shard) in.readObject();
        }
        // The serialised form holds the images, not the masks or the products' buffers.
        assertTrue(bytes.size() < 8 * 5 * 7 * 9 + 4096, bytes.size() + " bytes");
        double[] w = new double[4 * geom.patchSize() * 3];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        double[] g1 = new double[w.length], g2 = new double[w.length];
        assertEquals(kept.smooth(w, g1), moved.smooth(w, g2), 0);
        assertArrayEquals(g1, g2, 0);
    }

    @Test
    void gemmInformativeGatesAcrossPartitionsEqualTheCoresOnTheWholeData() {
        JavaSparkContext sc = TestSpark.context();
        Dataset d = oddShapes(23, 3, 8);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 2, true);
        int p = 9;
        Gates gates = plantedGates(geom.patchSize(), p, 5);
        int[] expected = new PatchProducts(d, norm, geom, gates).informativeGates();
        assertTrue(expected.length <= p - 3, "the fixture must hold duplicates and a dead gate: " + java.util.Arrays.toString(expected));
        FeatureSpec spec = FeatureSpec.of(geom, norm, gates);
        for (int k : new int[] {1, 4, 23, 30}) {
            JavaRDD<Shard> shards = SparkConvexTrainerTest.slices(sc, d, k).map(sl -> Shard.patches(sl, spec, Loss.SQUARED));
            assertArrayEquals(expected, SparkConvexTrainer.informativeGates(shards, p, 2), "k = " + k);
        }
    }

    @Test
    void gemmFitReachesTheCoresCertifiedObjectiveAndAgreesWithTheStreamedFit() {
        Dataset d = oddShapes(60, 3, 1);
        ConvexSettings s = ConvexSettings.defaults().withPatches(3, 2).withPatterns(10).withLoss(Loss.CROSS_ENTROPY)
                .withTolerance(1e-8).withMaxIterations(3000).withSeed(7).withPrecision(RFista.Precision.DOUBLE);
        ConvexTrainer.Run single = new ConvexTrainer(s.withProducts(ProductForm.GEMM)).fit(d, null);
        assertEquals("gemm", single.provenance().get("products").getAsString());
        SampleSource src = SampleSource.InMemory.of(d);
        SparkConvexTrainer.Result gemm = new SparkConvexTrainer(s.withProducts(ProductForm.GEMM), new SparkConvexTrainer.Options(3, 2))
                .fit(TestSpark.context(), src, null);
        SparkConvexTrainer.Result streamed = new SparkConvexTrainer(s.withProducts(ProductForm.STREAMED), new SparkConvexTrainer.Options(4, 2))
                .fit(TestSpark.context(), src, null);
        ConvexTrainer.Run a = gemm.run(), b = streamed.run();
        assertEquals("gemm", a.provenance().get("products").getAsString());
        assertTrue(a.provenance().get("productsWhy").getAsString().startsWith("asked for by --products"));
        assertEquals("streamed", b.provenance().get("products").getAsString());
        assertTrue(single.converged() && a.converged() && b.converged(), "all three must reach the certificate");
        assertArrayEquals(single.gates().filters(), a.gates().filters(), "patterns kept");
        assertEquals(single.lambdaMax(), a.lambdaMax(), 1e-12 * single.lambdaMax());
        assertEquals(single.objective(), a.objective(), 1e-8 * single.objective(), "gemm: Spark against the core");
        assertEquals(a.objective(), b.objective(), 1e-8 * a.objective(), "Spark: gemm against streamed");
        assertEquals(single.evaluateGated(d).accuracy(), gemm.trainAccuracy(), 1e-12);

        // The core's program over the whole data certifies the distributed solution too.
        PatchProducts pp = new PatchProducts(d, single.normalization(), single.geometry(), a.gates());
        GemmGatedProgram whole = new GemmGatedProgram(pp, d.labels(), 3, s.loss(), a.lambda());
        double[] g = new double[whole.dimension()];
        whole.smooth(a.weights(), g);
        assertTrue(whole.minNormSubgradientSquared(a.weights(), g) <= 1.01e-8, "certificate");
    }

    @Test
    void autoNeverTakesGramAndTheFullyConnectedShapeGoesToGemm() {
        Dataset small = oddShapes(60, 3, 1);
        PatchGeometry geom = PatchGeometry.of(small, 3, 2, true);
        ProductForm.Choice c = SparkConvexTrainer.chooseProducts(null, 60, geom, 10, 3, Loss.SQUARED);
        assertNotEquals(ProductForm.GRAM, c.form(), c.why());
        ProductForm.Choice core = ProductForm.choose(null, 60, geom.patches(), geom.patchSize(), 10, 3, Loss.SQUARED, false, false);
        if (core.form() == ProductForm.GRAM) {
            assertEquals(ProductForm.STREAMED, c.form());
            assertTrue(c.why().contains("gram, not a Spark form"), c.why());
        } else {
            assertEquals(core.form(), c.form());
        }
        // MNIST's shape, fully connected: Φ is 20,000 × 78,500 doubles (12 GB), beyond this heap.
        PatchGeometry fc = new PatchGeometry(28, 28, 1, 28, 1, true);
        ProductForm.Choice big = SparkConvexTrainer.chooseProducts(null, 20_000, fc, 100, 10, Loss.SQUARED);
        assertEquals(ProductForm.GEMM, big.form(), big.why());
        assertEquals(ProductForm.STREAMED, SparkConvexTrainer.chooseProducts(ProductForm.STREAMED, 60, geom, 10, 3, Loss.SQUARED).form());
    }

    @Test
    void gramAndGarbageAreRefusedWithOneLineNamingTheFlag() {
        assertEquals(null, SparkConvexTrainer.parseProducts("auto"));
        assertEquals(ProductForm.GEMM, SparkConvexTrainer.parseProducts("GEMM"));
        var e = assertThrows(IllegalArgumentException.class, () -> new SparkConvexTrainer(
                ConvexSettings.defaults().withProducts(ProductForm.GRAM), new SparkConvexTrainer.Options(2, 2)));
        assertTrue(e.getMessage().startsWith("--products gram"), e.getMessage());
        for (String bad : new String[] {"gram", "banana"}) {
            SparkMainTest.Run r = SparkMainTest.spark("solve", "--products", bad);
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("--products") && r.err().contains(bad) && r.err().strip().lines().count() == 1, r.err());
        }
    }
}
