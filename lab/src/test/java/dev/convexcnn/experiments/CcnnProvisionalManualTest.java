package dev.convexcnn.experiments;

import dev.convexcnn.ccnn.CcnnListener;
import dev.convexcnn.ccnn.CcnnModel;
import dev.convexcnn.ccnn.CcnnSettings;
import dev.convexcnn.ccnn.CcnnTrainer;
import dev.convexcnn.ccnn.Certificate;
import dev.convexcnn.ccnn.IterationRecord;
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
 * The provisional MNIST run of docs/ccnn.md; runs only with -Dccnn.provisional=LAYERS (1 or 2):
 * {@code mvn -o -pl lab test -Dtest=CcnnProvisionalManualTest -Dccnn.provisional=2 -Dsurefire.failIfNoSpecifiedTests=false}
 * (after {@code mvn -o -q install -pl core -DskipTests}).
 * Train: the first 10,000 MNIST training images; test: all 10,000 test images.
 */
class CcnnProvisionalManualTest {
    @Test
    void provisionalMnist() throws Exception {
        String p = System.getProperty("ccnn.provisional");
        Assumptions.assumeTrue(p != null, "set -Dccnn.provisional=1|2 to run");
        int layers = Integer.parseInt(p);
        int trainSize = Integer.getInteger("ccnn.train", 10_000);
        int iterations = Integer.getInteger("ccnn.iterations", 300);
        double lr = Double.parseDouble(System.getProperty("ccnn.lr", "4"));
        DataCache cache = DataCache.resolve(null);
        Dataset train = Datasets.load("mnist", true, cache, false, s -> { }).head(trainSize);
        Dataset test = Datasets.load("mnist", false, cache, false, s -> { });
        CcnnSettings s = CcnnSettings.layers(layers);
        for (int l = 0; l < layers; l++) s = s.withLayer(l, s.layer(l).withIterations(iterations).withLearningRate(lr));
        s = s.withMonitor(0, 50);
        for (MemoryPoolMXBean b : ManagementFactory.getMemoryPoolMXBeans()) b.resetPeakUsage();
        long t0 = System.nanoTime();
        CcnnModel model = CcnnTrainer.fit(train, s, new CcnnListener() {
            @Override public void onMessage(String m) { System.out.println(m); }
            @Override public void onIteration(IterationRecord r) {
                System.out.printf("  layer %d it %d: batch loss %.4f acc %.3f ‖A‖_* %.2f %.1fs%n", r.layer(), r.iteration(),
                        r.batchLoss(), r.batchAccuracy(), r.nuclearNorm(), r.seconds());
            }
        });
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        var ev = model.evaluate(test);
        long peak = 0;
        for (MemoryPoolMXBean b : ManagementFactory.getMemoryPoolMXBeans()) {
            if (b.getType() == MemoryType.HEAP) peak += b.getPeakUsage().getUsed();
        }
        System.out.printf("RESULT CCNN-%d train %d, iterations %d, lr %.3g: test error %.2f %%, exact-model error %.2f %%, "
                        + "filters %d, params %d (convex A %d), train %.1f s, total %.1f s, peak heap %.0f MiB (sum of pool peaks)%n",
                layers, trainSize, iterations, lr, 100 * (1 - ev.accuracy()), 100 * (1 - model.exact().evaluate(test).accuracy()),
                model.filterCount(), model.parameterCount(), model.convexParameterCount(), trainSeconds,
                (System.nanoTime() - t0) / 1e9, peak / 1048576.0);
        for (Certificate c : model.certificates()) System.out.println("RESULT " + c);
    }
}
