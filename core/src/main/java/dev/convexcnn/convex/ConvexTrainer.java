package dev.convexcnn.convex;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.io.SolverCheckpoint;
import dev.convexcnn.method.Checkpointer;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.optim.GroupLasso;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Trains a two-layer CNN by its convex program: samples the patterns, builds the per-pattern features, picks λ,
 * solves the gated relaxation by R-FISTA or the exact program by the augmented Lagrangian, and returns the model
 * with its certificate. For the exact program the model is an ordinary ReLU CNN ({@link ReluNetwork}).
 */
public final class ConvexTrainer {
    private final ConvexSettings settings;

    public ConvexTrainer(ConvexSettings settings) {
        this.settings = settings;
    }

    /** One line of the solver log: iteration (inner iterations summed for the exact program), objective, certificate. */
    public record Step(int iteration, double objective, double certificate, double violation, double seconds) {}

    /**
     * A finished run.
     *
     * @param weights      W (p·h × c) for the gated program; [V; V′] for the exact one
     * @param certificate  squared norm of the minimum-norm subgradient at the end (of the AL objective, for the
     *                     exact program)
     * @param violation    squared constraint violation (0 for the gated program)
     * @param network      the recovered ReLU CNN (exact program) or null
     */
    public record Run(ConvexSettings settings, PatchGeometry geometry, Normalization normalization, Gates gates,
                      double lambda, double lambdaMax, double[] weights, double objective, double certificate,
                      double violation, boolean converged, int iterations, double seconds, List<Step> log,
                      ReluNetwork network, JsonObject provenance) {

        /** Logits (n × c) of the model on d. */
        public double[] logits(Dataset d) {
            double[] w = settings.exact() ? ExactReluProgram.difference(weights) : weights;
            return GatedFeatures.logits(d, normalization, geometry, gates, w, d.classes());
        }

        /** Accuracy, loss and confusion of the gated model (which, for the exact program, is the ReLU network on
         * the training data only); for the exact program use {@link #relu()} on new data. */
        public Evaluation evaluateGated(Dataset d) {
            return evaluation(logits(d), d);
        }

        /** The recovered ReLU CNN as an nn network (exact program only). */
        public Sequential relu() {
            if (network == null) throw new IllegalStateException("the gated program recovers no ReLU network");
            return network.toSequential();
        }

        /** The model's accuracy on d: the ReLU CNN for the exact program, the gated network otherwise. */
        public Evaluation evaluate(Dataset d) {
            return network != null ? Evaluation.of(relu(), d, normalization, 512) : evaluateGated(d);
        }
    }

    public static Evaluation evaluation(double[] z, Dataset d) {
        return Evaluation.ofLogits(z, d);
    }

    /**
     * The exact program's first ρ, in units of {@link ExactReluProgram#penaltyScale()}: 4 balanced the inner
     * solves' conditioning against the multipliers' progress on MNIST (n = 200, docs/convex.md).
     */
    static final double INITIAL_RHO = 4;

    /** The exact program's cap on augmented-Lagrangian steps (each up to --max-iter R-FISTA iterations). */
    static final int MAX_OUTER = 50;

    /** Σ_g ‖x_g‖ of the exact program's variable (two blocks). */
    private static double exactPenalty(double[] x, int gates, int size, int classes) {
        return new GroupLasso(2, gates, size, classes, 1).value(x);
    }

    public Run fit(Dataset train, Consumer<Step> listener) {
        try {
            return fit(train, listener, Checkpointer.none());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no checkpoint: cannot happen
        }
    }

    /**
     * What a run's state depends on: the settings (all but the gated program's iteration cap, which only says when
     * to stop) and the data.
     */
    public static JsonObject fingerprint(ConvexSettings s, Dataset train) {
        JsonObject settings = s.toJson();
        if (!s.exact()) settings.remove("maxIterations");
        return Checkpointer.fingerprint(settings, train);
    }

