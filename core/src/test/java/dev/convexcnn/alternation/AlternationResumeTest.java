package dev.convexcnn.alternation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.io.SolverCheckpoint;
import dev.convexcnn.method.Checkpointer;
import dev.convexcnn.method.ResumeCheck;
import dev.convexcnn.method.TrainContext;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kill and resume equals uninterrupted for alternation: inside a sweep, and at a sweep's end. */
class AlternationResumeTest {
    @TempDir Path dir;

    // Two hidden layers: three layer steps per sweep; two chunks.
    private static final AlternationSettings S = AlternationSettings.defaults()
            .withArchitecture("conv4k3s2-relu-linear8-relu-linear3").withMaxSweeps(4).withChunkSize(25).withSeed(5).withTolerance(0);

    @Test
    void killedInsideASweep() throws Exception {
        Dataset d = Fixtures.images(40, 8, 8, 1, 3, 2);
        // Boundary 5: the second layer step of sweep 2.
        ResumeCheck.killAndResumeEqualsUninterrupted(new AlternationMethod(), S, d, dir, 5);
    }

    @Test
    void killedAtTheEndOfASweepWithValidation() throws Exception {
        Dataset d = Fixtures.images(40, 8, 8, 1, 3, 2), v = Fixtures.images(12, 8, 8, 1, 3, 9);
        AlternationMethod m = new AlternationMethod();
        var whole = m.train(d, S, new TrainContext(null, v, null, false));
        Path ckpt = dir.resolve("a.ckpt");
        TrainContext killed = new TrainContext(null, v, ckpt, false, Checkpointer.Policy.everyIterations(100).stoppingAfter(6));
        org.junit.jupiter.api.Assertions.assertThrows(Checkpointer.Stopped.class, () -> m.train(d, S, killed));
        SolverCheckpoint c = SolverCheckpoint.read(ckpt);
        assertEquals(2, c.whole("sweep"));
        assertEquals(-1, c.whole("nextLayer"));
        var resumed = m.train(d, S, new TrainContext(null, v, ckpt, true));
        ResumeCheck.assertSame("alternation at a sweep's end", whole, resumed, dir);
    }
}
