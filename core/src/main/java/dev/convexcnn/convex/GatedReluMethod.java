package dev.convexcnn.convex;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.method.Budget;
import dev.convexcnn.method.Checkpointer;
import dev.convexcnn.method.DataInfo;
import dev.convexcnn.method.Method;
import dev.convexcnn.method.MethodInfo;
import dev.convexcnn.method.MethodOptions;
import dev.convexcnn.method.Plan;
import dev.convexcnn.method.Trace;
import dev.convexcnn.method.TrainContext;
import dev.convexcnn.method.Trained;
import dev.convexcnn.method.Training;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.optim.Certificate;
import com.google.gson.JsonObject;
import picocli.CommandLine.Option;

/** The gated-ReLU relaxation of the two-layer CNN's convex program, solved by R-FISTA to its certificate. */
public final class GatedReluMethod implements Method<ConvexSettings> {
    static final String PAPER = "Ergen and Pilanci, Implicit Convex Regularizers of CNN Architectures: Convex Optimization of "
            + "Two- and Three-Layer Networks in Polynomial Time, ICLR 2021 (arXiv 2006.14798); solver as in Mishkin, Sahiner "
            + "and Pilanci, Fast Convex Optimization for Two-Layer ReLU Networks, ICML 2022 (arXiv 2202.01331)";

    @Override public String id() { return "gated-relu"; }

    @Override
    public MethodInfo info() {
        return new MethodInfo("two-layer gated-ReLU CNN, convex program solved by R-FISTA, with certificate",
                "The two-layer CNN whose ReLUs are replaced by fixed gates 1[z·g > 0] (sampled activation patterns) is a "
                        + "group-lasso least-squares problem over the patches: convex, solved by R-FISTA (FISTA with line search "
                        + "and restarts) until the squared min-norm subgradient is below the tolerance, a certificate of "
                        + "global optimality over the sampled patterns. By default each pattern has output weights per 3×3 "
                        + "window of the feature map (where a feature is stays known), and the solve starts from a reweighted "
                        + "ridge solution of the normal equations; the relative duality gap is printed beside the certificate.",
                PAPER, new MethodInfo.Fidelity(MethodInfo.Kind.PAPER, "the program and solver as the papers and scnn state them; "
                        + "the default A×A windows with per-window output weights (--pool) are our derivation, the gated relaxation of "
                        + "the average-pooling CNN, checked against that program; --pool 0 gives the papers' global sum; the GEMM form's "
                        + "R-FISTA prices fewer trial steps than scnn's (ours: no growth that the curvature along the last "
                        + "move says would fail), each accepted by scnn's test"));
    }

    /**
     * 32 Gaussian patterns, each over the 3×3 windows of the feature map (where it divides so), λ = 1e-5·λ_max: on
     * full MNIST and Fashion-MNIST the accuracy of the reference CNN's class (docs/convex.md); 32 × 9 × 26 = 7,488
     * columns keep the Gram form (at most {@link GramGatedProgram#MAX_COLUMNS}).
     */
    @Override public ConvexSettings defaults(DataInfo data) {
        return ConvexSettings.defaults().withPool(ConvexSettings.AUTO_POOL).withPatterns(patternsFor(data.samples()))
                .withLambdaFraction(DEFAULT_LAMBDA_FRACTION).withMaxIterations(DEFAULT_MAX_ITERATIONS);
    }

    static final int DEFAULT_PATTERNS = 32;

    /**
     * Patterns for n training images (0: not known yet): 32 from 10,000 images on; fewer on small sets, where the
     * start's Cholesky solves of 7,488 columns would take a minute for a problem of seconds (16 from 3,000, else 8).
     */
    static int patternsFor(int samples) {
        if (samples <= 0 || samples >= 10_000) return DEFAULT_PATTERNS;
        return samples >= 3_000 ? 16 : 8;
    }
    static final double DEFAULT_LAMBDA_FRACTION = 1e-5;
    static final int DEFAULT_MAX_ITERATIONS = 20_000;
    @Override public long seed(ConvexSettings s) { return s.seed(); }

    @Override
    public String describe(ConvexSettings s) {
        String pool = s.pool() == ConvexSettings.AUTO_POOL ? ", 3×3 windows" : s.pool() > 0 ? ", " + s.pool() + "×" + s.pool() + "-position windows" : "";
        return String.format("%d patterns%s, %dx%d patches stride %d, λ = %s, ≤ %,d R-FISTA iterations", s.patterns(), pool,
                s.kernel(), s.kernel(), s.stride(), s.lambda() > 0 ? String.format("%.3g", s.lambda()) : String.format("%.3g·λ_max", s.lambdaFraction()),
                s.maxIterations());
    }
    @Override public ConvexSettings withSeed(ConvexSettings s, long seed) { return s.withSeed(seed); }

