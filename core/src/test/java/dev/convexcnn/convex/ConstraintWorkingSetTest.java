package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The exact program over a working set of its constraints: the working-set program's constraint values and
 * penalised objective against the full program's on the same rows, the scan against the full constraint vector,
 * and the solve against the full augmented Lagrangian (same optimum, certified on every constraint).
 */
class ConstraintWorkingSetTest {

    /** The working-set program on every row is the full program with its values in another order. */
    @Test
    void workingSetOfEveryRowIsTheFullProgram() {
        ExactAugmentedLagrangianTest.Instance in = ExactAugmentedLagrangianTest.instance();
        ExactReluProgram exact = in.exact();
        int p = in.patterns().gates(), rows = in.patterns().rows(), c = in.c(), cols = 2 * c * p;
        int[][] all = new int[p][rows];
        for (int j = 0; j < p; j++) for (int r = 0; r < rows; r++) all[j][r] = r;
        ConstraintWorkingSet.WorkingSetProgram ws = new ConstraintWorkingSet.WorkingSetProgram(exact, all);
        assertEquals(exact.constraintCount(), ws.constraintCount());
        Random rnd = new Random(5);
        int d = exact.dimension(), m = (int) exact.constraintCount();
        double[] x = new double[d], full = new double[m], mine = new double[m], gFull = new double[m], gMine = new double[m];
        for (int i = 0; i < d; i++) x[i] = 0.05 * rnd.nextGaussian();
        exact.constraints(x, full);
        ws.constraints(x, mine);
        // Full layout: row r, column (b·c + k)·p + j; working-set layout: pattern j, row r, column b·c + k.
        double scale = 0;
        for (double v : full) scale = Math.max(scale, Math.abs(v));
        for (int j = 0; j < p; j++) {
            for (int r = 0; r < rows; r++) {
                for (int bk = 0; bk < 2 * c; bk++) {
                    int a = r * cols + bk * p + j, b = (j * rows + r) * 2 * c + bk;
                    assertEquals(full[a], mine[b], 1e-12 * scale, "pattern " + j + " row " + r + " column " + bk);
                    gFull[a] = rnd.nextDouble() < 0.3 ? 0 : 0.02 * rnd.nextDouble();
                    gMine[b] = gFull[a];
                }
            }
        }
        double[] g1 = new double[d], g2 = new double[d];
        double v1 = exact.withMultipliers(gFull, 0.7).smooth(x, g1), v2 = ws.withMultipliers(gMine, 0.7).smooth(x, g2);
        assertEquals(v1, v2, 1e-12 * Math.abs(v1));
        for (int i = 0; i < d; i++) assertEquals(g1[i], g2[i], 1e-11 * (1 + Math.abs(g1[i])), "gradient " + i);
        assertEquals(exact.violation(full), exact.facets(x, null, null, 1).violation(), 1e-12 * exact.violation(full));
    }

