package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.SolverCheckpoint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * R-FISTA stopped after any iteration and continued from its saved state takes the uninterrupted iterates: the
 * generic loop, and the factored one of the GEMM form.
 */
class RFistaResumeTest {

    private static GatedReluProgram program() {
        Dataset d = ConvexProgramTest.quadrants(40, 6, 3, 7);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        GatedFeatures f = GatedFeatures.build(d, norm, geom, Gates.sample(geom.patchSize(), 6, 7));
        double lmax = GatedReluProgram.lambdaMax(f, d.labels(), d.classes(), Loss.CROSS_ENTROPY);
        return new GatedReluProgram(f, d.labels(), d.classes(), Loss.CROSS_ENTROPY, 0.05 * lmax);
    }

    @Test
    void resumedSolveEqualsUninterruptedOne() {
        GatedReluProgram p = program();
        RFista.Settings s = new RFista.Settings(1e-10, 400, 10);
        List<RFista.State> states = new ArrayList<>();
        RFista.Result whole = RFista.solve(p, new double[p.dimension()], null, s, null, states::add);
        assertTrue(whole.iterations() > 20, "the test needs a solve of some length, got " + whole.iterations());
        assertEquals(whole.iterations(), states.size());
        for (int cut : new int[] {1, 7, whole.iterations() / 2, whole.iterations() - 1}) {
            RFista.State at = states.get(cut - 1);
            assertEquals(cut, at.iteration());
            List<RFista.Iteration> log = new ArrayList<>();
            RFista.Result resumed = RFista.solve(p, null, at, s, log::add, null);
            // Same arithmetic in the same order: the same bits.
            assertEquals(whole.iterations(), resumed.iterations(), "iterations after resuming at " + cut);
            assertEquals(whole.objective(), resumed.objective(), 0, "objective after resuming at " + cut);
            assertEquals(whole.certificate(), resumed.certificate(), 0, "certificate after resuming at " + cut);
            assertArrayEquals(whole.x(), resumed.x(), 0, "iterate after resuming at " + cut);
            assertEquals(whole.iterations() - cut, log.size());
            assertEquals(whole.log().get(cut).objective(), log.get(0).objective(), 0);
        }
        // The stored arrays are copies: the solver's later iterations do not change them.
        assertEquals(1, states.get(0).iteration());
        assertThrows(IllegalArgumentException.class,
                () -> RFista.solve(p, null, new RFista.State(1, new double[3], new double[3], 1, 1, 0, 1), s, null, null));
    }

    /** The gated program in the GEMM form (squared loss): a {@link FactoredQuadratic}, solved by the factored loop. */
    private static GemmGatedProgram gemmProgram() {
        Dataset d = ConvexProgramTest.quadrants(40, 6, 3, 8);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        GemmGatedProgram g = new GemmGatedProgram(new PatchProducts(d, norm, geom, Gates.sample(geom.patchSize(), 5, 4)),
                d.labels(), 3, Loss.SQUARED, 0);
        return g.withLambda(0.05 * g.lambdaMax());
    }

    private static RFista.State copy(RFista.State st) {
        return new RFista.State(st.iteration(), st.x().clone(), st.ax().clone(), st.y().clone(), st.ay().clone(), st.mx().clone(),
                st.my().clone(), st.step(), st.t(), st.objective(), st.smooth(), st.regularizer(), st.certificate(), st.single(),
                st.seconds(), st.stallBest(), st.stallBestAt());
    }

    @Test
    void factoredSolveResumedEqualsUninterruptedOnTheSameBackendAndThreads() throws Exception {
        GemmGatedProgram p = gemmProgram();
        for (boolean screening : new boolean[] {false, true})
        for (RFista.Precision precision : RFista.Precision.values()) {
            // Tight enough that the mixed solve switches from float to double products part way. Screened: the
            // working set is rebuilt from the saved x, y and A·x, so cuts next to its checks (every 10) too.
            RFista.Settings s = new RFista.Settings(1e-13, 3_000, 10).withScreening(screening);
            List<RFista.State> states = new ArrayList<>();
            RFista.Result whole = RFista.solveQuadratic(p, new double[p.dimension()], s, precision, null, null, st -> states.add(copy(st)));
            assertTrue(whole.converged() && whole.iterations() > 40, precision + ": the test needs a solve of some length, got "
                    + whole.iterations());
            assertEquals(whole.iterations(), states.size());
            List<Integer> cuts = new ArrayList<>(List.of(1, 9, 10, 11, 21, whole.iterations() / 2, whole.iterations() - 1));
            if (precision == RFista.Precision.MIXED) {
                // Cut on both sides of the switch to double products, and right after it.
                int switched = 0;
                while (states.get(switched).single()) switched++;
                assertTrue(switched > 1 && switched < states.size() - 1, "the mixed solve switches to double products part way, at " + switched);
                cuts.addAll(List.of(switched - 1, switched, switched + 1));
            }
            for (int cut : cuts) {
                RFista.State at = states.get(cut - 1);
                List<RFista.Iteration> log = new ArrayList<>();
                RFista.Result resumed = RFista.solveQuadratic(p, new double[p.dimension()], s, precision, log::add, at, null);
                String where = precision + (screening ? ", screened" : "") + ", resumed at " + cut;
                // Same products on the same backend and threads, same arithmetic: the same bits.
                assertEquals(whole.iterations(), resumed.iterations(), "iterations, " + where);
                assertEquals(whole.objective(), resumed.objective(), 0, "objective, " + where);
                assertEquals(whole.certificate(), resumed.certificate(), 0, "certificate, " + where);
                assertEquals(whole.stoppedBy(), resumed.stoppedBy(), where);
                assertArrayEquals(whole.x(), resumed.x(), 0, "iterate, " + where);
                assertEquals(whole.iterations() - cut, log.size(), where);
                for (int i = 0; i < log.size(); i++) {
                    assertEquals(whole.log().get(cut + i).objective(), log.get(i).objective(), 0, where + ", iteration " + (cut + i + 1));
                }
            }
        }
    }

    @Test
    void factoredStateRoundTripsThroughACheckpoint() throws Exception {
        GemmGatedProgram p = gemmProgram();
        RFista.Settings s = new RFista.Settings(1e-13, 3_000, 10);
        List<RFista.State> states = new ArrayList<>();
        RFista.Result whole = RFista.solveQuadratic(p, new double[p.dimension()], s, RFista.Precision.MIXED, null, null,
                st -> states.add(copy(st)));
        SolverCheckpoint c = new SolverCheckpoint("gated-relu", new JsonObject());
        states.get(20).save(c, "rfista.");
        RFista.State back = RFista.State.load(c, "rfista.", p.dimension(), true, p.rows());
        RFista.Result resumed = RFista.solveQuadratic(p, new double[p.dimension()], s, RFista.Precision.MIXED, null, back, null);
        assertArrayEquals(whole.x(), resumed.x(), 0);
        // Without M's products the factored loop cannot continue: refused, not guessed.
        RFista.State plain = RFista.State.load(c, "rfista.", p.dimension(), true);
        assertThrows(IllegalArgumentException.class,
                () -> RFista.solveQuadratic(p, new double[p.dimension()], s, RFista.Precision.MIXED, null, plain, null));
    }
}
