package dev.convexcnn.ccnn;

import java.util.List;

/**
 * The settings of one CCNN run: the layers, trained one after the other, and what they share. Construction
 * validates. {@link #defaults()} is the reference code's 2-layer MNIST run (see {@link LayerSettings}).
 *
 * @param layers             one entry per layer, input side first (1 to 3 for the CLI; any count works)
 * @param batchSize          samples per projected-SGD step; a batch ≥ the training set size makes every
 *                           step a full (deterministic) projected-gradient step
 * @param zcaEpsilon         ε of the ZCA whitening W = V (Λ + ε)^{−1/2} Vᵀ
 * @param patchNormEpsilon   ε of the per-patch normalisation z/√(‖z‖² + ε)
 * @param whiteningPatches   patches sampled (seeded) to fit the whitening and to draw Nyström landmarks from
 * @param averageTail        the fraction of final iterates averaged (1: all of them, Polyak–Ruppert)
 * @param certificateSamples training samples the final certificate is computed on (0: all, the exact
 *                           certificate of the training problem; otherwise of the head of the set)
 * @param monitorSamples     when &gt; 0, the loss and Frank–Wolfe gap on the first that many training samples
 *                           are computed every {@code logEvery} iterations (costly: a pass over them)
 * @param logEvery           iterations between log records (every iteration when 1)
 * @param seed               the one seed every random choice derives from
 */
public record CcnnSettings(List<LayerSettings> layers, int batchSize, double zcaEpsilon, double patchNormEpsilon,
                           int whiteningPatches, double averageTail, int certificateSamples, int monitorSamples,
                           int logEvery, long seed) {

    public CcnnSettings {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) throw new IllegalArgumentException("need at least one layer");
        for (int i = 0; i + 1 < layers.size(); i++) {
            if (layers.get(i).filters() <= 0) throw new IllegalArgumentException("layer " + (i + 1) + " feeds the next one and needs filters > 0");
        }
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        if (!(zcaEpsilon >= 0)) throw new IllegalArgumentException("zca epsilon must be >= 0, got " + zcaEpsilon);
        if (!(patchNormEpsilon >= 0)) throw new IllegalArgumentException("patch norm epsilon must be >= 0, got " + patchNormEpsilon);
        if (whiteningPatches < 2) throw new IllegalArgumentException("whitening patches must be >= 2, got " + whiteningPatches);
        if (!(averageTail > 0 && averageTail <= 1)) throw new IllegalArgumentException("average tail must be in (0, 1], got " + averageTail);
        if (certificateSamples < 0 || monitorSamples < 0) throw new IllegalArgumentException("sample counts must be >= 0");
        if (logEvery <= 0) throw new IllegalArgumentException("logEvery must be > 0, got " + logEvery);
    }

    /** The 2-layer MNIST run; batch 50, ZCA ε 0.1, patch ε 0.01, 20,000 whitening patches, tail ½, seed 1. */
    public static CcnnSettings defaults() {
        return layers(2);
    }

    /** The default settings with the first {@code count} (1–3) default layers. */
    public static CcnnSettings layers(int count) {
        List<LayerSettings> all = List.of(LayerSettings.mnistLayer1(), LayerSettings.mnistLayer2(), LayerSettings.mnistLayer3());
        if (count < 1 || count > 3) throw new IllegalArgumentException("layers must be 1, 2 or 3, got " + count);
        return new CcnnSettings(all.subList(0, count), 50, 0.1, 0.01, 20_000, 0.5, 0, 0, 50, 1L);
    }

    public LayerSettings layer(int i) { return layers.get(i); }

    public CcnnSettings withLayers(List<LayerSettings> l) { return new CcnnSettings(l, batchSize, zcaEpsilon, patchNormEpsilon, whiteningPatches, averageTail, certificateSamples, monitorSamples, logEvery, seed); }
    /** Replaces layer i (0-based). */
    public CcnnSettings withLayer(int i, LayerSettings s) {
        var l = new java.util.ArrayList<>(layers);
        l.set(i, s);
        return withLayers(l);
    }
    public CcnnSettings withBatchSize(int b) { return new CcnnSettings(layers, b, zcaEpsilon, patchNormEpsilon, whiteningPatches, averageTail, certificateSamples, monitorSamples, logEvery, seed); }
    public CcnnSettings withWhitening(double zcaEps, double normEps, int patches) { return new CcnnSettings(layers, batchSize, zcaEps, normEps, patches, averageTail, certificateSamples, monitorSamples, logEvery, seed); }
    public CcnnSettings withAverageTail(double f) { return new CcnnSettings(layers, batchSize, zcaEpsilon, patchNormEpsilon, whiteningPatches, f, certificateSamples, monitorSamples, logEvery, seed); }
    public CcnnSettings withCertificateSamples(int n) { return new CcnnSettings(layers, batchSize, zcaEpsilon, patchNormEpsilon, whiteningPatches, averageTail, n, monitorSamples, logEvery, seed); }
    public CcnnSettings withMonitor(int samples, int every) { return new CcnnSettings(layers, batchSize, zcaEpsilon, patchNormEpsilon, whiteningPatches, averageTail, certificateSamples, samples, every, seed); }
    public CcnnSettings withSeed(long s) { return new CcnnSettings(layers, batchSize, zcaEpsilon, patchNormEpsilon, whiteningPatches, averageTail, certificateSamples, monitorSamples, logEvery, s); }
}
