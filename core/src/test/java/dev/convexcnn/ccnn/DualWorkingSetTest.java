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

    /**
     * Filter outputs added in blocks (split further when a block may hold fewer columns) are the features times the
     * directions, in double to summation order and in float to its rounding; a parted pass over them equals the pass
     * over the same values held as one matrix, bit for bit.
     */
    @Test
    void filterOutputsAreTheFeaturesTimesTheDirectionsInBlocks() {
        FeatureSource fs = DccnnTest.features(37, 3);
        int n = fs.size(), m = fs.dim(), Q = fs.positions(), c1 = fs.classes() - 1;
        double[] phi = FeatureSource.materialize(fs);
        java.util.Random rnd = new java.util.Random(4);
        int[] widths = {2, 3, 1};
        double[][] dirs = new double[3][];
        for (int b = 0; b < 3; b++) {
            dirs[b] = new double[m * widths[b]];
            for (int i = 0; i < dirs[b].length; i++) dirs[b][i] = rnd.nextGaussian();
        }
        for (boolean single : new boolean[] {false, true}) {
            for (int maxColumns : new int[] {1, 2, Integer.MAX_VALUE}) {
                FilterOutputs h = FilterOutputs.empty(fs, single);
                int r = 0;
                for (int b = 0; b < 3; b++) {
                    h = h.with(fs, dirs[b], widths[b], maxColumns);
                    r += widths[b];
                    assertEquals(r, h.dim());
                    double[] got = new double[n * Q * r];
                    h.block(0, n, got);
                    double[] part = new double[5 * Q * r];
                    h.block(11, 5, part);
                    for (int i = 0; i < n; i++) for (int q = 0; q < Q; q++) {
                        int col = 0;
                        for (int bb = 0; bb <= b; bb++) for (int j = 0; j < widths[bb]; j++, col++) {
                            double want = 0, size = 0;
                            for (int t = 0; t < m; t++) {
                                want += phi[i * Q * m + q * m + t] * dirs[bb][t * widths[bb] + j];
                                size += Math.abs(phi[i * Q * m + q * m + t] * dirs[bb][t * widths[bb] + j]);
                            }
                            double v = got[(i * Q + q) * r + col], tol = (single ? 0x1p-23 : 1e-13) * size;
                            String at = (single ? "float" : "double") + ", at most " + maxColumns + " columns, sample " + i + ", column " + col;
                            assertEquals(want, v, tol, at);
                            if (i >= 11 && i < 16) assertEquals(v, part[((i - 11) * Q + q) * r + col], 0, at);
                        }
                    }
                    double[] w = new double[Q * r * c1], bias = {0.1, -0.2};
                    for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian();
                    FeatureSource asMatrix = FeatureSource.ofMatrix(got, n, Q, r, fs.labels(), fs.classes());
                    PenalizedProgram.Pass viaBlocks = PenalizedProgram.pass(h, w, bias, true), viaMatrix = PenalizedProgram.pass(asMatrix, w, bias, true);
                    if (single) {
                        assertSameOnTheFloatBlocks(h, asMatrix, w, bias, rnd);
                    } else {
                        // Double blocks are copied into rows and go through the matrix's kernels: the same bits.
                        assertEquals(viaMatrix.loss(), viaBlocks.loss(), 0);
                        assertArrayEquals(viaMatrix.gradient(), viaBlocks.gradient(), 0);
                    }
                }
            }
        }
    }

    /**
     * Float blocks read in place (a segment of a block's row longer than the kernel's 256-value segment, blocks of 9 and
     * 2 columns, 70 samples: two fixed parts, odd chunks) give what the same values held as one double matrix give, to
     * rounding: the pass with its gradient and logits, G(p), the fused check pass and the power iteration.
     */
    @Test
    void floatBlocksReadInPlaceGiveTheMatrixPasses() {
        int n = 70, Q = 40, m = 5, C = 4;
        java.util.Random rnd = new java.util.Random(21);
        FeatureSource fs = gaussianFeatures(n, Q, m, C, rnd);
        int[] y = fs.labels();
        FilterOutputs h = FilterOutputs.empty(fs, true);
        for (int k : new int[] {9, 2}) {
            double[] dirs = new double[m * k];
            for (int i = 0; i < dirs.length; i++) dirs[i] = rnd.nextGaussian();
            h = h.with(fs, dirs, k);
        }
        int r = h.dim(), c1 = C - 1;
        double[] rows = new double[n * Q * r];
        h.block(0, n, rows);
        FeatureSource asMatrix = FeatureSource.ofMatrix(rows, n, Q, r, y, C);
        double[] w = new double[Q * r * c1];
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian();
        assertSameOnTheFloatBlocks(h, asMatrix, w, new double[] {0.3, -0.1, 0.2}, rnd);
    }

    /**
     * Float blocks beyond the memory budget go to files (all; the second; the first): every reader sees the same values,
     * and every parted pass gives the same bits as with all blocks held; the files leave no name behind in their
     * directory, and reading after {@link FilterOutputs#close} fails.
     */
    @Test
    void spilledBlocksGiveTheHeldPassesBitForBit(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        int n = 70, Q = 40, m = 5, C = 4;
        java.util.Random rnd = new java.util.Random(22);
        FeatureSource fs = gaussianFeatures(n, Q, m, C, rnd);
        double[][] dirs = new double[2][];
        int[] ks = {9, 2};
        for (int b = 0; b < 2; b++) {
            dirs[b] = new double[m * ks[b]];
            for (int i = 0; i < dirs[b].length; i++) dirs[b][i] = rnd.nextGaussian();
        }
        FilterOutputs held = FilterOutputs.empty(fs, true);
        for (int b = 0; b < 2; b++) held = held.with(fs, dirs[b], ks[b]);
        int r = held.dim(), c1 = C - 1;
        double[] w = new double[Q * r * c1], bias = {0.2, -0.3, 0.1}, p = new double[n * C];
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian();
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int k = 0; k < C; k++) sum += p[i * C + k] = rnd.nextDouble() + 0.01;
            for (int k = 0; k < C; k++) p[i * C + k] /= sum;
        }
        double[] all = new double[n * Q * r], part = new double[7 * Q * r];
        held.block(0, n, all);
        long firstBlock = (long) n * Q * ks[0] * Float.BYTES;
        for (long budget : new long[] {0, firstBlock, firstBlock - 1}) {
            FilterOutputs sp = FilterOutputs.empty(fs, true, budget, dir);
            for (int b = 0; b < 2; b++) sp = sp.with(fs, dirs[b], ks[b]);
            String at = "budget " + budget;
            // The first block alone fits, or only the second (a later, smaller block is held when the first was not), or none.
            long secondBlock = (long) n * Q * ks[1] * Float.BYTES;
            assertEquals(budget >= firstBlock ? firstBlock : budget >= secondBlock ? secondBlock : 0, sp.heldBytes(), at);
            assertEquals((long) n * Q * r * Float.BYTES - sp.heldBytes(), sp.spilledBytes(), at);
            try (java.util.stream.Stream<java.nio.file.Path> names = java.nio.file.Files.list(dir)) {
                assertEquals(0, names.count(), "a spilled block's file is unlinked once opened");
            }
            double[] got = new double[n * Q * r];
            sp.block(0, n, got);
            assertArrayEquals(all, got, 0, at);
            sp.block(31, 7, part);
            assertArrayEquals(java.util.Arrays.copyOfRange(all, 31 * Q * r, 38 * Q * r), part, 0, at);
            PenalizedProgram.Pass a = PenalizedProgram.pass(held, w, bias, true), b = PenalizedProgram.pass(sp, w, bias, true);
            assertEquals(a.loss(), b.loss(), 0, at);
            assertArrayEquals(a.logits(), b.logits(), 0, at);
            assertArrayEquals(a.gradient(), b.gradient(), 0, at);
            assertArrayEquals(PenalizedProgram.dualMatrix(held, p), PenalizedProgram.dualMatrix(sp, p), 0, at);
            PenalizedProgram.DualAndLoss da = PenalizedProgram.dualMatrixAndLoss(held, p, w, bias), db = PenalizedProgram.dualMatrixAndLoss(sp, p, w, bias);
            assertArrayEquals(da.g(), db.g(), 0, at);
            assertEquals(da.loss(), db.loss(), 0, at);
            double[] v0 = PenalizedProgram.seededStart(Q * r, 3);
            assertArrayEquals(PenalizedProgram.featureNorm(held, 5, v0.clone()).vector(), PenalizedProgram.featureNorm(sp, 5, v0.clone()).vector(), 0, at);
            sp.close();
            if (sp.spilledBytes() > 0) {
                FilterOutputs closed = sp;
                org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> closed.block(0, 1, new double[Q * r]), at);
            }
        }
    }

    /** A whole working-set solve with every filter output in files equals the solve with them held, bit for bit. */
    @Test
    void solveWithSpilledOutputsEqualsTheHeldSolve(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        FeatureSource fs = DccnnTest.features(60, 3);
        WorkingSetSolver.Start st = WorkingSetSolver.start(fs);
        double lambda = 0.2 * st.lambdaMax();
        WorkingSetSolver.Result held = WorkingSetSolver.solve(fs, st, lambda, 20_000, options(1e-4), null);
        WorkingSetSolver.Result spilled = WorkingSetSolver.solve(fs, st, lambda, 20_000, options(1e-4).spillingOver(0, dir), null);
        assertTrue(held.rounded() && held.converged());
        assertTrue(((FilterOutputs) spilled.reduced()).spilledBytes() > 0 && ((FilterOutputs) spilled.reduced()).heldBytes() == 0);
        assertEquals(held.iterations(), spilled.iterations());
        assertEquals(held.rank(), spilled.rank());
        assertEquals(held.primal(), spilled.primal(), 0);
        assertEquals(held.dualObjective(), spilled.dualObjective(), 0);
        assertArrayEquals(held.x(), spilled.x(), 0);
        assertArrayEquals(held.dual(), spilled.dual(), 0);
        ((FilterOutputs) spilled.reduced()).close();
    }

    /** n samples of Q × m standard normal features held as a matrix, with labels drawn uniformly from C classes. */
    static FeatureSource gaussianFeatures(int n, int Q, int m, int C, java.util.Random rnd) {
        double[] phi = new double[n * Q * m];
        for (int i = 0; i < phi.length; i++) phi[i] = rnd.nextGaussian();
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = rnd.nextInt(C);
        return FeatureSource.ofMatrix(phi, n, Q, m, y, C);
    }

    /** The parted passes over float blocks against the same values as a double matrix, to 1e-12 of the largest entry. */
    static void assertSameOnTheFloatBlocks(FilterOutputs h, FeatureSource asMatrix, double[] w, double[] bias, java.util.Random rnd) {
        int n = h.size(), C = h.classes();
        PenalizedProgram.Pass a = PenalizedProgram.pass(asMatrix, w, bias, true), b = PenalizedProgram.pass(h, w, bias, true);
        assertEquals(a.loss(), b.loss(), 1e-12 * Math.abs(a.loss()));
        assertEquals(a.accuracy(), b.accuracy(), 0);
        assertClose(a.gradient(), b.gradient(), "gradient");
        assertClose(a.logits(), b.logits(), "logits");
        double[] p = new double[n * C];
        for (int i = 0; i < p.length; i++) p[i] = rnd.nextDouble() + 0.01;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < C; k++) s += p[i * C + k];
            for (int k = 0; k < C; k++) p[i * C + k] /= s;
        }
        assertClose(PenalizedProgram.dualMatrix(asMatrix, p), PenalizedProgram.dualMatrix(h, p), "G(p)");
        PenalizedProgram.DualAndLoss da = PenalizedProgram.dualMatrixAndLoss(asMatrix, p, w, bias), db = PenalizedProgram.dualMatrixAndLoss(h, p, w, bias);
        assertClose(da.g(), db.g(), "fused G(p)");
        assertEquals(da.loss(), db.loss(), 1e-12 * Math.abs(da.loss()));
        // The gradient from known logits (the reduced solver's y after a tested step) is the pass's, bit for bit.
        for (FeatureSource src : new FeatureSource[] {asMatrix, h}) {
            PenalizedProgram.Pass full = PenalizedProgram.pass(src, w, bias, true);
            PenalizedProgram.Pass given = PenalizedProgram.passFromLogits(src, PenalizedProgram.pass(src, w, bias, false).logits().clone());
            assertEquals(full.loss(), given.loss(), 0);
            assertEquals(full.accuracy(), given.accuracy(), 0);
            assertArrayEquals(full.gradient(), given.gradient(), 0);
        }
        double[] v0 = PenalizedProgram.seededStart(h.positions() * h.dim(), 3);
        PenalizedProgram.Norm na = PenalizedProgram.featureNorm(asMatrix, 6, v0.clone()), nb = PenalizedProgram.featureNorm(h, 6, v0.clone());
        assertEquals(na.value(), nb.value(), 1e-12 * na.value());
        assertClose(na.vector(), nb.vector(), "power iteration's vector");
    }

    private static void assertClose(double[] want, double[] got, String what) {
        double scale = 0;
        for (double v : want) scale = Math.max(scale, Math.abs(v));
        assertArrayEquals(want, got, 1e-12 * scale, what);
    }

    /** G(p) and the loss in one pass equal the two separate passes, over a streamed and over a held source. */
    @Test
    void dualMatrixAndLossInOnePassEqualTheTwoPasses() {
        FeatureSource streamed = DccnnTest.features(45, 3);
        FeatureSource held = FeatureSource.ofMatrix(FeatureSource.materialize(streamed), streamed.size(), streamed.positions(),
                streamed.dim(), streamed.labels(), streamed.classes());
        int n = streamed.size(), C = streamed.classes(), D = streamed.positions() * streamed.dim();
        java.util.Random rnd = new java.util.Random(8);
        double[] w = new double[D * (C - 1)], bias = new double[C - 1], p = new double[n * C];
        for (int i = 0; i < w.length; i++) w[i] = 0.3 * rnd.nextGaussian();
        for (int k = 0; k < C - 1; k++) bias[k] = rnd.nextGaussian();
        for (int i = 0; i < n; i++) {
            double z = 0;
            for (int k = 0; k < C; k++) z += p[i * C + k] = rnd.nextDouble();
            for (int k = 0; k < C; k++) p[i * C + k] /= z;
        }
        for (FeatureSource fs : List.of(streamed, held)) {
            PenalizedProgram.DualAndLoss both = PenalizedProgram.dualMatrixAndLoss(fs, p, w, bias);
            PenalizedProgram.Pass pass = PenalizedProgram.pass(fs, w, bias, false);
            double[] g = PenalizedProgram.dualMatrix(fs, p);
            assertEquals(pass.loss(), both.loss(), 1e-13 * pass.loss());
            assertEquals(pass.accuracy(), both.accuracy(), 0);
            for (int i = 0; i < g.length; i++) assertEquals(g[i], both.g()[i], 1e-13 * (1 + Math.abs(g[i])));
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
     * At a tolerance of {@link WorkingSetSolver#SINGLE_TOLERANCE} or looser the filter outputs are float: the
     * certificate's primal is still the exact objective of the lifted iterate on the features (and its accuracy the
     * features' own), the gap is within the tolerance, and the certificate brackets the same optimum as a solve in
     * double to 1e-9.
     */
    @Test
    void floatOutputsKeepAnExactCertificate() {
        FeatureSource fs = DccnnTest.features(60, 3);
        int m = fs.dim(), Q = fs.positions(), c1 = fs.classes() - 1;
        WorkingSetSolver.Start st = WorkingSetSolver.start(fs);
        double lambda = 0.2 * st.lambdaMax(), tol = 1e-4;
        WorkingSetSolver.Result single = WorkingSetSolver.solve(fs, st, lambda, 20_000, options(tol), null);
        WorkingSetSolver.Result precise = WorkingSetSolver.solve(fs, st, lambda, 20_000, options(1e-9), null);
        assertTrue(single.rounded() && !precise.rounded());
        assertTrue(single.converged() && precise.converged());
        double[] w = single.lift(single.x(), m, Q, c1);
        PenalizedProgram.Pass exact = PenalizedProgram.pass(DualSolver.centred(fs, single.centre()), w, single.bias(), false);
        double full = exact.loss() + lambda * WorkingSetSolver.nuclearNorm(w, m, Q, c1);
        assertEquals(full, single.primal(), 1e-12 * full);
        assertEquals(exact.accuracy(), single.accuracy(), 0);
        assertTrue(single.gap() >= 0 && single.gap() <= tol * single.primal(), "gap " + single.gap());
        // Both certificates bound one optimum: each P above the other's D.
        assertTrue(single.primal() >= precise.dualObjective() - 1e-12 && precise.primal() >= single.dualObjective() - 1e-12);
        assertTrue(single.primal() - precise.primal() <= tol * precise.primal() + 1e-9);
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
