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
                GatedReluMethod.PAPER, new MethodInfo.Fidelity(MethodInfo.Kind.PAPER, "the program as the papers state it"));
    }

    @Override public ConvexSettings defaults(DataInfo data) { return ConvexSettings.defaults().withProgram("convex-relu").withPatterns(8).withPatches(5, 3); }
    @Override public long seed(ConvexSettings s) { return s.seed(); }

    @Override
    public String describe(ConvexSettings s) {
        return String.format("%d patterns, %dx%d patches stride %d, ≤ %,d R-FISTA iterations per AL step", s.patterns(), s.kernel(),
                s.kernel(), s.stride(), s.maxIterations());
    }
    @Override public ConvexSettings withSeed(ConvexSettings s, long seed) { return s.withSeed(seed); }

    @Override
    public Plan<ConvexSettings> plan(Budget b, DataInfo data) {
        return b.pick(new Plan<>(100, defaults(data).withMaxIterations(1_000)), new Plan<>(300, defaults(data).withMaxIterations(3_000)),
                new Plan<>(20, defaults(data).withPatterns(4).withPatches(5, 8).withMaxIterations(300)));
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

        @Override public ConvexSettings apply(ConvexSettings s) {
            return applyGeneration(applyPatternsFrom(applyTo(s), patternsFrom), generateRounds, candidates);
        }
    }

    @Override public boolean resumable() { return true; }
    @Override public boolean checkpointsSolverState() { return true; }

    @Override
    public Trained train(Dataset train, ConvexSettings s, TrainContext ctx) throws java.io.IOException {
        return GatedReluMethod.TwoLayer.train(id(), train, s.withProgram("convex-relu"), ctx);
    }
}
