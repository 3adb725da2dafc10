package dev.convexcnn.lab;

import com.google.gson.JsonObject;
import dev.convexcnn.alternation.AlternatingTrainer;
import dev.convexcnn.alternation.AlternationSettings;
import dev.convexcnn.alternation.SweepRecord;
import dev.convexcnn.ccnn.CcnnListener;
import dev.convexcnn.ccnn.CcnnModel;
import dev.convexcnn.ccnn.CcnnSettings;
import dev.convexcnn.ccnn.CcnnModelFile;
import dev.convexcnn.ccnn.CcnnTrainer;
import dev.convexcnn.ccnn.DccnnSettings;
import dev.convexcnn.ccnn.DccnnTrainer;
import dev.convexcnn.ccnn.DualCertificate;
import dev.convexcnn.ccnn.IterationRecord;
import dev.convexcnn.convex.ConvexSettings;
import dev.convexcnn.convex.ConvexTrainer;
import dev.convexcnn.convex.GatedModelFile;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.io.ModelFile;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.linalg.Backend;
import dev.convexcnn.nn.Conv2d;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.report.RunRecord;
import dev.convexcnn.report.RunRecord.CurvePoint;
import dev.convexcnn.sgd.EpochRecord;
import dev.convexcnn.sgd.SgdTrainer;
import dev.convexcnn.sgd.TrainSettings;
import dev.convexcnn.sgd.TrainingListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The methods the lab can run, by name. Each runner maps a {@link Budget} onto its method's own settings. */
public final class Methods {
    private Methods() {}

    private static final Map<String, MethodRunner> ALL = new LinkedHashMap<>();

    static {
        register(new Sgd("sgd", "the reference CNN by SGD with momentum 0.9 (lr 0.05, batch 128)"));
        register(new Sgd("adam", "the reference CNN by Adam (lr 0.001, batch 128)"));
        register(new Convex("gated-relu", "two-layer gated-ReLU CNN, convex program solved by R-FISTA, with certificate"));
        register(new Convex("convex-relu", "two-layer ReLU CNN, exact convex program by augmented Lagrangian, recovered CNN"));
        register(new Alternation());
        register(new Ccnn());
        register(new Dccnn());
    }

    /** Adds (or replaces) a runner, e.g. a method from another module. */
    public static synchronized void register(MethodRunner r) {
        ALL.put(r.name(), r);
    }

    /** Every known method, in the order of the table. */
    public static synchronized List<MethodRunner> all() {
        return List.copyOf(ALL.values());
    }

    public static synchronized List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    /** The runner of a method; an unknown name is an error that lists the known ones. */
    public static synchronized MethodRunner get(String name) {
        MethodRunner r = ALL.get(name);
        if (r == null) throw new IllegalArgumentException("unknown method '" + name + "': use one of " + String.join(", ", ALL.keySet()));
        return r;
    }

    static Dataset head(Dataset d, int limit) {
        return limit == 0 || limit >= d.size() ? d : d.head(limit);
    }

    /** The first conv layer's filters, or null when the network has none. */
    static RunRecord.Filters firstConvFilters(Sequential net) {
        for (Layer l : net.layers()) {
            if (l instanceof Conv2d c) {
                int[] s = c.params().get(0).shape(); // F × C × kH × kW
                return new RunRecord.Filters(s[0], s[1], s[2], s[3], c.params().get(0).value().clone());
            }
        }
        return null;
    }

    /** CCNN models have their own file kind: beside the model file, with .ccnn for .cnn. */
    static Path ccnnFile(Path modelFile) {
        return modelFile.resolveSibling(modelFile.getFileName().toString().replace(".cnn", ".ccnn"));
    }

    static JsonObject provenance(Dataset train, long seed) {
        JsonObject p = Provenance.base();
        p.addProperty("trainedOn", train.name());
        p.addProperty("trainSamples", train.size());
        p.addProperty("seed", seed);
        return p;
    }

    /** A runner whose name and summary are given, for methods that come in variants. */
    abstract static class Named implements MethodRunner {
        final String name, summary;

