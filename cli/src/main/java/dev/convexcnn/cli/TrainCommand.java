package dev.convexcnn.cli;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Datasets;
import dev.convexcnn.data.Splits;
import dev.convexcnn.io.AtomicFiles;
import dev.convexcnn.io.ModelFile;
import dev.convexcnn.io.TensorFile;
import dev.convexcnn.linalg.Backend;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.nn.Initializer;
import dev.convexcnn.sgd.EpochRecord;
import dev.convexcnn.sgd.SgdTrainer;
import dev.convexcnn.sgd.TrainSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a model on a dataset, evaluate it on the test split and save it.",
                "Methods: sgd (the baseline CNN, optimiser sgd or adam); gated-relu and convex-relu (two-layer",
                "CNNs by their convex programs, with an optimality certificate; convex-relu --pool A for the",
                "average-pooling variant); convex-circular and convex-3layer (the circular CNN and the three-layer",
                "CNN with two ReLU layers by their exact convex programs); ccnn (convexified CNN, projected SGD) and",
                "dccnn (its dual, with weight recovery and a duality-gap certificate)."},
        footerHeading = "%nExamples:%n",
        footer = {"  convexcnn train --dataset fashion-mnist --arch reference --epochs 5 --seed 3 -o runs/fm.cnn",
                "  convexcnn train --dataset fashion-mnist --epochs 5 --seed 3 -o runs/fm.cnn --resume   (after a kill)",
                "  convexcnn train --method gated-relu --dataset mnist --limit 5000 --patterns 64 --lambda-fraction 0.01",
                "  convexcnn train --method alternation --dataset fashion-mnist --sweeps 10",
                "  convexcnn train --dataset csv:train.csv,test.csv --arch lenet5 --epochs 10 --val-fraction 0.1"})
