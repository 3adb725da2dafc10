package dev.convexcnn.ccnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.method.Checkpointer;
import dev.convexcnn.method.Progress;
import dev.convexcnn.method.Trace;
import dev.convexcnn.method.TrainContext;
import dev.convexcnn.method.Trained;
import dev.convexcnn.optim.Certificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train --method dccnn: stopped after k boundaries and resumed, it ends where an uninterrupted run does; its progress. */
class DccnnResumeTest {

    static DccnnSettings settings() {
        LayerSettings l1 = CcnnTrainerTest.small(Kernel.GAUSSIAN, Approximation.FOURIER, 1500).withPooling(2, 2).withFilters(3);
        LayerSettings l2 = CcnnTrainerTest.small(Kernel.INVERSE_POLYNOMIAL, Approximation.NYSTROM, 1500).withFilters(0)
                .withPatch(2, 1, 0).withPooling(2, 2);
        return DccnnSettings.of(CcnnTrainerTest.settings(List.of(l1, l2), 1000)).withLambda(0.1, 0).withTolerance(1e-6, 10);
    }

    @Test
    void resumedRunEqualsAnUninterruptedOne(@TempDir Path dir) throws Exception {
        Dataset d = CcnnTrainerTest.bars(60, 11);
        DccnnMethod m = new DccnnMethod();
        DccnnSettings s = settings();
        Trained whole = m.train(d, s, TrainContext.quiet());
        CcnnModel wm = (CcnnModel) whole.model();
        for (long k : new long[] {3, 40, 90}) {
            Path ckpt = dir.resolve("run-" + k + ".ckpt");
            Checkpointer.Policy stopAtK = Checkpointer.Policy.everyIterations(7).stoppingAfter(k);
            assertThrows(Checkpointer.Stopped.class, () -> m.train(d, s, TrainContext.quiet().withCheckpoint(ckpt, false, stopAtK)));
            assertTrue(Files.exists(ckpt));
            Trained resumed = m.train(d, s, TrainContext.quiet().withCheckpoint(ckpt, true, Checkpointer.Policy.everyIterations(7)));
            CcnnModel rm = (CcnnModel) resumed.model();
            assertEquals(wm.dualCertificates().size(), rm.dualCertificates().size());
            for (int l = 0; l < wm.dualCertificates().size(); l++) {
                DualCertificate a = wm.dualCertificates().get(l), b = rm.dualCertificates().get(l);
                assertEquals(a.primal(), b.primal(), 1e-12, "layer " + (l + 1) + " after a stop at " + k);
                assertEquals(a.dual(), b.dual(), 1e-12);
                assertEquals(a.iterations(), b.iterations());
            }
            assertArrayEquals(wm.logits(d), rm.logits(d), 1e-12);
            // A finished run's checkpoint resumes to the same model at once.
            Trained again = m.train(d, s, TrainContext.quiet().withCheckpoint(ckpt, true, Checkpointer.Policy.everyIterations(7)));
            assertArrayEquals(wm.logits(d), ((CcnnModel) again.model()).logits(d), 1e-12);
        }
    }

    /** A run stopped with its filter outputs in memory resumes with them in files (another budget) to the same model. */
    @Test
    void resumesWithAnotherFilterOutputsBudget(@TempDir Path dir) throws Exception {
        Dataset d = CcnnTrainerTest.bars(60, 11);
        DccnnMethod m = new DccnnMethod();
        DccnnSettings s = settings().withTolerance(1e-4, 10);
        CcnnModel whole = (CcnnModel) m.train(d, s, TrainContext.quiet()).model();
        Path ckpt = dir.resolve("run.ckpt");
        assertThrows(Checkpointer.Stopped.class, () -> m.train(d, s, TrainContext.quiet().withCheckpoint(ckpt, false,
                Checkpointer.Policy.everyIterations(7).stoppingAfter(5))));
        Path spill = Files.createDirectories(dir.resolve("spill"));
        CcnnModel resumed = (CcnnModel) m.train(d, s.withFilterOutputs(0, spill),
                TrainContext.quiet().withCheckpoint(ckpt, true, Checkpointer.Policy.everyIterations(7))).model();
        for (int l = 0; l < whole.dualCertificates().size(); l++) {
            assertEquals(whole.dualCertificates().get(l).primal(), resumed.dualCertificates().get(l).primal(), 1e-12);
            assertEquals(whole.dualCertificates().get(l).iterations(), resumed.dualCertificates().get(l).iterations());
        }
        assertArrayEquals(whole.logits(d), resumed.logits(d), 1e-12);
    }

    @Test
    void progressShowsTheGapAgainstTimeAndTheCertificateSaysWhetherTheToleranceWasReached() throws Exception {
        Dataset d = CcnnTrainerTest.bars(60, 11);
        List<Trace.Point> steps = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        Progress p = new Progress() {
            @Override public void step(Trace.Point point) { steps.add(point); }
            @Override public void message(String line) { lines.add(line); }
        };
        Trained t = new DccnnMethod().train(d, settings().withTolerance(1e-4, 10), TrainContext.of(p));
        assertTrue(steps.size() >= 2, "steps " + steps.size());
        for (Trace.Point pt : steps) assertTrue(pt.certificate() >= -1e-12 && Double.isFinite(pt.seconds()));
        assertEquals(steps, t.trace().points());
        assertTrue(lines.stream().anyMatch(l -> l.contains("ETA")), lines.toString());
        Certificate c = t.certificate();
        assertTrue(c.reached(), "tolerance 1e-4 on a small problem: " + c.value());
        Trained loose = new DccnnMethod().train(d, settings().withTolerance(1e-12, 10)
                .withLambda(0.1, 0), TrainContext.quiet());
        assertEquals(loose.certificate().value() <= 1e-12, loose.certificate().reached());
    }
}