        Named(String name, String summary) {
            this.name = name;
            this.summary = summary;
        }

        @Override public String name() { return name; }
        @Override public String summary() { return summary; }
    }

    /** SGD with momentum, or Adam, on the reference CNN. */
    static final class Sgd extends Named {
        Sgd(String name, String summary) {
            super(name, summary);
        }

        @Override
        public RunRecord run(Dataset train, Dataset test, long seed, Budget b, Path modelFile, Consumer<String> log) throws IOException {
            Dataset tr = head(train, b.sgdLimit());
            TrainSettings s = TrainSettings.defaults().withEpochs(b.sgdEpochs()).withSeed(seed);
            if (name.equals("adam")) s = s.withOptimizer("adam").withLearningRate(0.001);
            List<CurvePoint> curve = new ArrayList<>();
            long t0 = System.nanoTime();
            TrainingListener listener = new TrainingListener() {
                @Override public void onBatch(int epoch, int batch, int batches, double runningLoss) {
                    int every = Math.max(1, batches / 25);
                    if ((batch + 1) % every == 0) curve.add(new CurvePoint((System.nanoTime() - t0) * 1e-9, runningLoss, Double.NaN));
                }

                @Override public void onEpoch(EpochRecord r) {
                    curve.add(new CurvePoint((System.nanoTime() - t0) * 1e-9, r.trainLoss(), r.trainAccuracy()));
                    log.accept(String.format("%s epoch %d: train loss %.4f, train accuracy %.2f%%", name, r.epoch(), r.trainLoss(), 100 * r.trainAccuracy()));
                }
            };
            SgdTrainer.Result r = new SgdTrainer(s).fit(tr, null, null, false, listener);
            double seconds = (System.nanoTime() - t0) * 1e-9;
            Evaluation e = Evaluation.of(r.net(), test, r.normalization(), 512);
            if (modelFile != null) {
                r.provenance().addProperty("testAccuracy", e.accuracy());
                ModelFile.save(modelFile, r.net(), r.normalization(), r.provenance());
            }
            return new RunRecord(name, test.name(), seed, tr.size(), test.size(), e.accuracy(), e.loss(), seconds, -1,
                    r.net().parameterCount(), r.net().spec(), "mean cross-entropy (running, per batch)", null, null, null,
                    Backend.get().kind(), s.toJson(), r.provenance(), curve, e.confusion(), firstConvFilters(r.net()));
        }
    }

    /** The two-layer convex programs: gated-ReLU (R-FISTA) and exact ReLU (augmented Lagrangian). */
    static final class Convex extends Named {
        Convex(String name, String summary) {
            super(name, summary);
        }

        @Override
        public RunRecord run(Dataset train, Dataset test, long seed, Budget b, Path modelFile, Consumer<String> log) throws IOException {
            boolean exact = name.equals("convex-relu");
            Dataset tr = head(train, exact ? b.exactLimit() : b.gatedLimit());
            ConvexSettings s = ConvexSettings.defaults().withProgram(name)
                    .withPatterns(exact ? b.exactPatterns() : b.gatedPatterns())
                    .withMaxIterations(exact ? b.exactIterations() : b.convexIterations()).withSeed(seed);
            if (exact) s = s.withPatches(s.kernel(), b.exactStride());
            List<CurvePoint> curve = new ArrayList<>();
            long[] last = {System.nanoTime()};
            ConvexTrainer.Run run = new ConvexTrainer(s).fit(tr, st -> {
                curve.add(new CurvePoint(st.seconds(), st.objective(), Double.NaN));
                if (System.nanoTime() - last[0] > 5_000_000_000L) {
                    last[0] = System.nanoTime();
                    log.accept(String.format("%s iteration %d: objective %.6g, certificate %.3g", name, st.iteration(), st.objective(), st.certificate()));
                }
            });
            Evaluation e = run.evaluate(test);
            long params;
            String arch;
            RunRecord.Filters filters = null;
            if (exact) {
                Sequential net = run.relu();
                params = net.parameterCount();
                arch = net.spec() + " (recovered)";
                filters = firstConvFilters(net);
                if (modelFile != null) {
                    run.provenance().addProperty("testAccuracy", e.accuracy());
                    ModelFile.save(modelFile, net, run.normalization(), run.provenance());
                }
            } else {
                int patchDim = s.kernel() * s.kernel() * tr.channels() + (s.bias() ? 1 : 0);
                params = run.weights().length + (long) run.gates().count() * patchDim;
                arch = String.format("gated two-layer CNN: %d fixed gates on %dx%d patches, stride %d", run.gates().count(),
                        s.kernel(), s.kernel(), s.stride());
                if (modelFile != null) GatedModelFile.save(modelFile, run, tr.classes());
            }
            return new RunRecord(name, test.name(), seed, tr.size(), test.size(), e.accuracy(), e.loss(), run.seconds(), -1,
                    params, arch, exact ? "augmented Lagrangian objective" : "regularised convex objective",
                    exact ? "squared stationarity of the augmented Lagrangian" : "squared min-norm subgradient",
                    run.certificate(), run.converged(), Backend.get().kind(), s.toJson(), run.provenance(), curve,
                    e.confusion(), filters);
        }
    }

