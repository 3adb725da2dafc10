package dev.convexcnn.convex;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.method.Budget;
import dev.convexcnn.method.DataInfo;
import dev.convexcnn.method.Method;
import dev.convexcnn.method.MethodInfo;
import dev.convexcnn.method.MethodOptions;
import dev.convexcnn.method.Plan;
import dev.convexcnn.method.TrainContext;
import dev.convexcnn.method.Trained;

/** The exact convex program of the two-layer ReLU CNN (cone constraints, augmented Lagrangian) and its recovery. */
public final class ExactReluMethod implements Method<ConvexSettings> {
    @Override public String id() { return "convex-relu"; }

    @Override
    public MethodInfo info() {
        return new MethodInfo("two-layer ReLU CNN, exact convex program by augmented Lagrangian, recovered CNN",
                "The two-layer ReLU CNN with weight decay β is equivalent to a group-lasso program over activation patterns "
                        + "with cone constraints that keep each pattern consistent. Solved by an augmented Lagrangian over R-FISTA "
                        + "until stationarity and feasibility are below the tolerance; the ordinary ReLU CNN is then recovered "
                        + "(u = w/√‖w‖, v = √‖w‖), and its weight-decay objective equals the convex optimum over the sampled patterns.",
                GatedReluMethod.PAPER, new MethodInfo.Fidelity(MethodInfo.Kind.PAPER, "the program as the papers state it; with --pool "
                        + "A, our derivation: the average-pooling CNN's program over per-window patterns, checked against method "
                        + "convex-relu-pool's"));
    }

    /**
     * 5×5 patches at stride 3; from 1,000 images on, 64 patterns over a working set of the constraints (the rows
     * that bind are few, {@link ConstraintWorkingSet}); below that (or unknown), 8 patterns with every constraint held.
     */
    @Override public ConvexSettings defaults(DataInfo data) {
        boolean large = data != null && workingSetByDefault(data.samples());
        return ConvexSettings.defaults().withProgram("convex-relu").withPatterns(large ? 64 : 8).withPatches(5, 3).withWorkingSet(large);
    }

    /** Training images from which the defaults take 64 patterns and the constraint working set. */
    static final int LARGE = 1_000;

    @Override public long seed(ConvexSettings s) { return s.seed(); }

    @Override
    public String describe(ConvexSettings s) {
        return String.format("%d patterns%s, %dx%d patches stride %d, ≤ %,d R-FISTA iterations per AL step%s", s.patterns(),
                s.pool() > 0 ? " per " + s.pool() + "×" + s.pool() + "-position window (our derivation)" : "", s.kernel(),
                s.kernel(), s.stride(), s.maxIterations(), s.workingSet() ? ", constraint working set" : "");
    }
    @Override public ConvexSettings withSeed(ConvexSettings s, long seed) { return s.withSeed(seed); }

    @Override
    public Plan<ConvexSettings> plan(Budget b, DataInfo data) {
        // The budgets' images are below LARGE: the small-set defaults.
        ConvexSettings small = defaults(null);
        return b.pick(new Plan<>(100, small.withMaxIterations(1_000)), new Plan<>(300, small.withMaxIterations(3_000)),
                new Plan<>(20, small.withPatterns(4).withPatches(5, 8).withMaxIterations(300)));
    }

    @Override public MethodOptions<ConvexSettings> options() { return new Options(); }

    /** convex-relu's options: those of every convex program. */
    public static final class Options extends ConvexProgramOptions implements MethodOptions<ConvexSettings> {
        @picocli.CommandLine.Option(names = "--patterns-from", paramLabel = "MODEL", description = PATTERNS_FROM)
        java.nio.file.Path patternsFrom;
        @picocli.CommandLine.Option(names = "--generate-patterns", paramLabel = "ROUNDS", description = GENERATE)
        Integer generateRounds;
        @picocli.CommandLine.Option(names = "--candidates", paramLabel = "N", description = CANDIDATES)
        Integer candidates;
        @picocli.CommandLine.Option(names = "--constraints", paramLabel = "all|working-set", description =
                "which cone constraints the augmented Lagrangian holds: working-set (rounds: solve over the rows held, scan every "
                + "constraint, add for each group the rows where it first leaves its cone, facets seen from the pattern's gate filter; "
                + "certified on all distinct constraints) or all (every n·P·2cp value at every iteration)")
        String constraints;
        @picocli.CommandLine.Option(names = "--pool", paramLabel = "A", description = "The average-pooling CNN "
                + "conv-ReLU-avgpool(A)-linear: each pattern once per A×A window of the feature map (stride A), its constraints "
                + "on that window's patches only, its neurons read by the linear layer on their own window (our derivation, "
                + "checked against method convex-relu-pool's program); 0 (default): one global sum over all positions.")
        Integer pool;

        @Override public ConvexSettings apply(ConvexSettings s) {
            ConvexSettings out = applyGeneration(applyPatternsFrom(applyTo(s), patternsFrom), generateRounds, candidates);
            if (pool != null) {
                if (pool < 0) throw new IllegalArgumentException("--pool must be >= 0 (0: global sum), got " + pool);
                out = out.withPool(pool);
            }
            return constraints == null ? out : out.withWorkingSet(workingSet(constraints));
        }
    }

    /** The value of {@code --constraints}: true for working-set, false for all; anything else is refused naming the flag. */
    public static boolean workingSet(String constraints) {
        return switch (constraints) {
            case "working-set" -> true;
            case "all" -> false;
            default -> throw new IllegalArgumentException("--constraints must be all or working-set, got '" + constraints + "'");
        };
    }

    /** Whether the defaults hold a working set of the constraints for this many training images. */
    public static boolean workingSetByDefault(int samples) {
        return samples >= LARGE;
    }

    @Override public boolean resumable() { return true; }
    @Override public boolean checkpointsSolverState() { return true; }

    @Override
    public Trained train(Dataset train, ConvexSettings s, TrainContext ctx) throws java.io.IOException {
        return GatedReluMethod.TwoLayer.train(id(), train, s.withProgram("convex-relu"), ctx);
    }
}
