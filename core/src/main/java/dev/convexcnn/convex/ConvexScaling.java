package dev.convexcnn.convex;

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

    /**
     * One row per (n, patterns) and form. The streamed form runs only up to {@code streamedUpTo} samples (it holds
     * Φ, n × p·h doubles, and is the slow one); 0 skips it.
     */
    public static String run(Dataset train, List<int[]> sizesAndPatterns, ConvexSettings s, int streamedUpTo, Path out,
                             Consumer<String> log) throws IOException {
        if (s.loss() != Loss.SQUARED) throw new IllegalArgumentException("the scaling study is for the squared loss");
        double dgemm = dgemmRate(), sgemm = sgemmRate();
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "gated-relu, %dx%d patches stride %d, λ = %.3g·λ_max, squared loss, tolerance %.0e on the squared "
                        + "certificate, at most %d iterations; this backend: dgemm %.1f GFLOP/s, sgemm %.1f GFLOP/s%n%n",
                s.kernel(), s.kernel(), s.stride(), s.lambdaFraction(), s.tolerance(), s.maxIterations(), dgemm, sgemm));
        md.append("| n | patterns kept | p·h | form | build s | of which ΦᵀΦ s | ΦᵀΦ GFLOP/s (% dgemm) | "
                + "evaluation GFLOP/s (% dgemm) | iterations | solve s | time to tolerance s | certificate | converged |\n"
                + "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (int[] np : sizesAndPatterns) {
            Dataset d = train.head(np[0]);
            ConvexSettings cs = s.withPatterns(np[1]);
            Normalization norm = Normalization.fit(d);
            PatchGeometry geom = PatchGeometry.of(d, cs.kernel(), cs.stride(), cs.bias());
            Gates all = Gates.sample(geom.patchSize(), cs.patterns(), cs.seed());
            RFista.Settings rf = new RFista.Settings(cs.tolerance(), cs.maxIterations(), 10);

            long t0 = System.nanoTime();
            GramGatedProgram gram = GramGatedProgram.build(d, norm, geom, all);
            int[] keep = gram.informativeGates();
            GramGatedProgram kept = keep.length == all.count() ? gram : gram.select(keep);
            double lambda = cs.lambdaFraction() * kept.lambdaMax();
            GramGatedProgram prog = kept.withLambda(lambda);
            double build = (System.nanoTime() - t0) / 1e9;
            int g = prog.columns(), c = d.classes();
            double perEval = secondsPerEvaluation(prog);
            RFista.Result r = RFista.solve(prog, new double[prog.dimension()], rf, null);
            double solve = lastSeconds(r);
            // dsyrk does about n·g·(g+1) flops over the full column count; the evaluation 2·g²·c.
            long gAll = (long) all.count() * geom.patchSize();
            double syrkRate = (double) d.size() * gAll * (gAll + 1) / gram.gramSeconds() / 1e9;
            double evalRate = 2.0 * g * g * c / perEval / 1e9;
            row(md, log, d.size(), keep.length, g, "Gram", build, String.format(Locale.ROOT, "%.1f", gram.gramSeconds()),
                    String.format(Locale.ROOT, "%.1f (%.0f %%)", syrkRate, 100 * syrkRate / dgemm),
                    evalRate, dgemm, r, solve);

            if (d.size() <= streamedUpTo) {
                long t1 = System.nanoTime();
                GatedFeatures f0 = GatedFeatures.build(d, norm, geom, all);
                int[] keep2 = f0.informativeGates();
                GatedFeatures f = keep2.length == all.count() ? f0 : f0.select(keep2);
                GatedReluProgram streamed = new GatedReluProgram(f, d.labels(), c, Loss.SQUARED, lambda);
                double build2 = (System.nanoTime() - t1) / 1e9;
                double perEval2 = secondsPerEvaluation(streamed);
                RFista.Result r2 = RFista.solve(streamed, new double[streamed.dimension()], rf, null);
                // Two products with Φ per evaluation (predictions, then Φᵀ·residual): 4·n·g·c flops.
                double evalRate2 = 4.0 * d.size() * f.columns() * c / perEval2 / 1e9;
                row(md, log, d.size(), keep2.length, f.columns(), "streamed", build2, "–", "–", evalRate2, dgemm, r2, lastSeconds(r2));
            }
        }
        AtomicFiles.writeString(out.resolve("scaling.md"), md.toString());
        return md.toString();
    }

    private static void row(StringBuilder md, Consumer<String> log, int n, int kept, int g, String form, double build,
                            String syrkSeconds, String syrk, double evalRate, double dgemm, RFista.Result r, double solve) {
        String line = String.format(Locale.ROOT, "| %d | %d | %d | %s | %.1f | %s | %s | %.1f (%.0f %%) | %d | %.1f | %.1f | %.2g | %s |%n",
                n, kept, g, form, build, syrkSeconds, syrk, evalRate, 100 * evalRate / dgemm, r.iterations(), solve,
                build + solve, r.certificate(), r.converged() ? "yes" : "no");
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
