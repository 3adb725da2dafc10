package dev.convexcnn.alternation;

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
import dev.convexcnn.model.NetworkModel;
import dev.convexcnn.nn.Initializer;
import dev.convexcnn.sgd.EpochRecord;
import dev.convexcnn.sgd.TrainingListener;
import picocli.CommandLine.Option;

/** Alternating minimisation over weights and support with positive hard-thresholding units. */
public final class AlternationMethod implements Method<AlternationSettings> {
    @Override public String id() { return "alternation"; }

    @Override
    public MethodInfo info() {
        return new MethodInfo("alternating weights/support with positive hard-thresholding (τ = 0)",
                "ReLUs become positive hard-thresholding units; with the support (every unit's on/off state) fixed, the "
                        + "network is linear in each layer's weights, so each sweep solves the output layer by least squares and the "
                        + "other layers by conjugate gradients, then recomputes the support, never raising the objective.",
                "Huang, Kong and Lucey, CNNs are Globally Optimal Given Multi-Layer Support (arXiv 1712.02501)",
                new MethodInfo.Fidelity(MethodInfo.Kind.OUR_READING, "only the paper's abstract could be read; the steps and the schedule are ours"));
    }

    /** The defaults, the last layer sized for the data's classes. */
    @Override
    public AlternationSettings defaults(DataInfo data) {
        AlternationSettings s = AlternationSettings.defaults();
        return s.withArchitecture(dev.convexcnn.nn.Architecture.withOutputs(s.architecture(), data.classes()));
    }
    @Override public long seed(AlternationSettings s) { return s.seed(); }
    @Override public String describe(AlternationSettings s) { return s.maxSweeps() + " sweeps, " + s.cgIterations() + " CG iterations per layer"; }
    @Override public AlternationSettings withSeed(AlternationSettings s, long seed) { return s.withSeed(seed); }

    @Override
    public Plan<AlternationSettings> plan(Budget b, DataInfo data) {
        return b.pick(new Plan<>(10_000, defaults(data).withMaxSweeps(5)), new Plan<>(60_000, defaults(data).withMaxSweeps(20)),
                new Plan<>(2_000, defaults(data).withMaxSweeps(2)));
    }

    @Override public MethodOptions<AlternationSettings> options() { return new Options(); }

    /** alternation's options. */
    public static final class Options implements MethodOptions<AlternationSettings> {
        @Option(names = "--arch", paramLabel = "ARCH", description = "An all-convolutional architecture (default: "
                + AlternationSettings.DEFAULT_ARCHITECTURE + ").")
        String arch;
        @Option(names = "--threshold", description = "Threshold τ of the units (default: 0, the support of a ReLU).")
        Float threshold;
        @Option(names = "--ridge", description = "Ridge λ on the weights (default: 1e-4).")
        Double ridge;
        @Option(names = "--sweeps", description = "Maximum sweeps over the layers (default: 20).")
        Integer sweeps;
        @Option(names = "--cg-iter", description = "Conjugate-gradient iterations per layer solve (default: 10).")
        Integer cgIter;
        @Option(names = "--init", description = "Initialiser: he, glorot or uniform-fan-in (default: uniform-fan-in).")
        String init;

        @Override
        public AlternationSettings apply(AlternationSettings s) {
            if (arch != null) s = s.withArchitecture(arch);
            if (threshold != null) {
                if (!(threshold >= 0) || threshold.isInfinite()) throw new IllegalArgumentException("--threshold must be finite and >= 0, got " + threshold);
                s = s.withThreshold(threshold);
            }
            if (ridge != null) {
                if (!(ridge >= 0) || ridge.isInfinite()) throw new IllegalArgumentException("--ridge must be finite and >= 0, got " + ridge);
                s = s.withRidge(ridge);
            }
            if (sweeps != null) {
                if (sweeps <= 0) throw new IllegalArgumentException("--sweeps must be > 0, got " + sweeps);
                s = s.withMaxSweeps(sweeps);
            }
            if (cgIter != null) {
                if (cgIter <= 0) throw new IllegalArgumentException("--cg-iter must be > 0, got " + cgIter);
                s = s.withCgIterations(cgIter);
            }
            if (init != null) s = s.withInitializer(Initializer.parse(init));
            return s;
        }
    }

    @Override public boolean resumable() { return true; }
    @Override public boolean checkpointsSolverState() { return true; }

    @Override
    public Trained train(Dataset train, AlternationSettings s, TrainContext ctx) throws java.io.IOException {
        if (s.threshold() != 0) {
            throw new IllegalArgumentException("--threshold " + s.threshold() + ": the model format has no layer token for thresholds τ > 0 "
                    + "yet, so such a network could not be saved; use experiment alternation-vs-sgd for τ > 0");
        }
        Trace.Recorder rec = new Trace.Recorder("sweep", "½·mean squared logit error + ridge", s.maxSweeps(), ctx.progress());
        AlternatingTrainer.Result r;
        try (Checkpointer ck = Checkpointer.of(ctx, id(), AlternatingTrainer.fingerprint(s, train, ctx.validation()))) {
            r = AlternatingTrainer.fit(train, ctx.validation(), s, new TrainingListener() {
                @Override public void onEpoch(EpochRecord e) { rec.step(e.epoch(), e.trainLoss(), e.trainAccuracy(), Double.NaN); }
                @Override public void onMessage(String m) { rec.message(m); }
            }, ck);
        }
        SweepRecord last = r.log().get(r.log().size() - 1);
        return Trained.of(new NetworkModel(r.net(), r.normalization()), rec.trace())
                .line("alternation", "%d sweeps, %d passes over the data, stop: %s", last.sweep(), last.dataPasses(), r.stopReason())
                .line("objective", "%.6f", last.objective())
                .line("train accuracy", "%.2f %%", 100 * last.trainAccuracy())
                .figure("sweeps", last.sweep())
                .figure("dataPasses", last.dataPasses())
                .figure("objective", last.objective())
                .figure("trainAccuracy", last.trainAccuracy())
                .figure("stopReason", r.stopReason())
                .build();
    }
}
