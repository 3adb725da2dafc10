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
import dev.convexcnn.model.Model;
import dev.convexcnn.model.NetworkModel;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.optim.Certificate;
import picocli.CommandLine.Option;

/**
 * The CNNs beyond the two-layer one, each by its exact convex program (augmented Lagrangian over R-FISTA) with
 * recovery: the average-pooling CNN, the circular CNN and the three-layer CNN. Their programs are our derivations
 * (the paper's theorem statements could not be read), each checked by brute force on a tiny instance.
 */
public abstract class CnnProgramMethod implements Method<CnnProgramTrainer.Settings> {
    static final MethodInfo.Fidelity DERIVED = new MethodInfo.Fidelity(MethodInfo.Kind.OUR_DERIVATION,
            "the paper's theorem statements could not be read; the program is derived here and checked by brute force on tiny instances");

    abstract CnnProgramTrainer.Variant variant();

    @Override public long seed(CnnProgramTrainer.Settings s) { return s.seed(); }

    @Override
    public String describe(CnnProgramTrainer.Settings s) {
        return String.format("%d patterns%s%s, ≤ %d AL steps × %,d R-FISTA iterations", s.patterns(),
                s.cells() > 0 ? ", " + s.cells() + " cells" : "", s.pool() > 0 ? ", pool " + s.pool() : "", s.maxOuter(), s.maxIterations());
    }

    @Override
    public CnnProgramTrainer.Settings withSeed(CnnProgramTrainer.Settings s, long seed) {
        return s.withSeed(seed);
    }


    /** A few patterns and cells, 300 iterations per step, 3 steps: seconds, for the smoke budget. */
    static CnnProgramTrainer.Settings smoke(CnnProgramTrainer.Settings s, int kernel, int stride) {
        return s.withPatches(kernel, stride, s.bias()).withPatterns(4).withCells(Math.min(s.cells(), 4), s.filtersPerUnit()).withIterations(300, 3);
    }

    /** Options of these programs: the convex ones plus the augmented Lagrangian's steps and each program's own. */
    public static class Options extends ConvexProgramOptions implements MethodOptions<CnnProgramTrainer.Settings> {
        @Option(names = "--max-outer", description = "Augmented Lagrangian steps.")
        Integer maxOuter;

        @Override
        public CnnProgramTrainer.Settings apply(CnnProgramTrainer.Settings s) {
            s = applyTo(s);
            if (maxOuter != null) {
                if (maxOuter <= 0) throw new IllegalArgumentException("--max-outer must be > 0, got " + maxOuter);
                s = s.withIterations(s.maxIterations(), maxOuter);
            }
            return s;
        }
    }

    @Override public MethodOptions<CnnProgramTrainer.Settings> options() { return new Options(); }

    // The augmented Lagrangian's state, as convex-relu's: the programs are rebuilt from the settings and the seed.
    @Override public boolean resumable() { return true; }
    @Override public boolean checkpointsSolverState() { return true; }

