package dev.convexcnn.convex;

import picocli.CommandLine.Option;

/**
 * The options every convex CNN program takes: patches, patterns, λ, loss, tolerance and iterations. Unset options
 * keep the method's defaults. Each method's options extend these with its own.
 */
public abstract class ConvexProgramOptions {
    @Option(names = "--patterns", description = "Sampled activation patterns (random gate filters).")
    Integer patterns;
    @Option(names = "--kernel", description = "Patch size k×k; the image size gives the fully-connected network.")
    Integer kernel;
    @Option(names = "--stride", description = "Patch stride.")
    Integer stride;
    @Option(names = "--no-bias", description = "Patches without the constant 1 (no neuron bias).")
    boolean noBias;
    @Option(names = "--lambda", description = "The regularisation β (λ) itself.")
    Double lambda;
    @Option(names = "--lambda-fraction", description = "λ as a fraction of λ_max, when --lambda is not given.")
    Double lambdaFraction;
    @Option(names = "--loss",
            description = "squared (½ the mean of (f − one-hot)² over samples and classes) or cross-entropy.")
    String loss;
    @Option(names = "--tol", description = "Tolerance on the squared certificate.")
    Double tol;
    @Option(names = "--max-iter", description = "R-FISTA iteration cap (per augmented-Lagrangian step for the exact programs).")
    Integer maxIter;

    /**
     * The start network of --patterns-from: its path in the settings, and its conv's kernel and stride when the
     * user gave neither (the program's patches must be the network's).
     */
    ConvexSettings applyPatternsFrom(ConvexSettings s, java.nio.file.Path from) {
        if (from == null) return s;
        if (kernel == null && stride == null) {
            try {
                int[] ks = NetworkStart.kernelAndStride(from);
                s = s.withPatches(ks[0], ks[1]);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--patterns-from " + from + ": " + e.getMessage());
            }
        }
        return s.withPatternsFrom(from.toString());
    }

    static final String GENERATE = "After the solve, up to ROUNDS rounds of pattern generation: search the dual's most violated "
            + "constraint by local ascent, add the patterns whose violation exceeds λ, re-solve warm (default: 0, off).";
    static final String CANDIDATES = "Starts of the violation search per generation round (default: " + ConvexSettings.DEFAULT_CANDIDATES + ").";

    /** --generate-patterns and --candidates applied. */
    static ConvexSettings applyGeneration(ConvexSettings s, Integer rounds, Integer candidates) {
        if (rounds != null && rounds < 0) throw new IllegalArgumentException("--generate-patterns must be >= 0, got " + rounds);
        if (candidates != null && candidates <= 0) throw new IllegalArgumentException("--candidates must be > 0, got " + candidates);
        if (rounds == null && candidates == null) return s;
        return s.withGeneration(rounds != null ? rounds : s.generationRounds(), candidates != null ? candidates : s.candidates());
    }

    static final String PATTERNS_FROM = "A two-layer CNN trained by sgd or adam (conv<m>k<k>s<s>-relu-avgpool<map>-linear<c>): its "
            + "neurons' patterns join the sampled ones and its weights start the solve, so the certified optimum is at most its "
            + "objective in the program's terms (printed with the optimum). Kernel and stride default to its conv's.";

    /** The two-layer program's settings with these options applied. */
    ConvexSettings applyTo(ConvexSettings s) {
        if (kernel != null || stride != null) {
            int k = kernel != null ? kernel : s.kernel(), st = stride != null ? stride : s.stride();
            if (k <= 0) throw new IllegalArgumentException("--kernel must be > 0, got " + k);
            if (st <= 0) throw new IllegalArgumentException("--stride must be > 0, got " + st);
            s = s.withPatches(k, st);
        }
        if (noBias) s = s.withBias(false);
        if (patterns != null) {
            if (patterns <= 0) throw new IllegalArgumentException("--patterns must be > 0, got " + patterns);
            s = s.withPatterns(patterns);
        }
        if (lambdaFraction != null) {
            if (!(lambdaFraction > 0 && lambdaFraction < 1)) throw new IllegalArgumentException("--lambda-fraction must be in (0, 1), got " + lambdaFraction);
            s = s.withLambdaFraction(lambdaFraction);
        }
        if (lambda != null) {
            if (!(lambda > 0)) throw new IllegalArgumentException("--lambda must be > 0, got " + lambda);
            s = s.withLambda(lambda);
        }
        if (loss != null) s = s.withLoss(parseLoss(loss));
        if (tol != null) {
            if (!(tol > 0)) throw new IllegalArgumentException("--tol must be > 0, got " + tol);
            s = s.withTolerance(tol);
        }
        if (maxIter != null) {
            if (maxIter <= 0) throw new IllegalArgumentException("--max-iter must be > 0, got " + maxIter);
            s = s.withMaxIterations(maxIter);
        }
        return s;
    }

    /** The CNN programs' settings (circular, three-layer, pooled) with these options applied. */
    CnnProgramTrainer.Settings applyTo(CnnProgramTrainer.Settings s) {
        int k = kernel != null ? kernel : s.kernel(), st = stride != null ? stride : s.stride();
        if (k <= 0) throw new IllegalArgumentException("--kernel must be > 0, got " + k);
        if (st <= 0) throw new IllegalArgumentException("--stride must be > 0, got " + st);
        double lf = lambdaFraction != null ? lambdaFraction : s.lambdaFraction();
        double l = lambda != null ? lambda : lambdaFraction != null ? 0 : s.lambda();
        return s.withPatches(k, st, !noBias && s.bias()).withPatterns(patterns != null ? patterns : s.patterns()).withLambda(lf, l)
                .withLoss(loss != null ? parseLoss(loss) : s.loss()).withTolerance(tol != null ? tol : s.tolerance())
                .withIterations(maxIter != null ? maxIter : s.maxIterations(), s.maxOuter());
    }

    private static Loss parseLoss(String v) {
        try {
            return Loss.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--loss: " + e.getMessage());
        }
    }
}