    /**
     * {@link #fit(Dataset, Consumer)} saving the solver's state through {@code ck} (every interval, at the end of
     * each solve, on SIGTERM) and, when resuming, continuing from the saved state to the uninterrupted run's result.
     */
    public Run fit(Dataset train, Consumer<Step> listener, Checkpointer ck) throws IOException {
        final ConvexSettings s = settings;
        SolverCheckpoint from = ck.resumeFrom();
        if (from != null && s.generationRounds() > 0) {
            throw new IllegalArgumentException(from.source() + ": a run with --generate-patterns cannot resume; start afresh without --resume");
        }
        long t0 = System.nanoTime();
        Normalization norm = Normalization.fit(train);
        PatchGeometry geom = PatchGeometry.of(train, s.kernel(), s.stride(), s.bias());
        int c = train.classes();
        Gates all = Gates.of(s, train, norm, geom);
        NetworkStart start = null;
        if (s.patternsFrom() != null) {
            try {
                start = NetworkStart.load(java.nio.file.Path.of(s.patternsFrom()), geom, norm, c);
            } catch (java.io.IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
            all = all.concat(start.gates(geom.bias()));
        }
        List<Step> log = new ArrayList<>();
        Consumer<Step> record = st -> {
            log.add(st);
            if (listener != null) listener.accept(st);
        };
        if (from != null) {
            for (Step st : loadLog(from)) record.accept(st);
        }
        final NetworkStart st0 = start;
        int blocks = s.exact() ? 2 : 1;
        Solved sv = solve(train, norm, geom, all, start, -1, keep -> st0 != null ? st0.point(keep, s.patterns(), blocks) : null,
                null, from, ck, record, log, 0, t0);
        double objective0 = sv.objective, certificate0 = sv.certificate;
        boolean converged0 = sv.converged;
        Evaluation trainEval0 = s.generationRounds() > 0 ? ((sv.network != null)
                ? Evaluation.of(sv.network.toSequential(), train, norm, 512)
                : evaluation(GatedFeatures.logits(train, norm, geom, sv.gates, sv.weights, c), train)) : null;
        // Pattern generation: the dual point ν is the residual's gradient at the solution; a filter whose
        // |Σ_i ν_ik Σ_p (u·z_ip)₊| exceeds λ would enter the optimum. Add the ones found, re-solve from the old
        // solution (zero weights on the new gates), until none is found among the candidates.
        List<int[]> rounds = new ArrayList<>();                     // {round, candidates over λ(1+margin), added}
        double largest = Double.NaN;
        int tried = 0;
        double generationSeconds = 0;
        for (int round = 1; round <= s.generationRounds() + 1 && s.generationRounds() > 0; round++) {
            long g0 = System.nanoTime();
            double[] logits = GatedFeatures.logits(train, norm, geom, sv.gates, s.exact() ? ExactReluProgram.difference(sv.weights) : sv.weights, c);
            double[] nu = PatternSearch.dual(logits, train.labels(), c, s.loss());
            List<PatternSearch.Candidate> found = PatternSearch.search(train, norm, geom, nu, c, sv.gates, s.candidates(),
                    SEARCH_STEPS, s.seed() * 1_000_003L + round);
            tried = found.size();
            largest = found.get(0).value() / sv.lambda;
            generationSeconds += (System.nanoTime() - g0) / 1e9;
            if (round > s.generationRounds()) break;                  // the last search only measures
            List<double[]> add = new ArrayList<>();
            int over = 0;
            for (PatternSearch.Candidate cand : found) {
                if (cand.value() <= sv.lambda * (1 + GENERATION_MARGIN)) break;
                over++;
                boolean same = add.stream().anyMatch(f -> cosine(f, cand.filter()) > 1 - 1e-9);
                if (!same && add.size() < Math.max(MIN_ADDED_CAP, s.patterns())) add.add(cand.filter());
            }
            rounds.add(new int[] {round, over, add.size()});
            if (add.isEmpty()) break;
            int h = geom.patchSize(), m = add.size();
            double[] g = new double[h * m];
            for (int j = 0; j < m; j++) for (int t = 0; t < h; t++) g[t * m + j] = add.get(j)[t];
            Gates grown = sv.gates.concat(new Gates(h, m, g));
            double[] warm = extend(sv.weights, blocks, sv.gates.count(), grown.count(), h, c);
            Solved prev = sv;
            int before = prev.gates.count();
            // The exact program's re-solve holds the old patterns' rows from its first round (the new ones start
            // with none), so it does not find them again from the relaxation.
            java.util.function.Function<int[], ConstraintWorkingSet.Warm> warmSet = prev.workingSet == null ? null : keep -> {
                int[] old = new int[keep.length];
                for (int a = 0; a < keep.length; a++) old[a] = keep[a] < before ? keep[a] : -1;
                return prev.workingSet.warmFor(old);
            };
            // Its lines are said as the first solve's are; its state is not saved (such a run does not resume).
            sv = solve(train, norm, geom, grown, null, prev.lambda, keep -> restrict(warm, keep, blocks, grown.count(), h, c),
                    warmSet, null, ck.messagesOnly(), record, log, log.isEmpty() ? 0 : log.get(log.size() - 1).iteration(), System.nanoTime());
            sv.lambdaMax = prev.lambdaMax;
            sv.iterations += prev.iterations;
            sv.buildSeconds += prev.buildSeconds;
            sv.startObjective = prev.startObjective;
            sv.startViolation = prev.startViolation;
            sv.startLoss = prev.startLoss;
        }
        final Gates gates = sv.gates;
        final double lambda = sv.lambda, lambdaMax = sv.lambdaMax;
        final double[] weights = sv.weights;
        final double objective = sv.objective, certificate = sv.certificate, violation = sv.violation;
        final boolean converged = sv.converged;
        final int iterations = sv.iterations;
        final ReluNetwork network = sv.network;
        final ProductForm form = sv.form;
        final ProductForm.Choice choice = sv.choice;
        final GemmGatedProgram gemm = sv.gemm;
        final GramGatedProgram gram = sv.gram;
        final CompositeObjective gated = sv.gated;
        final boolean quadratic = sv.quadratic;
        final double gap = sv.gap;
        final String stoppedBy = sv.stoppedBy;
        final double buildSeconds = sv.buildSeconds;
        final double startObjective = sv.startObjective, startViolation = sv.startViolation, startLoss = sv.startLoss;
        double solveSeconds = (System.nanoTime() - t0) / 1e9 - buildSeconds - generationSeconds;
        JsonObject prov = Provenance.base();
        prov.addProperty("method", s.program());
        prov.add("settings", s.toJson());
        prov.addProperty("seed", s.seed());
        prov.addProperty("lambda", lambda);
        prov.addProperty("lambdaMax", lambdaMax);
        prov.addProperty("patternsKept", gates.count());
        prov.addProperty("products", form.id());
        prov.addProperty("productsWhy", choice.why());
        // Screening applies where the solver is the factored one (GEMM form, squared loss) and no gap rule is set.
        prov.addProperty("screening", s.screening() && quadratic && form == ProductForm.GEMM && s.gapTolerance() == 0);
        // The Gram and GEMM forms have float products with the squared loss, as have the exact program's inner solves
        // where its loss is a quadratic; the certificate is a double one always.
        prov.addProperty("productPrecision", quadratic && form != ProductForm.STREAMED || sv.exactQuadratic ? s.precision().id() : "double");
        double sgemm = dev.convexcnn.linalg.GemmProbe.sgemmRemeasured();
        prov.addProperty("sgemmGflops", sgemm);
        double productFlops = Double.NaN, productSeconds = Double.NaN;
        if (gemm != null) {
            productFlops = gemm.patchProducts().flops();
            productSeconds = gemm.patchProducts().seconds();
        } else if (gram != null && !s.exact()) {
            productFlops = ((GramGatedProgram) gated).productFlops();
            productSeconds = ((GramGatedProgram) gated).productSeconds();
        }
        if (productSeconds > 0) {
            double rate = productFlops / productSeconds / 1e9;
            prov.addProperty("productGflops", rate);
            prov.addProperty("productShareOfSgemm", rate / sgemm);
            prov.addProperty("productSeconds", productSeconds);
        }
        prov.addProperty("buildSeconds", buildSeconds);
        if (!Double.isNaN(sv.ridgeSeconds)) {
            prov.addProperty("start", "reweighted ridge, " + sv.ridgeSteps + " of at most " + RIDGE_START_STEPS + " steps");
            prov.addProperty("startSeconds", sv.ridgeSeconds);
        }
        prov.addProperty("solveSeconds", solveSeconds);
        prov.addProperty("stoppedBy", stoppedBy);
        if (!Double.isNaN(gap)) prov.addProperty("gap", gap);
        prov.addProperty("objective", objective);
        prov.addProperty("certificate", certificate);
        prov.addProperty("violation", violation);
        // The KKT residual's third part: Σ (γ·h)² at the last multiplier update (the stop rule holds it to the
        // tolerance with stationarity and violation).
        if (!Double.isNaN(sv.slackness)) prov.addProperty("slackness", sv.slackness);
        prov.addProperty("converged", converged);
        if (sv.rowsHeld >= 0) {
            JsonObject ws = new JsonObject();
            ws.addProperty("rowsHeld", sv.rowsHeld);
            ws.addProperty("rowsTotal", sv.rowsTotal);
            ws.addProperty("rowsPerGroup", ConstraintWorkingSet.ROWS_PER_GROUP);
            com.google.gson.JsonArray arr = new com.google.gson.JsonArray();
            for (ConstraintWorkingSet.Round r : sv.rounds) {
                JsonObject o = new JsonObject();
                o.addProperty("round", r.round());
                o.addProperty("rowsHeld", r.rowsHeld());
                o.addProperty("rowsAdded", r.rowsAdded());
                o.addProperty("violation", r.fullViolation());
                o.addProperty("stationarity", r.stationarity());
                o.addProperty("innerIterations", r.innerIterations());
                o.addProperty("seconds", r.seconds());
                arr.add(o);
            }
            ws.add("rounds", arr);
            prov.add("workingSet", ws);
        }
        if (start != null) {
            // The network's objective in the program's terms (its point), and with its own weight decay.
            prov.addProperty("patternsFrom", start.source());
            prov.addProperty("startNeurons", start.neurons());
            prov.addProperty("startObjective", startObjective);
            prov.addProperty("startViolation", startViolation);
            prov.addProperty("startOwnDecayObjective", startLoss + lambda * start.ownWeightDecay());
        }
        if (s.generationRounds() > 0) {
            JsonObject gen = new JsonObject();
            gen.addProperty("objectiveBefore", objective0);
            gen.addProperty("certificateBefore", certificate0);
            gen.addProperty("convergedBefore", converged0);
            gen.addProperty("trainAccuracyBefore", trainEval0.accuracy());
            com.google.gson.JsonArray arr = new com.google.gson.JsonArray();
            for (int[] r : rounds) {
                JsonObject o = new JsonObject();
                o.addProperty("round", r[0]);
                o.addProperty("violating", r[1]);
                o.addProperty("added", r[2]);
                arr.add(o);
            }
            gen.add("rounds", arr);
            gen.addProperty("largestViolationRatio", largest);
            gen.addProperty("candidates", tried);
            gen.addProperty("margin", GENERATION_MARGIN);
            gen.addProperty("searchSeconds", generationSeconds);
            prov.add("generation", gen);
        }
        JsonObject data = new JsonObject();
        data.addProperty("train", train.name());
        data.addProperty("trainSize", train.size());
        prov.add("data", data);
        return new Run(s, geom, norm, gates, lambda, lambdaMax, weights, objective, certificate, violation, converged,
                iterations, (System.nanoTime() - t0) / 1e9, List.copyOf(log), network, prov);
    }

    /** A solve's result and what the provenance reports of it. */
    private static final class Solved {
        ProductForm.Choice choice;
        ProductForm form;
        Gates gates;
        double lambda, lambdaMax, objective, certificate, violation, gap = Double.NaN, buildSeconds, ridgeSeconds = Double.NaN;
        double slackness = Double.NaN;
        int ridgeSteps;
        double startObjective = Double.NaN, startViolation = Double.NaN, startLoss = Double.NaN;
        double[] weights;
        boolean converged, quadratic, exactQuadratic;
        int iterations;
        String stoppedBy;
        ReluNetwork network;
        long rowsHeld = -1, rowsTotal;
        ConstraintWorkingSet.Result workingSet;
        final List<ConstraintWorkingSet.Round> rounds = new ArrayList<>();
        GramGatedProgram gram;
        GemmGatedProgram gemm;
        CompositeObjective gated;

        /** The exact program's end point and its certificate (stationarity and violation). */
        void reached(double[] x, double objective, double stationarity, double violation, double slackness, boolean converged, int iterations) {
            this.slackness = slackness;
            this.weights = x;
            this.objective = objective;
            this.certificate = stationarity;
            this.violation = violation;
            this.converged = converged;
            this.iterations = iterations;
        }
    }

    /** Cholesky solves of the Gram form's start ({@link GramGatedProgram#reweightedRidgeStart}). */
    static final int RIDGE_START_STEPS = 6;

    /** At most max(this, --patterns) patterns join per round: the largest violations first. */
    static final int MIN_ADDED_CAP = 8;
    /** Local-ascent steps per start of the violation search. */
    static final int SEARCH_STEPS = 30;
    /** A candidate joins when its value exceeds λ(1 + margin): the solve's own tolerance leaves violations of that order. */
    static final double GENERATION_MARGIN = 1e-3;

    /**
     * Builds the program over the informative gates of {@code all} (λ fixed when fixedLambda &gt; 0, else from the
     * settings) and solves it from x0For(kept gates) (null: zero), the exact program's working set from
     * warmFor(kept gates) (null: none); iterations are logged from offset on.
     */
    private Solved solve(Dataset train, Normalization norm, PatchGeometry geom, Gates all, NetworkStart start, double fixedLambda,
                         java.util.function.Function<int[], double[]> x0For,
                         java.util.function.Function<int[], ConstraintWorkingSet.Warm> warmFor, SolverCheckpoint from, Checkpointer ck,
                         Consumer<Step> record, List<Step> log, int offset, long t0) throws IOException {
        final ConvexSettings s = settings;
        int c = train.classes();
        // A resumed run keeps its products' form: the cost model's choice rests on measured rates, which may differ now.
        ProductForm requested = from != null && from.has("products") ? ProductForm.parse(from.text("products")) : s.products();
        ProductForm.Choice choice = ProductForm.choose(requested, train.size(), geom.patches(), geom.patchSize(), all.count(),
                c, s.loss(), s.exact(), s.precision() == RFista.Precision.MIXED, all.windowed());
        if (requested != s.products()) {
            choice = new ProductForm.Choice(choice.form(), "the form the resumed run started with; " + choice.why().replaceFirst("^asked for by --products; ", ""),
                    choice.gramSeconds(), choice.gemmSeconds(), choice.streamedSeconds());
        }
        ProductForm form = choice.form();
        Solved o = new Solved();
        o.choice = choice;
        o.form = form;
        if (s.gapTolerance() > 0 && (s.exact() || s.loss() != Loss.SQUARED)) {
            throw new IllegalArgumentException("--gap-tol needs the gated program with the squared loss");
        }
        GatedFeatures features = null;
        GramGatedProgram gram = null;
        GemmGatedProgram gemm = null;
        int[] keep;
        if (form == ProductForm.GRAM) {
            gram = GramGatedProgram.build(train, norm, geom, all);
            keep = gram.informativeGates();
            if (keep.length != all.count() && keep.length > 0) gram = gram.select(keep);
        } else if (form == ProductForm.GEMM) {
            PatchProducts products = new PatchProducts(train, norm, geom, all);
            keep = products.informativeGates();
            if (keep.length != all.count() && keep.length > 0) products = products.select(keep);
            gemm = new GemmGatedProgram(products, train.labels(), c, s.loss(), 0);
        } else {
            GatedFeatures full = GatedFeatures.build(train, norm, geom, all);
            keep = full.informativeGates();
            features = keep.length == all.count() ? full : full.select(keep);
        }
        if (keep.length == 0) throw new IllegalArgumentException("no sampled pattern switches on any patch: check the data");
        Gates gates = all.select(keep);
        double lambdaMax = gram != null ? gram.lambdaMax() : gemm != null ? gemm.lambdaMax()
                : GatedReluProgram.lambdaMax(features, train.labels(), c, s.loss());
        double lambda = fixedLambda > 0 ? fixedLambda : s.lambda() > 0 ? s.lambda() : s.lambdaFraction() * lambdaMax;
        CompositeObjective gated = gram != null ? gram.withLambda(lambda) : gemm != null ? gemm.withLambda(lambda)
                : new GatedReluProgram(features, train.labels(), c, s.loss(), lambda);
        o.buildSeconds = (System.nanoTime() - t0) / 1e9;
        if (gemm != null) gemm.patchProducts().resetCounters();
        RFista.Settings rf = new RFista.Settings(s.tolerance(), s.maxIterations(), 10, s.exact() ? 0 : s.gapTolerance())
                .withScreening(!s.exact() && s.screening());
        boolean quadratic = !s.exact() && s.loss() == Loss.SQUARED && gated instanceof QuadraticObjective;
        // From a trained network: its point of the program (same predictions) starts the solve, and its objective
        // there bounds the optimum from above.
        double[] x0 = x0For.apply(keep);
        if (x0 == null && gram != null && !s.exact() && from == null) {
            long r0 = System.nanoTime();
            GramGatedProgram.RidgeStart rs = gram.reweightedRidgeStart(lambda, RIDGE_START_STEPS, s.tolerance());
            x0 = rs.x();
            o.ridgeSeconds = (System.nanoTime() - r0) / 1e9;
            o.ridgeSteps = rs.steps();
        }
        if (x0 == null) x0 = new double[(s.exact() ? 2 : 1) * gated.dimension()];
        if (!s.exact()) {
            Consumer<RFista.Iteration> onIteration =
                    it -> record.accept(new Step(offset + it.iteration(), it.objective(), it.certificate(), 0, it.seconds()));
            if (start != null) {
                o.startLoss = gated.smooth(x0, null);
                o.startObjective = o.startLoss + gated.regularizer(x0);
                o.startViolation = 0;
            }
            // The GEMM form's solver (squared loss) keeps M·x and M·y as well: Φ's products, one per sample and class.
            int rows = quadratic && gated instanceof FactoredQuadratic f ? f.rows() : 0;
            RFista.State resumeState = null;
            if (from != null) {
                resumeState = RFista.State.load(from, "rfista.", gated.dimension(), quadratic, rows);
                if (resumeState.iteration() > s.maxIterations()) {
                    throw new IllegalArgumentException(from.source() + " has " + resumeState.iteration() + " iterations done, more than the "
                            + s.maxIterations() + " --max-iter asks for: ask for " + resumeState.iteration() + " or more, or start afresh without --resume");
                }
                ck.resumed("iteration " + resumeState.iteration());
            }
            // Saved every interval and when the solve stops (certificate reached or iteration cap): the end's state.
            RFista.Boundary boundary = !ck.enabled() ? null : st -> {
                boolean due = ck.due();
                if (due || st.certificate() <= rf.tolerance() || st.iteration() >= rf.maxIterations()) {
                    SolverCheckpoint state = ck.state();
                    state.text("products", form.id());
                    st.save(state, "rfista.");
                    saveLog(state, log);
                    ck.save(state);
                }
            };
            RFista.Result r = quadratic ? RFista.solveQuadratic((QuadraticObjective) gated, x0, rf, s.precision(), onIteration, resumeState, boundary)
                    : RFista.solve(gated, x0, rf, onIteration, resumeState, boundary);
            o.gap = r.gap();
            o.stoppedBy = r.stoppedBy();
            if (Double.isNaN(o.gap) && s.loss() == Loss.SQUARED) {
                // The streamed form's solver has no gap of its own: the same formula from one double evaluation.
                double[] grad = new double[gated.dimension()];
                double f = gated.smooth(r.x(), grad);
                GroupLasso lasso = gated instanceof GatedReluProgram gp ? gp.penalty() : null;
                if (lasso != null) o.gap = lasso.relativeGap(r.x(), f, gated.regularizer(r.x()), grad);
            }
            o.weights = r.x();
            o.objective = r.objective();
            o.certificate = r.certificate();
            o.violation = 0;
            o.converged = r.converged();
            o.iterations = r.iterations();
        } else {
            PatchPatterns patterns = PatchPatterns.build(train, norm, geom, gates);
            // Its constraint rows z·v by the GEMM form's blocked products (the same code as the gated Φ·W); over
            // windowed gates, which those products do not take, from the patch matrix the patterns hold.
            ExactReluProgram exact = new ExactReluProgram((GroupLassoProgram) gated, c, patterns,
                    gates.windowed() ? null : new PatchProducts(train, norm, geom, gates));
            int[] inner = {offset};
            if (start != null) {
                o.startObjective = exact.objective(x0);
                o.startLoss = o.startObjective - lambda * exactPenalty(x0, gates.count(), geom.patchSize(), c);
                double[] h = new double[Math.toIntExact(exact.constraintCount())];
                exact.constraints(x0, h);
                o.startViolation = exact.violation(h);
            }
            AugmentedLagrangian.State resumeState = null;
            if (from != null && !s.workingSet()) {
                resumeState = AugmentedLagrangian.State.load(from, "al.", exact.dimension(), (int) exact.constraintCount());
                inner[0] = offset + resumeState.innerBefore();
                ck.resumed("outer step " + resumeState.outer() + ", inner iteration " + resumeState.inner().iteration());
            }
            // Saved every interval and when an inner solve stops (so at the end too).
            AugmentedLagrangian.Boundary boundary = !ck.enabled() ? null : st -> {
                boolean due = ck.due();
                if (due || st.inner().certificate() <= st.innerTolerance() || st.inner().iteration() >= rf.maxIterations()) {
                    SolverCheckpoint state = ck.state();
                    state.text("products", form.id());
                    st.save(state, "al.");
                    saveLog(state, log);
                    ck.save(state);
                }
            };
            AugmentedLagrangian.Settings als = new AugmentedLagrangian.Settings(s.tolerance(), MAX_OUTER, rf, INITIAL_RHO, s.precision());
            java.util.function.Consumer<dev.convexcnn.optim.AugmentedLagrangian.Outer> outerSteps = ol -> {
                inner[0] += ol.innerIterations();
                record.accept(new Step(inner[0], ol.objective(), ol.stationarity(), ol.violation(), ol.seconds()));
            };
            if (s.workingSet()) {
                ConstraintWorkingSet.Resume resume = from == null ? null : ConstraintWorkingSet.Resume.load(from, "ws.", exact);
                if (resume != null) {
                    inner[0] = offset + resume.al().innerBefore();
                    ck.resumed("round " + resume.round() + ", outer step " + resume.al().outer() + ", inner iteration " + resume.al().inner().iteration());
                }
                // Saved at the augmented Lagrangian's boundaries, as above, with the working set.
                ConstraintWorkingSet.Saver saver = !ck.enabled() ? null : (st, atEnd) -> {
                    if (ck.due() || atEnd) {
                        SolverCheckpoint state = ck.state();
                        state.text("products", form.id());
                        st.save(state, "ws.");
                        saveLog(state, log);
                        ck.save(state);
                    }
                };
                var w = ConstraintWorkingSet.solve(exact, x0, als, ConstraintWorkingSet.ROWS_PER_GROUP, outerSteps,
                        rd -> ck.note(String.format(java.util.Locale.ROOT,
                                "constraint round %d: %,d rows held, %,d violated rows join; violation over all distinct constraints %.3g, "
                                        + "stationarity %.3g, %d iterations so far, %.1f s", rd.round(), rd.rowsHeld(), rd.rowsAdded(),
                                rd.fullViolation(), rd.stationarity(), rd.innerIterations(), rd.seconds())), resume, saver,
                        warmFor == null ? null : warmFor.apply(keep));
                o.workingSet = w;
                o.reached(w.x(), w.objective(), w.stationarity(), w.violation(), w.slackness(), w.converged(), w.innerIterations());
                o.rowsHeld = w.rowsHeld();
                o.rowsTotal = w.rowsTotal();
                o.rounds.addAll(w.rounds());
            } else {
                var r = AugmentedLagrangian.solve(exact, x0, als, outerSteps, resumeState, boundary);
                o.reached(r.x(), r.objective(), r.stationarity(), r.violation(), r.slackness(), r.converged(), r.innerIterations());
            }
            o.exactQuadratic = exact.quadraticLoss() != null;
            o.stoppedBy = o.converged ? "certificate and violation" : "iteration cap";
            o.network = ReluNetwork.recover(o.weights, gates, c, geom);
        }
        o.gates = gates;
        o.lambda = lambda;
        o.lambdaMax = lambdaMax;
        o.gram = gram;
        o.gemm = gemm;
        o.gated = gated;
        o.quadratic = quadratic;
        return o;
    }


    /** x over p gates (blocks × p × h × c) as a point over q ≥ p gates: the first p gates' weights, zero on the rest. */
    static double[] extend(double[] x, int blocks, int p, int q, int h, int c) {
        double[] y = new double[blocks * q * h * c];
        for (int b = 0; b < blocks; b++) System.arraycopy(x, b * p * h * c, y, b * q * h * c, p * h * c);
        return y;
    }

    /** x over p gates restricted to the gates kept (in that order). */
    static double[] restrict(double[] x, int[] keep, int blocks, int p, int h, int c) {
        int q = keep.length, slab = h * c;
        double[] y = new double[blocks * q * slab];
        for (int b = 0; b < blocks; b++) {
            for (int a = 0; a < q; a++) System.arraycopy(x, (b * p + keep[a]) * slab, y, (b * q + a) * slab, slab);
        }
        return y;
    }

    private static double cosine(double[] a, double[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }

    /** The solver log so far, kept in the state so that a resumed run reports the whole run's log. */
    static void saveLog(SolverCheckpoint c, List<Step> log) {
        int n = log.size();
        long[] it = new long[n];
        double[] obj = new double[n], cert = new double[n], viol = new double[n], sec = new double[n];
        for (int i = 0; i < n; i++) {
            Step st = log.get(i);
            it[i] = st.iteration();
            obj[i] = st.objective();
            cert[i] = st.certificate();
            viol[i] = st.violation();
            sec[i] = st.seconds();
        }
        c.put("log.iteration", it).put("log.objective", obj).put("log.certificate", cert).put("log.violation", viol).put("log.seconds", sec);
    }

    static List<Step> loadLog(SolverCheckpoint c) throws IOException {
        int[] it = c.ints("log.iteration");
        int n = it.length;
        double[] obj = c.doubles("log.objective", n), cert = c.doubles("log.certificate", n), viol = c.doubles("log.violation", n),
                sec = c.doubles("log.seconds", n);
        List<Step> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(new Step(it[i], obj[i], cert[i], viol[i], sec[i]));
        return out;
    }
}