    /** Alternating minimisation with positive hard-thresholding. */
    static final class Alternation implements MethodRunner {
        @Override public String name() { return "alternation"; }
        @Override public String summary() { return "alternating weights/support with positive hard-thresholding (τ = 0)"; }

        @Override
        public RunRecord run(Dataset train, Dataset test, long seed, Budget b, Path modelFile, Consumer<String> log) throws IOException {
            Dataset tr = head(train, b.alternationLimit());
            AlternationSettings s = AlternationSettings.defaults().withMaxSweeps(b.alternationSweeps()).withSeed(seed);
            long t0 = System.nanoTime();
            AlternatingTrainer.Result r = AlternatingTrainer.fit(tr, null, s, new TrainingListener() {
                @Override public void onMessage(String m) { log.accept("alternation: " + m); }
            });
            double seconds = (System.nanoTime() - t0) * 1e-9;
            List<CurvePoint> curve = new ArrayList<>();
            for (SweepRecord x : r.log()) curve.add(new CurvePoint(x.elapsedSeconds(), x.objective(), x.trainAccuracy()));
            Evaluation e = Evaluation.of(r.net(), test, r.normalization(), 512);
            if (modelFile != null) {
                r.provenance().addProperty("testAccuracy", e.accuracy());
                ModelFile.save(modelFile, r.net(), r.normalization(), r.provenance());
            }
            JsonObject settings = s.toJson();
            settings.addProperty("stopReason", r.stopReason());
            return new RunRecord(name(), test.name(), seed, tr.size(), test.size(), e.accuracy(), e.loss(), seconds, -1,
                    r.net().parameterCount(), r.net().spec(), "½·mean squared logit error + ridge", null, null, null,
                    Backend.get().kind(), settings, r.provenance(), curve, e.confusion(), firstConvFilters(r.net()));
        }
    }

    /** The convexified CNN (one layer by default: the budget's iterations). */
    static final class Ccnn implements MethodRunner {
        @Override public String name() { return "ccnn"; }
        @Override public String summary() { return "convexified CNN, one layer: kernel features, nuclear-norm ball, projected SGD"; }

