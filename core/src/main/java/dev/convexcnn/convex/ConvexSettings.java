package dev.convexcnn.convex;

import com.google.gson.JsonObject;
import java.util.Locale;

/**
 * The settings of a convex two-layer CNN run.
 *
 * @param program        {@code gated-relu} (the relaxation, R-FISTA) or {@code convex-relu} (the exact program,
 *                       augmented Lagrangian)
 * @param kernel         patch size k (k × k); the image size gives the fully-connected network
 * @param stride         patch stride
 * @param bias           append a constant 1 to each patch (a bias per neuron)
 * @param patterns       number of sampled activation patterns p (random gate filters)
 * @param lambdaFraction λ as a fraction of λ_max, the smallest λ at which zero is optimal; used when lambda ≤ 0
 * @param lambda         λ itself when > 0
 * @param loss           squared (scnn's 1/(2nc) scaling) or cross-entropy
 * @param tolerance      on the squared norm of the minimum-norm subgradient (and on the squared violation)
 * @param maxIterations  R-FISTA iterations (per outer step for the exact program)
 * @param seed           seeds the gate filters
 * @param precision      arithmetic of the Gram and GEMM forms' products and of the exact program's inner solves'
 *                       quadratic products ({@link RFista.Precision}); the certificate is always computed in double
 * @param products       the form of the gated program's products ({@link ProductForm}), or null for the cost
 *                       model's choice
 * @param gapTolerance   &gt; 0: the relative duality gap must be at most this as well (squared loss); 0: off
 * @param patternsFrom   a saved two-layer CNN whose neurons' activation patterns join the sampled ones, and whose
 *                       weights start the solve (null: none); see {@link NetworkStart}
 * @param generationRounds rounds of pattern generation after the solve (0: off): search the dual's most violated
 *                       constraint, add the patterns found, re-solve warm ({@link PatternSearch})
 * @param candidates     starts of the violation search per round
 * @param pool           gated program: A×A windows of the feature map with output weights of their own (0: one
 *                       global sum over all positions; {@link #AUTO_POOL}: chosen from the map, {@link #windowFor});
 *                       see {@link Gates#windowed}
 * @param gateSampling   how the gate filters are drawn: Gaussian, or halfway between two training patches
 * @param workingSet     exact program: hold only the constraint rows that bind, added by rounds of a full scan
 *                       ({@link ConstraintWorkingSet}); false: all n·P·2cp of them
 * @param screening      gated program, GEMM form, squared loss: R-FISTA's products with Φᵀ over a working set of
 *                       groups between checks of the whole certificate ({@code ProximalOracles.Screening}); no
 *                       effect with a gap tolerance or another form
 */
