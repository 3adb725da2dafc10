package dev.convexcnn.ccnn;

import picocli.CommandLine.Option;

/** The layer options ccnn and dccnn share: how many layers, their kernel features and their filters. */
public abstract class CcnnOptions {
    @Option(names = "--layers", description = "1, 2 or 3 convexified layers (default: 2).")
    Integer layers;
    @Option(names = "--ccnn-kernel", description = "gaussian or inverse-polynomial (default: each layer's reference setting, gaussian).")
    String kernel;
    @Option(names = "--approximation", description = "fourier (random Fourier features, gaussian only) or nystrom (default: fourier for "
            + "gaussian, nystrom for inverse-polynomial).")
    String approximation;
    @Option(names = "--gamma", paramLabel = "G[,G...]", description = "Gaussian kernel γ, one value or one per layer (default: 0.2, 2, 2).")
    String gamma;
    @Option(names = "--features", paramLabel = "M[,M...]", description = "Kernel features per layer, one value or one per layer (default: 500, 1000, 1000).")
    String features;
    @Option(names = "--iterations", paramLabel = "T[,T...]", description = "Iterations per layer, one value or one per layer (default: 1000, 2000, 2000; dccnn: at most "
            + "1000, 4000, 4000 reduced dual iterations).")
    String iterations;
    @Option(names = "--filters", paramLabel = "R[,R...]", description = "Filters recovered per layer; 0 on the last layer keeps the whole rank "
            + "(default: 16, 32, 32).")
    String filters;

    /** The layer count given, or the settings' own. */
    int layerCount(int current) {
        if (layers == null) return current;
        if (layers < 1 || layers > 3) throw new IllegalArgumentException("--layers must be 1, 2 or 3, got " + layers);
        return layers;
    }

    /** The settings with --layers and the per-layer options applied. */
    CcnnSettings applyLayers(CcnnSettings s) {
        int n = layerCount(s.layers().size());
        if (n != s.layers().size()) {
            CcnnSettings fresh = CcnnSettings.layers(n);
            s = new CcnnSettings(fresh.layers(), s.batchSize(), s.zcaEpsilon(), s.patchNormEpsilon(), s.whiteningPatches(),
                    s.averageTail(), s.certificateSamples(), s.monitorSamples(), s.logEvery(), s.seed());
        }
        double[] gammas = perLayer("--gamma", gamma, n), feats = perLayer("--features", features, n),
                iters = perLayer("--iterations", iterations, n), filt = perLayer("--filters", filters, n);
        for (int i = 0; i < n; i++) {
            LayerSettings l = s.layers().get(i);
            if (kernel != null || approximation != null) {
                Kernel k = kernel != null ? parse("--ccnn-kernel", () -> Kernel.parse(kernel)) : l.kernel();
                Approximation a = approximation != null ? parse("--approximation", () -> Approximation.parse(approximation))
                        : k == Kernel.GAUSSIAN ? l.approximation() : Approximation.NYSTROM;
                l = l.withKernel(k, a);
            }
            if (gammas != null) l = l.withGamma(gammas[i]);
            if (feats != null) l = l.withFeatures(whole("--features", feats[i]));
            if (iters != null) l = l.withIterations(whole("--iterations", iters[i]));
            if (filt != null) l = l.withFilters(whole("--filters", filt[i]));
            l = perLayerExtra(l, i, n);
            s = s.withLayer(i, l);
        }
        return s;
    }

    /** A method's own per-layer options. */
    LayerSettings perLayerExtra(LayerSettings l, int layer, int layers) {
        return l;
    }

    private static <T> T parse(String flag, java.util.function.Supplier<T> f) {
        try {
            return f.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }

    /** One value for every layer, or one per layer, from a comma-separated flag value; null when the flag is absent. */
    static double[] perLayer(String flag, String value, int layers) {
        if (value == null) return null;
        String[] parts = value.split(",");
        if (parts.length != 1 && parts.length != layers) {
            throw new IllegalArgumentException(flag + " takes one value or " + layers + " (one per layer), got '" + value + "'");
        }
        double[] out = new double[layers];
        for (int i = 0; i < layers; i++) {
            String p = parts[parts.length == 1 ? 0 : i].trim();
            try {
                out[i] = Double.parseDouble(p);
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(flag + ": '" + p + "' is not a number");
            }
        }
        return out;
    }

    static int whole(String flag, double v) {
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) throw new IllegalArgumentException(flag + " needs whole numbers, got " + v);
        return (int) v;
    }
}
