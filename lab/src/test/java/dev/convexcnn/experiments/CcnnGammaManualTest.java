package dev.convexcnn.experiments;

import dev.convexcnn.ccnn.CcnnLayer;
import dev.convexcnn.ccnn.CcnnModel;
import dev.convexcnn.ccnn.CcnnSettings;
import dev.convexcnn.ccnn.CcnnTrainer;
import dev.convexcnn.ccnn.LayerSettings;
import dev.convexcnn.ccnn.PatchWhitening;
import dev.convexcnn.ccnn.Patches;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.linalg.ConvGeometry;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The scale of each layer's whitened patches, to choose γ: the quantiles of ‖z − z'‖² over random pairs of
 * whitened patches, for layer 1 on MNIST and for layer 2 on layer 1's outputs (layer 1 trained briefly).
 * Runs only with -Dccnn.gamma=N (training images); the median heuristic sets γ ≈ 1/median.
 */
class CcnnGammaManualTest {
    /** java -cp ... dev.convexcnn.experiments.CcnnGammaManualTest N (classpath as in {@link DccnnMemoryManualTest}) */
    public static void main(String[] args) throws Exception {
        System.setProperty("ccnn.gamma", args[0]);
        new CcnnGammaManualTest().patchDistances();
    }

    @Test
    void patchDistances() throws Exception {
        String p = System.getProperty("ccnn.gamma");
        Assumptions.assumeTrue(p != null, "set -Dccnn.gamma=N to run");
        int n = Integer.parseInt(p);
        Dataset train = DccnnMemoryManualTest.head(n);
        CcnnSettings s = CcnnSettings.layers(2).withLayer(0, LayerSettings.mnistLayer1().withIterations(100).withLearningRate(4));
        s = s.withLayers(List.of(s.layer(0)));
        CcnnModel one = CcnnTrainer.fit(train, s, null);
        CcnnLayer l1 = one.withFilters(16).layers().get(0);
        report("layer 1", train.pixels(), n, l1.geometry(), l1.whitening());
        int[] shape = l1.outputShape();
        float[] out = new float[n * shape[0] * shape[1] * shape[2]];
        l1.outputs(train.pixels(), null, 0, n, out, 0);
        CcnnSettings s2 = CcnnSettings.layers(2);
        CcnnLayer l2 = CcnnTrainer.prepareLayer(1, out, n, shape[0], shape[1], shape[2], s2);
        report("layer 2", out, n, l2.geometry(), l2.whitening());
    }

    static void report(String name, float[] data, int n, ConvGeometry g, PatchWhitening w) {
        int pairs = 20_000, d = g.patchSize();
        SplittableRandom r = new SplittableRandom(3);
        double[] raw = new double[2 * pairs * d];
        for (int i = 0; i < 2 * pairs; i++) Patches.extractOne(data, r.nextInt(n) * g.inputSize(), g, r.nextInt(g.patches()), raw, i * d);
        double[] z = new double[raw.length];
        w.apply(raw, 2 * pairs, z);
        double[] dist = new double[pairs];
        double norm = 0;
        for (int i = 0; i < pairs; i++) {
            for (int j = 0; j < d; j++) {
                double a = z[2 * i * d + j], b = z[(2 * i + 1) * d + j];
                dist[i] += (a - b) * (a - b);
                norm += a * a;
            }
        }
        Arrays.sort(dist);
        System.out.printf("RESULT %s (d = %d): mean ‖z‖² %.3f; ‖z − z'‖² quantiles 10%% %.3f, 50%% %.3f, 90%% %.3f; 1/median %.4f%n",
                name, d, norm / pairs, dist[pairs / 10], dist[pairs / 2], dist[9 * pairs / 10], 1 / dist[pairs / 2]);
    }
}