public record ConvexSettings(String program, int kernel, int stride, boolean bias, int patterns,
                             double lambdaFraction, double lambda, Loss loss, double tolerance, int maxIterations,
                             long seed, RFista.Precision precision, ProductForm products, double gapTolerance,
                             String patternsFrom, int generationRounds, int candidates, int pool, Gates.Sampling gateSampling,
                             boolean workingSet, boolean screening) {
    public ConvexSettings {
        if (pool < AUTO_POOL) throw new IllegalArgumentException("--pool must be >= 0, got " + pool);
        if (gateSampling == null) throw new IllegalArgumentException("gate sampling must be given");
        if (pool == AUTO_POOL && !program.equalsIgnoreCase("gated-relu")) pool = 0;
        if (pool > 0 && patternsFrom != null) throw new IllegalArgumentException("--patterns-from takes networks without --pool windows: drop one of them");
        if (pool > 0 && generationRounds > 0) throw new IllegalArgumentException("--generate-patterns searches filters over all positions: not with --pool");
        if (generationRounds < 0) throw new IllegalArgumentException("pattern generation rounds must be >= 0, got " + generationRounds);
        if (candidates <= 0) throw new IllegalArgumentException("pattern generation candidates must be > 0, got " + candidates);
        if (workingSet && !program.equalsIgnoreCase("convex-relu")) throw new IllegalArgumentException("--constraints working-set is the exact program's (convex-relu)");
        if (precision == null) throw new IllegalArgumentException("solver precision must be given");
        if (!(gapTolerance >= 0)) throw new IllegalArgumentException("gap tolerance must be >= 0, got " + gapTolerance);
        program = program.toLowerCase(Locale.ROOT);
        if (!program.equals("gated-relu") && !program.equals("convex-relu")) {
            throw new IllegalArgumentException("program must be gated-relu or convex-relu, got '" + program + "'");
        }
        if (patterns <= 0) throw new IllegalArgumentException("patterns must be > 0, got " + patterns);
        if (lambda <= 0 && !(lambdaFraction > 0 && lambdaFraction < 1)) {
            throw new IllegalArgumentException("give lambda > 0, or a lambda fraction in (0, 1), got " + lambdaFraction);
        }
        if (!(tolerance > 0)) throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
        if (maxIterations <= 0) throw new IllegalArgumentException("iterations must be > 0, got " + maxIterations);
    }

    /** The settings with the cost model's product form and no gap rule. */
    public ConvexSettings(String program, int kernel, int stride, boolean bias, int patterns, double lambdaFraction,
                          double lambda, Loss loss, double tolerance, int maxIterations, long seed, RFista.Precision precision) {
        this(program, kernel, stride, bias, patterns, lambdaFraction, lambda, loss, tolerance, maxIterations, seed, precision, null, 0, null, 0, DEFAULT_CANDIDATES, 0, Gates.Sampling.GAUSSIAN, false, true);
    }

    /** The settings with mixed-precision products (the default). */
    public ConvexSettings(String program, int kernel, int stride, boolean bias, int patterns, double lambdaFraction,
                          double lambda, Loss loss, double tolerance, int maxIterations, long seed) {
        this(program, kernel, stride, bias, patterns, lambdaFraction, lambda, loss, tolerance, maxIterations, seed,
                RFista.Precision.MIXED);
    }

    /** Gated ReLU, 5×5 patches, stride 1, bias, 64 patterns, λ = 0.01·λ_max, squared loss, tol 1e-6. */
    public static ConvexSettings defaults() {
        return new ConvexSettings("gated-relu", 5, 1, true, 64, 0.01, 0, Loss.SQUARED, 1e-6, 10_000, 1, RFista.Precision.MIXED, null, 0, null, 0, DEFAULT_CANDIDATES, 0, Gates.Sampling.GAUSSIAN, false, true);
    }

    public boolean exact() { return program.equals("convex-relu"); }

    public ConvexSettings withProgram(String p) { return new ConvexSettings(p, kernel, stride, bias, patterns, lambdaFraction, lambda, loss, tolerance, maxIterations, seed, precision, products, gapTolerance, patternsFrom, generationRounds, candidates, pool, gateSampling, workingSet, screening); }
    public ConvexSettings withPatches(int k, int s) { return new ConvexSettings(program, k, s, bias, patterns, lambdaFraction, lambda, loss, tolerance, maxIterations, seed, precision, products, gapTolerance, patternsFrom, generationRounds, candidates, pool, gateSampling, workingSet, screening); }
    public ConvexSettings withPatterns(int p) { return new ConvexSettings(program, kernel, stride, bias, p, lambdaFraction, lambda, loss, tolerance, maxIterations, seed, precision, products, gapTolerance, patternsFrom, generationRounds, candidates, pool, gateSampling, workingSet, screening); }
    public ConvexSettings withLambdaFraction(double f) { return new ConvexSettings(program, kernel, stride, bias, patterns, f, 0, loss, tolerance, maxIterations, seed, precision, products, gapTolerance, patternsFrom, generationRounds, candidates, pool, gateSampling, workingSet, screening); }
    public ConvexSettings withLambda(double l) { return new ConvexSettings(program, kernel, stride, bias, patterns, lambdaFraction, l, loss, tolerance, maxIterations, seed, precision, products, gapTolerance, patternsFrom, generationRounds, candidates, pool, gateSampling, workingSet, screening); }
    public ConvexSettings withLoss(Loss l) { return new ConvexSettings(program, kernel, stride, bias, patterns, lambdaFraction, lambda, l, tolerance, maxIterations, seed, precision, products, gapTolerance, patternsFrom, generationRounds, candidates, pool, gateSampling, workingSet, screening); }
    public ConvexSettings withTolerance(double t) { return new ConvexSettings(program, kernel, stride, bias, patterns, lambdaFraction, lambda, loss, t, maxIterations, seed, precision, products, gapTolerance, patternsFrom, generationRounds, candidates, pool, gateSampling, workingSet, screening); }
    public ConvexSettings withMaxIterations(int m) { return new ConvexSettings(program, kernel, stride, bias, patterns, lambdaFraction, lambda, loss, tolerance, m, seed, precision, products, gapTolerance, patternsFrom, generationRounds, candidates, pool, gateSampling, workingSet, screening); }
    public ConvexSettings withSeed(long s) { return new ConvexSettings(program, kernel, stride, bias, patterns, lambdaFraction, lambda, loss, tolerance, maxIterations, s, precision, products, gapTolerance, patternsFrom, generationRounds, candidates, pool, gateSampling, workingSet, screening); }
    public ConvexSettings withBias(boolean b) { return new ConvexSettings(program, kernel, stride, b, patterns, lambdaFraction, lambda, loss, tolerance, maxIterations, seed, precision, products, gapTolerance, patternsFrom, generationRounds, candidates, pool, gateSampling, workingSet, screening); }

    public ConvexSettings withPrecision(RFista.Precision p) { return new ConvexSettings(program, kernel, stride, bias, patterns, lambdaFraction, lambda, loss, tolerance, maxIterations, seed, p, products, gapTolerance, patternsFrom, generationRounds, candidates, pool, gateSampling, workingSet, screening); }

    public ConvexSettings withProducts(ProductForm f) { return new ConvexSettings(program, kernel, stride, bias, patterns, lambdaFraction, lambda, loss, tolerance, maxIterations, seed, precision, f, gapTolerance, patternsFrom, generationRounds, candidates, pool, gateSampling, workingSet, screening); }
    public ConvexSettings withPatternsFrom(String path) { return new ConvexSettings(program, kernel, stride, bias, patterns, lambdaFraction, lambda, loss, tolerance, maxIterations, seed, precision, products, gapTolerance, path, generationRounds, candidates, pool, gateSampling, workingSet, screening); }
    public ConvexSettings withGapTolerance(double g) { return new ConvexSettings(program, kernel, stride, bias, patterns, lambdaFraction, lambda, loss, tolerance, maxIterations, seed, precision, products, g, patternsFrom, generationRounds, candidates, pool, gateSampling, workingSet, screening); }

    public ConvexSettings withPool(int a) { return new ConvexSettings(program, kernel, stride, bias, patterns, lambdaFraction, lambda, loss, tolerance, maxIterations, seed, precision, products, gapTolerance, patternsFrom, generationRounds, candidates, a, gateSampling, workingSet, screening); }
    public ConvexSettings withGateSampling(Gates.Sampling g) { return new ConvexSettings(program, kernel, stride, bias, patterns, lambdaFraction, lambda, loss, tolerance, maxIterations, seed, precision, products, gapTolerance, patternsFrom, generationRounds, candidates, pool, g, workingSet, screening); }

    public ConvexSettings withWorkingSet(boolean w) { return new ConvexSettings(program, kernel, stride, bias, patterns, lambdaFraction, lambda, loss, tolerance, maxIterations, seed, precision, products, gapTolerance, patternsFrom, generationRounds, candidates, pool, gateSampling, w, screening); }

    public ConvexSettings withScreening(boolean on) { return new ConvexSettings(program, kernel, stride, bias, patterns, lambdaFraction, lambda, loss, tolerance, maxIterations, seed, precision, products, gapTolerance, patternsFrom, generationRounds, candidates, pool, gateSampling, workingSet, on); }

    public ConvexSettings withGeneration(int rounds, int n) { return new ConvexSettings(program, kernel, stride, bias, patterns, lambdaFraction, lambda, loss, tolerance, maxIterations, seed, precision, products, gapTolerance, patternsFrom, rounds, n, pool, gateSampling, workingSet, screening); }

    /** pool: 3×3 windows where the feature map's sides allow, else 2×2, else the global sum ({@link #windowFor}). */
    public static final int AUTO_POOL = -1;

    /**
     * The window A of these settings on geom's feature map: pool itself, or for {@link #AUTO_POOL} the map cut
     * into 3×3 windows (2×2 where 3 does not divide it; the global sum when neither does, or when --patterns-from
     * or pattern generation, which work over all positions, are on).
     */
    public int windowFor(PatchGeometry geom) {
        if (pool != AUTO_POOL) return pool;
        if (patternsFrom != null || generationRounds > 0) return 0;
        var conv = geom.conv();
        int oh = conv.outHeight(), ow = conv.outWidth();
        for (int per = 3; per >= 2; per--) {
            if (oh % per == 0 && ow % per == 0 && oh / per == ow / per && oh / per >= 2) return oh / per;
        }
        return 0;
    }

    /** Starts of the violation search per round unless --candidates says. */
    public static final int DEFAULT_CANDIDATES = 64;

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("program", program);
        o.addProperty("kernel", kernel);
        o.addProperty("stride", stride);
        o.addProperty("bias", bias);
        o.addProperty("patterns", patterns);
        if (lambda > 0) o.addProperty("lambda", lambda);
        else o.addProperty("lambdaFraction", lambdaFraction);
        o.addProperty("loss", loss.id());
        o.addProperty("tolerance", tolerance);
        o.addProperty("maxIterations", maxIterations);
        o.addProperty("seed", seed);
        o.addProperty("solverPrecision", precision.id());
        if (patternsFrom != null) o.addProperty("patternsFrom", patternsFrom);
        o.addProperty("products", products == null ? "auto" : products.id());
        if (gapTolerance > 0) o.addProperty("gapTolerance", gapTolerance);
        if (pool == AUTO_POOL) o.addProperty("pool", "auto");
        else if (pool > 0) o.addProperty("pool", pool);
        o.addProperty("gates", gateSampling.id());
        if (exact()) o.addProperty("constraints", workingSet ? "working-set" : "all");
        else o.addProperty("screening", screening);
        if (generationRounds > 0) {
            o.addProperty("generationRounds", generationRounds);
            o.addProperty("candidates", candidates);
        }
        return o;
    }
}
