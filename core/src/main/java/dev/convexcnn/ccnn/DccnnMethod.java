package dev.convexcnn.ccnn;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.io.SolverCheckpoint;
import dev.convexcnn.method.Checkpointer;
import dev.convexcnn.method.Budget;
import dev.convexcnn.method.DataInfo;
import dev.convexcnn.method.Method;
import dev.convexcnn.method.MethodInfo;
import dev.convexcnn.method.MethodOptions;
import dev.convexcnn.method.Plan;
import dev.convexcnn.method.Trace;
import dev.convexcnn.method.TrainContext;
import dev.convexcnn.method.Trained;
import dev.convexcnn.optim.Certificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** DCCNN: CCNN's nuclear-norm-penalised program solved in the dual, filters and weights recovered from it. */
public final class DccnnMethod implements Method<DccnnSettings> {
    @Override public String id() { return "dccnn"; }

    @Override
    public MethodInfo info() {
        return new MethodInfo("the dual of CCNN, weight recovery, duality-gap certificate",
                "CCNN's program with the nuclear norm as a penalty, solved through its dual (one dual vector per sample; the "
                        + "spectral-norm constraint needs no kernel matrix), then the filters and linear weights recovered from the "
                        + "dual solution by a small convex fit over its top singular subspace. The duality gap certifies each layer.",
                "Bai, Ke and Honorio, Dual Convexified Convolutional Neural Networks (arXiv 2205.14056; TMLR 2024)",
                new MethodInfo.Fidelity(MethodInfo.Kind.OUR_DERIVATION,
                        "the dual and the recovery are derived here (with an unpenalised bias on centred features) and checked on small problems"));
    }

    /**
     * Two layers, λ = 0.02·λ_max, the working-set solver to a relative gap of 1e-3 (checks every 10 reduced
     * iterations, at most the layer's iterations, 1,000 and 4,000) with at most 256 directions per layer.
     */
    @Override
    public DccnnSettings defaults(DataInfo data) {
        CcnnSettings base = CcnnSettings.layers(2);
        base = base.withLayer(1, deeper(base.layers().get(1), 1));
        return DccnnSettings.of(base).withLambda(0.02, 0).withTolerance(1e-3, 10);
    }

    /** Layers after the first get 4,000 dual iterations: layer 2 of MNIST needed 3,010 to its tolerance (docs/ccnn.md). */
    static LayerSettings deeper(LayerSettings l, int layer) {
        return layer >= 1 ? l.withIterations(Math.max(l.iterations(), 4000)) : l;
    }

    @Override public long seed(DccnnSettings s) { return s.base().seed(); }

    @Override
    public String describe(DccnnSettings s) {
        StringBuilder b = new StringBuilder(s.base().layers().size() + " layer(s), ≤ dual iterations");
        for (LayerSettings l : s.base().layers()) b.append(' ').append(String.format("%,d", l.iterations()));
        return b.append(String.format(", relative gap tolerance %.0e", s.tolerance())).toString();
    }
    @Override public DccnnSettings withSeed(DccnnSettings s, long seed) { return withBase(s, s.base().withSeed(seed)); }

    static DccnnSettings withBase(DccnnSettings s, CcnnSettings base) {
        return new DccnnSettings(base, s.lambdaFraction(), s.lambda(), s.balance(), s.tolerance(), s.checkEvery(), s.rankTolerance(),
                s.recoveryIterations(), s.powerIterations(), s.featureCacheBytes(), s.centre(), s.restart(), s.fista(), s.workingSet(), s.maxDirections(),
                s.filterOutputsBytes(), s.spillDir());
    }

    @Override
    public Plan<DccnnSettings> plan(Budget b, DataInfo data) {
        CcnnSettings base = CcnnSettings.layers(1);
        // 200 random features, cached after the first pass: the dual solver reads every feature block once per
        // iteration, and recomputing them dominated its time.
        base = base.withLayer(0, base.layers().get(0).withIterations(b.pick(300, 1_000, 100)).withFeatures(200));
        return new Plan<>(b.pick(1_000, 5_000, 50), DccnnSettings.of(base).withFeatureCache(2L << 30).withTolerance(1e-3, 10));
    }

