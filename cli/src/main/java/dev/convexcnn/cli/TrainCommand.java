package dev.convexcnn.cli;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Datasets;
import dev.convexcnn.data.RowSelection;
import dev.convexcnn.data.Splits;
import dev.convexcnn.io.AtomicFiles;
import dev.convexcnn.io.TensorFile;
import dev.convexcnn.linalg.Backend;
import dev.convexcnn.method.Checkpointer;
import dev.convexcnn.method.DataInfo;
import dev.convexcnn.method.Method;
import dev.convexcnn.method.MethodOptions;
import dev.convexcnn.method.Methods;
import dev.convexcnn.method.TrainContext;
import dev.convexcnn.method.Trained;
import dev.convexcnn.method.Training;
import dev.convexcnn.model.ModelStore;
import dev.convexcnn.optim.Certificate;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Trains any registered method the same way: the data, the method's defaults with the user's options, the run,
 * the evaluation, the model file with its provenance, and the same printed lines for every method. The method's
 * own options are added to the command by {@link Main} once --method is known.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a model with one method, evaluate it on the test split and save it.",
        footerHeading = "%nExamples:%n",
        footer = {"  convexcnn train --dataset fashion-mnist --epochs 5 --seed 3 -o runs/fm.cnn",
                "  convexcnn train --dataset fashion-mnist --epochs 5 --seed 3 -o runs/fm.cnn --resume   # after a kill",
                "  convexcnn train --method gated-relu --dataset mnist --summary-json runs/gated.json",
                "  convexcnn train --method convex-relu --dataset mnist --limit 200 --patterns 8 --max-iter 300",
                "  convexcnn train --method dccnn --layers 1 --dataset mnist",
                "  convexcnn train --method ccnn --help      # the options of one method"})