    @Override
    public Trained train(Dataset train, CnnProgramTrainer.Settings s, TrainContext ctx) throws java.io.IOException {
        if (s.variant() != variant()) throw new IllegalArgumentException(id() + " trains the " + variant().id + " program, not " + s.variant().id);
        Trace.Recorder rec = new Trace.Recorder("augmented-Lagrangian step", "augmented Lagrangian objective", s.maxOuter(), ctx.progress());
        rec.message(String.format("data: %d for training; %s, %d patterns", train.size(), s.variant().id, s.patterns()));
        long[] step = {0};
        CnnProgramTrainer.Run run;
        try (Checkpointer ck = Checkpointer.of(ctx, id(), CnnProgramTrainer.fingerprint(s, train))) {
            run = new CnnProgramTrainer(s).fit(train, st -> {
                // The solver's clock, which a resumed run carries over, so a replayed step keeps its own time.
                rec.step(++step[0], st.seconds(), st.objective(), Double.NaN, st.certificate());
                rec.message(String.format("step %d (%d R-FISTA iterations): objective %.6g, certificate %.3g, violation %.3g, %.1f s",
                        step[0], st.iteration(), st.objective(), st.certificate(), st.violation(), st.seconds()));
            }, ck);
        }
        Model model = run.model() instanceof CircularCnn c ? c : new NetworkModel((Sequential) run.model(), run.normalization());
        Evaluation trainEval = run.evaluate(train);
        Trained.Builder b = Trained.of(model, rec.trace())
                .certificate(new Certificate.AugmentedLagrangian(run.stationarity(), run.violation(), s.tolerance()))
                .line("program", "%s, λ = %.4g (λ_max %.4g), %s loss, %d patterns kept of %d%s", s.variant().id, run.lambda(),
                        run.lambdaMax(), s.loss().id(), run.patternsKept(), s.patterns(),
                        run.cellsKept() > 0 ? ", " + run.cellsKept() + " cells" : "")
                .line("objective", "%.8g", run.objective())
                .line("constraint violation", "%.3g", run.violation())
                .line("recovered CNN", "%s", run.description());
        if (run.provenance().has("slackness")) {
            b.line("complementary slackness", "Σ (γ·h)² = %.3g (part of the stop rule, with stationarity and violation)",
                    run.provenance().get("slackness").getAsDouble());
        }
        // The augmented Lagrangian's clock goes on across a resume: a resumed run's own seconds are only its part.
        double solveSeconds = run.log().isEmpty() ? Double.NaN : run.log().get(run.log().size() - 1).seconds();
        b.iterations(run.iterations(), run.seconds(), solveSeconds);
        b.line("train accuracy", "%.2f %%", 100 * trainEval.accuracy());
        Training.ownFigures(run.provenance()).entrySet().forEach(e -> b.figure(e.getKey(), e.getValue()));
        return b.figure("iterations", run.iterations()).figure("trainAccuracy", trainEval.accuracy()).build();
    }

    /** The two-layer ReLU CNN with A×A average pooling before the linear layer. */
    public static final class Pooled extends CnnProgramMethod {
        @Override public String id() { return "convex-relu-pool"; }
        @Override CnnProgramTrainer.Variant variant() { return CnnProgramTrainer.Variant.POOLED; }

        @Override
        public MethodInfo info() {
            return new MethodInfo("two-layer ReLU CNN with A×A average pooling, exact convex program, recovered CNN",
                    "The two-layer ReLU CNN whose units are averaged over A×A windows (stride A) before the linear layer, which "
                            + "keeps where a feature is. Its exact program (per-window output weights, cone constraints) is solved "
                            + "by an augmented Lagrangian and the CNN is recovered.", GatedReluMethod.PAPER, DERIVED);
        }

        @Override
        public CnnProgramTrainer.Settings defaults(DataInfo data) {
            return new CnnProgramTrainer.Settings(variant(), 5, 3, true, 8, 0, 0, 4, 0.05, 0, Loss.SQUARED, 1e-6, 3_000, 50, 1);
        }

        @Override
        public Plan<CnnProgramTrainer.Settings> plan(Budget b, DataInfo data) {
            return b.pick(new Plan<>(50, fitPool(defaults(data).withIterations(500, 10), data)),
                    new Plan<>(100, fitPool(defaults(data).withIterations(3_000, 50), data)), new Plan<>(20, fitPool(smoke(defaults(data), 5, 8), data)));
        }

        /** The largest window up to the settings' own that divides the feature map of data (a window must divide it). */
        static CnnProgramTrainer.Settings fitPool(CnnProgramTrainer.Settings s, DataInfo data) {
            int oh = Math.max(1, (data.height() - s.kernel()) / s.stride() + 1), ow = Math.max(1, (data.width() - s.kernel()) / s.stride() + 1);
            int pool = Math.max(1, Math.min(s.pool(), Math.min(oh, ow)));
            while (pool > 1 && (oh % pool != 0 || ow % pool != 0)) pool--;
            return s.withPool(pool);
        }

        @Override public MethodOptions<CnnProgramTrainer.Settings> options() { return new PoolOptions(); }

        /** Adds --pool. */
        public static final class PoolOptions extends Options {
            @Option(names = "--pool", description = "Average-pooling window A (A×A positions, stride A) before the linear layer.")
            Integer pool;

