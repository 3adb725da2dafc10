package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.testing.Tolerances;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The GEMM form of the gated program against a naive loop, and against the streamed and Gram forms. */
class GemmGatedProgramTest {

    /** Random images of odd sizes: h × w × channels, c classes. */
    static Dataset noise(int n, int hgt, int wid, int ch, int c, long seed) {
        Random r = new Random(seed);
        float[] px = new float[n * hgt * wid * ch];
        for (int i = 0; i < px.length; i++) px[i] = r.nextFloat();
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = r.nextInt(c);
        return new Dataset("noise", hgt, wid, ch, c, px, y);
    }

    /** Random gates, with gate `empty` (if ≥ 0) made to switch nothing on: only a negative bias weight. */
    static Gates gates(PatchGeometry geom, int p, int empty, long seed) {
        Gates g = Gates.sample(geom.patchSize(), p, seed);
        if (empty < 0) return g;
        double[] f = g.filters().clone();
        int h = geom.patchSize();
        for (int t = 0; t < h; t++) f[t * p + empty] = t == h - 1 ? -1 : 0;
        return new Gates(h, p, f);
    }

    @Test
    void productsEqualTheNaiveLoop() {
        Dataset d = noise(9, 7, 5, 2, 3, 1);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = new PatchGeometry(7, 5, 2, 3, 2, true);
        Gates g = gates(geom, 5, 2, 2);
        int P = geom.patches(), h = geom.patchSize(), p = g.count(), c = 3, n = d.size();
        // Blocks of 2 samples: several GEMMs, the last one short.
        PatchProducts prod = new PatchProducts(d, norm, geom, g).blockValues(2 * P * p * c);
        double[] z = PatchPatterns.patchMatrix(d, norm, geom);
        Random r = new Random(3);
        double[] wt = new double[h * p * c], res = new double[n * c];
        for (int i = 0; i < wt.length; i++) wt[i] = r.nextGaussian();
        for (int i = 0; i < res.length; i++) res[i] = r.nextGaussian();
        int[] pat = new int[p * c], out = new int[p * c];
        for (int a = 0; a < p * c; a++) { pat[a] = a / c; out[a] = a % c; }
        double[] fwd = new double[n * c], naiveFwd = new double[n * c], adj = new double[h * p * c], naiveAdj = new double[h * p * c];
        double[] absFwd = new double[n * c], absAdj = new double[h * p * c];
        for (int i = 0; i < n; i++) {
            for (int q = 0; q < P; q++) {
                int row = (i * P + q) * h;
                for (int a = 0; a < p * c; a++) {
                    double act = 0;
                    for (int t = 0; t < h; t++) act += z[row + t] * g.filter(t, pat[a]);
                    if (!(act > 0)) continue;
                    assertTrue(prod.on(i, q, pat[a]));
                    for (int t = 0; t < h; t++) {
                        naiveFwd[i * c + out[a]] += z[row + t] * wt[t * p * c + a];
                        absFwd[i * c + out[a]] += Math.abs(z[row + t] * wt[t * p * c + a]);
                        naiveAdj[t * p * c + a] += z[row + t] * res[i * c + out[a]];
                        absAdj[t * p * c + a] += Math.abs(z[row + t] * res[i * c + out[a]]);
                    }
                }
            }
        }
        // The empty pattern is off everywhere.
        for (int i = 0; i < n; i++) for (int q = 0; q < P; q++) assertTrue(!prod.on(i, q, 2));
        // Float patches kept for all samples (the default at this size) or rebuilt per block: the same products.
        PatchProducts rebuilt = new PatchProducts(d, norm, geom, g).blockValues(2 * P * p * c).keepPatches(0);
        for (int pass = 0; pass < 3; pass++) {
            boolean single = pass > 0;
            PatchProducts use = pass == 2 ? rebuilt : prod;
            use.forward(wt, p * c, pat, out, c, single, fwd);
            use.adjoint(res, c, p * c, pat, out, single, adj);
            if (!single) {
                Tolerances.assertProductsClose(naiveFwd, fwd, absFwd, (long) P * h, "forward");
                Tolerances.assertProductsClose(naiveAdj, adj, absAdj, (long) n * P, "adjoint");
            } else {
                // Float products: within float rounding of the sums of magnitudes.
                for (int i = 0; i < fwd.length; i++) assertEquals(naiveFwd[i], fwd[i], 1e-5 * (1 + absFwd[i]), "float forward " + i);
                for (int i = 0; i < adj.length; i++) assertEquals(naiveAdj[i], adj[i], 1e-5 * (1 + absAdj[i]), "float adjoint " + i);
            }
        }
        // A subset of columns (the nonzero groups) gives the sums of those columns only, and the adjoint those
        // columns of the whole one: runs of one pattern with consecutive outputs (1, 2), with a gap (0, 2), alone.
        int[] subPat = {4, 0, 4, 1, 1, 3, 3}, subOut = {1, 2, 0, 0, 2, 1, 2};
        int sw = subPat.length;
        double[] subW = new double[h * sw];
        for (int t = 0; t < h; t++) for (int a = 0; a < sw; a++) subW[t * sw + a] = wt[t * p * c + subPat[a] * c + subOut[a]];
        double[] full = new double[h * p * c];
        for (int t = 0; t < h; t++) for (int a = 0; a < sw; a++) full[t * p * c + subPat[a] * c + subOut[a]] = subW[t * sw + a];
        for (boolean single : new boolean[] {false, true}) {
            double[] a1 = new double[n * c], a2 = new double[n * c];
            prod.forward(subW, sw, subPat, subOut, c, single, a1);
            prod.forward(full, p * c, pat, out, c, single, a2);
            Tolerances.assertArrayClose(a2, a1, single ? 1e-6 : 1e-12, "a subset of the columns, single " + single);
            double[] g1 = new double[h * sw], g2 = new double[h * p * c];
            prod.adjoint(res, c, sw, subPat, subOut, single, g1);
            prod.adjoint(res, c, p * c, pat, out, single, g2);
            for (int t = 0; t < h; t++) {
                for (int a = 0; a < sw; a++) {
                    double whole = g2[t * p * c + subPat[a] * c + subOut[a]];
                    assertEquals(whole, g1[t * sw + a], (single ? 1e-6 : 1e-12) * (1 + Math.abs(whole)), "adjoint column " + a + ", single " + single);
                }
            }
        }
    }

