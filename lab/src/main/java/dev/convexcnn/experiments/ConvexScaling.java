package dev.convexcnn.experiments;

import dev.convexcnn.convex.*;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.AtomicFiles;
import dev.convexcnn.linalg.Gemm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * How the gated program's time to tolerance grows with n and with the number of patterns, for both forms of the
 * squared loss: the Gram form ({@link GramGatedProgram}: ΦᵀΦ summed once by dsyrk, then g × g products) and the
 * streamed form ({@link GatedReluProgram}: two passes over Φ per evaluation). Rates are set against the dgemm and
 * sgemm rates measured in the same run, on the same backend.
 */
public final class ConvexScaling {
    private ConvexScaling() {}

    /** dgemm GFLOP/s on 1024×1024 matrices, on the current backend. */
    public static double dgemmRate() {
        int n = 1024;
        double[] a = new double[n * n], b = new double[n * n], c = new double[n * n];
        for (int i = 0; i < a.length; i++) { a[i] = (i % 7) * 0.1; b[i] = (i % 5) * 0.1; }
        for (int r = 0; r < 3; r++) Gemm.dgemm(false, false, n, n, n, 1, a, b, 0, c);
        long t = System.nanoTime();
        int reps = 10;
        for (int r = 0; r < reps; r++) Gemm.dgemm(false, false, n, n, n, 1, a, b, 0, c);
        return 2.0 * n * n * n * reps / ((System.nanoTime() - t) / 1e9) / 1e9;
    }