        @Override
        public RunRecord run(Dataset train, Dataset test, long seed, Budget b, Path modelFile, Consumer<String> log) throws IOException {
            Dataset tr = head(train, b.ccnnLimit());
            CcnnSettings s = CcnnSettings.layers(1).withSeed(seed);
            s = s.withLayer(0, s.layers().get(0).withIterations(b.ccnnIterations()));
            List<CurvePoint> curve = new ArrayList<>();
            int every = Math.max(1, b.ccnnIterations() / 100);
            long t0 = System.nanoTime();
            CcnnModel model = CcnnTrainer.fit(tr, s, new CcnnListener() {
                @Override public void onIteration(IterationRecord r) {
                    if (r.iteration() % every == 0) curve.add(new CurvePoint((System.nanoTime() - t0) * 1e-9, r.batchLoss(), r.batchAccuracy()));
                }

                @Override public void onMessage(String m) { log.accept("ccnn: " + m); }
            });
            double seconds = (System.nanoTime() - t0) * 1e-9;
            Evaluation e = model.evaluate(test);
            var cert = model.certificate();
            JsonObject prov = provenance(tr, seed);
            prov.addProperty("certificateRelativeGap", cert.relativeGap());
            prov.addProperty("nuclearNorm", cert.nuclearNorm());
            prov.addProperty("radius", cert.radius());
            if (modelFile != null) CcnnModelFile.save(ccnnFile(modelFile), model, prov);
            return new RunRecord(name(), test.name(), seed, tr.size(), test.size(), e.accuracy(), e.loss(), seconds, -1,
                    model.parameterCount(), model.filterCount() + " filters in kernel-feature space, 1 layer",
                    "multinomial logistic loss (mini-batch)", "Frank-Wolfe gap (last layer)", cert.gap(),
                    cert.feasible() ? null : Boolean.FALSE, Backend.get().kind(), Records.toJson(s), prov, curve,
                    e.confusion(), null);
        }
    }

    /** DCCNN: CCNN's penalised program solved in the dual, filters and linear weights recovered from it. */
    static final class Dccnn implements MethodRunner {
        @Override public String name() { return "dccnn"; }
        @Override public String summary() { return "the dual of CCNN (one layer), weight recovery, duality-gap certificate"; }

        @Override
        public RunRecord run(Dataset train, Dataset test, long seed, Budget b, Path modelFile, Consumer<String> log) throws IOException {
            Dataset tr = head(train, b.dccnnLimit());
            CcnnSettings base = CcnnSettings.layers(1).withSeed(seed);
            // 200 random features, cached after the first pass (n × positions × 200 doubles): the dual solver reads
            // every feature block once per iteration, and recomputing them dominated its time.
            base = base.withLayer(0, base.layers().get(0).withIterations(b.dccnnIterations()).withFeatures(200));
            DccnnSettings s = DccnnSettings.of(base).withFeatureCache(2L << 30);
            List<CurvePoint> curve = new ArrayList<>();
            long t0 = System.nanoTime();
            CcnnModel model = DccnnTrainer.fit(tr, s, new CcnnListener() {
                @Override public void onIteration(IterationRecord r) {
                    curve.add(new CurvePoint((System.nanoTime() - t0) * 1e-9, r.batchLoss(), r.batchAccuracy()));
                }

                @Override public void onMessage(String m) { log.accept("dccnn: " + m); }
            });
            double seconds = (System.nanoTime() - t0) * 1e-9;
            Evaluation e = model.evaluate(test);
            DualCertificate cert = model.dualCertificates().get(model.dualCertificates().size() - 1);
            if (curve.isEmpty()) curve.add(new CurvePoint(seconds, cert.primal(), Double.NaN));
            JsonObject prov = provenance(tr, seed);
            prov.addProperty("primal", cert.primal());
            prov.addProperty("dual", cert.dual());
            prov.addProperty("lambda", cert.lambda());
            prov.addProperty("lambdaMax", cert.lambdaMax());
            prov.addProperty("source", String.valueOf(cert.source()));
            if (modelFile != null) CcnnModelFile.save(ccnnFile(modelFile), model, prov);
            boolean reached = cert.gap() <= s.tolerance() * Math.max(1, Math.abs(cert.primal()));
            return new RunRecord(name(), test.name(), seed, tr.size(), test.size(), e.accuracy(), e.loss(), seconds, -1,
                    model.parameterCount(), model.filterCount() + " filters recovered in kernel-feature space, 1 layer",
                    "primal objective (logistic + λ‖A‖*)", "duality gap", cert.gap(), reached, Backend.get().kind(),
                    Records.toJson(s), prov, curve, e.confusion(), null);
        }
    }
}
