package dev.convexcnn.ccnn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.DataCache;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.DatasetFetcher;
import dev.convexcnn.data.Datasets;
import dev.convexcnn.data.KnownDataset;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** A tiny end-to-end run on real MNIST, when it is in the cache (nothing is downloaded). */
class CcnnMnistTest {
    @Test
    void oneLayerLearnsOnAThousandDigits() throws Exception {
        DataCache cache = DataCache.resolve(null);
        Assumptions.assumeTrue(DatasetFetcher.isPresent(KnownDataset.MNIST, cache), "MNIST is not in " + cache.dir());
        Dataset train = Datasets.load("mnist", true, cache, false, s -> { }).head(1000);
        Dataset test = Datasets.load("mnist", false, cache, false, s -> { }).head(500);
        // Layer 1 of the reference settings, smaller: m = 100, 150 iterations, lr 4, pooling 4×4/4 → 6×6 positions.
        LayerSettings l1 = LayerSettings.mnistLayer1().withFeatures(100).withIterations(150).withPooling(4, 4)
                .withLearningRate(4); // the reference lr 0.2 underfits on our loss scaling, see docs/ccnn.md
        CcnnSettings s = CcnnSettings.defaults().withLayers(List.of(l1)).withCertificateSamples(500);
        long t0 = System.nanoTime();
        CcnnModel model = CcnnTrainer.fit(train, s, null);
        double acc = model.evaluate(test).accuracy();
        System.out.printf("CCNN-1 on 1,000 MNIST digits: test accuracy %.3f, %s, %.1f s%n", acc, model.certificate(),
                (System.nanoTime() - t0) / 1e9);
        assertTrue(acc > 0.85, "accuracy " + acc);
        assertTrue(model.certificate().feasible());
    }
}
