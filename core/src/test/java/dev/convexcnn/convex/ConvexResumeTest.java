package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.io.SolverCheckpoint;
import dev.convexcnn.method.Checkpointer;
import dev.convexcnn.method.MethodContractTest;
import dev.convexcnn.method.ResumeCheck;
import dev.convexcnn.method.TrainContext;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kill and resume equals uninterrupted for the gated program (all three product forms, both precisions) and the exact one. */
class ConvexResumeTest {
    @TempDir Path dir;

    private static Dataset data(int n) {
        return MethodContractTest.bands(n, 3);
    }

    @Test
    void gatedOnTheGramFormMixedPrecision() throws Exception {
        // n ≥ p·h: the Gram form, float products with a double certificate.
        ConvexSettings s = ConvexSettings.defaults().withPatterns(4).withPatches(5, 6).withMaxIterations(60).withSeed(2);
        ResumeCheck.killAndResumeEqualsUninterrupted(new GatedReluMethod(), s, data(200), dir, 7);
    }

    @Test
    void gatedOnTheGramFormDouble() throws Exception {
        ConvexSettings s = ConvexSettings.defaults().withPatterns(4).withPatches(5, 6).withMaxIterations(60).withSeed(2)
                .withPrecision(RFista.Precision.DOUBLE);
        ResumeCheck.killAndResumeEqualsUninterrupted(new GatedReluMethod(), s, data(200), dir, 11);
    }

    @Test
    void gatedOnTheGemmFormMixedPrecisionOnTheSameBackendAndThreads() throws Exception {
        // The factored loop: its products with Φ (M·x, M·y) saved with the iterates; float products, then double.
        ConvexSettings s = ConvexSettings.defaults().withPatterns(4).withPatches(5, 6).withMaxIterations(60).withSeed(2)
                .withProducts(ProductForm.GEMM);
        ResumeCheck.killAndResumeEqualsUninterrupted(new GatedReluMethod(), s, data(200), dir, 7);
        SolverCheckpoint end = SolverCheckpoint.read(dir.resolve("gated-relu.ckpt"));
        assertEquals("gemm", end.text("products"));
        assertTrue(end.has("rfista.mx") && end.has("rfista.my"), "M·x and M·y are in the state");
    }

    @Test
    void gatedOnTheGemmFormDoubleOnTheSameBackendAndThreads() throws Exception {
        ConvexSettings s = ConvexSettings.defaults().withPatterns(4).withPatches(5, 6).withMaxIterations(60).withSeed(2)
                .withProducts(ProductForm.GEMM).withPrecision(RFista.Precision.DOUBLE);
        ResumeCheck.killAndResumeEqualsUninterrupted(new GatedReluMethod(), s, data(200), dir, 11);
    }

    @Test
    void aResumedRunKeepsTheFormItStartedWith() throws Exception {
        // The cost model's choice rests on measured rates: a resumed run takes the saved form instead of choosing again.
        ConvexSettings s = ConvexSettings.defaults().withPatterns(4).withPatches(5, 6).withMaxIterations(30).withSeed(2);
        Dataset train = data(200);
        Path ckpt = dir.resolve("auto.ckpt");
        TrainContext killed = TrainContext.quiet().withCheckpoint(ckpt, false, Checkpointer.Policy.everyIterations(1).stoppingAfter(10));
        try (Checkpointer ck = Checkpointer.of(killed, "gated-relu", ConvexTrainer.fingerprint(s, train))) {
            assertThrows(Checkpointer.Stopped.class, () -> new ConvexTrainer(s).fit(train, null, ck));
        }
        SolverCheckpoint state = SolverCheckpoint.read(ckpt);
        String chosen = state.text("products");
        // Another form in the state than the cost model chooses here: the resumed run must take the saved one.
        String other = chosen.equals("gemm") ? "gram" : "gemm";
        state.text("products", other);
        if (other.equals("gemm")) {
            state.put("rfista.mx", new double[train.size() * train.classes()]).put("rfista.my", new double[train.size() * train.classes()]);
        }
        state.write(ckpt);
        TrainContext resume = TrainContext.quiet().withCheckpoint(ckpt, true, null);
        ConvexTrainer.Run run;
        try (Checkpointer ck = Checkpointer.of(resume, "gated-relu", ConvexTrainer.fingerprint(s, train))) {
            run = new ConvexTrainer(s).fit(train, null, ck);
        }
        assertEquals(other, run.provenance().get("products").getAsString());
        assertTrue(run.provenance().get("productsWhy").getAsString().startsWith("the form the resumed run started with"),
                run.provenance().get("productsWhy").getAsString());
    }

