package dev.convexcnn.cli;

import dev.convexcnn.convex.ConvexSettings;
import dev.convexcnn.convex.ExactReluMethod;
import dev.convexcnn.experiments.ConvexVsSgd;
import dev.convexcnn.convex.Loss;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Datasets;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Reproducible experiments that write plots and tables.",
        footerHeading = "%nExamples:%n",
        footer = {"  convexcnn experiment alternation-vs-sgd --dataset mnist --limit 10000 --out runs/alt",
                "  convexcnn experiment convex-vs-sgd --dataset mnist --limit 200 --patterns 8 --max-iter 3000 --out runs/cvx",
                "  convexcnn experiment compression --dataset mnist --limit 6000 --test-limit 5000 --epochs 3 --out runs/cmp",
                "  convexcnn experiment convex-scaling --runs '5000:32;20000:32' --out runs/scaling"},
        subcommands = {ExperimentCommand.ConvexVsSgdCommand.class, ExperimentCommand.AlternationVsSgdCommand.class,
                ExperimentCommand.CompressionCommand.class, ExperimentCommand.ConvexScalingCommand.class})
final class ExperimentCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing experiment: convex-vs-sgd, alternation-vs-sgd, compression or convex-scaling");
    }

    /** Prints each progress line to err at once. */
    static java.util.function.Consumer<String> echo(PrintWriter err) {
        return line -> {
            err.println(line);
            err.flush();
        };
    }

    /** The first limit training and testLimit test samples, after checking the counts are positive. */
    static Dataset[] heads(CommonOptions common, String dataset, int limit, int testLimit, PrintWriter err,
                           String runsFlag, int runs, int epochs) throws java.io.IOException {
        if (limit <= 0 || testLimit <= 0 || runs <= 0 || epochs <= 0) {
            throw new IllegalArgumentException("--limit, --test-limit, " + runsFlag + " and --epochs must be > 0");
        }
        Datasets.Options data = new Datasets.Options(common.cache(), true, err::println);
        return new Dataset[] {Datasets.head(dataset, Datasets.Part.TRAIN, data, limit),
                Datasets.head(dataset, Datasets.Part.TEST, data, testLimit)};
    }

    @Command(name = "convex-vs-sgd", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"The exact convex program of a two-layer ReLU CNN against SGD and Adam on the same network.",
                    "Same β, several random starts: objective against time (PNG), table (Markdown), figures (JSON)."},
            footerHeading = "%nExamples:%n",
            footer = {"  convexcnn experiment convex-vs-sgd --dataset mnist --limit 200 --patterns 8 --max-iter 3000 \\",
                    "      --restarts 3 --epochs 60 --out docs/convex/mnist",
                    "  convexcnn experiment convex-vs-sgd --limit 200 --patterns 32 --max-iter 3000 --sgd-lr 0.01,0.003 \\",
                    "      --adam-lr 0.003,0.001 --start plain,balanced --out runs/cvx-grid",
                    "  convexcnn experiment convex-vs-sgd --out docs/convex/mnist --replot"})
    static final class ConvexVsSgdCommand implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin CommonOptions common;

        @Option(names = "--dataset", defaultValue = "mnist", description = "Dataset (default: ${DEFAULT-VALUE}).")
        String dataset;
        @Option(names = "--limit", defaultValue = "1000", description = "Training samples, the first N (default: ${DEFAULT-VALUE}).")
        int limit;
        @Option(names = "--test-limit", defaultValue = "10000", description = "Test samples, the first N (default: ${DEFAULT-VALUE}).")
        int testLimit;
        @Option(names = "--kernel", defaultValue = "5", description = "Patch size (default: ${DEFAULT-VALUE}).")
        int kernel;
        @Option(names = "--stride", defaultValue = "3", description = "Patch stride (default: ${DEFAULT-VALUE}).")
        int stride;
        @Option(names = "--patterns", defaultValue = "32", description = "Sampled patterns (default: ${DEFAULT-VALUE}).")
        int patterns;
        @Option(names = "--lambda-fraction", defaultValue = "0.01", description = "β as a fraction of λ_max (default: ${DEFAULT-VALUE}).")
        double lambdaFraction;
        @Option(names = "--tol", defaultValue = "1e-6", description = "Certificate tolerance (default: ${DEFAULT-VALUE}).")
        double tol;
        @Option(names = "--max-iter", defaultValue = "300", description = "R-FISTA iterations per augmented-Lagrangian step (default: ${DEFAULT-VALUE}).")
        int maxIter;
        @Option(names = "--restarts", defaultValue = "3", description = "Random starts per optimiser (default: ${DEFAULT-VALUE}).")
        int restarts;
        @Option(names = "--epochs", defaultValue = "40", description = "Epochs per SGD/Adam run (default: ${DEFAULT-VALUE}).")
        int epochs;
        @Option(names = "--sgd-lr", defaultValue = "0.003", paramLabel = "LR[,LR...]",
                description = "SGD (momentum 0.9) learning rates, comma-separated: each runs every start (default: ${DEFAULT-VALUE}).")
        String sgdLr;
        @Option(names = "--adam-lr", defaultValue = "0.003", paramLabel = "LR[,LR...]",
                description = "Adam learning rates, comma-separated: each runs every start (default: ${DEFAULT-VALUE}).")
        String adamLr;
        @Option(names = "--start", defaultValue = "plain", paramLabel = "plain|balanced[,...]",
                description = "How SGD/Adam start: the plain random initialisation and/or it rescaled per neuron to ‖u‖ = |v| "
                        + "(the same function, least weight decay) (default: ${DEFAULT-VALUE}).")
        String start;
        @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--constraints", paramLabel = "all|working-set",
                description = "Which cone constraints the convex solve holds: working-set (rounds over the facets where each group "
                        + "leaves its cone, certified on all distinct constraints) or all (default: working-set from 1,000 training images on).")
        String constraints;
        @Option(names = "--from-best", description = "Then solve the program again with the activation patterns of the best "
                + "SGD/Adam network added to the sampled ones, started at its weights, at the same β: the certified optimum is then at "
                + "most that network's objective (by construction). The network is written to DIR/best-baseline.cnn.")
        boolean fromBest;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the plot and tables go.")
        Path out;
        @Option(names = "--replot", description = "Only redraw the plot from DIR/results.json of a finished run.")
        boolean replot;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            if (replot) {
                ConvexVsSgd.replot(out);
                spec.commandLine().getOut().println("written: " + out.resolve("objective-vs-time.png") + ", objective-vs-time-log.png");
                spec.commandLine().getOut().flush();
                return 0;
            }
            // Flags first, so that a bad grid fails before the data loads.
            if (restarts <= 0 || epochs <= 0) throw new IllegalArgumentException("--restarts and --epochs must be > 0");
            if (constraints != null) ExactReluMethod.workingSet(constraints);
            ConvexVsSgd.Baselines b = new ConvexVsSgd.Baselines(restarts, epochs, ConvexVsSgd.parseRates("--sgd-lr", sgdLr),
                    ConvexVsSgd.parseRates("--adam-lr", adamLr), ConvexVsSgd.Start.parseList("--start", start));
            CommonOptions.announceBackend(err);
            Dataset[] data = heads(common, dataset, limit, testLimit, err, "--restarts", restarts, epochs);
            Dataset train = data[0], test = data[1];
            ConvexSettings s = new ConvexSettings("convex-relu", kernel, stride, true, patterns, lambdaFraction, 0,
                    Loss.SQUARED, tol, maxIter, seed);
            s = s.withWorkingSet(constraints != null ? ExactReluMethod.workingSet(constraints) : ExactReluMethod.workingSetByDefault(train.size()));
            var rows = ConvexVsSgd.run(train, test, s, b, out, fromBest, echo(err));
            PrintWriter o = spec.commandLine().getOut();
            o.printf("%-36s %6s %12s %9s %10s %10s%n", "method", "seed", "objective", "seconds", "train acc", "test acc");
            for (var r : rows) {
                o.printf(Locale.ROOT, "%-36s %6d %12.6f %9.1f %9.2f%% %9.2f%%%s%n", r.label(), r.seed(), r.objective(),
                        r.seconds(), 100 * r.trainAccuracy(), 100 * r.testAccuracy(), r.diverged() ? "  diverged" : "");
            }
            if (fromBest) o.println(ConvexVsSgd.FROM_BEST + ": " + rows.get(rows.size() - 1).note());
            o.println("written: " + out.resolve("objective-vs-time.png") + ", results.md, results.json");
            o.flush();
            return 0;
        }
    }

    @Command(name = "alternation-vs-sgd", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Alternation against SGD and Adam on the same architecture from the same initial weights.",
                    "Test accuracy against passes and seconds, training losses (PNG), table (Markdown), curves (JSON).",
                    "Alternation follows our reading of its paper: only the abstract could be read; the steps and the schedule are ours."},
            footerHeading = "%nExamples:%n",
            footer = {"  convexcnn experiment alternation-vs-sgd --dataset mnist --limit 10000 --sweeps 10 --epochs 20 \\",
                    "      --out docs/alternation/mnist",
                    "  convexcnn experiment alternation-vs-sgd --out docs/alternation/mnist --replot"})
    static final class AlternationVsSgdCommand implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin CommonOptions common;

        @Option(names = "--dataset", defaultValue = "mnist", description = "Dataset (default: ${DEFAULT-VALUE}).")
        String dataset;
        @Option(names = "--limit", defaultValue = "10000", description = "Training samples, the first N (default: ${DEFAULT-VALUE}).")
        int limit;
        @Option(names = "--test-limit", defaultValue = "10000", description = "Test samples, the first N (default: ${DEFAULT-VALUE}).")
        int testLimit;
        @Option(names = "--arch", description = "Architecture (default: alternation's, conv16k5s2-relu-conv32k5s2-relu-linear10).")
        String arch;
        @Option(names = "--sweeps", defaultValue = "10", description = "Alternation sweeps (default: ${DEFAULT-VALUE}).")
        int sweeps;
        @Option(names = "--cg-iter", defaultValue = "10", description = "CG iterations per layer solve (default: ${DEFAULT-VALUE}).")
        int cgIter;
        @Option(names = "--epochs", defaultValue = "20", description = "SGD/Adam epochs (default: ${DEFAULT-VALUE}).")
        int epochs;
        @Option(names = "--sgd-lr", defaultValue = "0.05", description = "SGD learning rate (default: ${DEFAULT-VALUE}).")
        double sgdLr;
        @Option(names = "--adam-lr", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
        double adamLr;
        @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the plots and tables go.")
        Path out;
        @Option(names = "--replot", description = "Only redraw the plots from DIR/results.json of a finished run.")
        boolean replot;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            if (replot) {
                dev.convexcnn.experiments.AlternationVsSgd.replot(out);
                spec.commandLine().getOut().println("written: " + out.resolve("accuracy-vs-passes.png") + ", accuracy-vs-seconds.png, loss-vs-passes.png");
                spec.commandLine().getOut().flush();
                return 0;
            }
            CommonOptions.announceBackend(err);
            Dataset[] data = heads(common, dataset, limit, testLimit, err, "--sweeps", sweeps, epochs);
            Dataset train = data[0], test = data[1];
            var s = dev.convexcnn.alternation.AlternationSettings.defaults().withMaxSweeps(sweeps).withCgIterations(cgIter)
                    .withSeed(seed).withTolerance(1e-9);
            if (arch != null) s = s.withArchitecture(arch);
            var curves = dev.convexcnn.experiments.AlternationVsSgd.run(train, test, s, epochs, sgdLr, adamLr, out, echo(err));
            PrintWriter o = spec.commandLine().getOut();
            for (var c : curves) {
                int last = c.passes().length - 1;
                o.printf(Locale.ROOT, "%-12s %5.0f passes %7.1f s  test accuracy %.2f%%%n", c.method(), c.passes()[last],
                        c.seconds()[last], 100 * c.testAccuracy()[last]);
            }
            o.println("written: " + out.resolve("accuracy-vs-passes.png") + ", accuracy-vs-seconds.png, loss-vs-passes.png, results.md, results.json");
            o.flush();
            return 0;
        }
    }

    @Command(name = "compression", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Block designs in the same network, trained the same way from several seeds.",
                    "Parameters, compression ratio, K/R, complexity, test accuracy, seconds per epoch against the dense",
                    "block's, Spearman correlations (Markdown, JSON) and accuracy against parameters and K/R (PNG)."},
            footerHeading = "%nExamples:%n",
            footer = {"  convexcnn experiment compression --dataset mnist --limit 6000 --test-limit 5000 --epochs 3 --seeds 1,2,3 \\",
                    "      --out docs/compression/mnist",
                    "  convexcnn experiment compression --out docs/compression/mnist --replot"})
    static final class CompressionCommand implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin CommonOptions common;

        @Option(names = "--dataset", defaultValue = "mnist", description = "Dataset (default: ${DEFAULT-VALUE}).")
        String dataset;
        @Option(names = "--limit", defaultValue = "10000", description = "Training samples, the first N (default: ${DEFAULT-VALUE}).")
        int limit;
        @Option(names = "--test-limit", defaultValue = "10000", description = "Test samples (default: ${DEFAULT-VALUE}).")
        int testLimit;
        @Option(names = "--designs", split = ";", paramLabel = "DESIGN",
                defaultValue = "dense:k=32;cp:k=32,rank=4;cp:k=32,rank=8;cp:k=32,rank=16;cp:k=32,rank=32;"
                        + "tucker2:k=32,r=0.1;tucker2:k=32,r=0.25;tucker2:k=32,r=0.5;tucker:k=32,r=0.25;tucker:k=32,r=0.5;"
                        + "tucker:k=32,same;tt:k=32,r=0.1;tt:k=32,r=0.25;tt:k=32,r=0.5;bottleneck:k=32,kr=4;"
                        + "bottleneck:k=32,kr=2;bottleneck:k=32,kr=1;grouped:k=32,g=4,kr=4;grouped:k=32,g=4,kr=1;"
                        + "separable:k=32,rank=16;separable:k=32,rank=64;residual:k=32;lowrank:k=32,kr=4;lowrank:k=32,kr=2",
                description = "Block designs separated by ';' (default: ${DEFAULT-VALUE}).")
        List<String> designs;
        @Option(names = "--epochs", defaultValue = "3", description = "SGD epochs per design (default: ${DEFAULT-VALUE}).")
        int epochs;
        @Option(names = "--lr", defaultValue = "0.02", description = "SGD learning rate (default: ${DEFAULT-VALUE}).")
        double lr;
        @Option(names = "--seeds", split = ",", paramLabel = "SEED", defaultValue = "1,2,3",
                description = "Seeds, each design trained once per seed (default: ${DEFAULT-VALUE}).")
        List<Long> seeds;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the plots and tables go.")
        Path out;
        @Option(names = "--replot", description = "Only redraw the plots from DIR/results.json of a finished run.")
        boolean replot;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            if (replot) {
                if (!java.nio.file.Files.exists(out.resolve("results.json"))) {
                    throw new IllegalArgumentException("--replot needs " + out.resolve("results.json") + " from a finished run");
                }
                dev.convexcnn.experiments.CompressionAblation.replot(out);
                spec.commandLine().getOut().println("written: " + out.resolve("accuracy-vs-parameters.png") + ", accuracy-vs-kr.png");
                spec.commandLine().getOut().flush();
                return 0;
            }
            CommonOptions.announceBackend(err);
            Dataset[] data = heads(common, dataset, limit, testLimit, err, "--designs count", designs.size(), epochs);
            dev.convexcnn.experiments.CompressionAblation.run(data[0], data[1], designs, epochs, lr, seeds, out, echo(err));
            PrintWriter o = spec.commandLine().getOut();
            o.print(java.nio.file.Files.readString(out.resolve("results.md")));
            o.println("written: " + out.resolve("accuracy-vs-parameters.png") + ", accuracy-vs-kr.png, results.md, results.json");
            o.flush();
            return 0;
        }
    }

    @Command(name = "convex-scaling", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Time to tolerance of the gated program (squared loss) as n and the patterns grow.",
                    "In its Gram, GEMM and streamed forms, with their rates against dgemm and sgemm."},
            footerHeading = "%nExamples:%n",
            footer = {"  CONVEXCNN_JAVA_OPTS=\"-Xms3g -Xmx3g -XX:+AlwaysPreTouch\" \\",
                    "      convexcnn experiment convex-scaling --streamed-up-to 0 --out docs/convex",
                    "  convexcnn experiment convex-scaling --kernel 28 --forms gemm --lambda-fraction 0.08 \\",
                    "      --runs '1000:100;5000:100;20000:100;60000:100' --max-iter 20 --out runs/scaling-fc"})
    static final class ConvexScalingCommand implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin CommonOptions common;

        @Option(names = "--dataset", defaultValue = "mnist", description = "Dataset (default: ${DEFAULT-VALUE}).")
        String dataset;
        @Option(names = "--runs", split = ";", paramLabel = "N:P", defaultValue = "1000:32;5000:32;20000:32;60000:32;5000:16;5000:64;60000:64",
                description = "Sample counts and pattern counts, N:P separated by ';' (default: ${DEFAULT-VALUE}).")
        List<String> runs;
        @Option(names = "--lambda-fraction", defaultValue = "0.01", description = "λ as a fraction of λ_max (default: ${DEFAULT-VALUE}).")
        double lambdaFraction;
        @Option(names = "--tol", defaultValue = "1e-6", description = "Tolerance (default: ${DEFAULT-VALUE}).")
        double tol;
        @Option(names = "--max-iter", defaultValue = "3000", description = "Iteration cap (default: ${DEFAULT-VALUE}).")
        int maxIter;
        @Option(names = "--kernel", defaultValue = "5", description = "Patch size k×k; 28 on MNIST is the fully-connected network (default: ${DEFAULT-VALUE}).")
        int kernel;
        @Option(names = "--forms", split = ",", defaultValue = "gram,gemm,streamed", paramLabel = "FORM",
                description = "Product forms to run, of gram, gemm, streamed (gram only where p·h ≤ 8,192; default: ${DEFAULT-VALUE}).")
        List<String> forms;
        @Option(names = "--streamed-up-to", defaultValue = "20000", paramLabel = "N",
                description = "Also run the streamed form (two passes over Φ per evaluation) for n ≤ N, side by side; 0: never (default: ${DEFAULT-VALUE}).")
        int streamedUpTo;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where scaling.md goes.")
        Path out;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            CommonOptions.announceBackend(err);
            if (streamedUpTo < 0) throw new IllegalArgumentException("--streamed-up-to must be ≥ 0, got " + streamedUpTo);
            java.util.List<int[]> np = new java.util.ArrayList<>();
            for (String r : runs) {
                String[] p = r.split(":");
                try {
                    np.add(new int[] {Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim())});
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("--runs takes N:P pairs such as 5000:32, got '" + r + "'");
                }
            }
            Dataset train = Datasets.train(dataset, new Datasets.Options(common.cache(), true, err::println));
            java.util.Set<dev.convexcnn.convex.ProductForm> formSet = java.util.EnumSet.noneOf(dev.convexcnn.convex.ProductForm.class);
            for (String f : forms) {
                try {
                    formSet.add(dev.convexcnn.convex.ProductForm.parse(f));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--forms takes gram, gemm or streamed, got '" + f + "'");
                }
            }
            if (kernel <= 0) throw new IllegalArgumentException("--kernel must be > 0, got " + kernel);
            ConvexSettings s = ConvexSettings.defaults().withPatches(kernel, 1).withLambdaFraction(lambdaFraction).withTolerance(tol).withMaxIterations(maxIter);
            String md = dev.convexcnn.experiments.ConvexScaling.run(train, np, s, formSet, streamedUpTo, out, echo(err));
            spec.commandLine().getOut().print(md);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