    @Override public MethodOptions<DccnnSettings> options() { return new Options(); }

    /** dccnn's options. */
    public static final class Options extends CcnnOptions implements MethodOptions<DccnnSettings> {
        @Option(names = "--lambda", description = "The nuclear-norm penalty λ itself.")
        Double lambda;
        @Option(names = "--lambda-fraction", description = "λ as a fraction of λ_max, when --lambda is not given (default: 0.02).")
        Double lambdaFraction;
        @Option(names = "--tol", description = "Tolerance on the relative duality gap (default: 1e-3).")
        Double tol;
        @Option(names = "--feature-cache-mb", description = "Hold a layer's pooled features in memory when they fit in this many MiB "
                + "and in a quarter of the maximum heap (-Xmx), else compute them on every pass (default: 512).")
        Long featureCacheMb;
        @Option(names = "--max-directions", paramLabel = "R", description = "The working-set solver's directions at most, per layer: "
                + "its filter outputs take n·Q·R floats (doubles below --tol 1e-5), in memory or in files (--filter-outputs-mb) "
                + "(default: 256). When a layer's set is full and its gap is due to "
                + "directions outside it, the layer stops there, its tolerance not reached.")
        Integer maxDirections;
        @Option(names = "--filter-outputs-mb", paramLabel = "MB", description = "Hold the working set's filter outputs (n·Q·R floats) "
                + "in memory up to this many MiB, and the rest in temporary files read once per pass: the same solve in less memory, "
                + "slower (default: half the heap not in use when a layer's solve starts; 0: all in files).")
        Long filterOutputsMb;
        @Option(names = "--spill-dir", paramLabel = "DIR", description = "Where the filter outputs beyond --filter-outputs-mb go "
                + "(default: the system's temporary directory). The files are unlinked as soon as they are opened.")
        java.nio.file.Path spillDir;
        @Option(names = "--step-balance", description = "β of the primal-dual steps τ = β/L, σ = 1/(βL) (default: 1).")
        Double stepBalance;
        @Option(names = "--dual-solver", description = "working-set (centred features and a free bias; FISTA with backtracking and restarts on "
                + "the filter outputs of a growing set of directions, two feature passes per round), centred-fista (FISTA on all features), "
                + "centred (PDHG), centred-restarted (PDHG with restarts), or plain (no bias, plain PDHG) (default: working-set).")
        String dualSolver;

        @Override
        LayerSettings perLayerExtra(LayerSettings l, int layer, int layers) {
            return iterations == null ? deeper(l, layer) : l;
        }