    /** n samples of odd-sized images; the three forms on one instance. */
    private static void threeFormsAgree(int n, int hgt, int wid, int ch, int k, int stride, int p, int empty, int c, long seed) {
        Dataset d = noise(n, hgt, wid, ch, c, seed);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = new PatchGeometry(hgt, wid, ch, k, stride, true);
        Gates g = gates(geom, p, empty, seed + 1);
        GatedFeatures phi = GatedFeatures.build(d, norm, geom, g);
        double lambda = 0.003;
        GatedReluProgram streamed = new GatedReluProgram(phi, d.labels(), c, Loss.SQUARED, lambda);
        GramGatedProgram gram = GramGatedProgram.build(d, norm, geom, g, 7).withLambda(lambda);
        GemmGatedProgram gemm = new GemmGatedProgram(new PatchProducts(d, norm, geom, g).blockValues(3 * geom.patches() * p * c), d.labels(),
                c, Loss.SQUARED, lambda);
        String what = "n " + n + ", " + hgt + "x" + wid + "x" + ch + ", k " + k + ", p " + p;
        assertEquals(streamed.dimension(), gemm.dimension());
        Tolerances.assertClose(gram.lambdaMax(), gemm.lambdaMax(), 1e-10, "λ_max, " + what);
        Random r = new Random(seed + 2);
        for (int trial = 0; trial < 3; trial++) {
            double[] w = new double[gemm.dimension()];
            for (int i = 0; i < w.length; i++) w[i] = trial == 0 ? 0 : (r.nextInt(3) == 0 ? 0 : 0.1 * r.nextGaussian());
            double[] g1 = new double[w.length], g2 = new double[w.length], g3 = new double[w.length], ax = new double[w.length];
            double f1 = streamed.smooth(w, g1), f2 = gram.smooth(w, g2), f3 = gemm.smooth(w, g3);
            Tolerances.assertClose(f1, f3, 1e-10, "value vs streamed, " + what);
            Tolerances.assertClose(f2, f3, 1e-10, "value vs Gram, " + what);
            assertClose(g1, g3, 1e-10, "gradient vs streamed, " + what);
            assertClose(g2, g3, 1e-10, "gradient vs Gram, " + what);
            // The quadratic pieces: A·x = ΦᵀΦx from the factors, and the value and gradient from them.
            gemm.products(new double[][] {w}, 1, new double[][] {ax}, false);
            double[] g4 = new double[w.length];
            Tolerances.assertClose(f1, gemm.smoothFromProduct(w, ax, g4), 1e-10, "value from A·x, " + what);
            assertClose(g1, g4, 1e-10, "gradient from A·x, " + what);
            Tolerances.assertClose(streamed.minNormSubgradientSquared(w, g1), gemm.minNormSubgradientSquared(w, g3), 1e-9,
                    "certificate vs streamed, " + what);
            Tolerances.assertClose(gram.minNormSubgradientSquared(w, g2), gemm.minNormSubgradientSquared(w, g3), 1e-9,
                    "certificate vs Gram, " + what);
            Tolerances.assertClose(gram.penalty().relativeGap(w, f2, gram.regularizer(w), g2),
                    gemm.penalty().relativeGap(w, f3, gemm.regularizer(w), g3), 1e-9, "gap vs Gram, " + what);
        }
        // Cross-entropy: the GEMM form's value and gradient are the streamed one's too.
        GatedReluProgram xs = new GatedReluProgram(phi, d.labels(), c, Loss.CROSS_ENTROPY, lambda);
        GemmGatedProgram xg = new GemmGatedProgram(new PatchProducts(d, norm, geom, g), d.labels(), c, Loss.CROSS_ENTROPY, lambda);
        double[] w = new double[xg.dimension()], ga = new double[w.length], gb = new double[w.length];
        for (int i = 0; i < w.length; i++) w[i] = 0.1 * r.nextGaussian();
        Tolerances.assertClose(xs.smooth(w, ga), xg.smooth(w, gb), 1e-10, "cross-entropy value, " + what);
        assertClose(ga, gb, 1e-10, "cross-entropy gradient, " + what);
    }

