package dev.convexcnn.spark;

import com.google.gson.JsonObject;
import dev.convexcnn.convex.ConvexSettings;
import dev.convexcnn.convex.ConvexTrainer;
import dev.convexcnn.convex.Gates;
import dev.convexcnn.optim.GroupLasso;
import dev.convexcnn.convex.PatchGeometry;
import dev.convexcnn.convex.ProductForm;
import dev.convexcnn.convex.RFista;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.Provenance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * {@link ConvexTrainer#fit} for the gated-ReLU program with the training set split over Spark partitions: the
 * same steps (normalisation, patterns, informative patterns, λ_max, R-FISTA) with every pass over the data
 * done by the executors on their own rows and the results combined by tree aggregation. The driver never holds
 * the samples or Φ; it holds W and the gate filters. Same seed and data → the same model as the single-machine
 * trainer up to the order of floating-point sums.
 */
public final class SparkConvexTrainer {
    /**
     * @param partitions how many pieces the training set is cut into (at least the executors' cores in all)
     * @param treeDepth  depth of the aggregation tree (2 is Spark's default; 1 sends every partial to the driver)
     */
    public record Options(int partitions, int treeDepth, Path checkpoint, int checkpointEvery) {
        public Options {
            if (partitions < 1) throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
            if (treeDepth < 1) throw new IllegalArgumentException("--tree-depth must be >= 1, got " + treeDepth);
            if (checkpointEvery < 1) throw new IllegalArgumentException("--checkpoint-every must be >= 1, got " + checkpointEvery);
        }

        public Options(int partitions, int treeDepth) { this(partitions, treeDepth, null, 10); }

        /**
         * The same, with the solver's state written atomically to {@code file} every {@code every} iterations, and a
         * solve of the same problem continued from it when it is there.
         */
        public Options withCheckpoint(Path file, int every) { return new Options(partitions, treeDepth, file, every); }
    }

    /**
     * A finished distributed run: the core's run record, the training accuracy (counted on the executors), and
     * where the time went.
     */
    public record Result(ConvexTrainer.Run run, double trainAccuracy, int samples, int partitions,
                         double buildSeconds, double solveSeconds, long smoothEvaluations, double aggregateSeconds,
                         double computeSeconds, int resumedAt) {
        /** Per iteration run in this call (a resumed solve's earlier iterations are not timed here). */
        public double secondsPerIteration() {
            int ran = run.iterations() - resumedAt;
            return ran == 0 ? Double.NaN : solveSeconds / ran;
        }
    }

    private final ConvexSettings settings;
    private final Options options;

    public SparkConvexTrainer(ConvexSettings settings, Options options) {
        if (settings.exact()) {
            throw new IllegalArgumentException("only the gated-relu program runs on Spark; convex-relu (the exact program) is single-machine");
        }
        if (settings.products() == ProductForm.GRAM) throw new IllegalArgumentException(GRAM_REFUSED);
        this.settings = settings;
        this.options = options;
    }

    public Result fit(JavaSparkContext sc, SampleSource source, Consumer<ConvexTrainer.Step> listener) {
        return fit(sc, source, listener, null);
    }

    /** {@link #fit}, with notes (a resumed checkpoint) for the log. */
    public Result fit(JavaSparkContext sc, SampleSource source, Consumer<ConvexTrainer.Step> listener, Consumer<String> notes) {
        final ConvexSettings s = settings;
        final int k = options.partitions();
        long t0 = System.nanoTime();
        JavaRDD<Slice> slices = sc.parallelize(IntStream.range(0, k).boxed().toList(), k)
                .map(i -> Slice.of(source.load(), i, k))
                .persist(StorageLevel.MEMORY_ONLY());
        Slice.Header first = checkTiling(slices.map(Slice::header).collect(), k);
        final int n = first.total(), channels = first.channels(), classes = first.classes();

        Normalization norm = normalization(slices, channels, (long) n * first.height() * first.width(), options.treeDepth());
        PatchGeometry geom = new PatchGeometry(first.height(), first.width(), channels, s.kernel(), s.stride(), s.bias());
        Gates all = Gates.sample(geom.patchSize(), s.patterns(), s.seed());
        FeatureSpec spec = FeatureSpec.of(geom, norm, all);
        final dev.convexcnn.convex.Loss loss = s.loss();   // the closure must not capture the (unserializable) settings
        ProductForm.Choice choice = chooseProducts(s.products(), n, geom, all.count(), classes, loss);
        final ProductForm form = choice.form();
        if (notes != null) notes.accept("products " + form.id() + ", " + choice.why());
        JavaRDD<Shard> full = slices.map(sl -> form == ProductForm.GEMM ? Shard.patches(sl, spec, loss) : Shard.phi(sl, spec, loss))
                .persist(StorageLevel.MEMORY_ONLY());
        full.count();
        slices.unpersist(false);

        int[] keep = informativeGates(full, all.count(), options.treeDepth());
        if (keep.length == 0) throw new IllegalArgumentException("no sampled pattern switches on any patch: check the data");
        Gates gates = all.select(keep);
        JavaRDD<Shard> shards = full;
        if (keep.length != all.count()) {
            shards = full.map(sh -> sh.select(keep)).persist(StorageLevel.MEMORY_ONLY());
            shards.count();
            full.unpersist(false);
        }
        double buildSeconds = (System.nanoTime() - t0) / 1e9;
        try {
            DistributedGatedProgram zeroLambda = new DistributedGatedProgram(shards, keep.length, geom.patchSize(), classes, 0, options.treeDepth());
            double[] g0 = new double[zeroLambda.dimension()];
            zeroLambda.smooth(new double[g0.length], g0);
            double lambdaMax = new GroupLasso(1, keep.length, geom.patchSize(), classes, 0).maxGroupNorm(g0);
            double lambda = s.lambda() > 0 ? s.lambda() : s.lambdaFraction() * lambdaMax;
            DistributedGatedProgram program = new DistributedGatedProgram(shards, keep.length, geom.patchSize(), classes, lambda, options.treeDepth());

            List<ConvexTrainer.Step> log = new ArrayList<>();
            // What a checkpoint must match to be continued: the program, not how it is split over partitions.
            JsonObject problem = new JsonObject();
            JsonObject defining = s.toJson();
            defining.remove("tolerance");      // when to stop is not the problem: a solve may be continued
            defining.remove("maxIterations");  // with a tighter tolerance or more iterations
            defining.remove("products");       // how the products are formed: the same W, the same program
            problem.add("settings", defining);
            problem.addProperty("data", source.describe());
            problem.addProperty("samples", n);
            problem.addProperty("lambda", lambda);
            problem.addProperty("patternsKept", Arrays.toString(keep));
            problem.addProperty("dimension", program.dimension());
            RFista.State resume = null;
            Path ckpt = options.checkpoint();
            if (ckpt != null) {
                try {
                    resume = SolverCheckpoint.read(ckpt, problem);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (notes != null) {
                    notes.accept(resume == null ? "checkpoint " + ckpt + ": none yet, starting at iteration 0 (saved every " + options.checkpointEvery() + " iterations)"
                            : String.format(java.util.Locale.ROOT, "checkpoint %s: resuming at iteration %d (objective %.10g, certificate %.3g)",
                                    ckpt, resume.iteration(), resume.objective(), resume.certificate()));
                }
            }
            final int every = options.checkpointEvery();
            Consumer<RFista.State> save = ckpt == null ? null : st -> {
                if (st.iteration() % every != 0) return;
                try {
                    SolverCheckpoint.write(ckpt, problem, st);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
            long solveStart = System.nanoTime();
            RFista.Result r = RFista.solve(program, new double[program.dimension()], resume,
                    new RFista.Settings(s.tolerance(), s.maxIterations(), 10),
                    it -> {
                        ConvexTrainer.Step st = new ConvexTrainer.Step(it.iteration(), it.objective(), it.certificate(), 0, it.seconds());
                        log.add(st);
                        if (listener != null) listener.accept(st);
                    }, save);
            int resumedAt = resume == null ? 0 : resume.iteration();
            double solveSeconds = (System.nanoTime() - solveStart) / 1e9;
            final double[] w = r.x();
            long right = shards.map(sh -> sh.correct(w)).fold(0L, Long::sum);

            JsonObject prov = Provenance.base();
            prov.addProperty("method", s.program());
            prov.add("settings", s.toJson());
            prov.addProperty("seed", s.seed());
            prov.addProperty("lambda", lambda);
            prov.addProperty("lambdaMax", lambdaMax);
            prov.addProperty("patternsKept", gates.count());
            prov.addProperty("products", form.id());
            prov.addProperty("productsWhy", choice.why());
            prov.addProperty("productPrecision", "double");
            prov.addProperty("objective", r.objective());
            prov.addProperty("certificate", r.certificate());
            prov.addProperty("violation", 0.0);
            prov.addProperty("converged", r.converged());
            JsonObject data = new JsonObject();
            data.addProperty("train", source.describe());
            data.addProperty("trainSize", n);
            prov.add("data", data);
            JsonObject spark = new JsonObject();
            spark.addProperty("master", sc.master());
            spark.addProperty("sparkVersion", sc.version());
            spark.addProperty("partitions", k);
            spark.addProperty("treeDepth", options.treeDepth());
            spark.addProperty("smoothEvaluations", program.evaluations());
            // Wall time of the solve's aggregations, and the executors' computing in them summed over partitions.
            spark.addProperty("aggregateSeconds", program.aggregateSeconds());
            spark.addProperty("computeSeconds", program.computeSeconds());
            if (resumedAt > 0) spark.addProperty("resumedAtIteration", resumedAt);
            prov.add("spark", spark);
            ConvexTrainer.Run run = new ConvexTrainer.Run(s, geom, norm, gates, lambda, lambdaMax, r.x(), r.objective(),
                    r.certificate(), 0, r.converged(), r.iterations(), (System.nanoTime() - t0) / 1e9, List.copyOf(log), null, prov);
            return new Result(run, (double) right / n, n, k, buildSeconds, solveSeconds, program.evaluations() + 1,
                    program.aggregateSeconds() + zeroLambda.aggregateSeconds(), program.computeSeconds() + zeroLambda.computeSeconds(), resumedAt);
        } finally {
            shards.unpersist(false);
        }
    }

    static final String GRAM_REFUSED = "--products gram is not a Spark form (ΦᵀΦ is a single-machine solve): use gemm, streamed or auto";

    /** The Spark command's --products value: gemm, streamed, or auto (null: the cost model's choice). */
    public static ProductForm parseProducts(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "auto" -> null;
            case "gemm" -> ProductForm.GEMM;
            case "streamed" -> ProductForm.STREAMED;
            case "gram" -> throw new IllegalArgumentException(GRAM_REFUSED);
            default -> throw new IllegalArgumentException("--products must be gemm, streamed or auto, got '" + value + "'");
        };
    }

    /**
     * The shards' form for the whole problem (n samples), by the core's cost model in double (exact = false, mixed =
     * false). Gram is not a Spark form: where the model prices it cheapest, the streamed (Φ) shards are taken if Φ
     * passes the model's memory test (the whole Φ in half this JVM's heap), else the GEMM ones.
     */
    static ProductForm.Choice chooseProducts(ProductForm requested, long n, PatchGeometry geom, int patterns, int classes,
                                             dev.convexcnn.convex.Loss loss) {
        if (requested == ProductForm.GRAM) throw new IllegalArgumentException(GRAM_REFUSED);
        ProductForm.Choice model = ProductForm.choose(null, n, geom.patches(), geom.patchSize(), patterns, classes, loss, false, false);
        String estimates = model.why().replaceFirst("^cheapest by the cost model; ", "");
        ProductForm form;
        String why;
        if (requested != null) {
            form = requested;
            why = "asked for by --products; " + estimates;
        } else if (model.form() != ProductForm.GRAM) {
            form = model.form();
            why = model.why();
        } else {
            boolean phiFits = !Double.isNaN(model.streamedSeconds());
            form = phiFits ? ProductForm.STREAMED : ProductForm.GEMM;
            why = "the cost model's cheapest is gram, not a Spark form; " + (phiFits ? "Φ fits, so streamed" : "Φ does not fit, so gemm")
                    + "; " + estimates;
        }
        return new ProductForm.Choice(form, why, model.gramSeconds(), model.gemmSeconds(), model.streamedSeconds());
    }

    private static Slice.Header checkTiling(List<Slice.Header> headers, int k) {
        if (headers.size() != k) throw new IllegalStateException("expected " + k + " partitions, got " + headers.size());
        Slice.Header first = headers.get(0);
        if (first.total() == 0) throw new IllegalArgumentException("the training set " + first.name() + " is empty");
        int next = 0;
        for (Slice.Header h : headers) {
            if (h.from() != next || h.total() != first.total() || h.height() != first.height() || h.width() != first.width()
                    || h.channels() != first.channels() || h.classes() != first.classes()) {
                throw new IllegalStateException("executors read different data (partition " + h.index() + ": rows " + h.from() + ".." + h.to()
                        + " of " + h.total() + "); is the data path the same file on every executor?");
            }
            next = h.to();
        }
        return first;
    }

    /** The core's {@link Normalization#fit} in two aggregations: per-channel sums, then squares around the mean. */
    static Normalization normalization(JavaRDD<Slice> slices, int channels, long perChannel, int depth) {
        double[] sum = slices.treeAggregate(new double[channels], (acc, sl) -> {
            float[] px = sl.pixels();
            for (int i = 0; i < px.length; i += channels) for (int c = 0; c < channels; c++) acc[c] += px[i + c];
            return acc;
        }, SparkConvexTrainer::add, depth);
        double[] mu = new double[channels];
        for (int c = 0; c < channels; c++) mu[c] = sum[c] / perChannel;
        double[] sq = slices.treeAggregate(new double[channels], (acc, sl) -> {
            float[] px = sl.pixels();
            for (int i = 0; i < px.length; i += channels) {
                for (int c = 0; c < channels; c++) {
                    double d = px[i + c] - mu[c];
                    acc[c] += d * d;
                }
            }
            return acc;
        }, SparkConvexTrainer::add, depth);
        float[] mean = new float[channels], std = new float[channels];
        for (int c = 0; c < channels; c++) {
            double sd = Math.sqrt(sq[c] / perChannel);
            mean[c] = (float) mu[c];
            std[c] = sd < Normalization.MIN_STD ? 1f : (float) sd;
        }
        return new Normalization(mean, std);
    }

    /**
     * The core's informative gates across partitions, exactly: a gate is kept when it switches on somewhere and
     * its column differs from every kept earlier gate's; the column is Φ's for the streamed shards
     * ({@link dev.convexcnn.convex.GatedFeatures#informativeGates}) and the gate mask's for the GEMM ones
     * ({@link dev.convexcnn.convex.PatchProducts#informativeGates}). Per-partition column hashes rule out almost
     * every pair; the pairs whose hashes agree on every partition are then compared value by value (a second pass,
     * only when there are such pairs).
     */
    static int[] informativeGates(JavaRDD<Shard> shards, int gates, int depth) {
        List<Shard.GateSummary> parts = shards.map(Shard::gateSummary).collect();
        boolean[] any = new boolean[gates];
        Map<List<Long>, List<Integer>> bySignature = new HashMap<>();
        for (int j = 0; j < gates; j++) {
            List<Long> sig = new ArrayList<>(parts.size());
            for (Shard.GateSummary p : parts) {
                any[j] |= p.any()[j];
                sig.add(p.hash()[j]);
            }
            if (any[j]) bySignature.computeIfAbsent(sig, x -> new ArrayList<>()).add(j);
        }
        List<int[]> candidates = new ArrayList<>();
        for (List<Integer> group : bySignature.values()) {
            for (int a = 0; a < group.size(); a++) {
                for (int b = a + 1; b < group.size(); b++) candidates.add(new int[] {group.get(a), group.get(b)});
            }
        }
        boolean[][] equal = new boolean[gates][gates];
        if (!candidates.isEmpty()) {
            int[] pairs = candidates.stream().flatMapToInt(Arrays::stream).toArray();
            boolean[] init = new boolean[candidates.size()];
            Arrays.fill(init, true);
            boolean[] eq = shards.treeAggregate(init, (acc, sh) -> Shard.and(acc, sh.equalColumns(pairs)), Shard::and, depth);
            for (int q = 0; q < eq.length; q++) {
                int a = pairs[2 * q], b = pairs[2 * q + 1];
                equal[a][b] = equal[b][a] = eq[q];
            }
        }
        int[] keep = new int[gates];
        int kept = 0;
        for (int j = 0; j < gates; j++) {
            if (!any[j]) continue;
            boolean duplicate = false;
            for (int q = 0; q < kept && !duplicate; q++) duplicate = equal[keep[q]][j];
            if (!duplicate) keep[kept++] = j;
        }
        return Arrays.copyOf(keep, kept);
    }

    private static double[] add(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) a[i] += b[i];
        return a;
    }
}