        @Override
        public DccnnSettings apply(DccnnSettings s) {
            s = withBase(s, applyLayers(s.base()));
            if (lambda != null || lambdaFraction != null) {
                if (lambda != null && !(lambda > 0)) throw new IllegalArgumentException("--lambda must be > 0, got " + lambda);
                if (lambdaFraction != null && !(lambdaFraction > 0)) throw new IllegalArgumentException("--lambda-fraction must be > 0, got " + lambdaFraction);
                s = s.withLambda(lambdaFraction != null ? lambdaFraction : s.lambdaFraction(), lambda != null ? lambda : 0);
            }
            if (tol != null) {
                if (!(tol >= 0)) throw new IllegalArgumentException("--tol must be >= 0, got " + tol);
                s = s.withTolerance(tol, s.checkEvery());
            }
            if (featureCacheMb != null) {
                if (featureCacheMb < 0) throw new IllegalArgumentException("--feature-cache-mb must be >= 0, got " + featureCacheMb);
                s = s.withFeatureCache(featureCacheMb << 20);
            }
            if (maxDirections != null) {
                if (maxDirections < 1) throw new IllegalArgumentException("--max-directions must be >= 1, got " + maxDirections);
                s = s.withMaxDirections(maxDirections);
            }
            if (filterOutputsMb != null || spillDir != null) {
                if (filterOutputsMb != null && filterOutputsMb < 0) {
                    throw new IllegalArgumentException("--filter-outputs-mb must be >= 0, got " + filterOutputsMb);
                }
                if (spillDir != null && java.nio.file.Files.exists(spillDir) && !java.nio.file.Files.isDirectory(spillDir)) {
                    throw new IllegalArgumentException("--spill-dir " + spillDir + " is not a directory");
                }
                s = s.withFilterOutputs(filterOutputsMb != null ? filterOutputsMb << 20 : s.filterOutputsBytes(),
                        spillDir != null ? spillDir : s.spillDir());
            }
            if (stepBalance != null) {
                if (!(stepBalance > 0)) throw new IllegalArgumentException("--step-balance must be > 0, got " + stepBalance);
                s = s.withBalance(stepBalance);
            }
            if (dualSolver != null) {
                String v = dualSolver.toLowerCase(Locale.ROOT);
                if (!List.of("working-set", "centred", "centred-restarted", "centred-fista", "plain").contains(v)) {
                    throw new IllegalArgumentException("--dual-solver must be working-set, centred, centred-restarted, centred-fista or plain, got '"
                            + dualSolver + "'");
                }
                s = v.equals("working-set") ? s.withWorkingSet()
                        : s.withSolver(!v.equals("plain"), v.equals("centred-restarted"), v.equals("centred-fista"));
            }
            return s;
        }
    }

    @Override public boolean resumable() { return true; }
    @Override public boolean checkpointsSolverState() { return true; }