    /** Each entry within rtol of the largest entry (an entry near zero is a cancellation, not a relative error). */
    private static void assertClose(double[] expected, double[] actual, double rtol, String what) {
        double scale = 0;
        for (double v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], rtol * Math.max(scale, Double.MIN_NORMAL), what + ", entry " + i);
        }
    }

    @Test
    void objectiveGradientAndCertificateEqualTheStreamedAndGramForms() {
        threeFormsAgree(23, 7, 9, 1, 3, 2, 5, 1, 3, 11);    // odd sizes, one empty pattern
        threeFormsAgree(1, 6, 5, 2, 2, 1, 4, 0, 2, 12);     // a single sample, two channels
        threeFormsAgree(13, 5, 5, 1, 5, 1, 7, 6, 4, 13);    // one patch per image: the fully-connected shape
        threeFormsAgree(40, 8, 7, 3, 3, 3, 67, -1, 3, 14);  // more than 64 patterns: two words of gate bits
    }

    @Test
    void quadraticSolverOnTheFactorsReachesTheGramOptimumAndAZeroGap() {
        Dataset d = ConvexProgramTest.quadrants(40, 6, 3, 8);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        Gates g = Gates.sample(geom.patchSize(), 5, 4);
        GramGatedProgram gram0 = GramGatedProgram.build(d, norm, geom, g);
        double lambda = 0.05 * gram0.lambdaMax();
        GramGatedProgram gram = gram0.withLambda(lambda);
        GemmGatedProgram gemm = new GemmGatedProgram(new PatchProducts(d, norm, geom, g), d.labels(), 3, Loss.SQUARED, lambda);
        RFista.Settings s = new RFista.Settings(1e-13, 20_000, 10);
        RFista.Result a = RFista.solveQuadratic(gram, new double[gram.dimension()], s, RFista.Precision.DOUBLE, null);
        for (RFista.Precision precision : RFista.Precision.values()) {
            RFista.Result b = RFista.solveQuadratic(gemm, new double[gemm.dimension()], s, precision, null);
            assertTrue(a.converged() && b.converged(), "both reach the certificate, " + precision);
            Tolerances.assertClose(a.objective(), b.objective(), 1e-9, "objective, " + precision);
            assertEquals("certificate", b.stoppedBy());
            // The gap is looser than the certificate here: a zero group whose gradient is above λ by √cert scales
            // the whole dual point down, so (1 − θ)²f ≈ cert·f/λ² remains (7e-7 for the Gram form at 1e-13).
            assertTrue(b.gap() >= 0 && b.gap() < 1e-5, "the gap at a certified optimum is near zero: " + b.gap());
            // The certificate is a double one, whatever the products of the iterations.
            double[] grad = new double[gemm.dimension()];
            gemm.smooth(b.x(), grad);
            assertTrue(gemm.minNormSubgradientSquared(b.x(), grad) <= 1e-13, "double certificate, " + precision);
        }
        // The gap rule: a loose certificate but a tight gap; the gap is what stops the solve, and the objective is
        // as close to the optimum as the gap says.
        RFista.Result c = RFista.solveQuadratic(gemm, new double[gemm.dimension()], new RFista.Settings(1e-2, 20_000, 10, 1e-5),
                RFista.Precision.MIXED, null);
        assertTrue(c.converged() && c.gap() <= 1e-5, "gap " + c.gap() + ", stopped by " + c.stoppedBy());
        assertEquals("gap", c.stoppedBy());
        assertTrue(c.objective() >= a.objective() * (1 - 1e-12) && c.objective() <= a.objective() * (1 + 1e-5),
                "objective " + c.objective() + " within the gap of " + a.objective());
    }

    @Test
    void adjointByGroupsEqualsTheWholeAdjointOnThoseGroups() {
        Dataset d = noise(11, 7, 6, 2, 3, 31);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 2, true);
        GemmGatedProgram p = new GemmGatedProgram(new PatchProducts(d, norm, geom, gates(geom, 6, 1, 32)), d.labels(), 3, Loss.SQUARED, 0.1);
        Random r = new Random(33);
        double[] u = new double[p.rows()];
        for (int i = 0; i < u.length; i++) u[i] = r.nextGaussian();
        var lasso = p.screenedGroups();
        for (boolean single : new boolean[] {false, true}) {
            double[] whole = new double[p.dimension()];
            p.adjoint(u, whole, single);
            int[] groups = {17, 0, 5, 9, 16};   // any order, an empty pattern's groups (3, 4, 5) among them
            double[] part = new double[p.dimension()];
            java.util.Arrays.fill(part, 7.5);
            p.adjointOn(u, groups, groups.length, part, single);
            boolean[] listed = new boolean[lasso.groups()];
            for (int g : groups) listed[g] = true;
            for (int g = 0; g < lasso.groups(); g++) {
                for (int t = 0; t < lasso.size(); t++) {
                    int i = lasso.index(g, t);
                    if (!listed[g]) assertEquals(7.5, part[i], 0, "group " + g + " is left alone");
                    else Tolerances.assertClose(whole[i], part[i], single ? 1e-5 : 1e-12, "group " + g + ", single " + single);
                }
            }
        }
    }

    @Test
    void screenedSolveReachesTheSameCertifiedOptimumWithLessWork() {
        // Many groups, most of them zero at the optimum: the working set leaves them out between checks.
        Dataset d = ConvexProgramTest.quadrants(60, 6, 3, 9);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        Gates g = Gates.sample(geom.patchSize(), 24, 10);
        GemmGatedProgram p0 = new GemmGatedProgram(new PatchProducts(d, norm, geom, g), d.labels(), 3, Loss.SQUARED, 0);
        GemmGatedProgram p = p0.withLambda(0.2 * p0.lambdaMax());
        for (RFista.Precision precision : RFista.Precision.values()) {
            RFista.Settings s = new RFista.Settings(1e-12, 20_000, 10);
            p.patchProducts().resetCounters();
            RFista.Result plain = RFista.solveQuadratic(p, new double[p.dimension()], s, precision, null);
            long plainFlops = p.patchProducts().flops();
            p.patchProducts().resetCounters();
            RFista.Result screened = RFista.solveQuadratic(p, new double[p.dimension()], s.withScreening(true), precision, null);
            long screenedFlops = p.patchProducts().flops();
            assertTrue(plain.converged() && screened.converged(), precision + ": both reach the certificate");
            Tolerances.assertClose(plain.objective(), screened.objective(), 1e-9, "objective, " + precision);
            // The stopping certificate is the whole program's, in double: recomputed here from scratch.
            double[] grad = new double[p.dimension()];
            p.smooth(screened.x(), grad);
            assertTrue(p.minNormSubgradientSquared(screened.x(), grad) <= 1e-12, "whole double certificate, " + precision);
            int zero = 0;
            for (int q = 0; q < p.penalty().groups(); q++) if (p.penalty().norm(screened.x(), q) == 0) zero++;
            assertTrue(zero > p.penalty().groups() / 2, "most groups are zero at this λ: " + zero + " of " + p.penalty().groups());
            assertTrue(screenedFlops < 0.8 * plainFlops * screened.iterations() / plain.iterations(),
                    precision + ": products per iteration, screened " + screenedFlops / screened.iterations() + " against "
                            + plainFlops / plain.iterations());
        }
        // The gap rule needs the whole gradient every iteration: with a gap tolerance screening is off.
        p.patchProducts().resetCounters();
        RFista.Result gapRule = RFista.solveQuadratic(p, new double[p.dimension()], new RFista.Settings(1e-2, 20_000, 10, 1e-5)
                .withScreening(true), RFista.Precision.DOUBLE, null);
        assertTrue(gapRule.converged() && gapRule.gap() <= 1e-5);
    }

    @Test
    void logitsFromTheProductsEqualThoseFromTheRowsOfPhi() {
        Dataset d = noise(13, 7, 6, 2, 3, 41);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 2, true);
        Gates g = gates(geom, 6, 1, 42);
        Random r = new Random(43);
        double[] w = new double[g.count() * geom.patchSize() * 3];
        // Some groups zero, as at a group-lasso optimum.
        for (int i = 0; i < w.length; i++) w[i] = (i / 3) % 4 == 1 ? 0 : r.nextGaussian();
        double[] rows = GatedFeatures.logitsFromRows(d, norm, geom, g, w, 3);
        Tolerances.assertArrayClose(rows, GatedFeatures.logits(d, norm, geom, g, w, 3), 1e-12, "logits");
        Tolerances.assertArrayClose(rows, PatchProducts.logits(d, norm, geom, g, w, 3, 4), 1e-12, "logits by chunks of 4 samples");
    }

    @Test
    void theFirstStepFromZeroIsFoundWithoutPricingTheStepsThatCannotPass() {
        Dataset d = ConvexProgramTest.quadrants(40, 6, 3, 8);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        GemmGatedProgram p0 = new GemmGatedProgram(new PatchProducts(d, norm, geom, Gates.sample(geom.patchSize(), 5, 4)),
                d.labels(), 3, Loss.SQUARED, 0);
        GemmGatedProgram p = p0.withLambda(0.05 * p0.lambdaMax());
        p.linearTerm();
        // The same first step as the solver that prices every trial by values (scnn's backtracking from step 10).
        RFista.Settings s = new RFista.Settings(1e-14, 1, 10);
        List<RFista.Iteration> plain = new ArrayList<>(), factored = new ArrayList<>();
        RFista.solve(p, new double[p.dimension()], s, plain::add);
        RFista.solveQuadratic(p, new double[p.dimension()], s, RFista.Precision.DOUBLE, factored::add);
        assertEquals(plain.get(0).step(), factored.get(0).step(), 1e-12 * plain.get(0).step(), "first step");
        Tolerances.assertClose(plain.get(0).objective(), factored.get(0).objective(), 1e-10, "objective after the first step");
        double first = factored.get(0).step();
        int shrinks = (int) Math.round(Math.log(10 / first) / Math.log(1.25));
        assertTrue(shrinks >= 8, "the first step needs many shrinks from 10 for this test to tell: " + shrinks);
        // The first iteration: one whole product with Φᵀ at the start and one for the accepted point, and at most
        // three trials with Φ (each no wider than a whole product), where scnn's sequence prices shrinks + 1.
        p.patchProducts().resetCounters();
        RFista.solveQuadratic(p, new double[p.dimension()], new RFista.Settings(1e-14, 1, 10), RFista.Precision.DOUBLE, null);
        long whole = 2L * d.size() * geom.patches() * geom.patchSize() * 5 * 3;
        assertTrue(p.patchProducts().flops() <= 5 * whole, "first iteration: " + (double) p.patchProducts().flops() / whole
                + " whole products, where pricing every step would take up to " + (shrinks + 3));
    }

    @Test
    void theGapBoundsTheDistanceToTheOptimum() {
        // Weak duality: f + r − gap·(f + r) is a dual value, never above the optimum, at any point.
        Dataset d = noise(17, 6, 6, 1, 3, 21);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 2, true);
        Gates g = Gates.sample(geom.patchSize(), 4, 5);
        GemmGatedProgram p0 = new GemmGatedProgram(new PatchProducts(d, norm, geom, g), d.labels(), 3, Loss.SQUARED, 0);
        GemmGatedProgram p = p0.withLambda(0.1 * p0.lambdaMax());
        RFista.Result opt = RFista.solveQuadratic(p, new double[p.dimension()], new RFista.Settings(1e-14, 50_000, 10),
                RFista.Precision.DOUBLE, null);
        assertTrue(opt.converged());
        Random r = new Random(6);
        for (int trial = 0; trial < 20; trial++) {
            double[] w = new double[p.dimension()], grad = new double[w.length];
            double spread = trial < 10 ? 1e-3 : 1;
            for (int i = 0; i < w.length; i++) w[i] = opt.x()[i] + spread * r.nextGaussian() * (r.nextBoolean() ? 1 : 0);
            double f = p.smooth(w, grad), reg = p.regularizer(w), primal = f + reg;
            double gap = p.penalty().relativeGap(w, f, reg, grad);
            assertTrue(gap >= 0, "gap ≥ 0");
            assertTrue(primal - gap * primal <= opt.objective() * (1 + 1e-12), "dual value above the optimum, trial " + trial);
            assertTrue(primal >= opt.objective() * (1 - 1e-12), "primal value below the optimum, trial " + trial);
        }
    }

    /** Whatever form the cost model picks on a machine, a loss other than the squared one takes the general solver. */
    @Test
    void crossEntropyInTheGemmFormReachesTheStreamedOptimum() throws Exception {
        Dataset d = ConvexProgramTest.quadrants(40, 6, 3, 4);
        ConvexSettings s = ConvexSettings.defaults().withPatches(3, 1).withPatterns(6).withLoss(Loss.CROSS_ENTROPY)
                .withTolerance(1e-8).withMaxIterations(5_000).withSeed(5);
        ConvexTrainer.Run streamed = new ConvexTrainer(s.withProducts(ProductForm.STREAMED)).fit(d, null);
        ConvexTrainer.Run gemm = new ConvexTrainer(s.withProducts(ProductForm.GEMM)).fit(d, null);
        assertTrue(streamed.converged() && gemm.converged(), "both must reach the certificate");
        assertEquals("gemm", gemm.provenance().get("products").getAsString());
        assertEquals(streamed.objective(), gemm.objective(), 1e-7 * Math.abs(streamed.objective()));
    }
}