    /** sgemm GFLOP/s on 2048×2048 matrices, on the current backend. */
    public static double sgemmRate() {
        int n = 2048;
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.length; i++) { a[i] = (i % 7) * 0.1f; b[i] = (i % 5) * 0.1f; }
        for (int r = 0; r < 2; r++) Gemm.sgemm(false, false, n, n, n, 1, a, b, 0, c);
        long t = System.nanoTime();
        int reps = 5;
        for (int r = 0; r < reps; r++) Gemm.sgemm(false, false, n, n, n, 1, a, b, 0, c);
        return 2.0 * n * n * n * reps / ((System.nanoTime() - t) / 1e9) / 1e9;
    }

    /** The Gram and streamed forms, as before the GEMM form existed. */
    public static String run(Dataset train, List<int[]> sizesAndPatterns, ConvexSettings s, int streamedUpTo, Path out,
                             Consumer<String> log) throws IOException {
        return run(train, sizesAndPatterns, s, java.util.EnumSet.allOf(ProductForm.class), streamedUpTo, out, log);
    }

    /**
     * One row per (n, patterns), form and solver. The Gram form (when p·h ≤ {@link GramGatedProgram#MAX_COLUMNS})
     * is built once and solved three ways: plain R-FISTA (about three g × g by g × c products per iteration), the
     * quadratic R-FISTA in double (one product of twice the width), and the same with float products (the
     * certificate from a double product). The GEMM form ({@link GemmGatedProgram}, Φ never formed) runs the
     * quadratic R-FISTA on its factors with float products. The streamed form runs only up to {@code streamedUpTo}
     * samples (it holds Φ, n × p·h doubles, and is the slow one); 0 skips it.
     */
    public static String run(Dataset train, List<int[]> sizesAndPatterns, ConvexSettings s, java.util.Set<ProductForm> forms,
                             int streamedUpTo, Path out, Consumer<String> log) throws IOException {
        if (s.loss() != Loss.SQUARED) throw new IllegalArgumentException("the scaling study is for the squared loss");
        double dgemm = dgemmRate(), sgemm = sgemmRate();
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "gated-relu, %dx%d patches stride %d, λ = %.3g·λ_max, squared loss, tolerance %.0e on the squared "
                        + "certificate (always from double products), at most %d iterations; this backend (%s): dgemm "
                        + "%.1f GFLOP/s, sgemm %.1f GFLOP/s%n%n",
                s.kernel(), s.kernel(), s.stride(), s.lambdaFraction(), s.tolerance(), s.maxIterations(),
                dev.convexcnn.linalg.Backend.get().kind(), dgemm, sgemm));
        md.append("| n | patterns kept | p·h | form | solver | build s | of which ΦᵀΦ s | ΦᵀΦ GFLOP/s (% dgemm) | "
                + "products GFLOP/s (% sgemm) | whole solve GFLOP/s (% sgemm) | iterations | products per iteration "
                + "| solve s | time to tolerance s | certificate | converged | s per iteration |\n"
                + "|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
        for (int[] np : sizesAndPatterns) {
            Dataset d = train.head(np[0]);
            ConvexSettings cs = s.withPatterns(np[1]);
            Normalization norm = Normalization.fit(d);
            PatchGeometry geom = PatchGeometry.of(d, cs.kernel(), cs.stride(), cs.bias());
            Gates all = Gates.sample(geom.patchSize(), cs.patterns(), cs.seed());
            RFista.Settings rf = new RFista.Settings(cs.tolerance(), cs.maxIterations(), 10);
            long gAll = (long) all.count() * geom.patchSize();
            int c = d.classes();
            double lambda = Double.NaN;

            if (forms.contains(ProductForm.GRAM) && gAll <= GramGatedProgram.MAX_COLUMNS) {
                long t0 = System.nanoTime();
                GramGatedProgram gram = GramGatedProgram.build(d, norm, geom, all);
                int[] keep = gram.informativeGates();
                GramGatedProgram kept = keep.length == all.count() ? gram : gram.select(keep);
                lambda = cs.lambdaFraction() * kept.lambdaMax();
                double build = (System.nanoTime() - t0) / 1e9;
                int g = kept.columns();
                // dsyrk does about n·g·(g+1) flops over the full column count.
                double syrkRate = (double) d.size() * gAll * (gAll + 1) / gram.gramSeconds() / 1e9;
                // The three solvers share this build: each row's time to tolerance is the build plus its own solve.
                String syrkSeconds = String.format(Locale.ROOT, "%.1f", gram.gramSeconds());
                String syrk = String.format(Locale.ROOT, "%.1f (%.0f %%)", syrkRate, 100 * syrkRate / dgemm);
                for (String solver : new String[] {"R-FISTA", "one product, double", "one product, mixed"}) {
                    GramGatedProgram prog = kept.withLambda(lambda);
                    RFista.Result r = switch (solver) {
                        case "R-FISTA" -> RFista.solve(prog, new double[prog.dimension()], rf, null);
                        case "one product, double" -> RFista.solveQuadratic(prog, new double[prog.dimension()], rf, RFista.Precision.DOUBLE, null);
                        default -> RFista.solveQuadratic(prog, new double[prog.dimension()], rf, RFista.Precision.MIXED, null);
                    };
                    double solve = lastSeconds(r);
                    double productRate = prog.productFlops() / prog.productSeconds() / 1e9;
                    double perIteration = prog.productFlops() / (2.0 * g * g * c) / Math.max(1, r.iterations());
                    double wholeRate = prog.productFlops() / solve / 1e9;
                    row(md, log, d.size(), keep.length, g, "Gram", solver, build, syrkSeconds, syrk,
                            rate(productRate, sgemm), rate(wholeRate, sgemm), r, String.format(Locale.ROOT, "%.2f", perIteration), solve);
                }
            }

            if (forms.contains(ProductForm.GEMM)) {
                long t0 = System.nanoTime();
                PatchProducts products = new PatchProducts(d, norm, geom, all);
                int[] keep = products.informativeGates();
                if (keep.length != all.count()) products = products.select(keep);
                GemmGatedProgram gemm = new GemmGatedProgram(products, d.labels(), c, Loss.SQUARED, 0);
                if (Double.isNaN(lambda)) lambda = cs.lambdaFraction() * gemm.lambdaMax();
                GemmGatedProgram prog = gemm.withLambda(lambda);
                prog.linearTerm();
                double build = (System.nanoTime() - t0) / 1e9;
                products.resetCounters();
                RFista.Result r = RFista.solveQuadratic(prog, new double[prog.dimension()], rf, RFista.Precision.MIXED, null);
                double solve = lastSeconds(r);
                double productRate = products.flops() / products.seconds() / 1e9;
                double wholeRate = products.flops() / solve / 1e9;
                // In units of one full product with Φ or Φᵀ (2·n·P·h·p·c flops): the trial products with Φ multiply
                // only the nonzero groups, so an iteration costs between one and two.
                double unit = 2.0 * d.size() * geom.patches() * geom.patchSize() * keep.length * c;
                double perIteration = products.flops() / unit / Math.max(1, r.iterations());
                row(md, log, d.size(), keep.length, keep.length * geom.patchSize(), "GEMM", "factored, mixed", build, "–", "–",
                        rate(productRate, sgemm), rate(wholeRate, sgemm), r, String.format(Locale.ROOT, "%.2f", perIteration), solve);
            }

            if (forms.contains(ProductForm.STREAMED) && d.size() <= streamedUpTo) {
                long t1 = System.nanoTime();
                GatedFeatures f0 = GatedFeatures.build(d, norm, geom, all);
                int[] keep2 = f0.informativeGates();
                GatedFeatures f = keep2.length == all.count() ? f0 : f0.select(keep2);
                if (Double.isNaN(lambda)) lambda = cs.lambdaFraction() * GatedReluProgram.lambdaMax(f, d.labels(), c, Loss.SQUARED);
                GatedReluProgram streamed = new GatedReluProgram(f, d.labels(), c, Loss.SQUARED, lambda);
                double build2 = (System.nanoTime() - t1) / 1e9;
                double perEval2 = secondsPerEvaluation(streamed);
                RFista.Result r2 = RFista.solve(streamed, new double[streamed.dimension()], rf, null);
                // Two products with Φ per evaluation (predictions, then Φᵀ·residual): 4·n·g·c flops.
                double evalRate2 = 4.0 * d.size() * f.columns() * c / perEval2 / 1e9;
                row(md, log, d.size(), keep2.length, f.columns(), "streamed", "R-FISTA", build2, "–", "–",
                        rate(evalRate2, sgemm), "–", r2, "–", lastSeconds(r2));
            }
        }
        AtomicFiles.writeString(out.resolve("scaling.md"), md.toString());
        return md.toString();
    }

    private static String rate(double gflops, double sgemm) {
        return String.format(Locale.ROOT, "%.1f (%.0f %%)", gflops, 100 * gflops / sgemm);
    }

    private static void row(StringBuilder md, Consumer<String> log, int n, int kept, int g, String form, String solver,
                            double build, String syrkSeconds, String syrk, String productRate, String wholeRate,
                            RFista.Result r, String perIteration, double solve) {
        String line = String.format(Locale.ROOT, "| %d | %d | %d | %s | %s | %.1f | %s | %s | %s | %s | %d | %s | %.1f | %.1f | %.2g | %s | %.3g |%n",
                n, kept, g, form, solver, build, syrkSeconds, syrk, productRate, wholeRate, r.iterations(), perIteration,
                solve, build + solve, r.certificate(), r.converged() ? "yes" : "no", solve / Math.max(1, r.iterations()));
        md.append(line);
        log.accept(line.trim());
    }

    /** Mean seconds of one value-and-gradient evaluation at a fixed point, after a warm-up. */
    private static double secondsPerEvaluation(CompositeObjective p) {
        double[] w = new double[p.dimension()], g = new double[w.length];
        for (int i = 0; i < w.length; i++) w[i] = 1e-3 * ((i % 13) - 6);
        for (int i = 0; i < 3; i++) p.smooth(w, g);
        int evals = 0;
        long t = System.nanoTime();
        do {
            p.smooth(w, g);
            evals++;
        } while (System.nanoTime() - t < 500_000_000L && evals < 200);
        return (System.nanoTime() - t) / 1e9 / evals;
    }

    private static double lastSeconds(RFista.Result r) {
        return r.log().isEmpty() ? 0 : r.log().get(r.log().size() - 1).seconds();
    }
}
