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
 * How the gated program's solve grows with n and with the number of patterns, and how fast its hot loop (one
 * objective-and-gradient evaluation, two passes of products with Φ) runs against the machine's dgemm rate
 * measured in the same run.
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

    public static String run(Dataset train, List<int[]> sizesAndPatterns, ConvexSettings s, Path out, Consumer<String> log)
            throws IOException {
        double peak = dgemmRate();
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "gated-relu, %dx%d patches stride %d, λ = %.3g·λ_max, %s loss, tolerance %.0e, at most %d iterations; "
                        + "dgemm on this backend: %.1f GFLOP/s%n%n", s.kernel(), s.kernel(), s.stride(), s.lambdaFraction(),
                s.loss().id(), s.tolerance(), s.maxIterations(), peak));
        md.append("| n | patterns kept | features (n × p·h) | build s | iterations | solve s | certificate | converged | "
                + "hot loop GFLOP/s | % of dgemm |\n|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
        for (int[] np : sizesAndPatterns) {
            Dataset d = train.head(np[0]);
            ConvexSettings cs = s.withPatterns(np[1]);
            long t0 = System.nanoTime();
            Normalization norm = Normalization.fit(d);
            PatchGeometry geom = PatchGeometry.of(d, cs.kernel(), cs.stride(), cs.bias());
            Gates all = Gates.sample(geom.patchSize(), cs.patterns(), cs.seed());
            GatedFeatures f0 = GatedFeatures.build(d, norm, geom, all);
            int[] keep = f0.informativeGates();
            GatedFeatures f = keep.length == all.count() ? f0 : f0.select(keep);
            double build = (System.nanoTime() - t0) / 1e9;
            double lmax = GatedReluProgram.lambdaMax(f, d.labels(), d.classes(), cs.loss());
            GatedReluProgram prog = new GatedReluProgram(f, d.labels(), d.classes(), cs.loss(), cs.lambdaFraction() * lmax);
            // The hot loop alone: evaluations at a fixed point.
            double[] w = new double[prog.dimension()], g = new double[w.length];
            prog.smooth(w, g);
            long t1 = System.nanoTime();
            int evals = 20;
            for (int i = 0; i < evals; i++) prog.smooth(w, g);
            double perEval = (System.nanoTime() - t1) / 1e9 / evals;
            double gflops = 4.0 * d.size() * f.columns() * d.classes() / perEval / 1e9;
            RFista.Result r = RFista.solve(prog, new double[prog.dimension()],
                    new RFista.Settings(cs.tolerance(), cs.maxIterations(), 10), null);
            double solve = r.log().isEmpty() ? 0 : r.log().get(r.log().size() - 1).seconds();
            String line = String.format(Locale.ROOT, "| %d | %d | %d × %d | %.1f | %d | %.1f | %.2g | %s | %.1f | %.0f %% |%n",
                    d.size(), f.gates(), d.size(), f.columns(), build, r.iterations(), solve, r.certificate(),
                    r.converged() ? "yes" : "no", gflops, 100 * gflops / peak);
            md.append(line);
            log.accept(line.trim());
        }
        AtomicFiles.writeString(out.resolve("scaling.md"), md.toString());
        return md.toString();
    }
}
