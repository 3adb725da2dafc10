package dev.convexcnn.ccnn;

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
import dev.convexcnn.optim.Certificate;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The convexified CNN: kernel patch features, a nuclear-norm ball, projected SGD, filters by factorisation. */
public final class CcnnMethod implements Method<CcnnSettings> {
    static final String PAPER = "Zhang, Liang and Wainwright, Convexified Convolutional Neural Networks, ICML 2017 (arXiv 1609.01000)";

    @Override public String id() { return "ccnn"; }

    @Override
    public MethodInfo info() {
        return new MethodInfo("convexified CNN: kernel features, nuclear-norm ball, projected SGD",
                "Each layer is a linear model over kernel features of whitened patches (random Fourier or Nyström), its weights "
                        + "A constrained to a nuclear-norm ball (the convex relaxation of a few filters), trained by projected SGD with "
                        + "iterate averaging; filters are A's top singular vectors, and layers stack. The Frank-Wolfe gap bounds each "
                        + "layer's suboptimality.", PAPER, new MethodInfo.Fidelity(MethodInfo.Kind.PAPER, "settings from the paper's code"));
    }

    @Override public CcnnSettings defaults(DataInfo data) { return CcnnSettings.layers(2); }
    @Override public long seed(CcnnSettings s) { return s.seed(); }

    @Override
    public String describe(CcnnSettings s) {
        StringBuilder b = new StringBuilder(s.layers().size() + " layer(s), projected-SGD iterations");
        for (LayerSettings l : s.layers()) b.append(' ').append(String.format("%,d", l.iterations()));
        return b.toString();
    }
    @Override public CcnnSettings withSeed(CcnnSettings s, long seed) { return s.withSeed(seed); }

    @Override
    public Plan<CcnnSettings> plan(Budget b, DataInfo data) {
        CcnnSettings s = CcnnSettings.layers(1);
        int iterations = b.pick(300, 1_000, 30);
        return new Plan<>(b.pick(10_000, 20_000, 50), s.withLayer(0, s.layers().get(0).withIterations(iterations)));
    }

    @Override public MethodOptions<CcnnSettings> options() { return new Options(); }

    /** ccnn's options. */
    public static final class Options extends CcnnOptions implements MethodOptions<CcnnSettings> {
        @Option(names = "--radius", paramLabel = "R[,R...]", description = "Nuclear-norm radius R, one value or one per layer (default: 200, 500, 500).")
        String radius;
        @Option(names = "--ccnn-lr", paramLabel = "LR[,LR...]", description = "Projected-SGD learning rate, one value or one per layer (default: 0.2, 1, 1).")
        String lr;
        @Option(names = "--ccnn-batch", description = "Projected-SGD mini-batch (default: 50).")
        Integer batch;
        @Option(names = "--certificate-samples", description = "Training samples the Frank-Wolfe certificate is computed on (0: all; default: 0).")
        Integer certificateSamples;

        @Override
        public CcnnSettings apply(CcnnSettings s) {
            s = applyLayers(s);
            if (batch != null) {
                if (batch <= 0) throw new IllegalArgumentException("--ccnn-batch must be > 0, got " + batch);
                s = s.withBatchSize(batch);
            }
            if (certificateSamples != null) {
                if (certificateSamples < 0) throw new IllegalArgumentException("--certificate-samples must be >= 0, got " + certificateSamples);
                s = s.withCertificateSamples(certificateSamples);
            }
            return s;
        }

        @Override
        LayerSettings perLayerExtra(LayerSettings l, int layer, int layers) {
            double[] radii = perLayer("--radius", radius, layers), lrs = perLayer("--ccnn-lr", lr, layers);
            if (radii != null) l = l.withRadius(radii[layer]);
            if (lrs != null) l = l.withLearningRate(lrs[layer]);
            return l;
        }
    }

    @Override public boolean resumable() { return true; }
    @Override public boolean checkpointsSolverState() { return true; }

    @Override
    public Trained train(Dataset train, CcnnSettings s, TrainContext ctx) throws java.io.IOException {
        long total = 0;
        for (LayerSettings l : s.layers()) total += l.iterations();
        Trace.Recorder rec = new Trace.Recorder("iteration", "multinomial logistic loss (mini-batch)", total, ctx.progress());
        rec.message(String.format("data: %d for training; CCNN with %d layer(s)", train.size(), s.layers().size()));
        // The trainer reports every logEvery-th iteration of a layer: the step is that iteration counted over all layers.
        long[] before = new long[s.layers().size() + 1];
        for (int l = 0; l < s.layers().size(); l++) before[l + 1] = before[l] + s.layers().get(l).iterations();
        CcnnModel model;
        try (Checkpointer ck = Checkpointer.of(ctx, id(), CcnnTrainer.fingerprint(s, train))) {
            model = CcnnTrainer.fit(train, s, new CcnnListener() {
                @Override public void onIteration(IterationRecord r) {
                    rec.step(before[r.layer() - 1] + r.iteration(), r.batchLoss(), r.batchAccuracy(), r.monitorGap());
                }

                @Override public void onMessage(String m) { rec.message(m); }
            }, ck);
        }
        List<Certificate> layers = new ArrayList<>();
        Trained.Builder b = Trained.of(model, rec.trace());
        for (dev.convexcnn.ccnn.Certificate c : model.certificates()) {
            layers.add(new Certificate.FrankWolfeGap(c.gap(), c.objective(), Double.NaN));
            b.line("certificate, layer " + c.layer(), "FW gap %.4g on objective %.6g (relative %.3g); ‖A‖* = %.4g ≤ R = %.4g: %s",
                    c.gap(), c.objective(), c.relativeGap(), c.nuclearNorm(), c.radius(), c.feasible() ? "feasible" : "INFEASIBLE");
        }
        var top = s.layers().get(s.layers().size() - 1);
        dev.convexcnn.ccnn.Certificate last = model.certificate();
        return b.certificate(layers.size() == 1 ? layers.get(0) : new Certificate.Layered(layers))
                .line("ccnn", "projected SGD, %d layer(s), %s kernel via %s", s.layers().size(), top.kernel(), top.approximation())
                .line("filters", "%d (last layer %d)", model.filterCount(), model.finalFilters())
                .line("convex variable", "%,d entries in the last layer's A", model.convexParameterCount())
                .figure("filters", model.filterCount())
                .figure("nuclearNorm", last.nuclearNorm())
                .figure("radius", last.radius())
                .figure("feasible", last.feasible())
                .build();
    }
}
