package dev.convexcnn.spark;

import dev.convexcnn.convex.CompositeObjective;
import dev.convexcnn.convex.ConvexSettings;
import dev.convexcnn.convex.GatedFeatures;
import dev.convexcnn.convex.GatedReluProgram;
import dev.convexcnn.convex.Gates;
import dev.convexcnn.convex.PatchGeometry;
import dev.convexcnn.convex.RFista;
import dev.convexcnn.data.DataCache;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Datasets;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.linalg.Backend;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Times R-FISTA iterations of the gated program on one dataset: the single-machine solver, then the Spark solver
 * on each master, a fixed number of iterations each (the tolerance is out of reach on purpose), plus the latency
 * of an aggregation that carries no work, which is the per-job floor of the distributed solver.
 */
final class ScalingBench {
    private ScalingBench() {}

    record Row(String solver, int partitions, int iterations, double secondsPerIteration, double evaluationsPerIteration,
               double msPerEvaluation, double computeMsPerEvaluation, double emptyAggregationMs, double objective) {}

    record Report(String header, List<Row> rows) {
        String markdown() {
            StringBuilder b = new StringBuilder(header).append("\n\n");
            b.append("| solver | partitions | iterations | ms / iteration | evaluations / iteration | ms / evaluation | of which computing (sum over partitions) | empty aggregation ms | objective after | speed-up |\n");
            b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            double base = rows.get(0).secondsPerIteration();
            for (Row r : rows) {
                b.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f | %.2f | %.1f | %.1f | %s | %.10g | %.2f× |%n", r.solver(), r.partitions(),
                        r.iterations(), 1e3 * r.secondsPerIteration(), r.evaluationsPerIteration(), r.msPerEvaluation(), r.computeMsPerEvaluation(),
                        Double.isNaN(r.emptyAggregationMs()) ? "–" : String.format(Locale.ROOT, "%.1f", r.emptyAggregationMs()),
                        r.objective(), base / r.secondsPerIteration()));
            }
            return b.toString();
        }
    }

    /** Counts and times the smooth-part evaluations of the single-machine program. */
    private static final class Counting implements CompositeObjective {
        final CompositeObjective inner;
        long evaluations;
        double seconds;

        Counting(CompositeObjective inner) { this.inner = inner; }
        @Override public int dimension() { return inner.dimension(); }
        @Override public double smooth(double[] x, double[] g) {
            long t0 = System.nanoTime();
            double f = inner.smooth(x, g);
            seconds += (System.nanoTime() - t0) / 1e9;
            evaluations++;
            return f;
        }
        @Override public double regularizer(double[] x) { return inner.regularizer(x); }
        @Override public void prox(double[] v, double s, double[] out) { inner.prox(v, s, out); }
        @Override public double minNormSubgradientSquared(double[] x, double[] g) { return inner.minNormSubgradientSquared(x, g); }
    }

    static Report run(String dataset, DataCache cache, int limit, int patterns, int iterations, List<String> masters, PrintWriter log) throws IOException {
        if (limit <= 0 || patterns <= 0 || iterations <= 0) throw new IllegalArgumentException("--limit, --patterns and --iterations must be > 0");
        // Spark on Φ shards, as the single-machine program below holds Φ: the same products on both sides.
        ConvexSettings s = ConvexSettings.defaults().withPatterns(patterns).withTolerance(1e-300).withMaxIterations(iterations)
                .withProducts(dev.convexcnn.convex.ProductForm.STREAMED);
        Dataset train = Datasets.head(dataset, Datasets.Part.TRAIN, new Datasets.Options(cache, true, log::println), limit);
        List<Row> rows = new ArrayList<>();

        // The single-machine solver, as ConvexTrainer sets it up.
        Normalization norm = Normalization.fit(train);
        PatchGeometry geom = PatchGeometry.of(train, s.kernel(), s.stride(), s.bias());
        Gates all = Gates.sample(geom.patchSize(), s.patterns(), s.seed());
        GatedFeatures full = GatedFeatures.build(train, norm, geom, all);
        GatedFeatures f = full.select(full.informativeGates());
        int c = train.classes();
        double lambda = s.lambdaFraction() * GatedReluProgram.lambdaMax(f, train.labels(), c, s.loss());
        Counting single = new Counting(new GatedReluProgram(f, train.labels(), c, s.loss(), lambda));
        long t0 = System.nanoTime();
        RFista.Result r = RFista.solve(single, new double[single.dimension()], new RFista.Settings(s.tolerance(), iterations, 10), null);
        double sec = (System.nanoTime() - t0) / 1e9;
        rows.add(new Row("single machine", 1, r.iterations(), sec / r.iterations(), (double) single.evaluations / r.iterations(),
                1e3 * single.seconds / single.evaluations, 1e3 * single.seconds / single.evaluations, Double.NaN, r.objective()));
        log.printf("single machine: %.1f ms per iteration%n", 1e3 * sec / r.iterations());
        log.flush();

        SampleSource source = new SampleSource.Named(dataset, cache.dir().toString(), limit);
        for (String master : masters) {
            try (JavaSparkContext sc = SparkContexts.create(master, "convexcnn-spark scaling")) {
                int k = sc.defaultParallelism();
                SparkConvexTrainer.Result d = new SparkConvexTrainer(s, new SparkConvexTrainer.Options(k, 2)).fit(sc, source, null);
                double empty = emptyAggregationMs(sc, k, single.dimension());
                int it = d.run().iterations();
                rows.add(new Row("spark " + master, k, it, d.secondsPerIteration(), (double) (d.smoothEvaluations() - 1) / it,
                        1e3 * d.aggregateSeconds() / d.smoothEvaluations(), 1e3 * d.computeSeconds() / d.smoothEvaluations(), empty, d.run().objective()));
                log.printf("spark %s: %.1f ms per iteration%n", master, 1e3 * d.secondsPerIteration());
                log.flush();
            }
        }
        String header = String.format(Locale.ROOT, "%s, n = %d, %d of %d patterns kept, Φ %d × %d, W %d doubles (p·h·c); backend %s; %d cores; %s",
                train.name(), train.size(), f.gates(), patterns, f.samples(), f.columns(), single.dimension(), Backend.get().description(),
                Runtime.getRuntime().availableProcessors(), "Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION());
        return new Report(header, rows);
    }

    /** Median wall time of an aggregation of p·h·c + 1 doubles over k partitions that do no work. */
    static double emptyAggregationMs(JavaSparkContext sc, int k, int dimension) {
        JavaRDD<Integer> rdd = sc.parallelize(IntStream.range(0, k).boxed().toList(), k).cache();
        rdd.count();
        final int d = dimension;
        double[] ms = new double[25];
        for (int rep = 0; rep < ms.length; rep++) {
            long t0 = System.nanoTime();
            rdd.treeAggregate(new double[d + 1], (acc, x) -> acc, (a, b) -> {
                for (int i = 0; i <= d; i++) a[i] += b[i];
                return a;
            }, 2);
            ms[rep] = (System.nanoTime() - t0) / 1e6;
        }
        rdd.unpersist(false);
        java.util.Arrays.sort(ms);
        return ms[ms.length / 2];
    }
}