    @Test
    void gatedStreamed() throws Exception {
        // n < p·h: the streamed program and the generic R-FISTA.
        ConvexSettings s = ConvexSettings.defaults().withPatterns(8).withPatches(5, 6).withMaxIterations(40).withSeed(2)
                .withProducts(ProductForm.STREAMED);
        ResumeCheck.killAndResumeEqualsUninterrupted(new GatedReluMethod(), s, data(40), dir, 5);
    }

    @Test
    void exactProgramByTheAugmentedLagrangian() throws Exception {
        ExactReluMethod m = new ExactReluMethod();
        ConvexSettings s = m.defaults(null).withPatterns(3).withPatches(5, 8).withMaxIterations(40).withSeed(2);
        // Killed inside a later outer step's inner solve.
        ResumeCheck.killAndResumeEqualsUninterrupted(m, s, data(30), dir, 45);
    }

    @Test
    void exactProgramOnAWorkingSetOfItsConstraints() throws Exception {
        ExactReluMethod m = new ExactReluMethod();
        ConvexSettings s = m.defaults(null).withPatterns(3).withPatches(5, 8).withMaxIterations(40).withSeed(2).withWorkingSet(true);
        // Killed early (first round) and late (a later round, with rows held and multipliers carried over).
        ResumeCheck.killAndResumeEqualsUninterrupted(m, s, data(30), dir, 7);
        ResumeCheck.killAndResumeEqualsUninterrupted(m, s, data(30), dir.resolve("late"), 150);
    }

    @Test
    void otherSettingsAreRefusedAndALargerIterationCapContinues() throws Exception {
        GatedReluMethod m = new GatedReluMethod();
        ConvexSettings s = ConvexSettings.defaults().withPatterns(4).withPatches(5, 6).withMaxIterations(30).withSeed(2);
        Path ckpt = dir.resolve("g.ckpt");
        TrainContext killed = TrainContext.quiet().withCheckpoint(ckpt, false, Checkpointer.Policy.everyIterations(1).stoppingAfter(10));
        Dataset train = data(200);
        assertThrows(Checkpointer.Stopped.class, () -> m.train(train, s, killed));
        TrainContext resume = TrainContext.quiet().withCheckpoint(ckpt, true, null);
        var e = assertThrows(SolverCheckpoint.CheckpointMismatchException.class, () -> m.train(train, s.withPatterns(5), resume));
        assertTrue(e.getMessage().contains("settings.patterns: 4 in the checkpoint, 5 now"), e.getMessage());
        var d = assertThrows(SolverCheckpoint.CheckpointMismatchException.class, () -> m.train(data(199), s, resume));
        assertTrue(d.getMessage().contains("data.samples: 200 in the checkpoint, 199 now"), d.getMessage());
        var i = assertThrows(IllegalArgumentException.class, () -> m.train(train, s.withMaxIterations(5), resume));
        assertTrue(i.getMessage().contains("10 iterations done") && i.getMessage().contains("--max-iter"), i.getMessage());
        // A larger cap: the same as an uninterrupted run with that cap.
        ResumeCheck.assertSame("larger cap", m.train(train, s.withMaxIterations(50), TrainContext.quiet()),
                m.train(train, s.withMaxIterations(50), resume), dir);
    }
}
