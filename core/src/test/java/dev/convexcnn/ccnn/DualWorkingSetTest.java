package dev.convexcnn.ccnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.optim.NuclearNorm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The working-set solver against the plain centred solver, the gap formula against brute force, and resume. */
class DualWorkingSetTest {

    static WorkingSetSolver.Options options(double tol) {
        return new WorkingSetSolver.Options(3, 48, 0.5, true, true, 10, tol, 1);
    }

    @Test
    void filterOutputsGrowInPlaceWithinTheirCapacity() {
        int rows = 7;
        java.util.Random rnd = new java.util.Random(4);
        double[][] blocks = new double[3][];
        int[] widths = {2, 3, 1};
        for (int b = 0; b < 3; b++) {
            blocks[b] = new double[rows * widths[b]];
            for (int i = 0; i < blocks[b].length; i++) blocks[b][i] = rnd.nextGaussian();
        }
        for (int capacity : new int[] {1, 4, 6, 9}) {
            double[] h = new double[0];
            int r = 0;
            for (int b = 0; b < 3; b++) {
                double[] before = h;
                h = WorkingSetSolver.append(h, r, blocks[b], widths[b], rows, capacity);
                if (b > 0 && (long) rows * (r + widths[b]) <= before.length) {
                    org.junit.jupiter.api.Assertions.assertSame(before, h, "grown in place, capacity " + capacity);
                }
                r += widths[b];
                // Row i of H is the concatenation of the blocks' rows i, whatever the capacity.
                for (int i = 0; i < rows; i++) {
                    int col = 0;
                    for (int q = 0; q <= b; q++) {
                        for (int j = 0; j < widths[q]; j++, col++) {
                            org.junit.jupiter.api.Assertions.assertEquals(blocks[q][i * widths[q] + j], h[i * r + col], 0,
                                    "capacity " + capacity + ", block " + b + ", row " + i + ", column " + col);
                        }
                    }
                }
            }
            assertTrue(h.length >= rows * Math.min(capacity, 6) && h.length >= rows * 6);
        }
    }

    @Test
    void reachesTheSameOptimumAsThePlainCentredSolver() {
        FeatureSource fs = DccnnTest.features(60, 3);
        int m = fs.dim(), Q = fs.positions(), c1 = fs.classes() - 1;
        WorkingSetSolver.Start st = WorkingSetSolver.start(fs);
        assertEquals(DualSolver.lambdaMax(fs), st.lambdaMax(), 1e-12 * st.lambdaMax());
        double lambda = 0.2 * st.lambdaMax();
        DualSolver.Solution plain = DualSolver.solve(fs, lambda, 6000, new DualSolver.Options(true, false, false, 1, 20, 1e-11, 30, 1), null);
        WorkingSetSolver.Result ws = WorkingSetSolver.solve(fs, st, lambda, 20_000, options(1e-8), null);
        System.out.printf("plain centred: P %.12f D %.12f gap %.3g (%d it); working set: P %.12f D %.12f gap %.3g (%d it, %d rounds, rank %d)%n",
                plain.primalObjective(), plain.dualObjective(), plain.gap(), plain.iterations(), ws.primal(), ws.dualObjective(),
                ws.gap(), ws.iterations(), ws.rounds(), ws.rank());
        assertTrue(ws.converged());
        assertTrue(ws.gap() >= -1e-12 && ws.gap() < 1e-8, "gap " + ws.gap());
        // Same optimum: each one's P against the other's D (weak duality across solvers), and P to 1e-8.
        assertEquals(plain.primalObjective(), ws.primal(), 1e-8);
        assertTrue(ws.primal() - plain.dualObjective() > -1e-12 && plain.primalObjective() - ws.dualObjective() > -1e-12);
        // The lifted iterate has the same objective on the full centred features as on the reduced ones.
        double[] w = ws.lift(ws.x(), m, Q, c1);
        FeatureSource centred = DualSolver.centred(fs, ws.centre());
        double full = PenalizedProgram.pass(centred, w, ws.bias(), false).loss() + lambda * WorkingSetSolver.nuclearNorm(w, m, Q, c1);
        assertEquals(ws.primal(), full, 1e-12);
        // The dual point is feasible for the full program: class totals and the spectral ball.
        double[] pt = ws.dual();
        int n = fs.size(), C = fs.classes();
        double[] col = new double[C], count = new double[C];
        for (int i = 0; i < n; i++) {
            count[fs.labels()[i]]++;
            for (int k = 0; k < C; k++) col[k] += pt[i * C + k];
        }
        assertArrayEquals(count, col, 1e-9);
        assertTrue(PenalizedProgram.spectralNorm(PenalizedProgram.dualMatrix(centred, pt), m, Q, c1) <= lambda * (1 + 1e-9));
    }

