package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** R-FISTA stopped after any iteration and continued from its saved state takes the uninterrupted iterates. */
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
}
