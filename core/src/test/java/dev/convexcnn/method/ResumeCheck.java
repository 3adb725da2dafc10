package dev.convexcnn.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.io.SolverCheckpoint;
import dev.convexcnn.io.TensorFile;
import dev.convexcnn.model.ModelStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Kill and resume equals uninterrupted, for any resumable method: a run without a checkpoint; a run killed at a
 * chosen iteration boundary (as SIGTERM does: the state written, then a stop); the same command resumed. The two
 * finished models must be the same bit for bit (same backend and threads), with the same certificate and trace.
 */
public final class ResumeCheck {
    private ResumeCheck() {}

    /** Returns the number of states the killed run wrote. */
    public static <S> int killAndResumeEqualsUninterrupted(Method<S> m, S settings, Dataset train, Path dir, long killAt)
            throws IOException {
        assertTrue(m.resumable(), m.id());
        Trained whole = m.train(train, settings, TrainContext.quiet());

        Path ckpt = dir.resolve(m.id() + ".ckpt");
        Files.deleteIfExists(ckpt);
        TrainContext killed = TrainContext.quiet().withCheckpoint(ckpt, false, Checkpointer.Policy.everyIterations(2).stoppingAfter(killAt));
        Checkpointer.Stopped stop = assertThrows(Checkpointer.Stopped.class, () -> m.train(train, settings, killed),
                m.id() + " should stop at boundary " + killAt);
        assertTrue(stop.getMessage().contains(ckpt.toString()), stop.getMessage());
        SolverCheckpoint state = SolverCheckpoint.read(ckpt);
        assertEquals(m.id(), state.method());

        Trained resumed = m.train(train, settings, TrainContext.quiet().withCheckpoint(ckpt, true, null));
        assertSame(m.id(), whole, resumed, dir);
        // Resuming a finished run's final state gives the same result again.
        Trained again = m.train(train, settings, TrainContext.quiet().withCheckpoint(ckpt, true, null));
        assertSame(m.id() + " (resumed from its final state)", whole, again, dir);
        return 1;
    }

    public static void assertSame(String what, Trained a, Trained b, Path dir) throws IOException {
        JsonObject prov = new JsonObject();
        Path pa = dir.resolve("a.model"), pb = dir.resolve("b.model");
        ModelStore.save(pa, a.model(), prov);
        ModelStore.save(pb, b.model(), prov);
        TensorFile fa = TensorFile.read(pa), fb = TensorFile.read(pb);
        assertEquals(fa.tensors().keySet(), fb.tensors().keySet(), what);
        for (String k : fa.tensors().keySet()) {
            assertArrayEquals(fa.tensors().get(k).values(), fb.tensors().get(k).values(), what + ": tensor " + k + " differs");
        }
        if (a.certificate() != null) {
            assertEquals(a.certificate().value(), b.certificate().value(), 0, what + ": certificate");
            assertEquals(a.certificate().reached(), b.certificate().reached(), what);
        }
        assertEquals(objectives(a.trace()), objectives(b.trace()), what + ": trace");
    }

    private static List<String> objectives(Trace t) {
        return t.points().stream().map(p -> p.step() + ":" + p.objective() + ":" + p.certificate() + ":" + p.accuracy()).toList();
    }
}
