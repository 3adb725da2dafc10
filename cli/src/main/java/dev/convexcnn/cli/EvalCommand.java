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
        dev.convexcnn.model.ModelStore.Stored stored = dev.convexcnn.model.ModelStore.load(model);
        String name = Datasets.forModel(dataset, stored.provenance(), err::println);
        Dataset d = Datasets.load(name, split.equals("train") ? Datasets.Part.TRAIN : Datasets.Part.TEST,
                new Datasets.Options(common.cache(), !noFetch, err::println));
        String mismatch = stored.model().mismatch(d);
        if (mismatch != null) throw new IllegalArgumentException(model + " does not fit the data " + name + ": " + mismatch);
        print(out, d, stored.model().evaluate(d), String.format("%s (%,d parameters, kind %s)", stored.model().architecture(),
                stored.model().parameterCount(), stored.kind()));
        return 0;
    }

    private void print(PrintWriter out, Dataset d, Evaluation e, String architecture) {
        out.printf("%-12s %s%n", "model", model);
        out.printf("%-12s %s%n", "architecture", architecture);
        out.printf("%-12s %s (%d samples)%n", "data", d.name(), e.samples());
        out.printf("%-12s %.2f %% (error %.2f %%)%n", "accuracy", 100 * e.accuracy(), 100 * (1 - e.accuracy()));
        out.printf("%-12s %.4f%n", "loss", e.loss());
        out.println("confusion matrix (rows: true class, columns: predicted class)");
        out.print(e.confusionTable());
        out.flush();
    }
}
