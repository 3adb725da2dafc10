package dev.convexcnn.ccnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** DCCNN: the dual, its solver, weak/strong duality against an independent primal solver, KKT and recovery. */
class DccnnTest {

    static FeatureSource features(int n, long seed) {
        Dataset d = CcnnTrainerTest.bars(n, seed);
        CcnnSettings s = CcnnTrainerTest.settings(List.of(CcnnTrainerTest.small(Kernel.GAUSSIAN, Approximation.FOURIER, 0)), 1000);
        CcnnLayer layer = CcnnTrainer.prepareLayer(0, d.pixels(), n, d.height(), d.width(), d.channels(), s);
        return FeatureSource.ofMatrix(FeatureSource.materialize(FeatureSource.ofLayer(layer, d.pixels(), d.labels(), n, 3)),
                n, layer.positions(), layer.featureDim(), d.labels(), 3);
    }

    static double maxAbsDiff(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    @Test
    void weakDualityHoldsAtArbitraryPoints() {
        FeatureSource fs = features(40, 4);
        int n = fs.size(), C = fs.classes(), len = fs.positions() * fs.dim() * (C - 1);
        double lambda = 0.3 * DualSolver.lambdaMax(fs);
        SplittableRandom r = new SplittableRandom(9);
        for (int trial = 0; trial < 5; trial++) {
            double[] p = new double[n * C];
            for (int i = 0; i < n; i++) {
                double z = 0;
                for (int k = 0; k < C; k++) z += p[i * C + k] = r.nextDouble();
                for (int k = 0; k < C; k++) p[i * C + k] /= z;
            }
            double[] w = new double[len];
            for (int i = 0; i < len; i++) w[i] = 0.3 * r.nextGaussian();
            double dual = PenalizedProgram.dualObjective(fs, p, lambda);
            double primal = PenalizedProgram.primalObjective(fs, w, lambda);
            assertTrue(dual <= primal, dual + " > " + primal);
            // The scaled point is feasible.
            double[] g = PenalizedProgram.dualMatrix(fs, p);
            double spec = PenalizedProgram.spectralNorm(g, fs.dim(), fs.positions(), C - 1);
            double[] pt = PenalizedProgram.feasible(p, n, C, fs.labels(), spec, lambda);
            double specT = PenalizedProgram.spectralNorm(PenalizedProgram.dualMatrix(fs, pt), fs.dim(), fs.positions(), C - 1);
            assertTrue(specT <= lambda * (1 + 1e-12), specT + " > " + lambda);
        }
    }

    /** The dual matrix of a pass equals the loss gradient when p is the softmax of the logits (one identity, two code paths). */
    @Test
    void dualMatrixAtTheSoftmaxIsTheLossGradient() {
        FeatureSource fs = features(30, 6);
        int len = fs.positions() * fs.dim() * (fs.classes() - 1);
        SplittableRandom r = new SplittableRandom(2);
        double[] w = new double[len];
        for (int i = 0; i < len; i++) w[i] = 0.5 * r.nextGaussian();
        PenalizedProgram.Pass pass = PenalizedProgram.pass(fs, w, true);
        double[] g = PenalizedProgram.dualMatrix(fs, PenalizedProgram.softmax(pass.logits(), fs.size(), fs.classes()));
        assertArrayEquals(pass.gradient(), g, 1e-12);
    }

    @Test
    void dualSolverClosesTheGapWithTheIndependentPrimalAndRecoversItsModel() {
        FeatureSource fs = features(60, 3);
        int n = fs.size(), C = fs.classes(), m = fs.dim(), Q = fs.positions(), c1 = C - 1;
        double norm = PenalizedProgram.featureNorm(fs, 50, 1) * 1.01;
        double lambda = 0.2 * DualSolver.lambdaMax(fs);
        ProximalPrimal.Result primal = ProximalPrimal.solve(fs, lambda, 3000, norm);
        DualSolver.Result dual = DualSolver.solve(fs, lambda, 3000, 1, 100, norm, 1e-10, null);
        // Objectives computed independently: P from FISTA's A, D from the dual's feasible p alone.
        double d = PenalizedProgram.dualObjective(fs, dual.dual(), lambda);
        double p = PenalizedProgram.primalObjective(fs, primal.w(), lambda);
        System.out.printf("P(A_fista) %.12f  D(p) %.12f  gap %.3g  (dual solver's own gap %.3g after %d checks)%n",
                p, d, p - d, dual.gap(), dual.checks().size());
        assertTrue(p - d >= -1e-12, "weak duality");
        assertTrue(p - d < 1e-7, "gap " + (p - d));

        // KKT at the primal solution: ‖G(A)‖₂ ≤ λ, ⟨−G, A⟩ = λ‖A‖_*, and p* = softmax(f_A).
        PenalizedProgram.Pass pass = PenalizedProgram.pass(fs, primal.w(), true);
        double spec = PenalizedProgram.spectralNorm(pass.gradient(), m, Q, c1);
        double nuc = PenalizedProgram.nuclearNorm(primal.w(), m, Q, c1);
        double inner = 0;
        for (int i = 0; i < pass.gradient().length; i++) inner -= pass.gradient()[i] * primal.w()[i];
        System.out.printf("KKT: ‖G‖₂/λ %.8f, ⟨−G,A⟩ %.8g vs λ‖A‖_* %.8g, max|p − softmax| %.3g%n", spec / lambda, inner,
                lambda * nuc, maxAbsDiff(dual.dual(), PenalizedProgram.softmax(pass.logits(), n, C)));
        assertTrue(spec <= lambda * (1 + 1e-4));
        assertEquals(lambda * nuc, inner, 1e-5 * lambda * nuc);
        assertTrue(maxAbsDiff(dual.dual(), PenalizedProgram.softmax(pass.logits(), n, C)) < 1e-3);

        // Recovery from the dual alone: few filters, the primal's objective and predictions.
        DualRecovery.Result rec = DualRecovery.recover(fs, dual.dual(), lambda, 1e-3, 3000);
        double[] wr = rec.w();
        double pr = PenalizedProgram.primalObjective(fs, wr, lambda);
        PenalizedProgram.Pass recPass = PenalizedProgram.pass(fs, wr, false);
        System.out.printf("recovered: %d filters (subspace %d of %d), P(A_rec) %.12f, gap %.3g, max logit diff %.3g%n",
                rec.factors().rank(), rec.subspace(), Math.min(m, Q * c1), pr, pr - d, maxAbsDiff(recPass.logits(), pass.logits()));
        assertTrue(pr - d < 1e-6, "recovered gap " + (pr - d));
        assertTrue(maxAbsDiff(recPass.logits(), pass.logits()) < 1e-2);
        for (int i = 0; i < n; i++) {
            assertEquals(MultinomialLogistic.argmax(pass.logits(), i * c1, C), MultinomialLogistic.argmax(recPass.logits(), i * c1, C));
        }
        assertTrue(rec.factors().rank() >= 1 && rec.factors().rank() < Math.min(m, Q * c1) / 2, "rank " + rec.factors().rank());
        assertEquals(nuc, PenalizedProgram.nuclearNorm(wr, m, Q, c1), 1e-3 * nuc);
    }

    /**
     * Balancing gives rows on the simplex with the labels' class totals, and of the form q_i ∝ p_i ∘ s (one scale per
     * class, the same for every row: a shift of the bias), which makes the point unique: checked on mild rows, on
     * confident rows (where plain Sinkhorn scaling needs many rounds) and with a class that no label has (it gets 0).
     */
    @Test
    void balanceMatchesTheClassCountsByOneScalePerClass() {
        for (double confidence : new double[] {2, 40}) {
            for (boolean missing : new boolean[] {false, true}) {
                SplittableRandom r = new SplittableRandom(3);
                int n = 50, C = 4;
                int[] y = new int[n];
                double[] p = new double[n * C];
                for (int i = 0; i < n; i++) {
                    y[i] = missing ? r.nextInt(C - 1) : r.nextInt(C);
                    double z = 0;
                    for (int k = 0; k < C; k++) {
                        z += p[i * C + k] = Math.exp(confidence * (r.nextDouble() - (k == (i % 3 == 0 ? y[i] : (y[i] + 1) % C) ? 0 : 1)));
                    }
                    for (int k = 0; k < C; k++) p[i * C + k] /= z;
                }
                double[] q = p.clone();
                double residual = DualSolver.balance(q, n, C, y);
                String at = "confidence " + confidence + (missing ? ", a class without labels" : "");
                assertTrue(residual <= 1e-13, at + ": residual " + residual);
                double[] col = new double[C], count = new double[C];
                for (int i = 0; i < n; i++) {
                    count[y[i]]++;
                    double row = 0;
                    for (int k = 0; k < C; k++) { col[k] += q[i * C + k]; row += q[i * C + k]; }
                    assertEquals(1, row, 1e-14, at);
                }
                assertArrayEquals(count, col, 1e-10, at);
                // One scale per class: log(q_ik/p_ik) − log(q_i0/p_i0) is the same for every row.
                for (int k = 1; k < C; k++) {
                    if (count[k] == 0) {
                        for (int i = 0; i < n; i++) assertEquals(0, q[i * C + k], at);
                        continue;
                    }
                    double first = Math.log(q[k] / p[k]) - Math.log(q[0] / p[0]);
                    for (int i = 1; i < n; i++) {
                        double s = Math.log(q[i * C + k] / p[i * C + k]) - Math.log(q[i * C] / p[i * C]);
                        assertEquals(first, s, 1e-9 * Math.max(1, Math.abs(first)), at + ", class " + k + ", row " + i);
                    }
                }
            }
        }
    }

    /**
     * The centred solver (features minus their mean, free bias) against FISTA on the program with a free bias over
     * the raw features (the same program): objectives computed on their own, D from the balanced, scaled p̃ alone.
     */
    @Test
    void centredSolverReachesTheOptimumOfTheProgramWithABias() {
        FeatureSource fs = features(60, 3);
        int n = fs.size(), C = fs.classes(), m = fs.dim(), Q = fs.positions(), c1 = C - 1;
        double lambda = 0.2 * DualSolver.lambdaMax(fs);
        double norm = PenalizedProgram.featureNorm(fs, 50, 1) * 1.01;
        ProximalPrimal.Result primal = ProximalPrimal.solve(fs, lambda, 4000, norm, true);
        DualSolver.Solution sol = DualSolver.solve(fs, lambda, 5000, new DualSolver.Options(true, false, false, 1, 20, 1e-10, 30, 1), null);
        double[] pt = sol.dual();
        // p̃ is dual feasible for the program with a bias: rows on the simplex, class totals, spectral ball.
        double[] col = new double[C], count = new double[C];
        for (int i = 0; i < n; i++) {
            count[fs.labels()[i]]++;
            for (int k = 0; k < C; k++) col[k] += pt[i * C + k];
        }
        assertArrayEquals(count, col, 1e-9);
        double spec = PenalizedProgram.spectralNorm(PenalizedProgram.dualMatrix(fs, pt), m, Q, c1);
        assertTrue(spec <= lambda * (1 + 1e-9), spec / lambda + "");
        double d = PenalizedProgram.meanEntropy(pt, n, C);
        double p = primal.objective();
        System.out.printf("bias program: P(FISTA) %.12f  D(p~) %.12f  gap %.3g  (solver's gap %.3g, %d iterations)%n",
                p, d, p - d, sol.gap(), sol.iterations());
        assertTrue(p - d >= -1e-12, "weak duality");
        assertTrue(p - d < 1e-7, "gap " + (p - d));
        // The FISTA variant of the restarted solver reaches the same optimum (its dual point: the softmax).
        DualSolver.Solution byFista = DualSolver.solve(fs, lambda, 3000, new DualSolver.Options(true, true, true, 1, 20, 1e-9, 30, 1), null);
        System.out.printf("FISTA variant: gap %.3g after %d iterations, D %.12f%n", byFista.gap(), byFista.iterations(), byFista.dualObjective());
        assertTrue(p - byFista.dualObjective() < 1e-7 && byFista.gap() < 1e-7, "FISTA variant gap " + byFista.gap());
        // The solver's own primal point, mapped back to raw features (b − cᵀw), has the same objective.
        double raw = PenalizedProgram.pass(fs, sol.w(), sol.rawBias(c1), false).loss() + lambda * PenalizedProgram.nuclearNorm(sol.w(), m, Q, c1);
        assertEquals(sol.primalObjective(), raw, 1e-12);
        // Recovery with a bias from the dual alone.
        DualRecovery.Result rec = DualRecovery.recover(sol.features(fs), pt, lambda, 1e-3, 3000, true);
        double pr = PenalizedProgram.pass(sol.features(fs), rec.w(), rec.bias(), false).loss()
                + lambda * PenalizedProgram.nuclearNorm(rec.w(), m, Q, c1);
        System.out.printf("recovered with bias: %d filters, P %.12f, gap %.3g%n", rec.factors().rank(), pr, pr - d);
        assertTrue(pr - d < 1e-6, "recovered gap " + (pr - d));
        assertTrue(rec.factors().rank() >= 1 && rec.factors().rank() < Math.min(m, Q * c1) / 2);
    }

    /**
     * The ill-conditioning of MNIST in miniature: one common vector k·v added to every sample's features. The
     * program with a free bias does not change (centring removes it exactly), so the centred solver takes the
     * same iterations and reaches the same optimum for every k; the plain solver's steps shrink with ‖F‖₂ and it
     * needs many more iterations for the same relative gap.
     */
    @Test
    void centringMakesTheSolverBlindToACommonComponent() {
        FeatureSource base = features(60, 5);
        int n = base.size(), D = base.positions() * base.dim(), C = base.classes();
        double[] f = FeatureSource.materialize(base);
        SplittableRandom r = new SplittableRandom(17);
        double[] v = new double[D];
        for (int j = 0; j < D; j++) v[j] = r.nextGaussian() / Math.sqrt(D);
        double tol = 1e-5;
        int[] centredIterations = new int[2], plainIterations = new int[2];
        double[] objective = new double[2];
        double[] scales = {0, 30};
        for (int t = 0; t < 2; t++) {
            double[] g = f.clone();
            for (int i = 0; i < n; i++) for (int j = 0; j < D; j++) g[i * D + j] += scales[t] * v[j];
            FeatureSource fs = FeatureSource.ofMatrix(g, n, base.positions(), base.dim(), base.labels(), C);
            double lambda = 0.1 * DualSolver.lambdaMax(base);
            DualSolver.Solution c = DualSolver.solve(fs, lambda, 4000, new DualSolver.Options(true, false, false, 1, 10, tol, 30, 1), null);
            double norm = PenalizedProgram.featureNorm(fs, 30, 1) * 1.05;
            DualSolver.Result p = DualSolver.solve(fs, lambda, 4000, 1, 10, norm, tol, null);
            centredIterations[t] = c.iterations();
            plainIterations[t] = p.checks().get(p.checks().size() - 1).iteration();
            objective[t] = c.primalObjective();
            System.out.printf("common component %.0f: ‖F‖ %.3g, centred %d iterations (gap %.2g), plain %d iterations (gap %.2g)%n",
                    scales[t], norm, centredIterations[t], c.gap(), plainIterations[t], p.gap());
            assertTrue(c.gap() <= tol * Math.max(1, c.primalObjective()), "centred gap " + c.gap());
        }
        assertEquals(centredIterations[0], centredIterations[1], 20);
        assertEquals(objective[0], objective[1], 1e-4);
        assertTrue(plainIterations[1] >= 4 * centredIterations[1], "plain " + plainIterations[1] + " vs centred " + centredIterations[1]);
    }

    @Test
    void aboveLambdaMaxTheSolutionIsZero() {
        FeatureSource fs = features(30, 8);
        double norm = PenalizedProgram.featureNorm(fs, 30, 1) * 1.01;
        double lambda = 1.5 * DualSolver.lambdaMax(fs);
        DualSolver.Result dual = DualSolver.solve(fs, lambda, 200, 1, 50, norm, 1e-12, null);
        DualRecovery.Result rec = DualRecovery.recover(fs, dual.dual(), lambda, 1e-3, 50);
        assertEquals(0, rec.factors().rank(), "the S fit returns 0 above λ_max");
        assertEquals(Math.log(3), dual.dualObjective(), 1e-9);
        assertEquals(Math.log(3), PenalizedProgram.primalObjective(fs, rec.w(), lambda), 1e-12);
    }

    @Test
    void trainerCertifiesEachLayerAndRepeatsBitForBitOnTheSameBackend() {
        Dataset d = CcnnTrainerTest.bars(80, 11);
        LayerSettings l1 = CcnnTrainerTest.small(Kernel.GAUSSIAN, Approximation.FOURIER, 1500).withPooling(2, 2).withFilters(3);
        LayerSettings l2 = CcnnTrainerTest.small(Kernel.INVERSE_POLYNOMIAL, Approximation.NYSTROM, 6000).withFilters(0)
                .withPatch(2, 1, 0).withPooling(2, 2);
        DccnnSettings s = DccnnSettings.of(CcnnTrainerTest.settings(List.of(l1, l2), 1000)).withLambda(0.1, 0).withTolerance(1e-7, 50);
        List<String> messages = new java.util.ArrayList<>();
        CcnnModel model = DccnnTrainer.fit(d, s, new CcnnListener() {
            @Override public void onMessage(String m) { messages.add(m); }
        });
        assertTrue(model.isDual());
        assertEquals(2, model.dualCertificates().size());
        for (DualCertificate c : model.dualCertificates()) {
            System.out.println(c);
            assertTrue(c.gap() >= -1e-9 && c.gap() < 1e-5, "gap " + c.gap());
            assertTrue(c.source().equals("dual") || c.source().equals("multiplier"), c.source());
            assertTrue(c.filters() >= 1 && c.filters() <= c.subspace());
        }
        assertEquals(Math.min(3, model.dualCertificates().get(0).filters()), model.layers().get(0).filterCount());
        // The model's logits equal the recovered A's on the layer-2 features (its exact form).
        CcnnModel again = DccnnTrainer.fit(d, s, null);
        assertArrayEquals(model.logits(d), again.logits(d), 0);
        assertTrue(model.evaluate(d).accuracy() > 0.6, "train accuracy " + model.evaluate(d).accuracy());
    }

    /**
     * Filter outputs in files (a budget of 0) train the same two-layer model, bit for bit, as with them held, and the
     * run says where they went; the flags' bad values are refused with their names.
     */
    @Test
    void filterOutputsInFilesTrainTheSameModel(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        Dataset d = CcnnTrainerTest.bars(80, 12);
        LayerSettings l1 = CcnnTrainerTest.small(Kernel.GAUSSIAN, Approximation.FOURIER, 1500).withPooling(2, 2).withFilters(2);
        LayerSettings l2 = CcnnTrainerTest.small(Kernel.GAUSSIAN, Approximation.FOURIER, 1500).withPooling(2, 2).withFilters(2);
        DccnnSettings s = DccnnSettings.of(CcnnTrainerTest.settings(List.of(l1, l2), 1000)).withLambda(0.05, 0).withTolerance(1e-3, 20);
        CcnnModel held = DccnnTrainer.fit(d, s, null);
        List<String> messages = new java.util.ArrayList<>();
        CcnnModel spilled = DccnnTrainer.fit(d, s.withFilterOutputs(0, dir), new CcnnListener() {
            @Override public void onMessage(String m) { messages.add(m); }
        });
        assertArrayEquals(held.logits(d), spilled.logits(d), 0);
        for (int l = 0; l < 2; l++) {
            assertEquals(held.dualCertificates().get(l).primal(), spilled.dualCertificates().get(l).primal(), 0);
            assertEquals(held.dualCertificates().get(l).dual(), spilled.dualCertificates().get(l).dual(), 0);
        }
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("layer 2: filter outputs 0 MiB in memory") && m.contains("in files in " + dir)),
                String.join("\n", messages));
        try (java.util.stream.Stream<java.nio.file.Path> left = java.nio.file.Files.list(dir)) {
            assertEquals(0, left.count(), "nothing left in the spill directory");
        }
        DccnnMethod.Options o = new DccnnMethod.Options();
        o.filterOutputsMb = -1L;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.apply(s));
        assertTrue(e.getMessage().contains("--filter-outputs-mb must be >= 0, got -1"), e.getMessage());
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("a-file"), "x");
        DccnnMethod.Options o2 = new DccnnMethod.Options();
        o2.spillDir = file;
        e = assertThrows(IllegalArgumentException.class, () -> o2.apply(s));
        assertTrue(e.getMessage().contains("--spill-dir " + file + " is not a directory"), e.getMessage());
    }

    /** A working set capped below the optimum's rank stops there, says so with the flag to raise, and still certifies its iterate. */
    @Test
    void aFullWorkingSetStopsTheLayerAndNamesTheFlag() {
        Dataset d = CcnnTrainerTest.bars(80, 11);
        LayerSettings l1 = CcnnTrainerTest.small(Kernel.GAUSSIAN, Approximation.FOURIER, 1500).withPooling(2, 2).withFilters(3);
        DccnnSettings s = DccnnSettings.of(CcnnTrainerTest.settings(List.of(l1), 1000)).withLambda(0.02, 0).withTolerance(1e-7, 50);
        CcnnModel free = DccnnTrainer.fit(d, s, null);
        DualCertificate optimum = free.dualCertificates().get(0);
        assertTrue(optimum.gap() < 1e-6 * Math.abs(optimum.primal()), "uncapped gap " + optimum.gap());
        List<String> messages = new java.util.ArrayList<>();
        CcnnModel capped = DccnnTrainer.fit(d, s.withMaxDirections(1), new CcnnListener() {
            @Override public void onMessage(String m) { messages.add(m); }
        });
        DualCertificate c = capped.dualCertificates().get(0);
        assertTrue(c.gap() >= -1e-12 && c.gap() > 1e-6 * Math.abs(c.primal()), "a rank-one iterate is not optimal here: gap " + c.gap());
        assertTrue(c.primal() >= optimum.dual() - 1e-12 && c.dual() <= optimum.primal() + 1e-12, "both certificates bound one optimum");
        assertTrue(messages.stream().anyMatch(m -> m.contains("working set of 1 directions")
                && m.contains("the working set is full at 1 directions (raise --max-directions)")), String.join("\n", messages));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.withMaxDirections(0));
        assertTrue(e.getMessage().contains("max directions"), e.getMessage());
        DccnnMethod.Options o = new DccnnMethod.Options();
        o.maxDirections = 0;
        e = assertThrows(IllegalArgumentException.class, () -> o.apply(s));
        assertTrue(e.getMessage().contains("--max-directions must be >= 1, got 0"), e.getMessage());
    }

    /** The explicit pooled kernel matrix against a naive double loop, and its factorisation against the matrix. */
    @Test
    void kernelMatrixBaselineMatchesNaiveKernelSums() {
        int n = 4;
        Dataset d = CcnnTrainerTest.bars(n, 13);
        for (Kernel kernel : Kernel.values()) {
            CcnnSettings s = CcnnTrainerTest.settings(List.of(CcnnTrainerTest.small(kernel, Approximation.NYSTROM, 0)), 1000);
            CcnnLayer layer = CcnnTrainer.prepareLayer(0, d.pixels(), n, d.height(), d.width(), d.channels(), s);
            int Q = layer.positions(), P = layer.geometry().patches(), dim = layer.geometry().patchSize(), nq = n * Q;
            double[] k = KernelMatrixPrimal.pooledKernelMatrix(layer, d.pixels(), n);
            double[] z = KernelMatrixPrimal.whitenedPatches(layer, d.pixels(), n);
            int[][] win = KernelMatrixPrimal.windows(layer);
            for (int a = 0; a < nq; a++) for (int b = 0; b < nq; b++) {
                int i = a / Q, q = a % Q, j = b / Q, q2 = b % Q;
                double sum = 0;
                for (int p : win[q]) for (int p2 : win[q2]) sum += kernel.value(z, (i * P + p) * dim, z, (j * P + p2) * dim, dim, 0.5);
                assertEquals(sum / (win[q].length * win[q2].length), k[a * nq + b], 1e-12);
            }
            FeatureSource fs = KernelMatrixPrimal.factorize(layer, d.pixels(), d.labels(), n, 3);
            double[] f = FeatureSource.materialize(fs);
            int m = fs.dim();
            for (int a = 0; a < nq; a++) for (int b = 0; b < nq; b++) {
                double dot = 0;
                for (int c = 0; c < m; c++) dot += f[a * m + c] * f[b * m + c];
                assertEquals(k[a * nq + b], dot, 1e-9);
            }
        }
    }
}
