package dev.convexcnn.spark;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.convexcnn.convex.ConvexSettings;
import dev.convexcnn.convex.ConvexTrainer;
import dev.convexcnn.convex.GatedModelFile;
import dev.convexcnn.convex.Loss;
import dev.convexcnn.data.DataCache;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Datasets;
import dev.convexcnn.io.AtomicFiles;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.io.TensorFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code convexcnn-spark}: the distributed gated-ReLU solve, experiment sweeps and the iteration-time
 * measurement. Runs on local[*] by default, or on the cluster spark-submit names.
 */
@Command(name = "convexcnn-spark", mixinStandardHelpOptions = true, versionProvider = SparkMain.Version.class,
        description = "ConvexCNN on Apache Spark: distributed convex solves and experiment sweeps.",
        subcommands = {SparkMain.Solve.class, SparkMain.Sweep.class, SparkMain.Distill.class, SparkMain.Scaling.class, CommandLine.HelpCommand.class})
public final class SparkMain implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: solve, sweep or scaling (see --help)");
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("convexcnn-spark: " + ex.getMessage());
            err.println("see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            Throwable t = ex instanceof UncheckedIOException u ? u.getCause() : ex;
            if (parseResult.originalArgs().contains("--verbose")) t.printStackTrace(err);
            if (t instanceof IllegalArgumentException || t instanceof IOException) {
                err.println("convexcnn-spark: error: " + t.getMessage());
                return 2;
            }
            err.println("convexcnn-spark: internal error: " + t);
            return 1;
        });
        return cl.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            return new String[] {"convexcnn-spark " + Provenance.version(), "Java " + System.getProperty("java.version")};
        }
    }

    /** Options every command takes. */
    static class Common {
        @Option(names = "--master", description = "Spark master, e.g. local[2] or spark://host:7077 (default: the one spark-submit set, else local[*]).")
        String master;
        @Option(names = "--verbose", description = "Print stack traces.")
        boolean verbose;
    }

    @Command(name = "solve", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Solve the gated-ReLU convex program with the training set split over Spark partitions (R-FISTA,",
                    "gradients tree-aggregated). Writes the same model and --summary-json as `convexcnn train --method gated-relu`.",
                    "Executors read --dataset from --data-dir themselves: on a cluster it must be a path every executor sees."})
    static final class Solve extends Common implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--dataset", defaultValue = "mnist", description = "mnist, fashion-mnist, cifar10:<dir> or digits:<file> (default: ${DEFAULT-VALUE}).")
        String dataset;
        @Option(names = "--data-dir", paramLabel = "DIR|URL", description = {"Dataset folder every executor sees: a path mounted at the same place on every node,",
                "or a URL read through Hadoop's FileSystem API (file:///shared/data, hdfs://nn/data, s3a://bucket/data)",
                "(default: $CONVEXCNN_DATA, else ~/.cache/convexcnn/data)."})
        String dataDir;
        @Option(names = "--limit", description = "Train on the first N training samples only.")
        Integer limit;
        @Option(names = "--no-fetch", description = "Fail instead of fetching a missing dataset (executors never fetch).")
        boolean noFetch;
        @Option(names = "--no-test", description = "Skip the test-set evaluation (it runs on the driver).")
        boolean noTest;
        @Option(names = "--partitions", description = "Partitions of the training set (default: Spark's default parallelism).")
        Integer partitions;
        @Option(names = "--tree-depth", defaultValue = "2", description = "Depth of the aggregation tree (default: ${DEFAULT-VALUE}).")
        int treeDepth;
        @Option(names = "--patterns", defaultValue = "64", description = "Sampled activation patterns (default: ${DEFAULT-VALUE}).")
        int patterns;
        @Option(names = "--kernel", defaultValue = "5", description = "Patch size k×k (default: ${DEFAULT-VALUE}).")
        int kernel;
        @Option(names = "--stride", defaultValue = "1", description = "Patch stride (default: ${DEFAULT-VALUE}).")
        int stride;
        @Option(names = "--no-bias", description = "Patches without the constant 1.")
        boolean noBias;
        @Option(names = "--lambda", description = "The regularisation λ itself.")
        Double lambda;
        @Option(names = "--lambda-fraction", defaultValue = "0.01", description = "λ as a fraction of λ_max (default: ${DEFAULT-VALUE}).")
        double lambdaFraction;
        @Option(names = "--loss", defaultValue = "squared", description = "squared (½ the mean of (f − one-hot)² over "
                + "samples and classes) or cross-entropy (default: ${DEFAULT-VALUE}).")
        String loss;
        @Option(names = "--tol", defaultValue = "1e-6", description = "Tolerance on the squared certificate (default: ${DEFAULT-VALUE}).")
        double tol;
        @Option(names = "--max-iter", defaultValue = "10000", description = "Iteration cap (default: ${DEFAULT-VALUE}).")
        int maxIter;
        @Option(names = "--seed", defaultValue = "1", description = "Seeds the gate filters (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Model file (default: runs/<dataset>-gated-relu-spark-seed<seed>.cnn).")
        Path output;
        @Option(names = "--summary-json", paramLabel = "FILE", description = "Also write the run's figures as JSON.")
        Path summaryJson;
        @Option(names = "--checkpoint", paramLabel = "FILE", description = {"Save the solver's state (iterate, momentum, step, iteration) here, atomically,",
                "and continue from it when it is there: rerunning the same command after the driver died resumes the solve.",
                "Removed once the model is written."})
        Path checkpoint;
        @Option(names = "--products", defaultValue = "auto", paramLabel = "FORM", description = {"How each partition computes Φ's products:",
                "gemm (its images and 0/1 gate masks, GEMMs over the patches; Φ never formed), streamed (its rows of Φ held),",
                "or auto: the core's cost model on the whole problem, gram mapped to streamed where Φ fits, else gemm (default: ${DEFAULT-VALUE})."})
        String products;
        @Option(names = "--checkpoint-every", defaultValue = "10", paramLabel = "N", description = "Iterations between checkpoints (default: ${DEFAULT-VALUE}).")
        int checkpointEvery;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
            dev.convexcnn.convex.ProductForm form = SparkConvexTrainer.parseProducts(products);
            if (checkpointEvery < 1) throw new IllegalArgumentException("--checkpoint-every must be >= 1, got " + checkpointEvery);
            if (checkpoint != null && Files.isDirectory(checkpoint)) throw new IllegalArgumentException("--checkpoint " + checkpoint + " is a folder");
            ConvexSettings s = new ConvexSettings("gated-relu", kernel, stride, !noBias, patterns, lambdaFraction,
                    lambda == null ? 0 : lambda, Loss.parse(loss), tol, maxIter, seed,
                    // The distributed solver's products are all double.
                    dev.convexcnn.convex.RFista.Precision.DOUBLE).withProducts(form);
            if (limit != null && limit <= 0) throw new IllegalArgumentException("--limit must be > 0, got " + limit);
            boolean url = SharedData.isUrl(dataDir);
            DataCache cache = SharedData.cache(dataDir, dataset);
            // The driver fetches (or checks) the data once; the executors only read it (a URL is never fetched into).
            Dataset test = Datasets.load(dataset, false, cache, !noFetch && !url, err::println);
            SampleSource source = new SampleSource.Named(dataset, url ? dataDir : cache.dir().toString(), limit == null ? 0 : limit);
            try (JavaSparkContext sc = SparkContexts.create(master, "convexcnn-spark solve")) {
                int k = partitions != null ? partitions : sc.defaultParallelism();
                err.printf("spark %s on %s: %s in %d partitions, tree depth %d%n", sc.version(), sc.master(), source.describe(), k, treeDepth);
                long[] last = {System.nanoTime()};
                SparkConvexTrainer.Options opts = new SparkConvexTrainer.Options(k, treeDepth).withCheckpoint(checkpoint, checkpointEvery);
                SparkConvexTrainer.Result r = new SparkConvexTrainer(s, opts).fit(sc, source, st -> {
                    if (System.nanoTime() - last[0] > 2_000_000_000L) {
                        last[0] = System.nanoTime();
                        err.printf("iteration %d: objective %.6g, certificate %.3g, %.1f s%n", st.iteration(), st.objective(), st.certificate(), st.seconds());
                        err.flush();
                    }
                }, note -> {
                    err.println(note);
                    err.flush();
                });
                ConvexTrainer.Run run = r.run();
                Double testAccuracy = null;
                if (!noTest) {
                    testAccuracy = run.evaluateGated(test).accuracy();
                    run.provenance().addProperty("testAccuracy", testAccuracy);
                }
                Path model = output != null ? output : Path.of("runs", dataset.replaceAll("[^A-Za-z0-9._-]", "_") + "-gated-relu-spark-seed" + seed + ".cnn");
                GatedModelFile.save(model, run, test.classes());
                // The model holds the solution now: a rerun starts over rather than finishing a finished solve.
                if (checkpoint != null) Files.deleteIfExists(checkpoint);
                out.printf("%-22s %s%n", "model", model);
                out.printf("%-22s gated-relu, λ = %.4g (λ_max %.4g), %s loss, %d patterns kept of %d%n", "program", run.lambda(),
                        run.lambdaMax(), s.loss().id(), run.gates().count(), patterns);
                out.printf("%-22s %s, %s%n", "products", run.provenance().get("products").getAsString(),
                        run.provenance().get("productsWhy").getAsString());
                out.printf("%-22s %.8g%n", "objective", run.objective());
                out.printf("%-22s %.3g (tolerance %.1g, %s)%n", "certificate", run.certificate(), tol,
                        run.converged() ? "reached" : "NOT reached: raise --max-iter");
                out.printf("%-22s %d%s in %.1f s (%.1f ms each; data and %s built in %.1f s)%n", "iterations", run.iterations(),
                        r.resumedAt() > 0 ? " (" + (run.iterations() - r.resumedAt()) + " after resuming at " + r.resumedAt() + ")" : "",
                        r.solveSeconds(), 1e3 * r.secondsPerIteration(),
                        "gemm".equals(run.provenance().get("products").getAsString()) ? "masks" : "Φ", r.buildSeconds());
                out.printf("%-22s %s, %d partitions, %d aggregations%n", "spark", sc.master(), k, r.smoothEvaluations());
                out.printf("%-22s %.2f%%%n", "train accuracy", 100 * r.trainAccuracy());
                if (testAccuracy != null) out.printf("%-22s %.2f%%%n", "test accuracy", 100 * testAccuracy);
                out.flush();
                if (summaryJson != null) {
                    JsonObject j = run.provenance().deepCopy();
                    j.addProperty("trainAccuracy", r.trainAccuracy());
                    j.addProperty("seconds", run.seconds());
                    j.addProperty("iterations", run.iterations());
                    j.addProperty("secondsPerIteration", r.secondsPerIteration());
                    AtomicFiles.writeString(summaryJson, TensorFile.toJson(j) + "\n");
                }
            }
            return 0;
        }
    }

    @Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Run a grid of `convexcnn train` runs as Spark tasks, one cell per task. Each cell writes",
                    "<out>/<id>.json (train's --summary-json), <id>.cnn and <id>.log; cells whose JSON is there are skipped,",
                    "so rerunning the same command finishes an interrupted sweep. <out>/sweep.json indexes the cells.",
                    "Example: sweep --out runs/sgd-grid --set method=sgd --set epochs=5 --grid lr=0.01,0.05,0.1 --grid seed=1,2,3"})
    static final class Sweep extends Common implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Result folder (on a cluster: a path every executor sees).")
        Path out;
        @Option(names = "--grid", paramLabel = "NAME=V1,V2,..", description = "An axis: a train flag (without --) and its values. Repeatable.")
        List<String> grid = new ArrayList<>();
        @Option(names = "--set", paramLabel = "NAME=VALUE", description = "A train flag held fixed (true for a switch). Repeatable.")
        List<String> set = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
            Grid g = new Grid();
            for (String a : grid) g.axis(a);
            for (String f : set) {
                int eq = f.indexOf('=');
                if (eq <= 0) throw new IllegalArgumentException("--set '" + f + "': use NAME=VALUE");
                g.fixed(f.substring(0, eq).strip(), f.substring(eq + 1).strip());
            }
            List<TrainCell> cells = TrainCell.of(g, out);
            try (JavaSparkContext sc = SparkContexts.create(master, "convexcnn-spark sweep")) {
                err.printf("spark %s on %s: %d cells into %s%n", sc.version(), sc.master(), cells.size(), out.toAbsolutePath());
                List<SparkSweep.Outcome> outcomes = SparkSweep.run(sc, cells);
                SparkSweep.writeIndex(out.resolve("sweep.json"), cells, outcomes, sc.master());
                int failed = 0;
                o.printf("%-40s %-8s %9s %10s%n", "cell", "status", "seconds", "test acc.");
                for (int i = 0; i < cells.size(); i++) {
                    SparkSweep.Outcome r = outcomes.get(i);
                    String acc = "";
                    if (cells.get(i).isDone()) {
                        JsonObject j = JsonParser.parseString(Files.readString(cells.get(i).resultPath())).getAsJsonObject();
                        acc = String.format("%.2f %%", 100 * j.get("testAccuracy").getAsDouble());
                    }
                    o.printf("%-40s %-8s %9.1f %10s%n", r.id(), r.status(), r.seconds(), acc);
                    if (r.failed()) {
                        failed++;
                        err.println("  " + r.id() + ": " + r.message());
                    }
                }
                o.printf("index: %s%n", out.resolve("sweep.json"));
                o.flush();
                if (failed > 0) {
                    err.printf("convexcnn-spark: %d of %d cells failed; rerun the same command to retry them%n", failed, cells.size());
                    return 1;
                }
            }
            return 0;
        }
    }

    @Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Run a distillation study's (student, budget) cells as Spark tasks. Each cell runs `convexcnn distill`",
                    "for one student family and budget into <out>, so the files are those of a single-machine study",
                    "(<out>/cells/*.json); finished cells are skipped, and a last single-machine pass writes the table and plots.",
                    "Example: distill --out runs/fm-study --budgets 10000,30000 --conv-layers 1..3 --mlp-layers 1..2",
                    "         --set dataset=fashion-mnist --set limit=5000 --set trials=3"})
    static final class Distill extends Common implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "The study folder (on a cluster: a path every executor sees).")
        Path out;
        @Option(names = "--budgets", required = true, split = ",", description = "Parameter budgets.")
        List<Long> budgets;
        @Option(names = "--conv-layers", defaultValue = "0..4", description = "Conv students: a..b, a list, or none (default: ${DEFAULT-VALUE}).")
        String convLayers;
        @Option(names = "--mlp-layers", defaultValue = "1..5", description = "Fully-connected students: a..b, a list, or none (default: ${DEFAULT-VALUE}).")
        String mlpLayers;
        @Option(names = "--set", paramLabel = "NAME=VALUE", description = "A distill flag (without --), e.g. dataset=mnist; true for a switch. Repeatable.")
        List<String> set = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
            java.util.TreeMap<String, String> settings = new java.util.TreeMap<>();
            for (String f : set) {
                int eq = f.indexOf('=');
                if (eq <= 0) throw new IllegalArgumentException("--set '" + f + "': use NAME=VALUE");
                settings.put(f.substring(0, eq).strip(), f.substring(eq + 1).strip());
            }
            List<DistillCell> cells = DistillCell.of(DistillCell.families(convLayers, mlpLayers), budgets, settings, out);
            int failed = 0;
            try (JavaSparkContext sc = SparkContexts.create(master, "convexcnn-spark distill")) {
                err.printf("spark %s on %s: %d cells into %s%n", sc.version(), sc.master(), cells.size(), out.toAbsolutePath());
                List<SparkSweep.Outcome> outcomes = DistillCell.sweep(sc, cells);
                SparkSweep.writeIndex(out.resolve("sweep.json"), cells, outcomes, sc.master());
                for (SparkSweep.Outcome r : outcomes) {
                    o.printf("%-24s %-8s %9.1f s%n", r.id(), r.status(), r.seconds());
                    if (r.failed()) {
                        failed++;
                        err.println("  " + r.id() + ": " + r.message());
                    }
                }
            }
            if (failed > 0) {
                err.printf("convexcnn-spark: %d of %d cells failed; rerun the same command to retry them%n", failed, cells.size());
                return 1;
            }
            // Every cell is done: the single-machine command skips them all and writes the study's table and plots.
            List<String> a = new ArrayList<>(List.of("distill", "--out", out.toString(), "--budgets",
                    String.join(",", budgets.stream().map(String::valueOf).toList()), "--conv-layers", convLayers, "--mlp-layers", mlpLayers));
            a.addAll(SweepCell.flags(settings));
            return dev.convexcnn.cli.Main.execute(a.toArray(new String[0]), new PrintWriter(o, true), new PrintWriter(err, true));
        }
    }

    @Command(name = "scaling", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Time R-FISTA iterations on the same data: the single-machine solver, then each --masters entry",
                    "(a fresh Spark context each), a fixed number of iterations. Also the latency of an empty aggregation."})
    static final class Scaling extends Common implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--dataset", defaultValue = "mnist", description = "Dataset (default: ${DEFAULT-VALUE}).")
        String dataset;
        @Option(names = "--data-dir", paramLabel = "DIR", description = "Dataset folder.")
        Path dataDir;
        @Option(names = "--limit", defaultValue = "5000", description = "Training samples (default: ${DEFAULT-VALUE}).")
        int limit;
        @Option(names = "--patterns", defaultValue = "32", description = "Patterns (default: ${DEFAULT-VALUE}).")
        int patterns;
        @Option(names = "--iterations", defaultValue = "50", description = "R-FISTA iterations timed (default: ${DEFAULT-VALUE}).")
        int iterations;
        @Option(names = "--masters", split = ",", defaultValue = "local[1],local[2]", description = "Spark masters to time (default: ${DEFAULT-VALUE}).")
        List<String> masters;
        @Option(names = "--out", paramLabel = "FILE", description = "Also write the table (markdown) here.")
        Path outFile;

        @Override
        public Integer call() throws IOException {
            PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
            ScalingBench.Report rep = ScalingBench.run(dataset, DataCache.resolve(dataDir), limit, patterns, iterations, masters, err);
            o.print(rep.markdown());
            o.flush();
            if (outFile != null) AtomicFiles.writeString(outFile, rep.markdown());
            return 0;
        }
    }
}
