package dev.convexcnn.experiments;

import dev.convexcnn.ccnn.CcnnLayer;
import dev.convexcnn.ccnn.CcnnSettings;
import dev.convexcnn.ccnn.CcnnTrainer;
import dev.convexcnn.ccnn.DualRecovery;
import dev.convexcnn.ccnn.DualSolver;
import dev.convexcnn.ccnn.FeatureSource;
import dev.convexcnn.ccnn.KernelMatrixPrimal;
import dev.convexcnn.ccnn.LayerSettings;
import dev.convexcnn.ccnn.PenalizedProgram;
import dev.convexcnn.ccnn.ProximalPrimal;
import dev.convexcnn.data.DataCache;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Datasets;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The memory comparison of docs/ccnn.md: one layer on the first n MNIST training images (5×5 patches, 6×6
 * average pooling → Q = 16), either the primal with the explicit pooled kernel matrix (mode "kernel") or DCCNN
 * on random Fourier features (mode "dual", features streamed per pass, or "dual-cached"). Runs only with
 * -Dccnn.memory=MODE; -Dccnn.n=N, -Dccnn.iterations=T. The heap pools' peaks are reset after loading the data
 * and a GC, so the figure is what training adds (plus what the JVM already held). In a plain JVM:
 * {@code mvn -o -q install -pl core -DskipTests && mvn -o -q -pl lab test-compile dependency:build-classpath
 * -Dmdep.outputFile=$PWD/deps.txt}, then {@code java -cp lab/target/test-classes:$(cat deps.txt) ...}.
 */
class DccnnMemoryManualTest {
    /** The same run in a plain JVM (java -cp ... dev.convexcnn.experiments.DccnnMemoryManualTest MODE N ITERATIONS). */
    public static void main(String[] args) throws Exception {
        System.setProperty("ccnn.memory", args[0]);
        System.setProperty("ccnn.n", args[1]);
        System.setProperty("ccnn.iterations", args[2]);
        new DccnnMemoryManualTest().memory();
    }

    /**
     * The first n MNIST training images; kept as a small file (-Dccnn.head=FILE, default the temp dir) so that runs
     * under a small -Xmx do not have to load the whole training set first.
     */
    static Dataset head(int n) throws java.io.IOException {
        java.nio.file.Path f = java.nio.file.Path.of(System.getProperty("ccnn.head",
                System.getProperty("java.io.tmpdir") + "/convexcnn-mnist-head-" + n + ".bin"));
        if (!java.nio.file.Files.exists(f)) {
            Dataset d = Datasets.load("mnist", true, DataCache.resolve(null), false, s -> { }).head(n);
            try (var out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(f)))) {
                for (float v : d.pixels()) out.writeFloat(v);
                for (int y : d.labels()) out.writeInt(y);
            }
        }
        float[] px = new float[n * 784];
        int[] y = new int[n];
        try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(f)))) {
            for (int i = 0; i < px.length; i++) px[i] = in.readFloat();
            for (int i = 0; i < n; i++) y[i] = in.readInt();
        }
        return new Dataset("mnist-head-" + n, 28, 28, 1, 10, px, y);
    }

    @Test
    void memory() throws Exception {
        String mode = System.getProperty("ccnn.memory");
        Assumptions.assumeTrue(mode != null, "set -Dccnn.memory=kernel|dual|dual-cached to run");
        int n = Integer.getInteger("ccnn.n", 100);
        int iterations = Integer.getInteger("ccnn.iterations", 20);
        int m = Integer.getInteger("ccnn.features", 500);
        Dataset train = head(n);
        LayerSettings ls = LayerSettings.mnistLayer1().withFeatures(m).withPooling(6, 6).withIterations(iterations);
        CcnnSettings s = CcnnSettings.layers(1).withLayer(0, ls);
        System.gc();
        for (MemoryPoolMXBean b : ManagementFactory.getMemoryPoolMXBeans()) b.resetPeakUsage();
        long t0 = System.nanoTime();
        CcnnLayer layer = CcnnTrainer.prepareLayer(0, train.pixels(), n, 28, 28, 1, s);
        FeatureSource fs;
        String what;
        if (mode.equals("kernel")) {
            fs = KernelMatrixPrimal.factorize(layer, train.pixels(), train.labels(), n, 10);
            what = "explicit kernel matrix " + (n * layer.positions()) + "², " + fs.dim() + " features after factorisation";
        } else {
            fs = FeatureSource.ofLayer(layer, train.pixels(), train.labels(), n, 10);
            if (mode.equals("dual-cached")) fs = FeatureSource.ofMatrix(FeatureSource.materialize(fs), n, layer.positions(), m, train.labels(), 10);
            what = m + " random Fourier features, " + (mode.equals("dual") ? "streamed" : "held");
        }
        double norm = PenalizedProgram.featureNorm(fs, 20, 1) * 1.05;
        double lambda = 0.05 * DualSolver.lambdaMax(fs);
        String result;
        if (mode.equals("kernel")) {
            ProximalPrimal.Result r = ProximalPrimal.solve(fs, lambda, iterations, norm);
            result = String.format("primal objective %.6f", r.objective());
        } else {
            DualSolver.Result r = DualSolver.solve(fs, lambda, iterations, 1, iterations, norm, 0, null);
            DualRecovery.Result rec = DualRecovery.recover(fs, r.dual(), lambda, 0.1, 200);
            result = String.format("dual %.6f, primal at the multiplier %.6f, recovered %d filters", r.dualObjective(), r.primalObjective(),
                    rec.factors().rank());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long peak = 0;
        for (MemoryPoolMXBean b : ManagementFactory.getMemoryPoolMXBeans()) if (b.getType() == MemoryType.HEAP) peak += b.getPeakUsage().getUsed();
        System.out.printf("RESULT mode %s, n %d, Q %d, %s, %d iterations: peak heap %.1f MiB, %.1f s, %s%n", mode, n, layer.positions(),
                what, iterations, peak / 1048576.0, seconds, result);
    }
}