final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--method", defaultValue = "sgd",
            description = "sgd, gated-relu, convex-relu, convex-circular, convex-3layer, alternation, ccnn or dccnn (default: ${DEFAULT-VALUE}).")
    String method;
    @Option(names = "--dataset", defaultValue = "mnist",
            description = "mnist, fashion-mnist, cifar10:<dir>, digits:<file>, or the regenerated mnist-rot-regen, mnist-rand-regen (default: ${DEFAULT-VALUE}).")
    String dataset;
    @Option(names = "--arch",
            description = "Architecture string or preset (reference, lenet5, mlp, linear), e.g. conv16k5-relu-maxpool2-linear10 "
                    + "(default: reference; for alternation conv16k5s2-relu-conv32k5s2-relu-linear10).")
    String arch;
    @Option(names = "--optimizer", defaultValue = "sgd", description = "sgd (momentum) or adam (default: ${DEFAULT-VALUE}).")
    String optimizer;
    @Option(names = "--epochs", defaultValue = "1", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--batch-size", defaultValue = "128", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--lr", description = "Learning rate (default: 0.05 for sgd, 0.001 for adam).")
    Double lr;
    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;
    @Option(names = "--weight-decay", defaultValue = "0", description = "L2 weight decay on weights, not biases (default: ${DEFAULT-VALUE}).")
    double weightDecay;
    @Option(names = "--init", defaultValue = "uniform-fan-in",
            description = "Initialiser: he, glorot or uniform-fan-in, PyTorch's default (default: ${DEFAULT-VALUE}).")
    String init;
    @Option(names = "--seed", defaultValue = "1", description = "Seed for initialisation, shuffling and the split (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--val-fraction", defaultValue = "0",
            description = "Fraction of the training set held out, stratified, for validation (default: ${DEFAULT-VALUE}).")
    double valFraction;
    @Option(names = "--limit", description = "Train on the first N training samples only (quick runs).")
    Integer limit;
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Model file (default: runs/<dataset>-<method>-seed<seed>.cnn).")
    Path output;
    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Checkpoint written every epoch (default: <output>.ckpt).")
    Path checkpoint;
    @Option(names = "--resume", description = "Continue from the checkpoint if there is one.")
    boolean resume;
    @Option(names = "--no-fetch", description = "Fail instead of fetching a missing dataset.")
    boolean noFetch;
    @Option(names = "--summary-json", paramLabel = "FILE", description = "Also write the run's figures as JSON (for scripts).")
    Path summaryJson;

    @picocli.CommandLine.ArgGroup(exclusive = false, heading = "%nConvex methods (gated-relu, convex-relu, convex-circular, convex-3layer):%n")
    ConvexOptions convex = new ConvexOptions();

    @picocli.CommandLine.ArgGroup(exclusive = false, heading = "%nAlternation (positive hard-thresholding, our reading of Huang et al.):%n")
    AlternationOptions alternation = new AlternationOptions();

    static final class AlternationOptions {
        @Option(names = "--threshold", defaultValue = "0", description = "Threshold τ of the units (default: ${DEFAULT-VALUE}: the support of a ReLU).")
        float threshold = 0;
        @Option(names = "--ridge", defaultValue = "1e-4", description = "Ridge λ on the weights (default: ${DEFAULT-VALUE}).")
        double ridge = 1e-4;
        @Option(names = "--sweeps", defaultValue = "20", description = "Maximum sweeps over the layers (default: ${DEFAULT-VALUE}).")
        int sweeps = 20;
        @Option(names = "--cg-iter", defaultValue = "10", description = "Conjugate-gradient iterations per layer solve (default: ${DEFAULT-VALUE}).")
        int cgIter = 10;
    }

    @picocli.CommandLine.ArgGroup(exclusive = false, heading = "%nCCNN (convexified CNN, every layer alike):%n")
    CcnnOptions ccnn = new CcnnOptions();

    static final class CcnnOptions {
        @Option(names = "--layers", defaultValue = "2", description = "1, 2 or 3 convexified layers (default: ${DEFAULT-VALUE}).")
        int layers = 2;
        @Option(names = "--ccnn-kernel", description = "gaussian or inverse-polynomial (default: each layer's reference setting, gaussian).")
        String kernel;
        @Option(names = "--approximation", description = "fourier (random Fourier features, gaussian only) or nystrom (default: fourier for "
                + "gaussian, nystrom for inverse-polynomial).")
        String approximation;
        @Option(names = "--gamma", paramLabel = "G[,G...]", description = "Gaussian kernel γ, one value or one per layer (default: 0.2, 2, 2).")
        String gamma;
        @Option(names = "--features", paramLabel = "M[,M...]", description = "Kernel features per layer, one value or one per layer (default: 500, 1000, 1000).")
        String features;
        @Option(names = "--radius", paramLabel = "R[,R...]", description = "ccnn: nuclear-norm radius R, one value or one per layer (default: 200, 500, 500). "
                + "dccnn uses --lambda / --lambda-fraction instead.")
        String radius;
        @Option(names = "--ccnn-lr", paramLabel = "LR[,LR...]", description = "ccnn: projected-SGD learning rate, one value or one per layer (default: 0.2, 1, 1).")
        String lr;
        @Option(names = "--iterations", paramLabel = "T[,T...]", description = "Iterations per layer: projected-SGD steps (ccnn) or dual passes over "
                + "the data (dccnn), one value or one per layer (default: 1000, 2000, 2000).")
        String iterations;
        @Option(names = "--filters", paramLabel = "R[,R...]", description = "Filters recovered per layer; 0 on the last layer keeps the whole rank "
                + "(default: 16, 32, 32).")
        String filters;
        @Option(names = "--validation", paramLabel = "N", description = "ccnn/dccnn: hold out the last N training images, report the error "
                + "on them and leave the test set untouched (for tuning); --limit then takes the first samples of the rest.")
        Integer validation;
        @Option(names = "--ccnn-batch", defaultValue = "50", description = "ccnn: projected-SGD mini-batch (default: ${DEFAULT-VALUE}).")
        int batch = 50;
        @Option(names = "--certificate-samples", defaultValue = "0",
                description = "ccnn: training samples the Frank–Wolfe certificate is computed on (0: all; default: ${DEFAULT-VALUE}).")
        int certificateSamples = 0;
        @Option(names = "--feature-cache-mb", defaultValue = "512",
                description = "dccnn: hold a layer's pooled features in memory when they fit in this many MiB, else stream them every pass "
                        + "(default: ${DEFAULT-VALUE}). dccnn also reads --lambda, --lambda-fraction (λ/λ_max) and --tol (relative duality gap).")
        long featureCacheMb = 512;
        @Option(names = "--step-balance", defaultValue = "1",
                description = "dccnn: β of the primal–dual steps τ = β/L, σ = 1/(βL) (default: ${DEFAULT-VALUE}).")
        double stepBalance = 1;
        @Option(names = "--dual-solver", defaultValue = "centred-fista",
                description = "dccnn: centred-fista (features minus their mean, a free bias; FISTA on the primal pair, its dual point "
                        + "p = softmax certified and used by the recovery), centred (the same program by PDHG), centred-restarted (PDHG "
                        + "with restarts), or plain (no bias, plain PDHG: the solver before centring) (default: ${DEFAULT-VALUE}).")
        String dualSolver = "centred-fista";
    }

    static final class ConvexOptions {
        @Option(names = "--patterns", defaultValue = "64", description = "Sampled activation patterns (default: ${DEFAULT-VALUE}).")
        int patterns = 64;
        @Option(names = "--kernel", defaultValue = "5", description = "Patch size k×k; the image size gives the fully-connected net (default: ${DEFAULT-VALUE}).")
        int kernel = 5;
        @Option(names = "--stride", defaultValue = "1", description = "Patch stride (default: ${DEFAULT-VALUE}).")
        int stride = 1;
        @Option(names = "--no-bias", description = "Patches without the constant 1 (no neuron bias).")
        boolean noBias;
        @Option(names = "--lambda", description = "The regularisation β (λ) itself.")
        Double lambda;
        @Option(names = "--lambda-fraction", defaultValue = "0.01", description = "λ as a fraction of λ_max, when --lambda is not given (default: ${DEFAULT-VALUE}).")
        double lambdaFraction = 0.01;
        @Option(names = "--loss", defaultValue = "squared", description = "squared or cross-entropy (default: ${DEFAULT-VALUE}).")
        String loss = "squared";
        @Option(names = "--tol", defaultValue = "1e-6", description = "Tolerance on the squared certificate (default: ${DEFAULT-VALUE}).")
        double tol = 1e-6;
        @Option(names = "--max-iter", defaultValue = "10000", description = "Iteration cap (default: ${DEFAULT-VALUE}).")
        int maxIter = 10_000;
        @Option(names = "--solver-precision", defaultValue = "mixed", description = {"gated-relu with the squared loss "
                + "(solved on ΦᵀΦ): mixed = float products for the iterations, certificate from a double product; "
                + "double = double throughout (default: ${DEFAULT-VALUE})."})
        String solverPrecision = "mixed";
        @Option(names = "--pool", description = "convex-relu only: average-pooling window A (A×A positions, stride A) before the linear layer.")
        Integer pool;
        @Option(names = "--cells", defaultValue = "32", description = "convex-3layer: sampled cells (units' activation patterns) (default: ${DEFAULT-VALUE}).")
        int cells = 32;
        @Option(names = "--unit-filters", defaultValue = "2", description = "convex-3layer: first-layer filters per unit (default: ${DEFAULT-VALUE}).")
        int unitFilters = 2;
        @Option(names = "--max-outer", defaultValue = "50", description = "convex-relu --pool, convex-circular, convex-3layer: augmented Lagrangian steps (default: ${DEFAULT-VALUE}).")
        int maxOuter = 50;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        CommonOptions.announceBackend(err);
        if (method.equals("convex-circular") || method.equals("convex-3layer") || (method.equals("convex-relu") && convex.pool != null)) {
            return trainConvexCnn(err, out);
        }
        if (convex.pool != null) throw new IllegalArgumentException("--pool needs --method convex-relu");
        if (method.equals("gated-relu") || method.equals("convex-relu")) return trainConvex(err, out);
        if (method.equals("alternation")) return trainAlternation(err, out);
        if (method.equals("ccnn") || method.equals("dccnn")) return trainCcnn(err, out, method.equals("dccnn"));
        if (!method.equals("sgd")) {
            throw new IllegalArgumentException("--method '" + method + "' is not available: use sgd, gated-relu, convex-relu, convex-circular, convex-3layer, alternation, ccnn or dccnn");
        }
        if (arch == null) arch = "reference";
        if (valFraction < 0 || valFraction >= 1) throw new IllegalArgumentException("--val-fraction must be in [0, 1), got " + valFraction);
        TrainSettings settings = new TrainSettings(arch, optimizer,
                lr != null ? lr : (optimizer.equalsIgnoreCase("adam") ? 0.001 : 0.05), momentum, weightDecay,
                0.9, 0.999, 1e-8, batchSize, epochs, seed, Initializer.parse(init));

        Dataset[] data = trainAndTest(err);
        Dataset test = data[1];
        Splits.Split split = Splits.stratified(data[0], valFraction, seed);
        err.printf("data: %s for training, %s for validation, %s for test%n", split.train().size(),
                split.validation().size(), test.size());

        Path model = output != null ? output : Path.of("runs", safe(dataset) + "-" + settings.optimizer() + "-seed" + seed + ".cnn");
        Path ckpt = checkpoint != null ? checkpoint : Path.of(model + ".ckpt");
        Progress progress = new Progress(err, epochs, Progress.onTerminal());
        SgdTrainer.Result r = new SgdTrainer(settings).fit(split.train(), split.validation(), ckpt, resume, progress);

        Evaluation e = Evaluation.of(r.net(), test, r.normalization(), 512);
        JsonObject prov = r.provenance();
        prov.addProperty("testAccuracy", e.accuracy());
        prov.addProperty("testLoss", e.loss());
        ModelFile.save(model, r.net(), r.normalization(), prov);

        EpochRecord last = r.log().get(r.log().size() - 1);
        double meanEpoch = r.log().stream().mapToDouble(EpochRecord::trainSeconds).average().orElse(Double.NaN);
        out.printf("%-22s %s%n", "model", model);
        out.printf("%-22s %s (%,d parameters)%n", "architecture", r.net().spec(), r.net().parameterCount());
        out.printf("%-22s %s, lr %s, batch %d, %d epochs, seed %d%n", "training", settings.optimizer(),
                settings.learningRate(), batchSize, epochs, seed);
        out.printf("%-22s %.4f%n", "final train loss", last.trainLoss());
        out.printf("%-22s %.2f%%%n", "test accuracy", 100 * e.accuracy());
        out.printf("%-22s %.4f%n", "test loss", e.loss());
        out.printf("%-22s %.2f s%n", "mean epoch time", meanEpoch);
        out.printf("%-22s %s%n", "backend", Backend.get().kind());
        out.flush();

        if (summaryJson != null) {
            JsonObject s = new JsonObject();
            s.addProperty("dataset", dataset);
            s.addProperty("architecture", r.net().spec());
            s.addProperty("parameters", r.net().parameterCount());
            s.add("settings", settings.toJson());
            s.addProperty("testAccuracy", e.accuracy());
            s.addProperty("testLoss", e.loss());
            s.addProperty("meanEpochSeconds", meanEpoch);
            com.google.gson.JsonArray epochsJson = new com.google.gson.JsonArray();
            r.log().forEach(x -> epochsJson.add(x.toJson()));
            s.add("epochs", epochsJson);
            s.addProperty("backend", Backend.get().kind());
            s.addProperty("backendDetail", Backend.get().description());
            s.addProperty("model", model.toString());
            AtomicFiles.writeString(summaryJson, TensorFile.toJson(s) + "\n");
        }
        return 0;
    }

    private static dev.convexcnn.convex.RFista.Precision solverPrecision(String value) {
        try {
            return dev.convexcnn.convex.RFista.Precision.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--solver-precision: " + e.getMessage());
        }
    }

    private int trainConvex(PrintWriter err, PrintWriter out) throws java.io.IOException {
        var c = convex;
        dev.convexcnn.convex.ConvexSettings s = new dev.convexcnn.convex.ConvexSettings(method, c.kernel, c.stride, !c.noBias,
                c.patterns, c.lambdaFraction, c.lambda == null ? 0 : c.lambda,
                dev.convexcnn.convex.Loss.parse(c.loss), c.tol, c.maxIter, seed,
                solverPrecision(c.solverPrecision));
        Dataset[] data = trainAndTest(err);
        Dataset train = data[0], test = data[1];
        err.printf("data: %d for training, %d for test; %s, %d patterns, %dx%d patches, stride %d%n", train.size(), test.size(),
                method, c.patterns, c.kernel, c.kernel, c.stride);
        long[] last = {System.nanoTime()};
        dev.convexcnn.convex.ConvexTrainer.Run run = new dev.convexcnn.convex.ConvexTrainer(s).fit(train, st -> {
            long now = System.nanoTime();
            if (now - last[0] > 2_000_000_000L || s.exact()) {
                last[0] = now;
                err.printf("iteration %d: objective %.6g, certificate %.3g%s, %.1f s%n", st.iteration(), st.objective(),
                        st.certificate(), s.exact() ? String.format(", violation %.3g", st.violation()) : "", st.seconds());
                err.flush();
            }
        });
        Path model = output != null ? output : Path.of("runs", safe(dataset) + "-" + method + "-seed" + seed + ".cnn");
        dev.convexcnn.nn.Evaluation trainEval = run.evaluate(train);
        dev.convexcnn.nn.Evaluation testEval = run.evaluate(test);
        run.provenance().addProperty("testAccuracy", testEval.accuracy());
        if (s.exact()) {
            ModelFile.save(model, run.relu(), run.normalization(), run.provenance());
        } else {
            dev.convexcnn.convex.GatedModelFile.save(model, run, train.classes());
        }
        out.printf("%-22s %s%n", "model", model);
        out.printf("%-22s %s, λ = %.4g (λ_max %.4g), %s loss, %d patterns kept of %d%n", "program", method, run.lambda(),
                run.lambdaMax(), s.loss().id(), run.gates().count(), c.patterns);
        if (run.provenance().has("lossForm") && run.provenance().get("lossForm").getAsString().equals("gram")) {
            out.printf("%-22s on ΦᵀΦ (Gram form of the squared loss; Φ streamed, never held), %s%n", "solved",
                    s.precision() == dev.convexcnn.convex.RFista.Precision.MIXED
                            ? "float products, certificate from double ones" : "double products");
        }
        out.printf("%-22s %.8g%n", "objective", run.objective());
        out.printf("%-22s %.3g (tolerance %.1g, %s)%n", "certificate", run.certificate(), c.tol,
                run.converged() ? "reached" : "NOT reached: raise --max-iter");
        if (s.exact()) {
            out.printf("%-22s %.3g%n", "constraint violation", run.violation());
            out.printf("%-22s %d neurons: %s%n", "recovered CNN", run.network().neurons(), run.relu().spec());
        }
        return printConvexTail(out, run.iterations(), run.seconds(), trainEval, testEval, run.provenance());
    }

    /** The lines every convex run ends with, and its --summary-json (provenance plus what the run measured). */
    private int printConvexTail(PrintWriter out, int iterations, double seconds, dev.convexcnn.nn.Evaluation trainEval,
                                dev.convexcnn.nn.Evaluation testEval, JsonObject provenance) throws java.io.IOException {
        out.printf("%-22s %d in %.1f s%n", "iterations", iterations, seconds);
        out.printf("%-22s %.2f%%%n", "train accuracy", 100 * trainEval.accuracy());
        out.printf("%-22s %.2f%%%n", "test accuracy", 100 * testEval.accuracy());
        out.printf("%-22s %s%n", "backend", Backend.get().kind());
        out.flush();
        if (summaryJson != null) {
            JsonObject j = provenance.deepCopy();
            j.addProperty("trainAccuracy", trainEval.accuracy());
            j.addProperty("seconds", seconds);
            j.addProperty("iterations", iterations);
            AtomicFiles.writeString(summaryJson, TensorFile.toJson(j) + "\n");
        }
        return 0;
    }

    /** The circular, three-layer and pooled CNNs by their exact programs (dev.convexcnn.convex.CnnProgramTrainer). */
    private int trainConvexCnn(PrintWriter err, PrintWriter out) throws java.io.IOException {
        var c = convex;
        var variant = method.equals("convex-circular") ? dev.convexcnn.convex.CnnProgramTrainer.Variant.CIRCULAR
                : method.equals("convex-3layer") ? dev.convexcnn.convex.CnnProgramTrainer.Variant.THREE_LAYER
                : dev.convexcnn.convex.CnnProgramTrainer.Variant.POOLED;
        var s = new dev.convexcnn.convex.CnnProgramTrainer.Settings(variant, c.kernel, c.stride, !c.noBias, c.patterns, c.cells,
                c.unitFilters, c.pool == null ? 0 : c.pool, c.lambdaFraction, c.lambda == null ? 0 : c.lambda,
                dev.convexcnn.convex.Loss.parse(c.loss), c.tol, c.maxIter, c.maxOuter, seed);
        Dataset[] data = trainAndTest(err);
        Dataset train = data[0], test = data[1];
        err.printf("data: %d for training, %d for test; %s, %d patterns%n", train.size(), test.size(), variant.id, c.patterns);
        var run = new dev.convexcnn.convex.CnnProgramTrainer(s).fit(train, st -> {
            err.printf("iteration %d: objective %.6g, certificate %.3g, violation %.3g, %.1f s%n", st.iteration(), st.objective(),
                    st.certificate(), st.violation(), st.seconds());
            err.flush();
        });
        String name = variant == dev.convexcnn.convex.CnnProgramTrainer.Variant.POOLED ? "convex-relu-pool" + c.pool : method;
        Path model = output != null ? output : Path.of("runs", safe(dataset) + "-" + name + "-seed" + seed + ".cnn");
        dev.convexcnn.nn.Evaluation trainEval = run.evaluate(train);
        dev.convexcnn.nn.Evaluation testEval = run.evaluate(test);
        run.provenance().addProperty("testAccuracy", testEval.accuracy());
        run.save(model);
        out.printf("%-22s %s%n", "model", model);
        out.printf("%-22s %s, λ = %.4g (λ_max %.4g), %s loss, %d patterns kept of %d%s%n", "program", variant.id, run.lambda(),
                run.lambdaMax(), s.loss().id(), run.patternsKept(), c.patterns,
                run.cellsKept() > 0 ? ", " + run.cellsKept() + " cells" : "");
        out.printf("%-22s %.8g%n", "objective", run.objective());
        out.printf("%-22s %.3g (tolerance %.1g, %s)%n", "certificate", run.stationarity(), c.tol,
                run.converged() ? "reached" : "NOT reached: raise --max-iter or --max-outer");
        out.printf("%-22s %.3g%n", "constraint violation", run.violation());
        out.printf("%-22s %s%n", "recovered CNN", run.description());
        return printConvexTail(out, run.iterations(), run.seconds(), trainEval, testEval, run.provenance());
    }

    /** The training part (its first --limit samples) and the test part of --dataset. */
    private Dataset[] trainAndTest(PrintWriter err) throws java.io.IOException {
        if (limit != null && limit <= 0) throw new IllegalArgumentException("--limit must be > 0, got " + limit);
        Dataset train = Datasets.load(dataset, true, common.cache(), !noFetch, err::println);
        Dataset test = Datasets.load(dataset, false, common.cache(), !noFetch, err::println);
        if (limit != null) train = train.head(limit);
        return new Dataset[] {train, test};
    }

    /** The training set split into its first part (its first --limit samples) and its last n images for validation. */
    private Dataset[] trainAndValidation(PrintWriter err, int n) throws java.io.IOException {
        if (limit != null && limit <= 0) throw new IllegalArgumentException("--limit must be > 0, got " + limit);
        Dataset all = Datasets.load(dataset, true, common.cache(), !noFetch, err::println);
        if (n <= 0 || n >= all.size()) {
            throw new IllegalArgumentException("--validation must be in 1.." + (all.size() - 1) + " (the training set has " + all.size() + " images), got " + n);
        }
        int rest = all.size() - n;
        if (limit != null && limit > rest) {
            throw new IllegalArgumentException("--limit " + limit + " exceeds the " + rest + " training images left by --validation " + n);
        }
        int[] tail = new int[n];
        for (int i = 0; i < n; i++) tail[i] = rest + i;
        Dataset validation = all.subset(tail, all.name() + "-validation");
        Dataset train = all.head(limit != null ? limit : rest);
        return new Dataset[] {train, validation};
    }

    private int trainAlternation(PrintWriter err, PrintWriter out) throws java.io.IOException {
        var a = alternation;
        var s = dev.convexcnn.alternation.AlternationSettings.defaults().withThreshold(a.threshold).withRidge(a.ridge)
                .withMaxSweeps(a.sweeps).withCgIterations(a.cgIter).withSeed(seed);
        if (arch != null) s = s.withArchitecture(arch);
        Dataset[] d = trainAndTest(err);
        err.printf("data: %d for training, %d for test; alternation on %s%n", d[0].size(), d[1].size(), s.architecture());
        Progress progress = new Progress(err, a.sweeps, false, "sweep");
        var r = dev.convexcnn.alternation.AlternatingTrainer.fit(d[0], null, s, progress);
        Evaluation e = Evaluation.of(r.net(), d[1], r.normalization(), 512);
        Path model = output != null ? output : Path.of("runs", safe(dataset) + "-alternation-seed" + seed + ".cnn");
        if (a.threshold == 0) {
            r.provenance().addProperty("testAccuracy", e.accuracy());
            ModelFile.save(model, r.net(), r.normalization(), r.provenance());
            out.printf("%-22s %s%n", "model", model);
        } else {
            out.printf("%-22s %s%n", "model", "not saved: the model format has no token for thresholds τ > 0 yet");
        }
        var last = r.log().get(r.log().size() - 1);
        out.printf("%-22s %s (%,d parameters)%n", "architecture", r.net().spec(), r.net().parameterCount());
        out.printf("%-22s %d sweeps, %d passes over the data, stop: %s%n", "alternation", last.sweep(), last.dataPasses(), r.stopReason());
        out.printf("%-22s %.6f%n", "objective", last.objective());
        out.printf("%-22s %.2f%%%n", "train accuracy", 100 * last.trainAccuracy());
        out.printf("%-22s %.2f%%%n", "test accuracy", 100 * e.accuracy());
        out.printf("%-22s %.1f s%n", "training time", last.elapsedSeconds());
        out.printf("%-22s %s%n", "backend", Backend.get().kind());
        out.flush();
        return 0;
    }

    private int trainCcnn(PrintWriter err, PrintWriter out, boolean dual) throws java.io.IOException {
        var c = ccnn;
        if (c.layers < 1 || c.layers > 3) throw new IllegalArgumentException("--layers must be 1, 2 or 3, got " + c.layers);
        var s = dev.convexcnn.ccnn.CcnnSettings.layers(c.layers).withSeed(seed).withBatchSize(c.batch)
                .withCertificateSamples(c.certificateSamples);
        double[] gammas = perLayer("--gamma", c.gamma, c.layers), feats = perLayer("--features", c.features, c.layers),
                radii = perLayer("--radius", c.radius, c.layers), lrs = perLayer("--ccnn-lr", c.lr, c.layers),
                iters = perLayer("--iterations", c.iterations, c.layers), filt = perLayer("--filters", c.filters, c.layers);
        for (int i = 0; i < c.layers; i++) {
            var l = s.layers().get(i);
            if (c.kernel != null || c.approximation != null) {
                var k = c.kernel != null ? dev.convexcnn.ccnn.Kernel.parse(c.kernel) : l.kernel();
                var a = c.approximation != null ? dev.convexcnn.ccnn.Approximation.parse(c.approximation)
                        : k == dev.convexcnn.ccnn.Kernel.GAUSSIAN ? l.approximation() : dev.convexcnn.ccnn.Approximation.NYSTROM;
                l = l.withKernel(k, a);
            }
            if (gammas != null) l = l.withGamma(gammas[i]);
            if (feats != null) l = l.withFeatures(whole("--features", feats[i]));
            if (radii != null) l = l.withRadius(radii[i]);
            if (lrs != null) l = l.withLearningRate(lrs[i]);
            if (iters != null) l = l.withIterations(whole("--iterations", iters[i]));
            if (filt != null) l = l.withFilters(whole("--filters", filt[i]));
            s = s.withLayer(i, l);
        }
        dev.convexcnn.ccnn.DccnnSettings ds = null;
        if (dual) {
            if (c.featureCacheMb < 0) throw new IllegalArgumentException("--feature-cache-mb must be >= 0, got " + c.featureCacheMb);
            ds = dev.convexcnn.ccnn.DccnnSettings.of(s).withLambda(convex.lambdaFraction, convex.lambda == null ? 0 : convex.lambda)
                    .withTolerance(convex.tol, 50).withFeatureCache(c.featureCacheMb << 20).withBalance(c.stepBalance)
                    .withSolver(!c.dualSolver.equals("plain"), c.dualSolver.equals("centred-restarted"), c.dualSolver.equals("centred-fista"));
            if (!java.util.List.of("centred", "centred-restarted", "centred-fista", "plain").contains(c.dualSolver)) {
                throw new IllegalArgumentException("--dual-solver must be centred, centred-restarted, centred-fista or plain, got '" + c.dualSolver + "'");
            }
        }
        Dataset[] d = c.validation == null ? trainAndTest(err) : trainAndValidation(err, c.validation);
        String heldOut = c.validation == null ? "test" : "validation";
        err.printf("data: %d for training, %d for %s; %s with %d layer(s)%n", d[0].size(), d[1].size(), heldOut, dual ? "DCCNN" : "CCNN", c.layers);
        var listener = new dev.convexcnn.ccnn.CcnnListener() {
            @Override public void onMessage(String m) {
                err.println(m);
                err.flush();
            }
        };
        long t0 = System.nanoTime();
        var model = dual ? dev.convexcnn.ccnn.DccnnTrainer.fit(d[0], ds, listener) : dev.convexcnn.ccnn.CcnnTrainer.fit(d[0], s, listener);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long peak = dev.convexcnn.lab.PeakHeap.bytes();
        Evaluation e = model.evaluate(d[1]);
        Path file = output != null ? output : Path.of("runs", safe(dataset) + "-" + method + "-seed" + seed + ".ccnn");
        JsonObject prov = new JsonObject();
        prov.addProperty("dataset", dataset);
        prov.addProperty("trainSamples", d[0].size());
        prov.addProperty(heldOut + "Accuracy", e.accuracy());
        if (c.validation != null) prov.addProperty("validationSamples", c.validation);
        prov.addProperty("trainSeconds", seconds);
        prov.addProperty("peakHeapBytes", peak);
        if (dual) {
            prov.addProperty("lambdaFraction", ds.lambdaFraction());
            prov.addProperty("lambda", ds.lambda());
            prov.addProperty("tolerance", ds.tolerance());
        }
        dev.convexcnn.ccnn.CcnnModelFile.save(file, model, prov);
        var top = s.layers().get(c.layers - 1);
        out.printf("%-24s %s, %d layer(s), %s kernel via %s%n", method, dual ? "dual + weight recovery" : "projected SGD", c.layers, top.kernel(), top.approximation());
        if (dual) {
            for (var dc : model.dualCertificates()) {
                out.printf("%-24s P %.8g − D %.8g = %.3g (relative %.3g); λ = %.4g (%.4g·λ_max); ‖G(p)‖₂/λ = %.6f; %d iterations; A from the %s%n",
                        "duality gap, layer " + dc.layer(), dc.primal(), dc.dual(), dc.gap(), dc.relativeGap(), dc.lambda(),
                        dc.lambda() / dc.lambdaMax(), dc.constraintRatio(), dc.iterations(), dc.source());
            }
        } else {
            for (var cert : model.certificates()) {
                out.printf("%-24s FW gap %.4g on objective %.6g (relative %.3g); ‖A‖* = %.4g ≤ R = %.4g: %s%n", "certificate, layer " + cert.layer(),
                        cert.gap(), cert.objective(), cert.relativeGap(), cert.nuclearNorm(), cert.radius(), cert.feasible() ? "feasible" : "INFEASIBLE");
            }
        }
        out.printf("%-24s %d (last layer %d)%n", "filters", model.filterCount(), model.finalFilters());
        out.printf("%-24s %,d (convex variable of the last layer: %,d)%n", "parameters", model.parameterCount(), model.convexParameterCount());
        out.printf("%-24s %.2f%% (error %.2f%%)%n", heldOut + " accuracy", 100 * e.accuracy(), 100 * (1 - e.accuracy()));
        if (c.validation != null) out.printf("%-24s %s%n", "test", "not evaluated (--validation)");
        out.printf("%-24s %.1f s%n", "training time", seconds);
        out.printf("%-24s %.1f MiB (sum of the heap pools' peaks, data included)%n", "peak heap", peak / 1048576.0);
        out.printf("%-24s %s%n", "model", file);
        out.printf("%-24s %s%n", "backend", Backend.get().kind());
        out.flush();
        if (summaryJson != null) {
            JsonObject j = prov.deepCopy();
            j.addProperty("method", method);
            j.addProperty("filters", model.filterCount());
            j.addProperty("parameters", model.parameterCount());
            j.addProperty("model", file.toString());
            AtomicFiles.writeString(summaryJson, TensorFile.toJson(j) + "\n");
        }
        return 0;
    }

    /** One value for every layer, or one per layer, from a comma-separated flag value; null when the flag is absent. */
    static double[] perLayer(String flag, String value, int layers) {
        if (value == null) return null;
        String[] parts = value.split(",");
        if (parts.length != 1 && parts.length != layers) {
            throw new IllegalArgumentException(flag + " takes one value or " + layers + " (one per layer), got '" + value + "'");
        }
        double[] out = new double[layers];
        for (int i = 0; i < layers; i++) {
            String p = parts[parts.length == 1 ? 0 : i].trim();
            try {
                out[i] = Double.parseDouble(p);
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(flag + ": '" + p + "' is not a number");
            }
        }
        return out;
    }

    private static int whole(String flag, double v) {
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) throw new IllegalArgumentException(flag + " needs whole numbers, got " + v);
        return (int) v;
    }


    static String safe(String dataset) {
        return dataset.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
