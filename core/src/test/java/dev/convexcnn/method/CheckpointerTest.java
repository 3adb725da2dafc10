package dev.convexcnn.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.convexcnn.io.SolverCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointerTest {
    @TempDir Path dir;

    private static JsonObject fp(int n) {
        JsonObject o = new JsonObject();
        o.addProperty("n", n);
        return o;
    }

    @Test
    void dueEveryKBoundariesAndStopsAfterTheStateIsWritten() throws IOException {
        Path f = dir.resolve("s.ckpt");
        TrainContext ctx = TrainContext.quiet().withCheckpoint(f, false, Checkpointer.Policy.everyIterations(3).stoppingAfter(7));
        try (Checkpointer c = Checkpointer.of(ctx, "m", fp(1))) {
            List<Integer> due = new ArrayList<>();
            for (int i = 1; i <= 6; i++) if (c.due()) due.add(i);
            assertEquals(List.of(3, 6), due);
            assertTrue(c.due(), "the 7th boundary is the simulated termination");
            var e = assertThrows(Checkpointer.Stopped.class, () -> c.save(c.state().whole("k", 7)));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("--resume"), e.getMessage());
        }
        assertEquals(7, SolverCheckpoint.read(f).whole("k"));
    }

    @Test
    void resumeReadsOnlyTheSameRunsState() throws IOException {
        Path f = dir.resolve("s.ckpt");
        List<String> lines = new ArrayList<>();
        Progress p = new Progress() {
            @Override public void message(String line) { lines.add(line); }
        };
        TrainContext ctx = new TrainContext(p, null, f, true);
        try (Checkpointer c = Checkpointer.of(ctx, "m", fp(1))) {
            assertNull(c.resumeFrom());
            assertTrue(lines.get(0).contains("no checkpoint at " + f), lines.toString());
            c.saveFinal(c.state().real("x", 0.5));
            assertEquals(0.5, c.resumeFrom().real("x"));
        }
        try (Checkpointer other = Checkpointer.of(ctx, "m", fp(2))) {
            var e = assertThrows(SolverCheckpoint.CheckpointMismatchException.class, other::resumeFrom);
            assertTrue(e.getMessage().contains("n: 1 in the checkpoint, 2 now"), e.getMessage());
        }
        try (Checkpointer fresh = Checkpointer.of(TrainContext.quiet().withCheckpoint(f, false, null), "m", fp(2))) {
            assertNull(fresh.resumeFrom(), "without --resume the old state is not read");
        }
    }

    @Test
    void withoutAFileNothingIsDueOrWritten() throws IOException {
        try (Checkpointer c = Checkpointer.of(TrainContext.quiet(), "m", fp(1))) {
            assertFalse(c.enabled());
            c.requestStop();
            assertFalse(c.due());
            c.save(c.state());
            assertNull(c.resumeFrom());
        }
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void dueByTime() throws Exception {
        TrainContext ctx = TrainContext.quiet().withCheckpoint(dir.resolve("t.ckpt"), false, Checkpointer.Policy.everySeconds(0.05));
        try (Checkpointer c = Checkpointer.of(ctx, "m", fp(1))) {
            assertFalse(c.due());
            Thread.sleep(80);
            assertTrue(c.due());
            c.save(c.state());
            assertFalse(c.due(), "the clock restarts at each write");
            assertEquals(1, c.written());
        }
    }
}