    @Override
    public Trained train(Dataset train, DccnnSettings s, TrainContext ctx) throws IOException {
        long total = 0;
        for (LayerSettings l : s.base().layers()) total += l.iterations();
        Trace.Recorder rec = new Trace.Recorder("iteration", "primal objective (logistic + λ‖A‖*)", total, ctx.progress());
        rec.message(String.format("data: %d for training; DCCNN with %d layer(s), relative gap tolerance %.0e", train.size(),
                s.base().layers().size(), s.tolerance()));
        long[] offset = {0, 0}; // iterations of the finished layers, and the current layer
        double[] time = {0, 0}; // solve seconds of the finished layers, and the current layer
        int[] current = {0};
        List<double[]> recent = new ArrayList<>(); // (seconds, log relative gap) of the current layer's checks
        CcnnListener listener = new CcnnListener() {
            @Override public void onMessage(String m) { rec.message(m); }

            @Override public void onCheck(int layer, DualSolver.Check c, double tolerance) {
                if (layer != current[0]) {
                    offset[0] += offset[1];
                    time[0] += time[1];
                    current[0] = layer;
                    recent.clear();
                }
                offset[1] = c.iteration();
                time[1] = c.seconds();
                double relative = c.gap() / Math.max(1e-300, Math.abs(c.primal()));
                // The trace's certificate is the relative gap: the gap-against-time curve of the run record, timed by
                // the solver (so a resumed run's replayed checks keep their times).
                Trace.Point pt = new Trace.Point(offset[0] + c.iteration(), time[0] + c.seconds(), c.primal(), Double.NaN, relative);
                rec.add(pt);
                rec.progress().step(pt);
                recent.add(new double[] {c.seconds(), Math.log(Math.max(relative, 1e-300))});
                if (relative > tolerance) rec.message(String.format("layer %d: relative gap %.3g, tolerance %.0e: %s", layer, relative,
                        tolerance, eta(recent, Math.log(tolerance))));
            }
        };
        JsonObject fingerprint = new JsonObject();
        JsonObject settings = dev.convexcnn.io.Records.settingsJson(s).getAsJsonObject();
        // Where the filter outputs are kept does not change the solve: a run may resume with another budget.
        settings.remove("filterOutputsBytes");
        settings.remove("spillDir");
        fingerprint.add("settings", settings);
        fingerprint.add("data", dataFingerprint(train));
        CcnnModel model;
        try (Checkpointer ckpt = Checkpointer.of(ctx, id(), fingerprint)) {
            model = DccnnTrainer.fit(train, s, listener, checkpoints(ckpt, s.base().layers().size()));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (rec.trace().points().isEmpty()) {
            double elapsed = 0;
            for (DualCertificate dc : model.dualCertificates()) {
                elapsed += dc.seconds();
                rec.add(new Trace.Point(dc.layer(), elapsed, dc.primal(), dc.accuracy(), dc.relativeGap()));
            }
        }
        Trained.Builder b = Trained.of(model, rec.trace());
        List<Certificate> layers = new ArrayList<>();
        for (DualCertificate dc : model.dualCertificates()) {
            layers.add(new Certificate.DualityGap(dc.primal(), dc.dual(), s.tolerance()));
            b.line("tolerance, layer " + dc.layer(), "relative gap %.3g %s the tolerance %.0e", dc.relativeGap(),
                    dc.relativeGap() <= s.tolerance() ? "within" : "NOT within", s.tolerance());
            b.line("duality gap, layer " + dc.layer(), "P %.8g − D %.8g = %.3g (relative %.3g); λ = %.4g (%.4g·λ_max); ‖G(p)‖₂/λ = %.6f; "
                            + "%d iterations; A from the %s", dc.primal(), dc.dual(), dc.gap(), dc.relativeGap(), dc.lambda(),
                    dc.lambda() / dc.lambdaMax(), dc.constraintRatio(), dc.iterations(), dc.source());
        }
        DualCertificate last = model.dualCertificates().get(model.dualCertificates().size() - 1);
        var top = s.base().layers().get(s.base().layers().size() - 1);
        return b.certificate(layers.size() == 1 ? layers.get(0) : new Certificate.Layered(layers))
                .line("dccnn", "dual + weight recovery, %d layer(s), %s kernel via %s", s.base().layers().size(), top.kernel(), top.approximation())
                .line("filters", "%d (last layer %d)", model.filterCount(), model.finalFilters())
                .line("convex variable", "%,d entries in the last layer's A", model.convexParameterCount())
                .figure("filters", model.filterCount())
                .figure("primal", last.primal())
                .figure("dual", last.dual())
                .figure("lambda", last.lambda())
                .figure("lambdaMax", last.lambdaMax())
                .figure("source", String.valueOf(last.source()))
                .figure("relativeGap", last.relativeGap())
                .figure("dualIterations", last.iterations())
                .build();
    }

    /** The time to the tolerance at the rate between the last two checks (log-linear in time), or that it is not known yet. */
    static String eta(List<double[]> checks, double logTolerance) {
        int k = checks.size();
        if (k < 2) return "ETA after the next check";
        double[] a = checks.get(k - 2), z = checks.get(k - 1);
        double rate = (a[1] - z[1]) / (z[0] - a[0]); // log-gap decrease per second
        if (!(rate > 0)) return "no progress over the last checks";
        return String.format("ETA %.0f s at the recent rate", (z[1] - logTolerance) / rate);
    }

    /** What the solver state depends on in the data: its name, size and a hash of its pixels and labels. */
    static JsonObject dataFingerprint(Dataset d) {
        JsonObject o = new JsonObject();
        o.addProperty("name", d.name());
        o.addProperty("samples", d.size());
        long h = 1125899906842597L;
        for (float v : d.pixels()) h = 31 * h + Float.floatToIntBits(v);
        for (int y : d.labels()) h = 31 * h + y;
        o.addProperty("hash", Long.toHexString(h));
        return o;
    }

    /** Each layer's solver state in one checkpoint file (finished layers' final states kept beside the current one). */
    static DccnnTrainer.Checkpoints checkpoints(Checkpointer ckpt, int layers) throws IOException {
        SolverCheckpoint saved = ckpt.resumeFrom();
        java.util.Map<Integer, WorkingSetSolver.State> states = new java.util.TreeMap<>();
        if (saved != null) {
            for (int l = 1; l <= layers; l++) if (saved.has("layer" + l + ".x")) states.put(l, readState(saved, "layer" + l + "."));
            ckpt.resumed(states.isEmpty() ? "the beginning" : "layer " + ((java.util.TreeMap<Integer, WorkingSetSolver.State>) states).lastKey());
        }
        return new DccnnTrainer.Checkpoints() {
            @Override public WorkingSetSolver.State resumeFrom(int layer) { return states.get(layer); }

            @Override public WorkingSetSolver.Checkpoints sink(int layer) {
                if (!ckpt.enabled()) return null;
                return new WorkingSetSolver.Checkpoints() {
                    @Override public boolean due() { return ckpt.due(); }

                    @Override public void save(WorkingSetSolver.State st) { write(st, false); }

                    @Override public void saveFinal(WorkingSetSolver.State st) { write(st, true); }

                    private void write(WorkingSetSolver.State st, boolean last) {
                        states.put(layer, st);
                        states.keySet().removeIf(k -> k > layer);
                        SolverCheckpoint out = ckpt.state();
                        for (var e : states.entrySet()) writeState(out, "layer" + e.getKey() + ".", e.getValue());
                        try {
                            if (last) ckpt.saveFinal(out);
                            else ckpt.save(out);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                };
            }
        };
    }

    /** The state's arrays are the solver's snapshot (copies nothing changes): shared, not copied again. */
    static void writeState(SolverCheckpoint out, String p, WorkingSetSolver.State s) {
        out.share(p + "u", s.u()).put(p + "blocks", s.blocks()).share(p + "x", s.x()).share(p + "xb", s.xb()).share(p + "y", s.y())
                .share(p + "yb", s.yb()).real(p + "t", s.t()).real(p + "step", s.step()).real(p + "innerTolerance", s.innerTolerance())
                .real(p + "seconds", s.secondsBefore()).whole(p + "round", s.round()).whole(p + "iterations", s.iterations())
                .whole(p + "inner", s.inner()).whole(p + "restarts", s.restarts()).whole(p + "finished", s.finished() ? 1 : 0)
                .share(p + "power", s.power()).real(p + "etaMax", s.etaMax()).share(p + "xLogits", s.xLogits()).share(p + "yLogits", s.yLogits());
        double[] checks = new double[5 * s.checks().size()];
        for (int i = 0; i < s.checks().size(); i++) {
            DualSolver.Check c = s.checks().get(i);
            System.arraycopy(new double[] {c.iteration(), c.primal(), c.dual(), c.constraintRatio(), c.seconds()}, 0, checks, 5 * i, 5);
        }
        out.put(p + "checks", checks);
    }

    static WorkingSetSolver.State readState(SolverCheckpoint in, String p) throws IOException {
        double[] c = in.doubles(p + "checks");
        List<DualSolver.Check> checks = new ArrayList<>();
        for (int i = 0; i + 4 < c.length; i += 5) checks.add(new DualSolver.Check((int) c[i], c[i + 1], c[i + 2], c[i + 3], c[i + 4]));
        return new WorkingSetSolver.State(in.integer(p + "round", 1, Integer.MAX_VALUE), in.doubles(p + "u"), in.ints(p + "blocks"),
                in.doubles(p + "x"), in.doubles(p + "xb"), in.doubles(p + "y"), in.doubles(p + "yb"), in.real(p + "t"), in.real(p + "step"),
                in.integer(p + "iterations", 0, Integer.MAX_VALUE), in.integer(p + "inner", 0, Integer.MAX_VALUE),
                in.integer(p + "restarts", 0, Integer.MAX_VALUE), in.real(p + "innerTolerance"), checks, in.real(p + "seconds"),
                in.whole(p + "finished", 0, 1) == 1, in.has(p + "power") ? in.doubles(p + "power") : new double[0],
                in.has(p + "etaMax") ? in.real(p + "etaMax") : 0, in.has(p + "xLogits") ? in.doubles(p + "xLogits") : new double[0],
                in.has(p + "yLogits") ? in.doubles(p + "yLogits") : new double[0]);
    }
}
