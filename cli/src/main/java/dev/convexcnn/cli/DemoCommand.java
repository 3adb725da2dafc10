package dev.convexcnn.cli;

import dev.convexcnn.data.DataCache;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Datasets;
import dev.convexcnn.io.ModelFile;
import dev.convexcnn.linalg.Backend;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.sgd.EpochRecord;
import dev.convexcnn.sgd.SgdTrainer;
import dev.convexcnn.sgd.TrainSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fetch MNIST if missing, train the baseline CNN with SGD and Adam, print a results table.",
                "Models go to the output folder."})
final class DemoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--dataset", defaultValue = "mnist", description = "Dataset (default: ${DEFAULT-VALUE}).")
    String dataset;
    @Option(names = "--epochs", defaultValue = "1", description = "Epochs per method (default: ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--out", defaultValue = "runs/demo", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    private record Row(String method, String arch, long params, double testAccuracy, double testLoss, double seconds) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter o = spec.commandLine().getOut();
        CommonOptions.announceBackend(err);
        DataCache cache = common.cache();
        Dataset train = Datasets.load(dataset, true, cache, true, err::println);
        Dataset test = Datasets.load(dataset, false, cache, true, err::println);
        err.println("data: " + train + "; " + test);

        List<Row> rows = new ArrayList<>();
        TrainSettings base = TrainSettings.defaults().withEpochs(epochs).withSeed(seed);
        for (TrainSettings s : List.of(base, base.withOptimizer("adam").withLearningRate(0.001))) {
            String label = s.optimizer().equals("sgd") ? "sgd (momentum 0.9)" : "adam";
            err.println("training " + label + " ...");
            Progress p = new Progress(err, epochs, Progress.onTerminal());
            SgdTrainer.Result r = new SgdTrainer(s).fit(train, null, null, false, p);
            Evaluation e = Evaluation.of(r.net(), test, r.normalization(), 512);
            ModelFile.save(out.resolve(TrainCommand.safe(dataset) + "-" + s.optimizer() + ".cnn"), r.net(), r.normalization(), r.provenance());
            double secs = r.log().stream().mapToDouble(EpochRecord::trainSeconds).sum();
            rows.add(new Row(label, r.net().spec(), r.net().parameterCount(), e.accuracy(), e.loss(), secs));
        }

        o.println();
        o.printf("ConvexCNN demo: %s, %d epoch(s), seed %d, backend %s%n", dataset, epochs, seed, Backend.get().kind());
        o.printf("%-20s %10s %14s %10s %12s%n", "method", "params", "test accuracy", "test loss", "train time");
        for (Row r : rows) {
            o.printf("%-20s %,10d %13.2f%% %10.4f %11.1fs%n", r.method, r.params, 100 * r.testAccuracy, r.testLoss, r.seconds);
        }
        o.println("architecture: " + rows.get(0).arch);
        o.println("models saved in " + out.toAbsolutePath());
        o.flush();
        return 0;
    }
}