    /** Equal patches: one row stands for all (the same constraint), and the violation counts it once. */
    @Test
    void equalPatchesAreHeldOnceWithTheirCount() {
        // The instance's images with their left half blank, as MNIST's borders are.
        int n = 30, c = 3, side = 12;
        dev.convexcnn.data.Dataset d0 = ConvexProgramTest.quadrants(n, side, c, 11);
        float[] px = d0.pixels().clone();
        for (int i = 0; i < n; i++) for (int y = 0; y < side; y++) for (int x0 = 0; x0 < side / 2; x0++) px[(i * side + y) * side + x0] = 0;
        dev.convexcnn.data.Dataset d = new dev.convexcnn.data.Dataset("half-blank", side, side, 1, c, px, d0.labels());
        dev.convexcnn.data.Normalization norm = dev.convexcnn.data.Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 5, 3, true);
        Gates gates = Gates.sample(geom.patchSize(), 6, 5);
        GatedFeatures f = GatedFeatures.build(d, norm, geom, gates);
        GatedReluProgram gated = new GatedReluProgram(f, d.labels(), c, Loss.SQUARED, 0.001);
        PatchPatterns pp = PatchPatterns.build(d, norm, geom, gates);
        ExactAugmentedLagrangianTest.Instance in = new ExactAugmentedLagrangianTest.Instance(new ExactReluProgram(gated, pp), f, pp, n, c);
        int rows = pp.rows(), h = pp.patchSize(), p = pp.gates();
        ConstraintWorkingSet.Duplicates dup = ConstraintWorkingSet.Duplicates.of(pp);
        long sum = 0;
        for (int r = 0; r < rows; r++) {
            int q = dup.rep()[r];
            assertTrue(q <= r && dup.rep()[q] == q);
            for (int t = 0; t < h; t++) assertEquals(pp.patches()[q * h + t], pp.patches()[r * h + t], 0.0);
            for (int r2 = 0; r2 < q; r2++) {
                boolean same = true;
                for (int t = 0; t < h && same; t++) same = pp.patches()[r2 * h + t] == pp.patches()[r * h + t];
                assertTrue(!same, "row " + r + " equals the earlier row " + r2 + " but stands for itself");
            }
            if (q == r) sum += dup.count()[r];
        }
        assertEquals(rows, sum);
        assertTrue(dup.distinct() < rows, "the instance should have equal patches (blank ones): " + dup.distinct() + " of " + rows);
        // Held once each with weight 1: the held violation is the full one over distinct constraints (the full
        // vector's rows r with rep[r] = r), and the scan over distinct rows reports the same, and finds only them.
        int[][] reps = new int[p][];
        for (int j = 0; j < p; j++) reps[j] = java.util.stream.IntStream.range(0, rows).filter(r -> dup.rep()[r] == r).toArray();
        var ws = new ConstraintWorkingSet.WorkingSetProgram(in.exact(), reps);
        Random rnd = new Random(4);
        double[] x = new double[in.exact().dimension()];
        for (int i = 0; i < x.length; i++) x[i] = 0.05 * rnd.nextGaussian();
        double[] full = new double[(int) in.exact().constraintCount()], held = new double[(int) ws.constraintCount()];
        in.exact().constraints(x, full);
        ws.constraints(x, held);
        int cols = 2 * c * p;
        double distinct = 0, all = 0;
        for (int r = 0; r < rows; r++) {
            for (int o = r * cols; o < (r + 1) * cols; o++) {
                double m = Math.min(full[o], 0);
                all += m * m;
                if (dup.rep()[r] == r) distinct += m * m;
            }
        }
        assertTrue(distinct > 0 && distinct < all, "equal rows should be violated too: " + distinct + " of " + all);
        assertEquals(distinct, ws.violation(held), 1e-12 * distinct);
        ExactReluProgram.Facets facets = in.exact().facets(x, dup.rep(), null, 3);
        assertEquals(distinct, facets.violation(), 1e-12 * distinct);
        for (int[] found : facets.rows()) for (int r : found) assertEquals(r, dup.rep()[r], "row " + r + " is a copy");
        assertEquals(2 * c * p * dup.distinct(), ws.constraintCount());
    }

    /**
     * The facets found are, per pattern and group, the rows not held with the largest −a·v / a·u_j among the rows
     * the group violates (brute force over the full constraint vector), and the first one is where the segment from
     * u_j to the group leaves the cone: at the crossing every constraint of the pattern holds.
     */
    @Test
    void facetsAreWhereEachGroupFirstLeavesItsCone() {
        ExactAugmentedLagrangianTest.Instance in = ExactAugmentedLagrangianTest.instance();
        ExactReluProgram exact = in.exact();
        PatchPatterns pp = in.patterns();
        int p = pp.gates(), rows = pp.rows(), c = in.c(), cols = 2 * c * p, h = pp.patchSize(), k = 3;
        Random rnd = new Random(8);
        double[] x = new double[exact.dimension()], hv = new double[(int) exact.constraintCount()];
        for (int i = 0; i < x.length; i++) x[i] = 0.05 * rnd.nextGaussian();
        exact.constraints(x, hv);
        double[] z = pp.patches(), u = pp.filters(), s = pp.signs();
        // Some rows held: they are skipped as candidates but counted in the violation.
        int[][] heldRows = new int[p][];
        for (int j = 0; j < p; j++) heldRows[j] = java.util.stream.IntStream.range(0, rows).filter(r -> r % 7 == 0).toArray();
        java.util.BitSet[] held = ConstraintWorkingSet.held(heldRows, rows);
        ExactReluProgram.Facets f = exact.facets(x, null, held, k);
        assertEquals(exact.violation(hv), f.violation(), 1e-12 * exact.violation(hv));
        int half = p * h * c, crossings = 0;
        for (int j = 0; j < p; j++) {
            double[] au = new double[rows];
            for (int r = 0; r < rows; r++) {
                double d = 0;
                for (int t = 0; t < h; t++) d += z[r * h + t] * u[t * p + j];
                au[r] = s[r * p + j] * d;
                assertTrue(au[r] >= 0, "u_j is inside its cone");
            }
            java.util.TreeSet<Integer> expected = new java.util.TreeSet<>();
            for (int g = 0; g < 2 * c; g++) {
                final int jj = j, gg = g;
                Integer[] cand = java.util.stream.IntStream.range(0, rows).filter(r -> r % 7 != 0 && hv[r * cols + gg * p + jj] < 0)
                        .boxed().toArray(Integer[]::new);
                java.util.Arrays.sort(cand, (a, b) -> Double.compare(-hv[b * cols + gg * p + jj] / au[b], -hv[a * cols + gg * p + jj] / au[a]));
                for (int i = 0; i < Math.min(k, cand.length); i++) expected.add(cand[i]);
                // The first crossing over all rows (held or not): the point u + t(v − u) on the row's hyperplane meets every other row.
                int first = -1;
                double bestRatio = -1;
                for (int r = 0; r < rows; r++) {
                    double ratio = -hv[r * cols + g * p + j] / au[r];
                    if (hv[r * cols + g * p + j] < 0 && ratio > bestRatio) { bestRatio = ratio; first = r; }
                }
                if (first < 0) continue;
                crossings++;
                double tt = 1 / (1 + bestRatio);
                int b = g / c, cls = g % c;
                double[] v = new double[h], point = new double[h];
                for (int t = 0; t < h; t++) {
                    v[t] = x[b * half + (j * h + t) * c + cls];
                    point[t] = (1 - tt) * u[t * p + j] + tt * v[t];
                }
                double scale = 0;
                for (int r = 0; r < rows; r++) {
                    double a = 0;
                    for (int t = 0; t < h; t++) a += s[r * p + j] * z[r * h + t] * point[t];
                    scale = Math.max(scale, Math.abs(a));
                    if (r == first) assertEquals(0, a, 1e-12 * (1 + au[r]), "the crossing is on the facet's hyperplane");
                    else assertTrue(a >= -1e-12 * (1 + au[r]), "pattern " + j + " group " + g + ": row " + r + " is violated at the crossing");
                }
            }
            assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), f.rows()[j], "pattern " + j);
        }
        assertTrue(crossings > 10, "the random point should leave some cones: " + crossings);
    }

    /** Multipliers keep their rows when the set grows; new rows start at zero. */
    @Test
    void multipliersFollowTheirRowsIntoALargerSet() {
        ExactAugmentedLagrangianTest.Instance in = ExactAugmentedLagrangianTest.instance();
        int p = in.patterns().gates(), cols = 2 * in.c();
        int[][] small = new int[p][], large = new int[p][];
        for (int j = 0; j < p; j++) {
            small[j] = j % 2 == 0 ? new int[] {3, 9} : new int[0];
            large[j] = j % 2 == 0 ? new int[] {1, 3, 4, 9} : new int[] {2};
        }
        var a = new ConstraintWorkingSet.WorkingSetProgram(in.exact(), small);
        var b = new ConstraintWorkingSet.WorkingSetProgram(in.exact(), large);
        double[] g = new double[(int) a.constraintCount()];
        for (int i = 0; i < g.length; i++) g[i] = i + 1;
        double[] out = a.extend(g, b);
        int at = 0, seen = 0;
        for (int j = 0; j < p; j++) {
            for (int r : large[j]) {
                boolean held = java.util.Arrays.binarySearch(small[j], r) >= 0;
                for (int k = 0; k < cols; k++) assertEquals(held ? ++seen : 0, out[at++], "pattern " + j + " row " + r);
            }
        }
        assertEquals(g.length, seen);
    }

    /**
     * The solve: the full augmented Lagrangian's optimum within what their tolerance allows, certified (stationarity and the violation
     * of every constraint within the tolerance), while holding only a part of the rows.
     */
    @Test
    void reachesTheFullProgramsOptimumHoldingFewerRows() {
        ExactAugmentedLagrangianTest.Instance in = ExactAugmentedLagrangianTest.instance();
        ExactReluProgram exact = in.exact();
        RFista.Settings inner = new RFista.Settings(1e-8, 8_000, 10);
        AugmentedLagrangian.Settings s = new AugmentedLagrangian.Settings(1e-8, 40, inner, ConvexTrainer.INITIAL_RHO);
        var full = AugmentedLagrangian.solve(exact, new double[exact.dimension()], s, null);
        assertTrue(full.converged());
        ConstraintWorkingSet.Result ws = ConstraintWorkingSet.solve(exact, new double[exact.dimension()], s, 16, null, null);
        assertTrue(ws.converged(), "rounds " + ws.rounds());
        // A squared violation of 1e-8 leaves constraints off by up to ~1e-4, and the objective with them: measured, the
        // full solve at 1e-8 is 1.2e-4 and the working-set solve 3.8e-5 below a full solve at 1e-11 (0.0131993).
        assertEquals(full.objective(), ws.objective(), 2e-4 * full.objective());
        assertTrue(ws.stationarity() <= 1e-8 && ws.violation() <= 1e-8, "stationarity " + ws.stationarity() + ", violation " + ws.violation());
        // The violation reported is over every distinct constraint (equal patches' rows once).
        double[] h = new double[(int) exact.constraintCount()];
        exact.constraints(ws.x(), h);
        int[] rep = ConstraintWorkingSet.Duplicates.of(in.patterns()).rep();
        int cols = (int) (exact.constraintCount() / in.patterns().rows());
        double distinct = 0;
        for (int r = 0; r < rep.length; r++) {
            if (rep[r] != r) continue;
            for (int o = r * cols; o < (r + 1) * cols; o++) distinct += Math.min(h[o], 0) * Math.min(h[o], 0);
        }
        assertEquals(distinct, ws.violation(), 1e-12 + 1e-9 * ws.violation());
        assertTrue(exact.violation(h) <= 1e-6, "and every constraint nearly met: " + exact.violation(h));
        assertTrue(ws.rowsHeld() < ws.rowsTotal(), ws.rowsHeld() + " of " + ws.rowsTotal());
        assertTrue(ws.rounds().size() >= 2, "the first round is unconstrained: " + ws.rounds());
        assertEquals(0, ws.rounds().get(0).rowsHeld());
    }

    /**
     * A solve over more patterns warmed by one over fewer (its rows for the old patterns, none for the new): the cold
     * solve's optimum, certified on every constraint, and its first round holds the old rows.
     */
    @Test
    void aWarmSolveOverMorePatternsReachesTheColdOptimum() {
        int n = 40, c = 3;
        dev.convexcnn.data.Dataset d = ConvexProgramTest.quadrants(n, 12, c, 11);
        dev.convexcnn.data.Normalization norm = dev.convexcnn.data.Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 5, 3, true);
        Gates all = Gates.sample(geom.patchSize(), 6, 5);
        Gates few = all.select(new int[] {0, 1, 2, 3});
        double lambda = 0.01 * GatedReluProgram.lambdaMax(GatedFeatures.build(d, norm, geom, all), d.labels(), c, Loss.SQUARED);
        java.util.function.Function<Gates, ExactReluProgram> program = g -> new ExactReluProgram(
                new GatedReluProgram(GatedFeatures.build(d, norm, geom, g), d.labels(), c, Loss.SQUARED, lambda), PatchPatterns.build(d, norm, geom, g));
        AugmentedLagrangian.Settings s = new AugmentedLagrangian.Settings(1e-11, 40, new RFista.Settings(1e-11, 20_000, 10), ConvexTrainer.INITIAL_RHO);
        ExactReluProgram small = program.apply(few), large = program.apply(all);
        ConstraintWorkingSet.Result first = ConstraintWorkingSet.solve(small, new double[small.dimension()], s, 4, null, null);
        assertTrue(first.converged());
        int h = geom.patchSize();
        double[] x0 = ConvexTrainer.extend(first.x(), 2, 4, 6, h, c);
        ConstraintWorkingSet.Warm warm = first.warmFor(new int[] {0, 1, 2, 3, -1, -1});
        long heldBefore = 0;
        for (int j = 0; j < 4; j++) {
            assertArrayEquals(first.rows()[j], warm.rows()[j]);
            heldBefore += first.rows()[j].length;
        }
        assertTrue(heldBefore > 0 && warm.rows()[4].length == 0 && warm.rows()[5].length == 0);
        ConstraintWorkingSet.Result warmed;
        try {
            warmed = ConstraintWorkingSet.solve(large, x0, s, 4, null, null, null, null, warm);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        ConstraintWorkingSet.Result cold = ConstraintWorkingSet.solve(large, new double[large.dimension()], s, 4, null, null);
        assertTrue(warmed.converged() && cold.converged(), "warm " + warmed.rounds() + ", cold " + cold.rounds());
        assertTrue(warmed.rounds().get(0).rowsHeld() >= heldBefore, "the old rows are held from the first round: " + warmed.rounds().get(0));
        assertTrue(warmed.objective() <= first.objective() * (1 + 1e-6), "more patterns cannot raise the optimum");
        // At 1e-9 the two ends were 9e-5 apart (both certified: the certificate bounds the objective only that far),
        // so both solve to 1e-11 here.
        assertEquals(cold.objective(), warmed.objective(), 1e-5 * cold.objective(), "warm vs cold");
    }

    @Test
    void theDefaultsTakeTheWorkingSetFromAThousandImagesAndTheFlagOverridesIt() {
        ExactReluMethod m = new ExactReluMethod();
        ConvexSettings large = m.defaults(new dev.convexcnn.method.DataInfo("x", 2000, 28, 28, 1, 10));
        assertTrue(large.workingSet());
        assertEquals(64, large.patterns());
        ConvexSettings small = m.defaults(new dev.convexcnn.method.DataInfo("x", 999, 28, 28, 1, 10));
        assertTrue(!small.workingSet());
        assertEquals(8, small.patterns());
        ExactReluMethod.Options o = new ExactReluMethod.Options();
        o.constraints = "all";
        assertTrue(!o.apply(large).workingSet());
        o.constraints = "working-set";
        assertTrue(o.apply(small).workingSet());
        o.constraints = "some";
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> o.apply(small));
        assertTrue(e.getMessage().contains("--constraints") && e.getMessage().contains("some"), e.getMessage());
        var g = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ConvexSettings.defaults().withWorkingSet(true));
        assertTrue(g.getMessage().contains("convex-relu"), g.getMessage());
    }

    @Test
    void aFeasibleStartHoldsNoRowAtFirst() {
        ExactAugmentedLagrangianTest.Instance in = ExactAugmentedLagrangianTest.instance();
        int p = in.patterns().gates();
        int[][] rows = new int[p][0];
        ExactReluProgram.Facets none = in.exact().facets(new double[in.exact().dimension()], null, null, 10);
        assertEquals(0, none.violation());
        assertEquals(0, ConstraintWorkingSet.join(rows, none.rows()));
        for (int[] r : rows) assertArrayEquals(new int[0], r);
    }
}