    @Override
    public Plan<ConvexSettings> plan(Budget b, DataInfo data) {
        return b.pick(new Plan<>(10_000, defaults(data).withMaxIterations(2_000)),
                new Plan<>(60_000, defaults(data)),
                new Plan<>(2_000, defaults(data).withPatterns(6).withMaxIterations(2_000)));
    }

    @Override public MethodOptions<ConvexSettings> options() { return new Options(); }

    /** gated-relu's options. */
    public static final class Options extends ConvexProgramOptions implements MethodOptions<ConvexSettings> {
        @Option(names = "--solver-precision", description = "With the squared loss (Gram or GEMM products; for convex-relu, its inner "
                + "solves' products): mixed = float products for the iterations, certificate from a double product; double = double "
                + "throughout (default: mixed).")
        String solverPrecision;
        @Option(names = "--products", paramLabel = "FORM", description = "How the program's products are computed: gram (on ΦᵀΦ), "
                + "gemm (GEMMs over the patches, Φ never formed) or streamed (Φ held); default: a cost model chooses and says why.")
        String products;
        @Option(names = "--screening", paramLabel = "on|off", description = "GEMM products, squared loss: between checks of the "
                + "whole certificate (every 10 iterations, and whenever the working set's holds), multiply by Φᵀ only the groups that are "
                + "not zero or whose gradient is within 10 %% of λ; the solve still stops only on the whole certificate (default: on; "
                + "off with --gap-tol).")
        String screening;
        @Option(names = "--gap-tol", paramLabel = "G", description = "Squared loss: stop only when the relative duality gap is also "
                + "at most G (it bounds the objective's distance to the optimum); default: the certificate alone.")
        Double gapTol;
        @Option(names = "--patterns-from", paramLabel = "MODEL", description = PATTERNS_FROM)
        java.nio.file.Path patternsFrom;
        @Option(names = "--generate-patterns", paramLabel = "ROUNDS", description = GENERATE)
        Integer generateRounds;
        @Option(names = "--candidates", paramLabel = "N", description = CANDIDATES)
        Integer candidates;
        @Option(names = "--pool", paramLabel = "A", description = "Keep where a feature is: cut the feature map into A×A windows, "
                + "each pattern with output weights per window (the gated relaxation of conv-ReLU-avgpool(A)-linear); 0 = one global "
                + "sum over all positions (default: 3×3 windows where the map allows, e.g. A = 8 for 5×5 patches of 28×28 images).")
        Integer pool;
        @Option(names = "--gates", paramLabel = "HOW", description = "How the gate filters are drawn: patches (the hyperplane "
                + "halfway between two random training patches) or gaussian (standard normal); default: gaussian.")
        String gates;

        @Override
        public ConvexSettings apply(ConvexSettings s) {
            s = applyGeneration(applyPatternsFrom(applyTo(s), patternsFrom), generateRounds, candidates);
            if (solverPrecision != null) {
                try {
                    s = s.withPrecision(RFista.Precision.parse(solverPrecision));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--solver-precision: " + e.getMessage());
                }
            }
            if (products != null) s = s.withProducts(ProductForm.parse(products));
            if (screening != null) {
                switch (screening.trim().toLowerCase(java.util.Locale.ROOT)) {
                    case "on" -> s = s.withScreening(true);
                    case "off" -> s = s.withScreening(false);
                    default -> throw new IllegalArgumentException("--screening must be on or off, got '" + screening + "'");
                }
            }
            if (pool != null) {
                if (pool < 0) throw new IllegalArgumentException("--pool must be >= 0 (0: global sum), got " + pool);
                s = s.withPool(pool);
            }
            if (gates != null) s = s.withGateSampling(Gates.Sampling.parse(gates));
            if (gapTol != null) {
                if (!(gapTol > 0 && gapTol < 1)) throw new IllegalArgumentException("--gap-tol must be in (0, 1), got " + gapTol);
                s = s.withGapTolerance(gapTol);
            }
            return s;
        }
    }

    @Override public boolean resumable() { return true; }
    @Override public boolean checkpointsSolverState() { return true; }

    @Override
    public Trained train(Dataset train, ConvexSettings s, TrainContext ctx) throws java.io.IOException {
        return TwoLayer.train(id(), train, s.withProgram("gated-relu"), ctx);
    }

    /** "16", or "33 (16 sampled, 16 from the start network, 1 for its output bias)". */
    static String patternCount(ConvexSettings s, ConvexTrainer.Run run) {
        String base = patternCountBeforeGeneration(s, run);
        if (!run.provenance().has("generation")) return base;
        int added = 0;
        for (var e : run.provenance().getAsJsonObject("generation").getAsJsonArray("rounds")) added += e.getAsJsonObject().get("added").getAsInt();
        return base + " + " + added + " generated";
    }

