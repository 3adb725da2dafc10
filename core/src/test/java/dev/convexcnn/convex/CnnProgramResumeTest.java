package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.io.SolverCheckpoint;
import dev.convexcnn.method.Checkpointer;
import dev.convexcnn.method.MethodContractTest;
import dev.convexcnn.method.Progress;
import dev.convexcnn.method.ResumeCheck;
import dev.convexcnn.method.TrainContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill and resume equals uninterrupted for the CNN programs beyond the two-layer one: their augmented Lagrangian's
 * state (multipliers, penalty, inner R-FISTA state) is saved as convex-relu's, the programs rebuilt from the seed.
 */
class CnnProgramResumeTest {
    @TempDir Path dir;

    private static Dataset data(int n) {
        return MethodContractTest.bands(n, 3);
    }

    /** 4 AL steps of at most 40 inner iterations (these hit the cap): boundary 100 is in the third step's inner solve. */
    private static final long KILL_AT = 100;

    @Test
    void pooledProgram() throws Exception {
        CnnProgramMethod m = new CnnProgramMethod.Pooled();
        CnnProgramTrainer.Settings s = m.defaults(null).withPatterns(4).withPool(4).withIterations(40, 4);
        Dataset train = data(30);
        ResumeCheck.killAndResumeEqualsUninterrupted(m, s, train, dir, KILL_AT);
        // The resumed run continues where the killed one stopped (third AL step, its 20th inner iteration), not afresh.
        Path ckpt = dir.resolve("at100.ckpt");
        assertThrows(Checkpointer.Stopped.class, () -> m.train(train, s,
                TrainContext.quiet().withCheckpoint(ckpt, false, Checkpointer.Policy.everyIterations(50).stoppingAfter(KILL_AT))));
        SolverCheckpoint at = SolverCheckpoint.read(ckpt);
        assertEquals(3, at.whole("al.outer"));
        assertEquals(20, at.whole("al.inner.iteration"));
        List<String> said = new ArrayList<>();
        var resumed = m.train(train, s, TrainContext.of(new Progress() {
            @Override public void message(String line) { said.add(line); }
        }).withCheckpoint(ckpt, true, null));
        assertTrue(said.stream().anyMatch(l -> l.endsWith("at augmented-Lagrangian step 3, inner iteration 20")), said.toString());
        // The finished steps keep the times they took in the killed run (the solver's clock), not this run's.
        List<ConvexTrainer.Step> saved = ConvexTrainer.loadLog(at);
        assertEquals(2, saved.size());
        for (int k = 0; k < 2; k++) assertEquals(saved.get(k).seconds(), resumed.trace().points().get(k).seconds(), 0.0);
        // The stop rule's third part is reported with the other two.
        assertTrue(resumed.figures().get("slackness").getAsDouble() >= 0, resumed.figures().toString());
        var points = resumed.trace().points();
        for (int k = 1; k < points.size(); k++) assertTrue(points.get(k).seconds() >= points.get(k - 1).seconds(), "the clock goes on");
        // The state belongs to these settings: another window is refused, naming the difference.
        TrainContext resume = TrainContext.quiet().withCheckpoint(dir.resolve(m.id() + ".ckpt"), true, null);
        var e = assertThrows(SolverCheckpoint.CheckpointMismatchException.class, () -> m.train(train, s.withPool(2), resume));
        assertTrue(e.getMessage().contains("settings.pool: 4 in the checkpoint, 2 now"), e.getMessage());
    }

    @Test
    void threeLayerProgram() throws Exception {
        CnnProgramMethod m = new CnnProgramMethod.ThreeLayer();
        CnnProgramTrainer.Settings s = m.defaults(null).withPatterns(4).withCells(4, 2).withIterations(40, 4);
        ResumeCheck.killAndResumeEqualsUninterrupted(m, s, data(30), dir, KILL_AT);
    }

    @Test
    void circularProgram() throws Exception {
        CnnProgramMethod m = new CnnProgramMethod.Circular();
        CnnProgramTrainer.Settings s = m.defaults(null).withPatterns(4).withIterations(40, 4);
        ResumeCheck.killAndResumeEqualsUninterrupted(m, s, data(30), dir, KILL_AT);
    }
}
