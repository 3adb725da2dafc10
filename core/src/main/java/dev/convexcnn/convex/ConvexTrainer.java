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

    static Evaluation evaluation(double[] z, Dataset d) {
        return Evaluation.ofLogits(z, d);
    }

    /**
     * The exact program's first ρ, in units of {@link ExactReluProgram#penaltyScale()}: 4 balanced the inner
     * solves' conditioning against the multipliers' progress on MNIST (n = 200, docs/convex.md).
     */
    static final double INITIAL_RHO = 4;

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
        Gates all = Gates.sample(geom.patchSize(), s.patterns(), s.seed());
        int c = train.classes();
        // The gated program with the squared loss runs on ΦᵀΦ, built streamed (Φ is never held), when that is
        // smaller than Φ itself (n ≥ p·h); the other programs need Φ.
        long columns = (long) all.count() * geom.patchSize();
        boolean gramForm = !s.exact() && s.loss() == Loss.SQUARED && columns <= GramGatedProgram.MAX_COLUMNS
                && train.size() >= columns;
        GatedFeatures features = null;
        GramGatedProgram gram = null;
        int[] keep;
        if (gramForm) {
            gram = GramGatedProgram.build(train, norm, geom, all);
            keep = gram.informativeGates();
            if (keep.length != all.count() && keep.length > 0) gram = gram.select(keep);
        } else {
            GatedFeatures full = GatedFeatures.build(train, norm, geom, all);
            keep = full.informativeGates();
            features = keep.length == all.count() ? full : full.select(keep);
        }
        if (keep.length == 0) throw new IllegalArgumentException("no sampled pattern switches on any patch: check the data");
        Gates gates = all.select(keep);
        double lambdaMax = gramForm ? gram.lambdaMax() : GatedReluProgram.lambdaMax(features, train.labels(), c, s.loss());
        double lambda = s.lambda() > 0 ? s.lambda() : s.lambdaFraction() * lambdaMax;
        CompositeObjective gated = gramForm ? gram.withLambda(lambda)
                : new GatedReluProgram(features, train.labels(), c, s.loss(), lambda);
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
        RFista.Settings rf = new RFista.Settings(s.tolerance(), s.maxIterations(), 10);
        if (from != null) {
            for (Step st : loadLog(from)) record.accept(st);
        }
        if (!s.exact()) {
            Consumer<RFista.Iteration> onIteration =
                    it -> record.accept(new Step(it.iteration(), it.objective(), it.certificate(), 0, it.seconds()));
            boolean quadratic = gated instanceof QuadraticObjective;
            RFista.State start = null;
            if (from != null) {
                start = RFista.State.load(from, "rfista.", gated.dimension(), quadratic);
                if (start.iteration() > s.maxIterations()) {
                    throw new IllegalArgumentException(from.source() + " has " + start.iteration() + " iterations done, more than the "
                            + s.maxIterations() + " --max-iter asks for: ask for " + start.iteration() + " or more, or start afresh without --resume");
                }
                ck.resumed("iteration " + start.iteration());
            }
            // Saved every interval and when the solve stops (certificate reached or iteration cap): the end's state.
            RFista.Boundary boundary = !ck.enabled() ? null : st -> {
                boolean due = ck.due();
                if (due || st.certificate() <= rf.tolerance() || st.iteration() >= rf.maxIterations()) {
                    SolverCheckpoint state = ck.state();
                    st.save(state, "rfista.");
                    saveLog(state, log);
                    ck.save(state);
                }
            };
            RFista.Result r = quadratic
                    ? RFista.solveQuadratic((QuadraticObjective) gated, new double[gated.dimension()], rf, s.precision(), onIteration, start, boundary)
                    : RFista.solve(gated, new double[gated.dimension()], rf, onIteration, start, boundary);
            weights = r.x();
            objective = r.objective();
            certificate = r.certificate();
            violation = 0;
            converged = r.converged();
            iterations = r.iterations();
        } else {
            PatchPatterns patterns = PatchPatterns.build(train, norm, geom, gates);
            ExactReluProgram exact = new ExactReluProgram((GatedReluProgram) gated, patterns);
            int[] inner = {0};
            AugmentedLagrangian.State start = null;
            if (from != null) {
                start = AugmentedLagrangian.State.load(from, "al.", exact.dimension(), (int) exact.constraintCount());
                inner[0] = start.innerBefore();
                ck.resumed("outer step " + start.outer() + ", inner iteration " + start.inner().iteration());
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
            AugmentedLagrangian.Result r = AugmentedLagrangian.solve(exact, new double[exact.dimension()],
                    new AugmentedLagrangian.Settings(s.tolerance(), 50, rf, INITIAL_RHO),
                    o -> {
                        inner[0] += o.innerIterations();
                        record.accept(new Step(inner[0], o.objective(), o.stationarity(), o.violation(), o.seconds()));
                    }, start, boundary);
            weights = r.x();
            objective = r.objective();
            certificate = r.stationarity();
            violation = r.violation();
            converged = r.converged();
            iterations = r.innerIterations();
            network = ReluNetwork.recover(weights, gates.count(), geom.patchSize(), c, geom);
        }
        JsonObject prov = Provenance.base();
        prov.addProperty("method", s.program());
        prov.add("settings", s.toJson());
        prov.addProperty("seed", s.seed());
        prov.addProperty("lambda", lambda);
        prov.addProperty("lambdaMax", lambdaMax);
        prov.addProperty("patternsKept", gates.count());
        prov.addProperty("lossForm", gramForm ? "gram" : "streamed");
        // Only the Gram form has float products; the certificate is a double one either way.
        prov.addProperty("productPrecision", gramForm && !s.exact() ? s.precision().id() : "double");
        prov.addProperty("objective", objective);
        prov.addProperty("certificate", certificate);
        prov.addProperty("violation", violation);
        prov.addProperty("converged", converged);
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
