package dev.convexcnn.convex;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.io.SolverCheckpoint;
import dev.convexcnn.method.Checkpointer;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.nn.Sequential;
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
        long t0 = System.nanoTime();
        Normalization norm = Normalization.fit(train);
        PatchGeometry geom = PatchGeometry.of(train, s.kernel(), s.stride(), s.bias());
        int c = train.classes();
        Gates all = Gates.sample(geom.patchSize(), s.patterns(), s.seed());
        NetworkStart start = null;
        if (s.patternsFrom() != null) {
            try {
                start = NetworkStart.load(java.nio.file.Path.of(s.patternsFrom()), geom, norm, c);
            } catch (java.io.IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
            all = all.concat(start.gates(geom.bias()));
        }
        // The form of the products: the cost model's choice (printed with its reasons) unless --products says.
        ProductForm.Choice choice = ProductForm.choose(s.products(), train.size(), geom.patches(), geom.patchSize(), all.count(),
                c, s.loss(), s.exact(), s.precision() == RFista.Precision.MIXED);
        ProductForm form = choice.form();
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
        double lambda = s.lambda() > 0 ? s.lambda() : s.lambdaFraction() * lambdaMax;
        CompositeObjective gated = gram != null ? gram.withLambda(lambda) : gemm != null ? gemm.withLambda(lambda)
                : new GatedReluProgram(features, train.labels(), c, s.loss(), lambda);
        double buildSeconds = (System.nanoTime() - t0) / 1e9;
        if (gemm != null) gemm.patchProducts().resetCounters();
        List<Step> log = new ArrayList<>();
        Consumer<Step> record = st -> {
            log.add(st);
            if (listener != null) listener.accept(st);
        };
        double[] weights;
        double objective, certificate, violation;
        boolean converged;
        int iterations;
        ReluNetwork network = null;
        RFista.Settings rf = new RFista.Settings(s.tolerance(), s.maxIterations(), 10, s.exact() ? 0 : s.gapTolerance());
        double gap = Double.NaN;
        String stoppedBy;
        boolean quadratic = !s.exact() && s.loss() == Loss.SQUARED && gated instanceof QuadraticObjective;
        // From a trained network: its point of the program (same predictions) starts the solve, and its objective
        // there bounds the optimum from above.
        double[] x0 = start != null ? start.point(keep, s.patterns(), s.exact() ? 2 : 1) : new double[(s.exact() ? 2 : 1) * gated.dimension()];
        double startObjective = Double.NaN, startViolation = Double.NaN, startLoss = Double.NaN;
        long solveStart = System.nanoTime();
        if (from != null) {
            for (Step st : loadLog(from)) record.accept(st);
        }
        if (!s.exact()) {
            Consumer<RFista.Iteration> onIteration =
                    it -> record.accept(new Step(it.iteration(), it.objective(), it.certificate(), 0, it.seconds()));
            if (start != null) {
                startLoss = gated.smooth(x0, null);
                startObjective = startLoss + gated.regularizer(x0);
                startViolation = 0;
            }
            // The GEMM form's factored solver keeps no checkpoint yet: its runs are not resumable.
            boolean factored = gated instanceof FactoredQuadratic;
            if (factored && from != null) {
                throw new IllegalArgumentException(from.source() + ": the GEMM form of the products keeps no solver state; "
                        + "resume with --products gram or streamed, or start afresh without --resume");
            }
            RFista.State resumeState = null;
            if (from != null) {
                resumeState = RFista.State.load(from, "rfista.", gated.dimension(), quadratic);
                if (resumeState.iteration() > s.maxIterations()) {
                    throw new IllegalArgumentException(from.source() + " has " + resumeState.iteration() + " iterations done, more than the "
                            + s.maxIterations() + " --max-iter asks for: ask for " + resumeState.iteration() + " or more, or start afresh without --resume");
                }
                ck.resumed("iteration " + resumeState.iteration());
            }
            // Saved every interval and when the solve stops (certificate reached or iteration cap): the end's state.
            RFista.Boundary boundary = !ck.enabled() || factored ? null : st -> {
                boolean due = ck.due();
                if (due || st.certificate() <= rf.tolerance() || st.iteration() >= rf.maxIterations()) {
                    SolverCheckpoint state = ck.state();
                    st.save(state, "rfista.");
                    saveLog(state, log);
                    ck.save(state);
                }
            };
            RFista.Result r = factored ? RFista.solveQuadratic((QuadraticObjective) gated, x0, rf, s.precision(), onIteration)
                    : quadratic ? RFista.solveQuadratic((QuadraticObjective) gated, x0, rf, s.precision(), onIteration, resumeState, boundary)
                    : RFista.solve(gated, x0, rf, onIteration, resumeState, boundary);
            gap = r.gap();
            stoppedBy = r.stoppedBy();
            if (Double.isNaN(gap) && s.loss() == Loss.SQUARED) {
                // The streamed form's solver has no gap of its own: the same formula from one double evaluation.
                double[] grad = new double[gated.dimension()];
                double f = gated.smooth(r.x(), grad);
                GroupLasso lasso = gated instanceof GatedReluProgram gp ? gp.penalty() : null;
                if (lasso != null) gap = lasso.relativeGap(r.x(), f, gated.regularizer(r.x()), grad);
            }
            weights = r.x();
            objective = r.objective();
            certificate = r.certificate();
            violation = 0;
            converged = r.converged();
            iterations = r.iterations();
        } else {
            PatchPatterns patterns = PatchPatterns.build(train, norm, geom, gates);
            // Its constraint rows z·v by the GEMM form's blocked products (the same code as the gated Φ·W).
            ExactReluProgram exact = new ExactReluProgram((GatedReluProgram) gated, patterns, new PatchProducts(train, norm, geom, gates));
            int[] inner = {0};
            if (start != null) {
                startObjective = exact.objective(x0);
                startLoss = startObjective - lambda * exactPenalty(x0, gates.count(), geom.patchSize(), c);
                double[] h = new double[Math.toIntExact(exact.constraintCount())];
                exact.constraints(x0, h);
                startViolation = exact.violation(h);
            }
            AugmentedLagrangian.State resumeState = null;
            if (from != null) {
                resumeState = AugmentedLagrangian.State.load(from, "al.", exact.dimension(), (int) exact.constraintCount());
                inner[0] = resumeState.innerBefore();
                ck.resumed("outer step " + resumeState.outer() + ", inner iteration " + resumeState.inner().iteration());
            }
            // Saved every interval and when an inner solve stops (so at the end too).
            AugmentedLagrangian.Boundary boundary = !ck.enabled() ? null : st -> {
                boolean due = ck.due();
                if (due || st.inner().certificate() <= st.innerTolerance() || st.inner().iteration() >= rf.maxIterations()) {
                    SolverCheckpoint state = ck.state();
                    st.save(state, "al.");
                    saveLog(state, log);
                    ck.save(state);
                }
            };
            AugmentedLagrangian.Result r = AugmentedLagrangian.solve(exact, x0,
                    new AugmentedLagrangian.Settings(s.tolerance(), 50, rf, INITIAL_RHO),
                    o -> {
                        inner[0] += o.innerIterations();
                        record.accept(new Step(inner[0], o.objective(), o.stationarity(), o.violation(), o.seconds()));
                    }, resumeState, boundary);
            weights = r.x();
            objective = r.objective();
            certificate = r.stationarity();
            violation = r.violation();
            converged = r.converged();
            iterations = r.innerIterations();
            stoppedBy = converged ? "certificate and violation" : "iteration cap";
            network = ReluNetwork.recover(weights, gates.count(), geom.patchSize(), c, geom);
        }
        double solveSeconds = (System.nanoTime() - solveStart) / 1e9;
        JsonObject prov = Provenance.base();
        prov.addProperty("method", s.program());
        prov.add("settings", s.toJson());
        prov.addProperty("seed", s.seed());
        prov.addProperty("lambda", lambda);
        prov.addProperty("lambdaMax", lambdaMax);
        prov.addProperty("patternsKept", gates.count());
        prov.addProperty("products", form.id());
        prov.addProperty("productsWhy", choice.why());
        // The Gram and GEMM forms have float products with the squared loss; the certificate is a double one always.
        prov.addProperty("productPrecision", quadratic && form != ProductForm.STREAMED ? s.precision().id() : "double");
        double sgemm = dev.convexcnn.linalg.GemmProbe.sgemm();
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
        prov.addProperty("solveSeconds", solveSeconds);
        prov.addProperty("stoppedBy", stoppedBy);
        if (!Double.isNaN(gap)) prov.addProperty("gap", gap);
        prov.addProperty("objective", objective);
        prov.addProperty("certificate", certificate);
        prov.addProperty("violation", violation);
        prov.addProperty("converged", converged);
        if (start != null) {
            // The network's objective in the program's terms (its point), and with its own weight decay.
            prov.addProperty("patternsFrom", start.source());
            prov.addProperty("startNeurons", start.neurons());
            prov.addProperty("startObjective", startObjective);
            prov.addProperty("startViolation", startViolation);
            prov.addProperty("startOwnDecayObjective", startLoss + lambda * start.ownWeightDecay());
        }
        JsonObject data = new JsonObject();
        data.addProperty("train", train.name());
        data.addProperty("trainSize", train.size());
        prov.add("data", data);
        return new Run(s, geom, norm, gates, lambda, lambdaMax, weights, objective, certificate, violation, converged,
                iterations, (System.nanoTime() - t0) / 1e9, List.copyOf(log), network, prov);
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
