package dev.convexcnn.convex;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.ModelFile;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.io.SolverCheckpoint;
import dev.convexcnn.method.Checkpointer;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.nn.Sequential;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Trains the circular, three-layer and average-pooling CNNs by their exact convex programs (augmented
 * Lagrangian over R-FISTA, the same certificate as the two-layer program) and recovers the network.
 */
public final class CnnProgramTrainer {

    public enum Variant {
        CIRCULAR("convex-circular"), THREE_LAYER("convex-3layer"), POOLED("convex-relu-pooled");

        public final String id;

        Variant(String id) { this.id = id; }
    }

    /**
     * @param kernel, stride, bias patches of the three-layer and pooled programs (the circular one uses the whole image)
     * @param patterns        sampled first-layer patterns (random gate filters)
     * @param cells           sampled cells of the three-layer program
     * @param filtersPerUnit  m₁, first-layer filters per unit of the three-layer CNN
     * @param pool            average-pooling window of the pooled program
     * @param maxIterations   R-FISTA iterations per augmented Lagrangian step
     * @param maxOuter        augmented Lagrangian steps
     */
    public record Settings(Variant variant, int kernel, int stride, boolean bias, int patterns, int cells,
                           int filtersPerUnit, int pool, double lambdaFraction, double lambda, Loss loss,
                           double tolerance, int maxIterations, int maxOuter, long seed) {
        public Settings {
            if (patterns <= 0) throw new IllegalArgumentException("--patterns must be > 0, got " + patterns);
            if (variant == Variant.THREE_LAYER && cells <= 0) throw new IllegalArgumentException("--cells must be > 0, got " + cells);
            if (variant == Variant.THREE_LAYER && filtersPerUnit <= 0) throw new IllegalArgumentException("--unit-filters must be > 0, got " + filtersPerUnit);
            if (variant == Variant.POOLED && pool <= 0) throw new IllegalArgumentException("--pool must be > 0, got " + pool);
            if (lambda <= 0 && !(lambdaFraction > 0 && lambdaFraction < 1)) {
                throw new IllegalArgumentException("give --lambda > 0, or --lambda-fraction in (0, 1), got " + lambdaFraction);
            }
            if (!(tolerance > 0)) throw new IllegalArgumentException("--tol must be > 0, got " + tolerance);
            if (maxIterations <= 0) throw new IllegalArgumentException("--max-iter must be > 0, got " + maxIterations);
            if (maxOuter <= 0) throw new IllegalArgumentException("--max-outer must be > 0, got " + maxOuter);
        }

        public Settings withPatches(int k, int s, boolean b) { return new Settings(variant, k, s, b, patterns, cells, filtersPerUnit, pool, lambdaFraction, lambda, loss, tolerance, maxIterations, maxOuter, seed); }
        public Settings withPatterns(int p) { return new Settings(variant, kernel, stride, bias, p, cells, filtersPerUnit, pool, lambdaFraction, lambda, loss, tolerance, maxIterations, maxOuter, seed); }
        public Settings withCells(int c, int perUnit) { return new Settings(variant, kernel, stride, bias, patterns, c, perUnit, pool, lambdaFraction, lambda, loss, tolerance, maxIterations, maxOuter, seed); }
        public Settings withPool(int a) { return new Settings(variant, kernel, stride, bias, patterns, cells, filtersPerUnit, a, lambdaFraction, lambda, loss, tolerance, maxIterations, maxOuter, seed); }
        public Settings withLambda(double fraction, double absolute) { return new Settings(variant, kernel, stride, bias, patterns, cells, filtersPerUnit, pool, fraction, absolute, loss, tolerance, maxIterations, maxOuter, seed); }
        public Settings withLoss(Loss l) { return new Settings(variant, kernel, stride, bias, patterns, cells, filtersPerUnit, pool, lambdaFraction, lambda, l, tolerance, maxIterations, maxOuter, seed); }
        public Settings withTolerance(double t) { return new Settings(variant, kernel, stride, bias, patterns, cells, filtersPerUnit, pool, lambdaFraction, lambda, loss, t, maxIterations, maxOuter, seed); }
        public Settings withIterations(int inner, int outer) { return new Settings(variant, kernel, stride, bias, patterns, cells, filtersPerUnit, pool, lambdaFraction, lambda, loss, tolerance, inner, outer, seed); }
        public Settings withSeed(long s) { return new Settings(variant, kernel, stride, bias, patterns, cells, filtersPerUnit, pool, lambdaFraction, lambda, loss, tolerance, maxIterations, maxOuter, s); }

        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("program", variant.id);
            if (variant != Variant.CIRCULAR) {
                o.addProperty("kernel", kernel);
                o.addProperty("stride", stride);
                o.addProperty("bias", bias);
            }
            o.addProperty("patterns", patterns);
            if (variant == Variant.THREE_LAYER) {
                o.addProperty("cells", cells);
                o.addProperty("unitFilters", filtersPerUnit);
            }
            if (variant == Variant.POOLED) o.addProperty("pool", pool);
            if (lambda > 0) o.addProperty("lambda", lambda);
            else o.addProperty("lambdaFraction", lambdaFraction);
            o.addProperty("loss", loss.id());
            o.addProperty("tolerance", tolerance);
            o.addProperty("maxIterations", maxIterations);
            o.addProperty("maxOuter", maxOuter);
            o.addProperty("seed", seed);
            return o;
        }
    }

    /** A finished run; model is a {@link CircularCnn} or an nn {@link Sequential}. */
    public record Run(Settings settings, double lambda, double lambdaMax, int patternsKept, int cellsKept,
                      double objective, double stationarity, double violation, boolean converged, int iterations,
                      double seconds, List<ConvexTrainer.Step> log, Object model, String description,
                      Normalization normalization, JsonObject provenance) {

        public Evaluation evaluate(Dataset d) {
            if (model instanceof CircularCnn c) return c.evaluate(d);
            return Evaluation.of((Sequential) model, d, normalization, 512);
        }

        public void save(Path path) throws IOException {
            if (model instanceof CircularCnn c) CircularModelFile.save(path, c, provenance);
            else ModelFile.save(path, (Sequential) model, normalization, provenance);
        }
    }

    private final Settings settings;

    public CnnProgramTrainer(Settings settings) {
        this.settings = settings;
    }

    public Run fit(Dataset train, Consumer<ConvexTrainer.Step> listener) {
        try {
            return fit(train, listener, Checkpointer.none());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no checkpoint: cannot happen
        }
    }

    /** What a run's state depends on: all the settings (the iteration caps shape the multipliers' path) and the data. */
    public static JsonObject fingerprint(Settings s, Dataset train) {
        return Checkpointer.fingerprint(s.toJson(), train);
    }

    /**
     * {@link #fit(Dataset, Consumer)} saving the augmented Lagrangian's state through {@code ck} (every interval, at
     * the end of each inner solve, on SIGTERM) and, when resuming, continuing from the saved state to the
     * uninterrupted run's result. The program is rebuilt from the settings and the seed, so only the solver's state
     * is kept.
     */
    public Run fit(Dataset train, Consumer<ConvexTrainer.Step> listener, Checkpointer ck) throws IOException {
        final Settings s = settings;
        long t0 = System.nanoTime();
        Normalization norm = Normalization.fit(train);
        int c = train.classes();
        if (s.variant() == Variant.CIRCULAR) {
            if (train.channels() != 1) throw new IllegalArgumentException("convex-circular takes one-channel images, got " + train.channels());
            RealFourier2d f = new RealFourier2d(train.height(), train.width());
            double[][] rows = CircularProgram.fourierRows(train, norm, f);
            Gates all = Gates.sample(f.size(), s.patterns(), s.seed());
            int[] keep = informativeColumns(CircularProgram.patterns(rows[0], train.size(), f.size(), all), train.size(), all.count());
            if (keep.length == 0) throw new IllegalArgumentException("no sampled pattern switches on any image: check the data");
            double[] on = CircularProgram.patterns(rows[0], train.size(), f.size(), all.select(keep));
            double lmax = new CircularProgram(f, rows[1], on, keep.length, train.labels(), c, s.loss(), 1, false).lambdaMax();
            double lambda = s.lambda() > 0 ? s.lambda() : s.lambdaFraction() * lmax;
            CircularProgram cp = new CircularProgram(f, rows[1], on, keep.length, train.labels(), c, s.loss(), lambda, true);
            return solve(s, train, norm, cp, lmax, lambda, keep.length, 0, x -> {
                CircularCnn net = cp.recover(x, norm);
                return new Object[] {net, net.units().size() + " units: circular conv (full-size filters, norm <= 1) - linear - relu - linear" + c};
            }, listener, ck, t0);
        }
        PatchGeometry geom = PatchGeometry.of(train, s.kernel(), s.stride(), s.bias());
        Gates all = Gates.sample(geom.patchSize(), s.patterns(), s.seed());
        int[] keep = GatedFeatures.build(train, norm, geom, all).informativeGates();
        if (keep.length == 0) throw new IllegalArgumentException("no sampled pattern switches on any patch: check the data");
        Gates gates = all.select(keep);
        PatchPatterns pp = PatchPatterns.build(train, norm, geom, gates);
        if (s.variant() == Variant.THREE_LAYER) {
            ThreeLayerProgram.Cells cells = ThreeLayerProgram.Cells.sample(pp, gates, train.size(), s.filtersPerUnit(), s.cells(), s.seed() + 1);
            double lmax = new ThreeLayerProgram(pp, train.size(), cells, train.labels(), c, s.loss(), 1, false).lambdaMax();
            double lambda = s.lambda() > 0 ? s.lambda() : s.lambdaFraction() * lmax;
            ThreeLayerProgram tp = new ThreeLayerProgram(pp, train.size(), cells, train.labels(), c, s.loss(), lambda, true);
            return solve(s, train, norm, tp, lmax, lambda, keep.length, cells.count(), x -> {
                ThreeLayerCnn net = tp.recover(x, geom);
                Sequential seq = net.toSequential();
                return new Object[] {seq, net.units().size() + " units of " + s.filtersPerUnit() + " filters: " + seq.spec()};
            }, listener, ck, t0);
        }
        double lmax = new PooledReluProgram(pp, geom, s.pool(), train.labels(), c, s.loss(), 1, false).lambdaMax();
        double lambda = s.lambda() > 0 ? s.lambda() : s.lambdaFraction() * lmax;
        PooledReluProgram pr = new PooledReluProgram(pp, geom, s.pool(), train.labels(), c, s.loss(), lambda, true);
        return solve(s, train, norm, pr, lmax, lambda, keep.length, 0, x -> {
            PooledReluNetwork net = pr.recover(x, geom);
            Sequential seq = net.toSequential();
            return new Object[] {seq, net.neurons().size() + " neurons: " + seq.spec()};
        }, listener, ck, t0);
    }

    /** Solves the exact program; recover maps the solution to {model, description}. */
    private static Run solve(Settings s, Dataset train, Normalization norm, LinearConeProgram exact, double lmax,
                             double lambda, int kept, int cellsKept, java.util.function.Function<double[], Object[]> recover,
                             Consumer<ConvexTrainer.Step> listener, Checkpointer ck, long t0) throws IOException {
        List<ConvexTrainer.Step> log = new ArrayList<>();
        Consumer<ConvexTrainer.Step> record = st -> {
            log.add(st);
            if (listener != null) listener.accept(st);
        };
        int[] inner = {0};
        RFista.Settings rf = new RFista.Settings(s.tolerance(), s.maxIterations(), 10);
        SolverCheckpoint from = ck.resumeFrom();
        AugmentedLagrangian.State resumeState = null;
        if (from != null) {
            // The finished steps' log first, so the resumed run reports the whole run's.
            for (ConvexTrainer.Step st : ConvexTrainer.loadLog(from)) record.accept(st);
            resumeState = AugmentedLagrangian.State.load(from, "al.", exact.dimension(), Math.toIntExact(exact.constraintCount()));
            inner[0] = resumeState.innerBefore();
            ck.resumed("augmented-Lagrangian step " + resumeState.outer() + ", inner iteration " + resumeState.inner().iteration());
        }
        // Saved every interval and when an inner solve stops (so at the end too), as convex-relu's.
        AugmentedLagrangian.Boundary boundary = !ck.enabled() ? null : st -> {
            boolean due = ck.due();
            if (due || st.inner().certificate() <= st.innerTolerance() || st.inner().iteration() >= rf.maxIterations()) {
                SolverCheckpoint state = ck.state();
                st.save(state, "al.");
                ConvexTrainer.saveLog(state, log);
                ck.save(state);
            }
        };
        var r = AugmentedLagrangian.solve(exact, new double[exact.dimension()],
                new AugmentedLagrangian.Settings(s.tolerance(), s.maxOuter(), rf, 1.0), o -> {
                    inner[0] += o.innerIterations();
                    record.accept(new ConvexTrainer.Step(inner[0], o.objective(), o.stationarity(), o.violation(), o.seconds()));
                }, resumeState, boundary);
        Object[] rec = recover.apply(r.x());
        JsonObject prov = Provenance.base();
        prov.addProperty("method", s.variant().id);
        prov.add("settings", s.toJson());
        prov.addProperty("seed", s.seed());
        prov.addProperty("lambda", lambda);
        prov.addProperty("lambdaMax", lmax);
        prov.addProperty("patternsKept", kept);
        if (cellsKept > 0) prov.addProperty("cellsKept", cellsKept);
        prov.addProperty("objective", r.objective());
        prov.addProperty("certificate", r.stationarity());
        prov.addProperty("violation", r.violation());
        if (!Double.isNaN(r.slackness())) prov.addProperty("slackness", r.slackness());
        prov.addProperty("converged", r.converged());
        JsonObject data = new JsonObject();
        data.addProperty("train", train.name());
        data.addProperty("trainSize", train.size());
        prov.add("data", data);
        return new Run(s, lambda, lmax, kept, cellsKept, r.objective(), r.stationarity(), r.violation(), r.converged(),
                r.innerIterations(), (System.nanoTime() - t0) / 1e9, List.copyOf(log), rec[0], (String) rec[1], norm, prov);
    }

    /** Columns of a 0/1 matrix (n × p) that are on somewhere, without duplicates. */
    static int[] informativeColumns(double[] on, int n, int p) {
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int j = 0; j < p; j++) {
            StringBuilder b = new StringBuilder(n);
            boolean any = false;
            for (int i = 0; i < n; i++) {
                b.append(on[i * p + j] > 0 ? '1' : '0');
                any |= on[i * p + j] > 0;
            }
            if (any) seen.putIfAbsent(b.toString(), j);
        }
        return seen.values().stream().mapToInt(Integer::intValue).toArray();
    }
}