    private static String patternCountBeforeGeneration(ConvexSettings s, ConvexTrainer.Run run) {
        if (!run.provenance().has("startNeurons")) return String.valueOf(s.patterns());
        int m = run.provenance().get("startNeurons").getAsInt(), b = s.bias() ? 1 : 0;
        return String.format("%d (%d sampled, %d from the start network%s)", s.patterns() + m + b, s.patterns(), m,
                b == 1 ? ", 1 for its output bias" : "");
    }

    /** What the gated and the exact two-layer methods share: the solve, the trace and the printed lines. */
    static final class TwoLayer {
        private TwoLayer() {}

        static Trained train(String method, Dataset train, ConvexSettings s, TrainContext ctx) throws java.io.IOException {
            Trace.Recorder rec = new Trace.Recorder("iteration", s.exact() ? "augmented Lagrangian objective" : "regularised convex objective",
                    // The exact program's steps are inner iterations summed over its augmented-Lagrangian steps.
                    s.exact() ? (long) s.maxIterations() * ConvexTrainer.MAX_OUTER : s.maxIterations(), ctx.progress());
            int window = s.windowFor(PatchGeometry.of(train, s.kernel(), s.stride(), s.bias()));
            rec.message(String.format("solving: %d samples; %s, %d %s patterns, %dx%d patches, stride %d%s", train.size(), s.program(),
                    s.patterns(), s.gateSampling().id(), s.kernel(), s.kernel(), s.stride(), window > 0 ? String.format(
                            ", each over %d windows of %dx%d positions with output weights of their own (our %s of "
                                    + "conv-ReLU-avgpool(%d)-linear)", Gates.windowCount(PatchGeometry.of(train, s.kernel(),
                                    s.stride(), s.bias()), window), window, window,
                            s.exact() ? "derivation: the exact program" : "extension: the gated relaxation", window) : ""));
            ConvexTrainer.Run run;
            try (Checkpointer ck = Checkpointer.of(ctx, method, ConvexTrainer.fingerprint(s, train))) {
                run = new ConvexTrainer(s).fit(train, st -> rec.step(st.iteration(), st.objective(), Double.NaN, st.certificate()), ck);
            }
            Evaluation trainEval = run.evaluate(train);
            dev.convexcnn.model.Model model = s.exact()
                    ? new dev.convexcnn.model.NetworkModel(run.relu(), run.normalization())
                    : GatedModelFile.GatedModel.of(run, train.classes());
            Certificate cert = s.exact() ? new Certificate.AugmentedLagrangian(run.certificate(), run.violation(), s.tolerance())
                    : new Certificate.MinNormSubgradient(run.certificate(), s.tolerance());
            Trained.Builder b = Trained.of(model, rec.trace()).certificate(cert)
                    .line("program", "%s, λ = %.4g (λ_max %.4g), %s loss, %s", s.program(), run.lambda(),
                            run.lambdaMax(), s.loss().id(), run.gates().windowed()
                                    ? String.format("%d (pattern, window) pairs kept of %s patterns × %d windows", run.gates().count(),
                                            patternCount(s, run), Gates.windowCount(run.geometry(), run.gates().window()))
                                    : String.format("%d patterns kept of %s", run.gates().count(), patternCount(s, run)));
            com.google.gson.JsonObject prov = run.provenance();
            if (prov.has("start")) b.line("start", "%s (%.1f s), then R-FISTA to the certificate", prov.get("start").getAsString(),
                    prov.get("startSeconds").getAsDouble());
            if (prov.has("products")) {
                b.line("products", "%s, %s", prov.get("products").getAsString(), prov.get("productsWhy").getAsString());
                if (prov.has("productGflops")) {
                    b.line("product rate", "%.1f GFLOP/s in the products = %.0f %% of sgemm (%.1f GFLOP/s, measured in this run); %s",
                            prov.get("productGflops").getAsDouble(), 100 * prov.get("productShareOfSgemm").getAsDouble(),
                            prov.get("sgemmGflops").getAsDouble(), prov.get("productPrecision").getAsString().equals("mixed")
                                    ? "float products, certificate from double ones" : "double products");
                }
                if (prov.has("screening") && prov.get("screening").getAsBoolean()) {
                    b.line("screening", "products with Φᵀ over a working set of groups between whole checks (every 10 iterations); "
                            + "the certificate is the whole program's");
                }
            }
            b.line("objective", "%.8g", run.objective());
            if (prov.has("stoppedBy")) {
                b.line("stopped by", "%s (certificate %.3g, tolerance %.3g; relative duality gap %s)", prov.get("stoppedBy").getAsString(),
                        run.certificate(), s.tolerance(), prov.has("gap") ? String.format(java.util.Locale.ROOT, "%.3g%s",
                                prov.get("gap").getAsDouble(), s.gapTolerance() > 0 ? String.format(java.util.Locale.ROOT, ", tolerance %.3g", s.gapTolerance()) : "")
                                : "not computed");
            }
            if (prov.has("generation")) {
                com.google.gson.JsonObject gen = prov.getAsJsonObject("generation");
                StringBuilder per = new StringBuilder();
                int added = 0;
                for (var e : gen.getAsJsonArray("rounds")) {
                    com.google.gson.JsonObject r = e.getAsJsonObject();
                    added += r.get("added").getAsInt();
                    per.append(per.length() == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "round %d: +%d (%d candidates over λ)",
                            r.get("round").getAsInt(), r.get("added").getAsInt(), r.get("violating").getAsInt()));
                }
                b.line("pattern generation", "%d round%s, %d patterns added%s; objective %.8g -> %.8g, train accuracy %.2f %% -> %.2f %%, search %.1f s",
                        gen.getAsJsonArray("rounds").size(), gen.getAsJsonArray("rounds").size() == 1 ? "" : "s", added,
                        per.length() == 0 ? "" : " (" + per + ")", gen.get("objectiveBefore").getAsDouble(), run.objective(),
                        100 * gen.get("trainAccuracyBefore").getAsDouble(), 100 * trainEval.accuracy(), gen.get("searchSeconds").getAsDouble());
                double ratio = gen.get("largestViolationRatio").getAsDouble();
                b.line("global optimality", "largest violation found: v/λ = %.4f among %d candidates (%s); the certificate above is over the %d patterns used",
                        ratio, gen.get("candidates").getAsInt(), ratio <= 1 + gen.get("margin").getAsDouble()
                                ? "none above λ: no better pattern found, not a proof" : "above λ: the optimum over all patterns is lower",
                        run.gates().count());
                b.figure("objectiveBefore", gen.get("objectiveBefore").getAsDouble())
                        .figure("trainAccuracyBefore", gen.get("trainAccuracyBefore").getAsDouble())
                        .figure("largestViolationRatio", ratio).figure("patternsAdded", added)
                        .figure("generationRounds", gen.getAsJsonArray("rounds").size());
            }
            if (prov.has("startObjective")) {
                double start = prov.get("startObjective").getAsDouble();
                b.line("start network", "%s: %d neurons, objective %.8g in the program's terms (violation %.2g); %.8g with its own "
                                + "weight decay", prov.get("patternsFrom").getAsString(), prov.get("startNeurons").getAsInt(), start,
                        prov.get("startViolation").getAsDouble(), prov.get("startOwnDecayObjective").getAsDouble());
                b.line("optimum vs start", "%.8g %s %.8g (%s)", run.objective(), run.objective() <= start ? "≤" : ">", start,
                        run.objective() <= start ? "the convex optimum is at or below the network's objective"
                                : "above: the solve stopped before the start's objective");
                b.figure("startObjective", start).figure("startOwnDecayObjective", prov.get("startOwnDecayObjective").getAsDouble());
            }
            if (prov.has("workingSet")) {
                com.google.gson.JsonObject ws = prov.getAsJsonObject("workingSet");
                long held = ws.get("rowsHeld").getAsLong(), total = ws.get("rowsTotal").getAsLong();
                b.line("constraints", "working set: %,d of %,d (row, pattern) pairs held (%.2f %%) after %d rounds of a full scan; "
                                + "violation over all distinct constraints %.3g", held, total, 100.0 * held / total, ws.getAsJsonArray("rounds").size(),
                        run.violation());
                b.figure("constraintRowsHeld", held).figure("constraintRowsTotal", total).figure("constraintRounds", ws.getAsJsonArray("rounds").size());
            }
            if (s.exact()) {
                b.line("constraint violation", "%.3g", run.violation());
                if (prov.has("slackness")) {
                    b.line("complementary slackness", "Σ (γ·h)² = %.3g (part of the stop rule, with stationarity and violation)",
                            prov.get("slackness").getAsDouble());
                }
                b.line("recovered CNN", "%d neurons: %s", run.network().neurons(), run.relu().spec());
            }
            // The working set's clock goes on across a resume: a resumed run's own seconds are only its part.
            double solveSeconds = Double.NaN;
            if (prov.has("workingSet")) {
                com.google.gson.JsonArray rounds = prov.getAsJsonObject("workingSet").getAsJsonArray("rounds");
                if (!rounds.isEmpty()) solveSeconds = rounds.get(rounds.size() - 1).getAsJsonObject().get("seconds").getAsDouble();
            }
            b.iterations(run.iterations(), run.seconds(), solveSeconds);
            b.line("train accuracy", "%.2f %%", 100 * trainEval.accuracy());
            Training.ownFigures(run.provenance()).entrySet().forEach(e -> b.figure(e.getKey(), e.getValue()));
            return b.figure("iterations", run.iterations()).figure("trainAccuracy", trainEval.accuracy()).build();
        }
    }
}
