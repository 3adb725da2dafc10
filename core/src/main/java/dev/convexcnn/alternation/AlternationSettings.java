package dev.convexcnn.alternation;

import com.google.gson.JsonObject;
import dev.convexcnn.nn.Architecture;
import dev.convexcnn.nn.Initializer;

/**
 * The settings of one alternating run. Construction validates; {@link #defaults()} documents the defaults.
 *
 * @param architecture  an architecture string in the {@link Architecture} syntax; every {@code relu} becomes a
 *                      {@link PositiveHardThreshold} with the threshold below; max pooling is refused (the paper
 *                      uses all-convolutional nets: use strided convolutions or average pooling)
 * @param threshold     τ ≥ 0 of the positive hard-thresholding y = z·1[z &gt; τ] (0: the ReLU function)
 * @param ridge         λ ≥ 0 of the objective ½·mean‖z − t‖² + ½λ‖θ‖² (all weights and biases); λ &gt; 0 keeps
 *                      every layer's least-squares problem positive definite
 * @param maxSweeps     at most this many sweeps; a sweep is one weight step and one support step per layer
 * @param cgIterations  conjugate-gradient iterations per weight step of a layer solved matrix-free
 * @param cgTolerance   CG stops early when the relative residual is below this
 * @param maxBacktracks a weight step is tried at step lengths 1, ½, … (this many halvings) until the true
 *                      objective, with the support recomputed, does not increase; else the layer keeps its weights
 * @param tolerance     stop when a sweep lowers the objective by less than this fraction
 * @param chunkSize     samples per chunk of the full-batch passes (memory only: results do not depend on it beyond
 *                      float rounding)
 * @param seed          the initialisation seed (the same seed gives the same initial weights as
 *                      {@code Sequential.of(architecture).initialize(initializer, seed)})
 * @param exactOutputLayer solve a last {@code linear} layer exactly by the normal equations (Cholesky, LAPACK
 *                      dposv) instead of CG
 */
public record AlternationSettings(String architecture, float threshold, double ridge, int maxSweeps,
                                  int cgIterations, double cgTolerance, int maxBacktracks, double tolerance,
                                  int chunkSize, long seed, Initializer initializer, boolean exactOutputLayer) {

    /** An all-convolutional version of the reference net: strided convolutions in place of max pooling. */
    public static final String DEFAULT_ARCHITECTURE = "conv16k5s2-relu-conv32k5s2-relu-linear10";

    public AlternationSettings {
        architecture = Architecture.expand(architecture);
        if (architecture.contains("maxpool")) {
            throw new IllegalArgumentException("alternation needs an all-convolutional net (no maxpool): use strided "
                    + "convolutions or avgpool, got '" + architecture + "'");
        }
        if (!(threshold >= 0) || Float.isInfinite(threshold)) throw new IllegalArgumentException("threshold must be finite and >= 0, got " + threshold);
        if (!(ridge >= 0) || Double.isInfinite(ridge)) throw new IllegalArgumentException("ridge must be finite and >= 0, got " + ridge);
        if (maxSweeps <= 0) throw new IllegalArgumentException("max sweeps must be > 0, got " + maxSweeps);
        if (cgIterations <= 0) throw new IllegalArgumentException("CG iterations must be > 0, got " + cgIterations);
        if (!(cgTolerance >= 0)) throw new IllegalArgumentException("CG tolerance must be >= 0, got " + cgTolerance);
        if (maxBacktracks < 0) throw new IllegalArgumentException("max backtracks must be >= 0, got " + maxBacktracks);
        if (!(tolerance >= 0)) throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
        if (chunkSize <= 0) throw new IllegalArgumentException("chunk size must be > 0, got " + chunkSize);
        if (initializer == null) throw new IllegalArgumentException("initializer is null");
    }

    /**
     * {@link #DEFAULT_ARCHITECTURE}, τ = 0, λ = 1e-4, 20 sweeps, 10 CG iterations to 1e-6, 4 backtracks,
     * tolerance 1e-4, chunks of 1000, seed 1, PyTorch's default initialisation (as the SGD defaults), the output
     * layer solved exactly. These are our choices: the paper's settings could not be read.
     */
    public static AlternationSettings defaults() {
        return new AlternationSettings(DEFAULT_ARCHITECTURE, 0f, 1e-4, 20, 10, 1e-6, 4, 1e-4, 1000, 1L,
                Initializer.UNIFORM_FAN_IN, true);
    }

    public AlternationSettings withArchitecture(String a) { return new AlternationSettings(a, threshold, ridge, maxSweeps, cgIterations, cgTolerance, maxBacktracks, tolerance, chunkSize, seed, initializer, exactOutputLayer); }
    public AlternationSettings withThreshold(float t) { return new AlternationSettings(architecture, t, ridge, maxSweeps, cgIterations, cgTolerance, maxBacktracks, tolerance, chunkSize, seed, initializer, exactOutputLayer); }
    public AlternationSettings withRidge(double r) { return new AlternationSettings(architecture, threshold, r, maxSweeps, cgIterations, cgTolerance, maxBacktracks, tolerance, chunkSize, seed, initializer, exactOutputLayer); }
    public AlternationSettings withMaxSweeps(int m) { return new AlternationSettings(architecture, threshold, ridge, m, cgIterations, cgTolerance, maxBacktracks, tolerance, chunkSize, seed, initializer, exactOutputLayer); }
    public AlternationSettings withCgIterations(int i) { return new AlternationSettings(architecture, threshold, ridge, maxSweeps, i, cgTolerance, maxBacktracks, tolerance, chunkSize, seed, initializer, exactOutputLayer); }
    public AlternationSettings withTolerance(double t) { return new AlternationSettings(architecture, threshold, ridge, maxSweeps, cgIterations, cgTolerance, maxBacktracks, t, chunkSize, seed, initializer, exactOutputLayer); }
    public AlternationSettings withChunkSize(int c) { return new AlternationSettings(architecture, threshold, ridge, maxSweeps, cgIterations, cgTolerance, maxBacktracks, tolerance, c, seed, initializer, exactOutputLayer); }
    public AlternationSettings withSeed(long s) { return new AlternationSettings(architecture, threshold, ridge, maxSweeps, cgIterations, cgTolerance, maxBacktracks, tolerance, chunkSize, s, initializer, exactOutputLayer); }
    public AlternationSettings withInitializer(Initializer i) { return new AlternationSettings(architecture, threshold, ridge, maxSweeps, cgIterations, cgTolerance, maxBacktracks, tolerance, chunkSize, seed, i, exactOutputLayer); }
    public AlternationSettings withExactOutputLayer(boolean e) { return new AlternationSettings(architecture, threshold, ridge, maxSweeps, cgIterations, cgTolerance, maxBacktracks, tolerance, chunkSize, seed, initializer, e); }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("method", "alternation");
        o.addProperty("architecture", architecture);
        o.addProperty("threshold", threshold);
        o.addProperty("ridge", ridge);
        o.addProperty("maxSweeps", maxSweeps);
        o.addProperty("cgIterations", cgIterations);
        o.addProperty("cgTolerance", cgTolerance);
        o.addProperty("maxBacktracks", maxBacktracks);
        o.addProperty("tolerance", tolerance);
        o.addProperty("chunkSize", chunkSize);
        o.addProperty("seed", seed);
        o.addProperty("initializer", initializer.id());
        o.addProperty("exactOutputLayer", exactOutputLayer);
        return o;
    }
}