    /**
     * The certificate's formula against brute force on a tiny problem (12 samples): the primal minimised by plain
     * proximal gradient from random points (no shared code with the dual side); P* must lie in [D(p̃), P].
     */
    @Test
    void gapBoundsTheBruteForceOptimum() {
        FeatureSource fs = DccnnTest.features(12, 5);
        WorkingSetSolver.Start st = WorkingSetSolver.start(fs);
        double lambda = 0.3 * st.lambdaMax();
        WorkingSetSolver.Result ws = WorkingSetSolver.solve(fs, st, lambda, 400, options(0), null);
        FeatureSource centred = DualSolver.centred(fs, st.centre());
        int m = fs.dim(), Q = fs.positions(), c1 = fs.classes() - 1;
        double norm = PenalizedProgram.featureNorm(centred, 50, 3) * 1.01;
        double best = Double.POSITIVE_INFINITY;
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(9);
        for (int start = 0; start < 2; start++) {
            double[] w = new double[Q * m * c1], b = new double[c1];
            for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian() * 0.1;
            double eta = fs.size() / (norm * norm + fs.size());
            for (int it = 0; it < 8_000; it++) {
                PenalizedProgram.Pass ps = PenalizedProgram.pass(centred, w, b, true);
                double[] gb = DualSolver.biasGradient(PenalizedProgram.softmax(ps.logits(), fs.size(), fs.classes()), fs.size(), fs.classes(), fs.labels());
                for (int i = 0; i < w.length; i++) w[i] -= eta * ps.gradient()[i];
                double[] a = ProjectedSgd.toA(w, m, Q, c1);
                NuclearNorm.shrink(a, m, Q * c1, eta * lambda);
                ProjectedSgd.fromA(a, m, Q, c1, w);
                for (int k = 0; k < c1; k++) b[k] -= eta * gb[k];
            }
            double p = PenalizedProgram.pass(centred, w, b, false).loss() + lambda * WorkingSetSolver.nuclearNorm(w, m, Q, c1);
            best = Math.min(best, p);
        }
        System.out.printf("brute force P* ≈ %.12f; certificate [%.12f, %.12f], gap %.3g%n", best, ws.dualObjective(), ws.primal(), ws.gap());
        // Weak duality: D is below every primal value; and the brute force lands in (or just above) [D, P].
        assertTrue(ws.dualObjective() <= best + 1e-12, "D must be below every primal value");
        assertTrue(best - ws.dualObjective() <= ws.gap() + 1e-7, "brute force far above the certified interval");
        assertTrue(ws.gap() < 1e-6, "gap " + ws.gap());
    }

    @Test
    void resumedSolveEqualsAnUninterruptedOne() {
        FeatureSource fs = DccnnTest.features(60, 3);
        WorkingSetSolver.Start st = WorkingSetSolver.start(fs);
        double lambda = 0.2 * st.lambdaMax();
        WorkingSetSolver.Options o = new WorkingSetSolver.Options(3, 48, 0.5, true, true, 10, 1e-8, 1);
        List<WorkingSetSolver.State> saved = new ArrayList<>();
        int[] boundary = {0};
        WorkingSetSolver.Checkpoints every37 = new WorkingSetSolver.Checkpoints() {
            public boolean due() { return ++boundary[0] % 37 == 0; }
            public void save(WorkingSetSolver.State s) { saved.add(s); }
        };
        WorkingSetSolver.Result whole = WorkingSetSolver.solve(fs, st, lambda, 3000, o, null, every37, null);
        assertTrue(saved.size() >= 4, "checkpoints " + saved.size());
        assertTrue(saved.get(saved.size() - 1).finished());
        for (WorkingSetSolver.State s : List.of(saved.get(1), saved.get(saved.size() / 2), saved.get(saved.size() - 2), saved.get(saved.size() - 1))) {
            WorkingSetSolver.Result resumed = WorkingSetSolver.solve(fs, st, lambda, 3000, o, null, null, s);
            assertEquals(whole.iterations(), resumed.iterations());
            assertEquals(whole.primal(), resumed.primal(), 1e-12);
            assertEquals(whole.dualObjective(), resumed.dualObjective(), 1e-12);
            assertEquals(0, DccnnTest.maxAbsDiff(whole.x(), resumed.x()), 1e-12);
            assertEquals(0, DccnnTest.maxAbsDiff(whole.dual(), resumed.dual()), 1e-12);
            assertEquals(whole.checks().size(), resumed.checks().size());
        }
    }
}
