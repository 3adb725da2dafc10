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
                        + "global optimality over the sampled patterns.",
                PAPER, new MethodInfo.Fidelity(MethodInfo.Kind.PAPER, "the program and solver as the papers and scnn state them"));
    }

    @Override public ConvexSettings defaults(DataInfo data) { return ConvexSettings.defaults(); }
    @Override public long seed(ConvexSettings s) { return s.seed(); }

    @Override
    public String describe(ConvexSettings s) {
        return String.format("%d patterns, %dx%d patches stride %d, ≤ %,d R-FISTA iterations", s.patterns(), s.kernel(), s.kernel(),
                s.stride(), s.maxIterations());
    }
    @Override public ConvexSettings withSeed(ConvexSettings s, long seed) { return s.withSeed(seed); }

    @Override
    public Plan<ConvexSettings> plan(Budget b, DataInfo data) {
        return b.pick(new Plan<>(10_000, defaults(data).withPatterns(32).withMaxIterations(2_000)),
                new Plan<>(20_000, defaults(data).withPatterns(64).withMaxIterations(10_000)),
                new Plan<>(2_000, defaults(data).withPatterns(6).withMaxIterations(2_000)));
    }

    @Override public MethodOptions<ConvexSettings> options() { return new Options(); }

    /** gated-relu's options. */
    public static final class Options extends ConvexProgramOptions implements MethodOptions<ConvexSettings> {
        @Option(names = "--solver-precision", description = "With the squared loss (Gram or GEMM products): mixed = float products for "
                + "the iterations, certificate from a double product; double = double throughout (default: mixed).")
        String solverPrecision;
        @Option(names = "--products", paramLabel = "FORM", description = "How the program's products are computed: gram (on ΦᵀΦ), "
                + "gemm (GEMMs over the patches, Φ never formed) or streamed (Φ held); default: a cost model chooses and says why.")
        String products;
        @Option(names = "--gap-tol", paramLabel = "G", description = "Squared loss: stop only when the relative duality gap is also "
                + "at most G (it bounds the objective's distance to the optimum); default: the certificate alone.")
        Double gapTol;
        @Option(names = "--patterns-from", paramLabel = "MODEL", description = PATTERNS_FROM)
        java.nio.file.Path patternsFrom;
        @Option(names = "--generate-patterns", paramLabel = "ROUNDS", description = GENERATE)
        Integer generateRounds;
        @Option(names = "--candidates", paramLabel = "N", description = CANDIDATES)
        Integer candidates;

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
            rec.message(String.format("solving: %d samples; %s, %d patterns, %dx%d patches, stride %d", train.size(), s.program(),
                    s.patterns(), s.kernel(), s.kernel(), s.stride()));
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
                    .line("program", "%s, λ = %.4g (λ_max %.4g), %s loss, %d patterns kept of %s", s.program(), run.lambda(),
                            run.lambdaMax(), s.loss().id(), run.gates().count(), patternCount(s, run));
            com.google.gson.JsonObject prov = run.provenance();
            if (prov.has("products")) {
                b.line("products", "%s, %s", prov.get("products").getAsString(), prov.get("productsWhy").getAsString());
                if (prov.has("productGflops")) {
                    b.line("product rate", "%.1f GFLOP/s in the products = %.0f %% of sgemm (%.1f GFLOP/s, measured in this run); %s",
                            prov.get("productGflops").getAsDouble(), 100 * prov.get("productShareOfSgemm").getAsDouble(),
                            prov.get("sgemmGflops").getAsDouble(), prov.get("productPrecision").getAsString().equals("mixed")
                                    ? "float products, certificate from double ones" : "double products");
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
            if (s.exact()) {
                b.line("constraint violation", "%.3g", run.violation());
                b.line("recovered CNN", "%d neurons: %s", run.network().neurons(), run.relu().spec());
            }
            b.line("iterations", "%d in %.1f s", run.iterations(), run.seconds());
            b.line("train accuracy", "%.2f %%", 100 * trainEval.accuracy());
            Training.ownFigures(run.provenance()).entrySet().forEach(e -> b.figure(e.getKey(), e.getValue()));
            return b.figure("iterations", run.iterations()).figure("trainAccuracy", trainEval.accuracy()).build();
        }
    }
}
