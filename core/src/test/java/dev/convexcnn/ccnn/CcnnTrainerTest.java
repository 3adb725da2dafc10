package dev.convexcnn.ccnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.testing.Tolerances;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The solver, its certificate, determinism and the model's forms, on small synthetic images. */
class CcnnTrainerTest {

    /** 10×10 images of 3 classes: a vertical bar, a horizontal bar or a diagonal at a random place, plus noise. */
    static Dataset bars(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int s = 10;
        float[] px = new float[n * s * s];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            y[i] = c;
            int a = 1 + r.nextInt(s - 2), b = r.nextInt(s - 5);
            for (int k = 0; k < 5; k++) {
                int row = c == 0 ? b + k : c == 1 ? a : b + k;
                int col = c == 0 ? a : c == 1 ? b + k : Math.min(s - 1, a / 2 + k);
                px[i * s * s + row * s + col] = 1;
            }
            for (int k = 0; k < s * s; k++) px[i * s * s + k] = Math.min(1, px[i * s * s + k] + 0.2f * (float) r.nextDouble());
        }
        return new Dataset("bars", s, s, 1, 3, px, y);
    }

    /** One small layer: 3×3 patches, 4×4 pooling with stride 4 → 2×2 positions. */
    static LayerSettings small(Kernel k, Approximation a, int iterations) {
        return new LayerSettings(k, a, 0.5, 40, 3, 0.5, iterations, 4, 3, 1, 0, 4, 4);
    }

    static CcnnSettings settings(List<LayerSettings> layers, int batch) {
        return new CcnnSettings(layers, batch, 0.1, 0.01, 2000, 0.1, 0, 0, 20, 7L);
    }

    @Test
    void fullBatchGapDecreasesToTolerance() {
        Dataset d = bars(120, 1);
        CcnnSettings s = settings(List.of(small(Kernel.GAUSSIAN, Approximation.FOURIER, 1000)), 1000).withMonitor(120, 50);
        CcnnModel model = CcnnTrainer.fit(d, s, null);
        List<IterationRecord> log = model.log();
        assertEquals(20, log.size());
        double first = log.get(0).monitorGap(), last = log.get(log.size() - 1).monitorGap();
        assertTrue(last < first / 20, first + " -> " + last);
        System.out.printf("full-batch CCNN: FW gap %.3g -> %.3g, final certificate %s%n", first, last, model.certificate());
        // Objective decreases along the logged iterates (full-batch projected gradient with a small step).
        for (int i = 1; i < log.size(); i++) assertTrue(log.get(i).monitorLoss() <= log.get(i - 1).monitorLoss() + 1e-9);
        Certificate c = model.certificate();
        assertTrue(c.feasible(), c.toString());
        assertTrue(c.gap() >= -1e-9, c.toString());
        assertTrue(c.gap() < 2e-3, "gap " + c.gap());
        assertTrue(c.nuclearNorm() > 0.99 * c.radius(), "the constraint is active on this problem: " + c);
    }

    @Test
    void exactModelPredictsAsTheConvexSolution() {
        Dataset d = bars(90, 2);
        CcnnSettings s = settings(List.of(small(Kernel.GAUSSIAN, Approximation.FOURIER, 60).withFilters(0)), 1000);
        CcnnModel model = CcnnTrainer.fit(d, s, null);
        CcnnLayer top = model.layers().get(0);
        // Recompute the logits from A itself: pooled features times the W-layout A.
        CcnnModel.Factors f = model.factors();
        int m = f.m(), Q = f.positions(), c1 = f.outputs(), k = f.s().length;
        double[] a = new double[m * Q * c1];
        for (int i = 0; i < m; i++) for (int j = 0; j < Q * c1; j++) {
            double v = 0;
            for (int t = 0; t < k; t++) v += f.u()[i * k + t] * f.s()[t] * f.vt()[t * Q * c1 + j];
            a[i * Q * c1 + j] = v;
        }
        double[] w = new double[a.length];
        ProjectedSgd.fromA(a, m, Q, c1, w);
        double[] feats = new double[d.size() * Q * m];
        top.pooledFeatures(d.pixels(), null, 0, d.size(), feats, 0);
        double[] direct = new double[d.size() * c1];
        dev.convexcnn.linalg.Gemm.dgemm(false, false, d.size(), c1, Q * m, 1, feats, w, 0, direct);
        Tolerances.assertArrayClose(direct, model.exact().logits(d), Tolerances.ROUNDED, "logits of the recovered A");
        assertEquals(f.rank(), model.finalFilters());
        assertTrue(model.certificate().accuracy() > 0.6, "learns a little: " + model.certificate());
    }

    @Test
    void batchFeaturesInParallelBlocksEqualOneSampleAtATimeAndRepeatBitForBit() {
        // 10×10 images, 3×3 patches: P = 64, so a call of 150 samples runs in many parallel sub-batches.
        Dataset d = bars(150, 5);
        CcnnLayer layer = CcnnTrainer.prepareLayer(0, d.pixels(), d.size(), 10, 10, 1,
                settings(List.of(small(Kernel.GAUSSIAN, Approximation.FOURIER, 1)), 10));
        int qm = layer.positions() * layer.featureDim();
        int[] idx = new int[d.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = (i * 37) % d.size();
        double[] batch = new double[d.size() * qm];
        layer.pooledFeatures(d.pixels(), idx, 0, d.size(), batch, 0);
        double[] one = new double[qm];
        for (int k = 0; k < d.size(); k++) {
            layer.pooledFeatures(d.pixels(), new int[] {idx[k]}, 0, 1, one, 0);
            // A batch and a single sample are products of other shapes: equal to rounding.
            Tolerances.assertArrayClose(one, java.util.Arrays.copyOfRange(batch, k * qm, (k + 1) * qm), Tolerances.ROUNDED, "sample " + k);
        }
        double[] again = new double[batch.length];
        layer.pooledFeatures(d.pixels(), idx, 0, d.size(), again, 0);
        assertArrayEquals(batch, again, 0.0, "the same call again: same shapes, same threads, same bits");
    }

    @Test
    void seededRunsRepeatBitForBitOnTheSameBackendAndSeedsMatter() {
        Dataset d = bars(80, 3);
        CcnnSettings s = settings(List.of(small(Kernel.GAUSSIAN, Approximation.FOURIER, 30)), 16);
        double[] a = CcnnTrainer.fit(d, s, null).logits(d);
        double[] b = CcnnTrainer.fit(d, s, null).logits(d);
        assertArrayEquals(a, b, 0.0);
        double[] c = CcnnTrainer.fit(d, s.withSeed(8), null).logits(d);
        assertFalse(java.util.Arrays.equals(a, c));
    }

    @Test
    void twoAndThreeLayersStackAndCountFilters() {
        Dataset d = bars(100, 4);
        LayerSettings l1 = new LayerSettings(Kernel.GAUSSIAN, Approximation.FOURIER, 0.5, 40, 5, 0.5, 40, 4, 3, 1, 1, 2, 2);
        LayerSettings l2 = new LayerSettings(Kernel.INVERSE_POLYNOMIAL, Approximation.NYSTROM, 1, 30, 5, 0.5, 40, 3, 3, 1, 1, 2, 2);
        LayerSettings l3 = new LayerSettings(Kernel.GAUSSIAN, Approximation.NYSTROM, 1, 20, 5, 0.5, 40, 2, 2, 1, 0, 1, 1);
        List<String> messages = new ArrayList<>();
        CcnnListener listener = new CcnnListener() {
            @Override public void onMessage(String message) { messages.add(message); }
        };
        CcnnModel two = CcnnTrainer.fit(d, settings(List.of(l1, l2), 25), listener);
        assertEquals(2, two.layers().size());
        assertEquals(2, two.certificates().size());
        assertEquals(4 + 3, two.filterCount());
        // layer 1: 10×10 → (pad 1) 10×10 patches → pool 2 → 5×5×4; layer 2: 5×5 → pool 2 → 2×2 positions
        assertEquals(2 * 2, two.layers().get(1).positions());
        long expected = 40L * 4 + (long) two.layers().get(1).featureDim() * 3 + 2 * 2 * 3 * 2;
        assertEquals(expected, two.parameterCount());
        assertTrue(two.parameterCount() < two.convexParameterCount() + 40L * 4);
        assertEquals(d.size(), two.evaluate(d).samples());
        assertTrue(messages.size() >= 4);
        CcnnModel three = CcnnTrainer.fit(d, settings(List.of(l1, l2, l3), 25), null);
        assertEquals(3, three.layers().size());
        assertEquals(4 + 3 + 2, three.filterCount());
        assertTrue(three.evaluate(d).accuracy() > 0.5, "3-layer CCNN trains: " + three.evaluate(d).accuracy());
    }

    @Test
    void truncationKeepsTheTopFilters() {
        Dataset d = bars(60, 5);
        CcnnModel model = CcnnTrainer.fit(d, settings(List.of(small(Kernel.GAUSSIAN, Approximation.NYSTROM, 30).withFilters(0)), 60), null);
        CcnnModel one = model.withFilters(1);
        assertEquals(1, one.finalFilters());
        assertTrue(one.parameterCount() < model.parameterCount());
        assertThrows(IllegalArgumentException.class, () -> model.withFilters(0));
    }

    @Test
    void settingsValidate() {
        assertThrows(IllegalArgumentException.class, () -> LayerSettings.mnistLayer1().withRadius(0));
        assertThrows(IllegalArgumentException.class, () -> LayerSettings.mnistLayer1().withFeatures(0));
        assertThrows(IllegalArgumentException.class, () -> CcnnSettings.defaults().withBatchSize(0));
        assertThrows(IllegalArgumentException.class, () -> CcnnSettings.defaults().withLayer(0, LayerSettings.mnistLayer1().withFilters(0)));
        assertThrows(IllegalArgumentException.class, () -> CcnnSettings.layers(4));
        CcnnSettings d = CcnnSettings.defaults();
        assertEquals(2, d.layers().size());
        assertEquals(0.2, d.layer(0).gamma());
        assertEquals(500, d.layer(0).features());
        assertEquals(200, d.layer(0).radius());
        assertEquals(1000, d.layer(1).features());
        assertEquals(2000, d.layer(1).iterations());
    }
}