            @Override
            public CnnProgramTrainer.Settings apply(CnnProgramTrainer.Settings s) {
                s = super.apply(s);
                if (pool == null) return s;
                if (pool <= 0) throw new IllegalArgumentException("--pool must be > 0, got " + pool);
                return s.withPool(pool);
            }
        }
    }

    /** The circular CNN with one ReLU layer: an ℓ1 program in the Fourier domain. */
    public static final class Circular extends CnnProgramMethod {
        @Override public String id() { return "convex-circular"; }
        @Override CnnProgramTrainer.Variant variant() { return CnnProgramTrainer.Variant.CIRCULAR; }

        @Override
        public MethodInfo info() {
            return new MethodInfo("circular CNN (one ReLU layer), ℓ1 program on the image spectra, recovered network",
                    "A CNN with one circular-convolution ReLU layer: in the DFT domain its program is an ℓ1-type penalty that "
                            + "favours sparse spectra, with cone constraints per sampled pattern. Solved by an augmented "
                            + "Lagrangian; the units (full-size filters of norm ≤ 1) are recovered.", GatedReluMethod.PAPER, DERIVED);
        }

        @Override
        public CnnProgramTrainer.Settings defaults(DataInfo data) {
            return new CnnProgramTrainer.Settings(variant(), 5, 1, true, 8, 0, 0, 0, 0.05, 0, Loss.SQUARED, 1e-6, 1_000, 15, 1);
        }

        @Override
        public String unsupported(DataInfo data) {
            return data.channels() == 1 ? null : "it takes one-channel images, " + data.name() + " has " + data.channels();
        }

        @Override
        public Plan<CnnProgramTrainer.Settings> plan(Budget b, DataInfo data) {
            return b.pick(new Plan<>(100, defaults(data).withIterations(300, 10)), new Plan<>(300, defaults(data)),
                    new Plan<>(20, smoke(defaults(data), 5, 1)));
        }
    }

    /** The three-layer CNN with two ReLU layers. */
    public static final class ThreeLayer extends CnnProgramMethod {
        @Override public String id() { return "convex-3layer"; }
        @Override CnnProgramTrainer.Variant variant() { return CnnProgramTrainer.Variant.THREE_LAYER; }

        @Override
        public MethodInfo info() {
            return new MethodInfo("three-layer CNN with two ReLU layers, exact convex program over sampled cells, recovered CNN",
                    "A conv-ReLU-pool-linear-ReLU-linear network whose program runs over cells (joint activation patterns of both "
                            + "ReLU layers) sampled from random filters, with cone constraints; solved by an augmented Lagrangian and "
                            + "recovered unit by unit.", GatedReluMethod.PAPER, DERIVED);
        }

        @Override
        public CnnProgramTrainer.Settings defaults(DataInfo data) {
            return new CnnProgramTrainer.Settings(variant(), 7, 7, true, 8, 8, 2, 0, 0.05, 0, Loss.SQUARED, 1e-6, 3_000, 50, 1);
        }

        @Override
        public Plan<CnnProgramTrainer.Settings> plan(Budget b, DataInfo data) {
            return b.pick(new Plan<>(50, defaults(data).withIterations(500, 10)), new Plan<>(100, defaults(data)),
                    new Plan<>(20, smoke(defaults(data), 7, 7)));
        }

        @Override public MethodOptions<CnnProgramTrainer.Settings> options() { return new ThreeLayerOptions(); }

        /** Adds --cells and --unit-filters. */
        public static final class ThreeLayerOptions extends Options {
            @Option(names = "--cells", description = "Sampled cells (the units' joint activation patterns).")
            Integer cells;
            @Option(names = "--unit-filters", description = "First-layer filters per unit.")
            Integer unitFilters;

            @Override
            public CnnProgramTrainer.Settings apply(CnnProgramTrainer.Settings s) {
                s = super.apply(s);
                if (cells != null && cells <= 0) throw new IllegalArgumentException("--cells must be > 0, got " + cells);
                if (unitFilters != null && unitFilters <= 0) throw new IllegalArgumentException("--unit-filters must be > 0, got " + unitFilters);
                return s.withCells(cells != null ? cells : s.cells(), unitFilters != null ? unitFilters : s.filtersPerUnit());
            }
        }
    }
}