final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--method", defaultValue = "sgd", description = "The training method (default: ${DEFAULT-VALUE}); see the list above.")
    String method;
    @Option(names = "--dataset", defaultValue = "mnist",
            description = "mnist, fashion-mnist, cifar10:<dir>, digits:<file>, or the regenerated mnist-rot-regen, mnist-rand-regen (default: ${DEFAULT-VALUE}).")
    String dataset;
    @Option(names = "--limit", description = "Train on the first N training samples only.")
    Integer limit;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of every random choice of the method and the split (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--val-fraction", defaultValue = "0",
            description = "Fraction of the training set held out, stratified and seeded, and tracked while training (default: ${DEFAULT-VALUE}).")
    double valFraction;
    @Option(names = "--validation", paramLabel = "N", description = "Hold out the last N training images, report the accuracy on them and leave "
            + "the test set untouched (for tuning); --limit then takes the first samples of the rest.")
    Integer validation;
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Model file (default: runs/<dataset>-<method>-seed<seed>.cnn).")
    Path output;
    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Checkpoint written every epoch (sgd, adam) or every "
            + "--checkpoint-every (convex programs, ccnn, dccnn, alternation), at the end and on SIGTERM (default: <output>.ckpt).")
    Path checkpoint;
    @Option(names = "--checkpoint-every", paramLabel = "N[s]", description = "How often an iterative solver saves its state: "
            + "every N seconds (e.g. 30s) or every N iterations (a plain number; layer steps for alternation) (default: 30s).")
    String checkpointEvery;
    @Option(names = "--resume", description = "Continue from the checkpoint if there is one (methods that checkpoint).")
    boolean resume;
    @Option(names = "--no-fetch", description = "Fail instead of fetching a missing dataset.")
    boolean noFetch;
    @Option(names = "--summary-json", paramLabel = "FILE", description = "Also write the run's figures as JSON (for scripts).")
    Path summaryJson;

    /** The chosen method's options, added as a mixin by {@link Main#withMethodOptions}; null if it has none. */
    MethodOptions<?> methodOptions;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        CommonOptions.announceBackend(err);
        return run(Methods.get(method), err, out);
    }

    @SuppressWarnings("unchecked")
    private <S> int run(Method<S> m, PrintWriter err, PrintWriter out) throws IOException {
        if (!m.resumable() && (resume || checkpoint != null || checkpointEvery != null)) {
            throw new IllegalArgumentException((resume ? "--resume" : checkpoint != null ? "--checkpoint" : "--checkpoint-every")
                    + ": --method " + m.id() + " keeps no checkpoint (only " + String.join(", ",
                    Methods.all().stream().filter(Method::resumable).map(Method::id).toList()) + " do)");
        }
        if (checkpointEvery != null && !m.checkpointsSolverState()) {
            throw new IllegalArgumentException("--checkpoint-every: --method " + m.id() + " checkpoints once per epoch; the flag applies to "
                    + String.join(", ", Methods.all().stream().filter(Method::checkpointsSolverState).map(Method::id).toList()));
        }
        Checkpointer.Policy policy = checkpointPolicy(checkpointEvery);
        if (valFraction < 0 || valFraction >= 1) throw new IllegalArgumentException("--val-fraction must be in [0, 1), got " + valFraction);
        if (validation != null && valFraction > 0) throw new IllegalArgumentException("give --validation or --val-fraction, not both");
        // The options checked before any output is claimed or data read: a bad value fails at once.
        S early = m.defaults(new DataInfo(dataset, limit != null ? limit : 0, 0, 0, 0, 0));
        if (methodOptions != null) ((MethodOptions<S>) methodOptions).apply(early);
        Path model = output != null ? output : Path.of("runs", safe(dataset) + "-" + m.id() + "-seed" + seed + ".cnn");
        Path ckpt = m.resumable() ? (checkpoint != null ? checkpoint : Path.of(model + ".ckpt")) : null;
        // Every output checked (distinct, writable) and locked before any data is read; held to the end.
        try (var claim = dev.convexcnn.io.OutputClaim.claim(java.util.List.of(
                new dev.convexcnn.io.OutputClaim.Output(output != null ? "-o" : "the model file", model),
                new dev.convexcnn.io.OutputClaim.Output(checkpoint != null ? "--checkpoint" : "the checkpoint", ckpt),
                new dev.convexcnn.io.OutputClaim.Output("--summary-json", summaryJson)), err::println)) {
            return run(m, model, ckpt, policy, err, out);
        }
    }

    /** --checkpoint-every: "30s" (seconds) or "20" (iterations); null: the default. */
    static Checkpointer.Policy checkpointPolicy(String every) {
        if (every == null) return Checkpointer.Policy.DEFAULT;
        String v = every.trim();
        try {
            if (v.endsWith("s")) {
                double sec = Double.parseDouble(v.substring(0, v.length() - 1));
                if (sec > 0 && Double.isFinite(sec)) return Checkpointer.Policy.everySeconds(sec);
            } else {
                long k = Long.parseLong(v);
                if (k > 0) return Checkpointer.Policy.everyIterations(k);
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException("--checkpoint-every must be N seconds (e.g. 30s) or N iterations (e.g. 50), > 0, got '" + every + "'");
    }

    @SuppressWarnings("unchecked")
    private <S> int run(Method<S> m, Path model, Path ckpt, Checkpointer.Policy policy, PrintWriter err, PrintWriter out) throws IOException {
        err.printf("%s: %s%n", m.id(), m.info().summary());
        err.printf("%s: %s%s%n", m.id(), m.info().fidelity().label(), m.info().paper() != null ? "; " + m.info().paper() : "");
        Data d = data(err);
        Dataset train = d.train(), tracked = d.tracked();
        String heldOutRole = validation != null ? "validation" : "test";
        var parsed = spec.commandLine().getParseResult();
        if (parsed.hasMatchedOption("--batch-size") && (Integer) parsed.matchedOptionValue("--batch-size", 0) > train.size()) {
            throw new IllegalArgumentException("--batch-size " + parsed.matchedOptionValue("--batch-size", 0) + " is larger than the "
                    + train.size() + " training samples: give at most " + train.size() + " (or leave it out)");
        }
        err.printf("data: %d for training%s, %d for %s%n", train.size(), tracked != null ? ", " + tracked.size() + " for validation" : "",
                d.heldOutSize(), heldOutRole);

        S settings = m.defaults(DataInfo.of(train));
        if (methodOptions != null) settings = ((MethodOptions<S>) methodOptions).apply(settings);
        settings = m.withSeed(settings, seed);
        Progress progress = new Progress(err, Progress.onTerminal(), "");
        // Handed over, and this frame's references dropped, so that the run lets the training set go before it
        // reads the held-out set (the two are never held at once).
        AtomicReference<Dataset> handover = new AtomicReference<>(train);
        Training.HeldOut heldOut = d.heldOut();
        train = null;
        d = null;
        Training.Result r = Training.runReleasing(m, settings, handover, heldOut, new TrainContext(progress, tracked, ckpt, resume, policy));
        Trained t = r.trained();
        ModelStore.save(model, t.model(), r.provenance());

        out.printf("%-24s %s%n", "method", m.id() + " (" + m.info().fidelity().label() + ")");
        out.printf("%-24s %s%n", "model", model);
        out.printf("%-24s %s (%,d parameters)%n", "architecture", t.model().architecture(), t.model().parameterCount());
        for (Trained.Line l : t.lines()) out.printf("%-24s %s%n", l.label(), l.text());
        Certificate c = t.certificate();
        if (c != null) {
            out.printf("%-24s %s%n", "certificate", c.summary()
                    + (c.reached() || Double.isNaN(c.tolerance()) ? "" : ": raise the iteration budget (--max-iter, --max-outer, --iterations)"));
        }
        out.printf("%-24s %.2f %% (error %.2f %%)%n", heldOutRole + " accuracy", 100 * r.evaluation().accuracy(), 100 * (1 - r.evaluation().accuracy()));
        out.printf("%-24s %.4f%n", heldOutRole + " loss", r.evaluation().loss());
        if (validation != null) out.printf("%-24s %s%n", "test", "not evaluated (--validation)");
        out.printf("%-24s %.1f s%n", "training time", r.seconds());
        out.printf("%-24s %s%n", "backend", Backend.get().kind());
        out.flush();
        if (summaryJson != null) AtomicFiles.writeString(summaryJson, TensorFile.toJson(summary(r, model, heldOutRole)) + "\n");
        return 0;
    }

    /** The summary JSON: the run's headline figures at the top level, the method's figures, the provenance. */
    static JsonObject summary(Training.Result r, Path model, String heldOutRole) {
        Trained t = r.trained();
        JsonObject s = new JsonObject();
        s.addProperty("method", r.method().id());
        s.addProperty("fidelity", r.method().info().fidelity().label());
        s.addProperty("model", model.toString());
        s.addProperty("dataset", r.provenance().getAsJsonObject("data").get("name").getAsString());
        s.addProperty("trainSamples", r.provenance().getAsJsonObject("data").get("samples").getAsInt());
        s.addProperty("architecture", t.model().architecture());
        s.addProperty("parameters", t.model().parameterCount());
        s.addProperty(heldOutRole + "Accuracy", r.evaluation().accuracy());
        s.addProperty(heldOutRole + "Loss", r.evaluation().loss());
        s.addProperty(heldOutRole + "Samples", r.evaluation().samples());
        s.addProperty("seconds", r.seconds());
        s.add("settings", r.provenance().get("settings"));
        if (t.certificate() != null) {
            s.addProperty("converged", t.certificate().reached());
            s.add("certificate", Training.certificateJson(t.certificate()));
        }
        for (Map.Entry<String, com.google.gson.JsonElement> e : t.figures().entrySet()) {
            if (!s.has(e.getKey())) s.add(e.getKey(), e.getValue());
        }
        com.google.gson.JsonArray trace = new com.google.gson.JsonArray();
        for (var p : t.trace().points()) {
            JsonObject o = new JsonObject();
            o.addProperty(t.trace().stepName(), p.step());
            o.addProperty("seconds", p.seconds());
            putFinite(o, "objective", p.objective());
            putFinite(o, "trainAccuracy", p.accuracy());
            putFinite(o, "certificate", p.certificate());
            trace.add(o);
        }
        s.add("trace", trace);
        s.addProperty("backend", Backend.get().kind());
        s.addProperty("backendDetail", Backend.get().description());
        s.add("provenance", r.provenance());
        return s;
    }

    private static void putFinite(JsonObject o, String k, double v) {
        if (Double.isFinite(v)) o.addProperty(k, v);
    }

    /** The training set, the set tracked while training (or null), and the held-out set evaluated at the end. */
    private record Data(Dataset train, Dataset tracked, Training.HeldOut heldOut, int heldOutSize) {}

    private Data data(PrintWriter err) throws IOException {
        if (limit != null && limit <= 0) throw new IllegalArgumentException("--limit must be > 0, got " + limit);
        Datasets.Options data = new Datasets.Options(common.cache(), !noFetch, err::println);
        // Only the samples a run uses are held: a --limit run of MNIST does not hold all 60,000 images.
        if (validation != null) {
            int n = validation;
            int[] size = new int[1];
            Dataset tail = Datasets.load(dataset, Datasets.Part.TRAIN, data, total -> {
                size[0] = total;
                return n > 0 && n < total ? RowSelection.range(total - n, total) : new int[0];
            });
            if (n <= 0 || n >= size[0]) {
                throw new IllegalArgumentException("--validation must be in 1.." + (size[0] - 1) + " (the training set has " + size[0] + " images), got " + n);
            }
            int rest = size[0] - n;
            if (limit != null && limit > rest) {
                throw new IllegalArgumentException("--limit " + limit + " exceeds the " + rest + " training images left by --validation " + n);
            }
            Dataset heldOut = tail.renamed(tail.name() + "-validation");
            return new Data(Datasets.head(dataset, Datasets.Part.TRAIN, data, limit != null ? limit : rest), null,
                    Training.HeldOut.of(heldOut), heldOut.size());
        }
        Dataset train = limit != null ? Datasets.head(dataset, Datasets.Part.TRAIN, data, limit) : Datasets.train(dataset, data);
        // The test set is read after training (31 MB of MNIST not held while a method trains); its name, shape and
        // size now, from a selection of none of its images, so a mismatch fails before training. The second read
        // is silent: its lines (fetching, "no test part") were printed by the first.
        int[] testSize = new int[1];
        Dataset testShape = Datasets.load(dataset, Datasets.Part.TEST, data, total -> {
            testSize[0] = total;
            return new int[0];
        });
        Datasets.Options quiet = data.withLog(line -> { });
        Training.HeldOut test = new Training.HeldOut() {
            public Dataset shape() { return testShape; }
            public Dataset load() throws IOException { return Datasets.test(dataset, quiet); }
        };
        if (valFraction > 0) {
            Splits.Split split = Splits.stratified(train, valFraction, seed);
            return new Data(split.train(), split.validation(), test, testSize[0]);
        }
        return new Data(train, null, test, testSize[0]);
    }

    static String safe(String dataset) {
        return dataset.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** The method list for the help: id, summary, fidelity label. */
    static String[] methodList() {
        java.util.List<String> lines = new java.util.ArrayList<>();
        lines.add("Train a model with one method, evaluate it on the test split and save it (one model file kind for all).");
        lines.add("Methods (each has its own options: convexcnn train --method M --help):");
        for (Method<?> m : Methods.all()) {
            lines.add(String.format("  %-17s %s [%s]", m.id(), m.info().summary(), m.info().fidelity().kind().words()));
        }
        return lines.toArray(new String[0]);
    }

    /** The method a command line asks for: the value of --method after "train", or sgd. */
    static String methodOf(String[] args) {
        int at = -1;
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("-")) {
                if (args[i].equals("train")) at = i;
                break;
            }
        }
        if (at < 0) return null;
        String id = "sgd";
        for (int i = at + 1; i < args.length; i++) {
            if (args[i].equals("--method") && i + 1 < args.length) id = args[i + 1];
            else if (args[i].startsWith("--method=")) id = args[i].substring("--method=".length());
        }
        return id;
    }

    /** Adds the options of the method the arguments name to the train command; false if that method is unknown. */
    static boolean withMethodOptions(CommandLine train, String id) {
        Method<?> m;
        try {
            m = Methods.get(id);
        } catch (IllegalArgumentException e) {
            return false;
        }
        TrainCommand cmd = train.getCommand();
        cmd.methodOptions = m.options();
        if (cmd.methodOptions != null) {
            CommandSpec mixin = CommandSpec.forAnnotatedObject(cmd.methodOptions);
            mixin.usageMessage().headerHeading("");
            train.getCommandSpec().addMixin("method", mixin);
        }
        train.getCommandSpec().usageMessage().description(methodList());
        train.getCommandSpec().usageMessage().customSynopsis("convexcnn train [--method " + (id == null ? "M" : id) + "] [OPTIONS]");
        return true;
    }

    /** The methods whose options include a flag: for the error when another method's flag is given. */
    static java.util.List<String> methodsWithOption(String flag) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (Method<?> m : Methods.all()) {
            Object o = m.options();
            if (o != null && CommandSpec.forAnnotatedObject(o).findOption(flag) != null) out.add(m.id());
        }
        return out;
    }
}
