package dev.convexcnn.cli;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Datasets;
import dev.convexcnn.io.ModelFile;
import dev.convexcnn.nn.Evaluation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a saved model: accuracy, loss and the confusion matrix.",
                "Without --dataset, on the test part of the data the model was trained on (from its provenance)."},
        footerHeading = "%nExamples:%n",
        footer = {"  convexcnn eval --model runs/fm.cnn",
                "  convexcnn eval --model runs/fm.cnn --split train",
                "  convexcnn eval --model runs/fm.cnn --dataset folder:photos/train,photos/test"})
final class EvalCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model file written by 'convexcnn train'.")
    Path model;
    @Option(names = "--dataset", description = "Dataset (default: the one the model was trained on, from its provenance; "
            + "mnist when it names none).")
    String dataset;
    @Option(names = "--split", defaultValue = "test", description = "test or train (default: ${DEFAULT-VALUE}).")
    String split;
    @Option(names = "--no-fetch", description = "Fail instead of fetching a missing dataset.")
    boolean noFetch;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        CommonOptions.announceBackend(err);
        if (!split.equals("test") && !split.equals("train")) {
            throw new IllegalArgumentException("--split must be test or train, got '" + split + "'");
        }
        dev.convexcnn.io.TensorFile file = dev.convexcnn.io.TensorFile.read(model);
        var meta = file.meta();
        String name = Datasets.forModel(dataset, meta != null && meta.has("provenance") && meta.get("provenance").isJsonObject()
                ? meta.getAsJsonObject("provenance") : null, err::println);
        Dataset d = Datasets.load(name, split.equals("train") ? Datasets.Part.TRAIN : Datasets.Part.TEST,
                new Datasets.Options(common.cache(), !noFetch, err::println));
        if (dev.convexcnn.convex.GatedModelFile.isGated(file)) {
            var g = dev.convexcnn.convex.GatedModelFile.load(model, file);
            print(out, d, g.evaluate(d), "gated-relu network, " + g.gates().count() + " patterns, "
                    + g.geometry().kernel() + "x" + g.geometry().kernel() + " patches");
            return 0;
        }
        if (dev.convexcnn.convex.CircularModelFile.isCircular(file)) {
            var net = dev.convexcnn.convex.CircularModelFile.load(model, file);
            print(out, d, net.evaluate(d), "circular CNN, " + net.units().size() + " units");
            return 0;
        }
        if (dev.convexcnn.ccnn.CcnnModelFile.isCcnn(file)) {
            var c = dev.convexcnn.ccnn.CcnnModelFile.load(model, file);
            print(out, d, c.evaluate(d), String.format("%s, %d layer(s), %d filters (%,d parameters)", c.isDual() ? "DCCNN" : "CCNN",
                    c.layers().size(), c.filterCount(), c.parameterCount()));
            return 0;
        }
        ModelFile.SavedModel m = ModelFile.load(model);
        var in = m.net().inputShape();
        if (in.height() != d.height() || in.width() != d.width() || in.channels() != d.channels() || m.net().outputs() < d.classes()) {
            throw new IllegalArgumentException(model + " takes " + in + " images in " + m.net().outputs()
                    + " classes, but " + d + " does not match");
        }
        if (m.net().outputs() != d.classes()) {
            err.println("warning: " + model + " has " + m.net().outputs() + " classes, " + d.name() + " " + d.classes()
                    + " (its largest label + 1); the confusion matrix has the model's " + m.net().outputs());
        }
        print(out, d, Evaluation.of(m.net(), d, m.normalization(), 512),
                String.format("%s (%,d parameters)", m.net().spec(), m.net().parameterCount()));
        return 0;
    }

    private void print(PrintWriter out, Dataset d, Evaluation e, String architecture) {
        out.printf("%-12s %s%n", "model", model);
        out.printf("%-12s %s%n", "architecture", architecture);
        out.printf("%-12s %s (%d samples)%n", "data", d.name(), e.samples());
        out.printf("%-12s %.2f%%%n", "accuracy", 100 * e.accuracy());
        out.printf("%-12s %.4f%n", "loss", e.loss());
        out.println("confusion matrix (rows: true class, columns: predicted class)");
        out.print(e.confusionTable());
        out.flush();
    }
}
