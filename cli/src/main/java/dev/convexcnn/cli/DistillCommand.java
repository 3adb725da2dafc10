package dev.convexcnn.cli;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Datasets;
import dev.convexcnn.distill.CellSettings;
import dev.convexcnn.experiments.DistillStudy;
import dev.convexcnn.distill.StudentFamily;
import dev.convexcnn.distill.Teacher;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Distillation study: must a student be deep and convolutional? (Urban et al., ICLR 2017)",
                "Trains or loads a CNN teacher, caches its logits on the transfer set, and trains conv and fully-connected students at parameter budgets on "
                        + "the teacher's logits and on the hard labels, each tuned by a seeded random search on a validation split.",
                "Each (student, budget, target) result goes to <out>/cells/<cell>.json as soon as it is done; a rerun skips "
                        + "finished cells. Writes results.md, results.json and accuracy-vs-parameters-*.png."},
        footerHeading = "%nExamples:%n",
        footer = {"  convexcnn distill --dataset mnist --limit 5000 --teacher train --teacher-models 2 --teacher-epochs 4 \\",
                "      --budgets 10000,30000 --conv-layers 0..2 --mlp-layers 1..3 --trials 3 --epochs 4 --out runs/distill",
                "  (a rerun with more budgets or layers into the same --out skips the cells already done)",
                "  convexcnn distill --out docs/distill/mnist --replot"})
final class DistillCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "Dataset: mnist, fashion-mnist, cifar10:<dir>, digits:<file>, mnist-rot-regen, mnist-rand-regen (default: ${DEFAULT-VALUE}).")
    String dataset;
    @Option(names = "--teacher", defaultValue = "train", paramLabel = "FILE[,FILE...]|train",
            description = "Teacher model file(s), averaged as an ensemble, or 'train' to train one into the output folder (default: ${DEFAULT-VALUE}).")
    String teacher;
    @Option(names = "--teacher-models", defaultValue = "2", description = "Ensemble size when training the teacher (default: ${DEFAULT-VALUE}).")
    int teacherModels;
    @Option(names = "--teacher-epochs", defaultValue = "4", description = "Teacher epochs (default: ${DEFAULT-VALUE}).")
    int teacherEpochs;
    @Option(names = "--teacher-arch", defaultValue = Teacher.Settings.DEFAULT_BODY,
            description = "Teacher architecture without the output layer (default: ${DEFAULT-VALUE}).")
    String teacherArch;
    @Option(names = "--teacher-lr", defaultValue = "0.001", description = "Teacher Adam learning rate (default: ${DEFAULT-VALUE}).")
    double teacherLr;
    @Option(names = "--max-shift", defaultValue = "2", description = "Largest random shift (pixels) for the teacher's training and the transfer copies (default: ${DEFAULT-VALUE}).")
    int maxShift;
    @Option(names = "--transfer-shifts", defaultValue = "1", description = "Shifted copies of the training images added to the transfer set (default: ${DEFAULT-VALUE}).")
    int transferShifts;
    @Option(names = "--budgets", defaultValue = "10000,30000,100000", split = ",", description = "Parameter budgets (default: ${DEFAULT-VALUE}).")
    List<Long> budgets;
    @Option(names = "--conv-layers", defaultValue = "0..4", description = "Conv students' conv layer counts: a range a..b, a list, or none (default: ${DEFAULT-VALUE}).")
    String convLayers;
    @Option(names = "--mlp-layers", defaultValue = "1..5", description = "Fully-connected students' hidden layer counts: a range, a list, or none (default: ${DEFAULT-VALUE}).")
    String mlpLayers;
    @Option(names = "--trials", defaultValue = "4", description = "Random-search trials per cell (default: ${DEFAULT-VALUE}).")
    int trials;
    @Option(names = "--epochs", defaultValue = "3", description = "Epochs per trial (default: ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--batch", defaultValue = "64", description = "Batch size of students and teacher (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--lr-min", defaultValue = "3e-4", description = "Smallest learning rate searched (default: ${DEFAULT-VALUE}).")
    double lrMin;
    @Option(names = "--lr-max", defaultValue = "3e-3", description = "Largest learning rate searched (default: ${DEFAULT-VALUE}).")
    double lrMax;
    @Option(names = "--soft-loss", defaultValue = "l2", description = "Mimic loss: l2 (squared error on logits) or kl (at --temperature) (default: ${DEFAULT-VALUE}).")
    String softLoss;
    @Option(names = "--temperature", defaultValue = "4", description = "Temperature of the kl loss (default: ${DEFAULT-VALUE}).")
    double temperature;
    @Option(names = "--no-hard-labels", description = "Skip the students trained on hard labels.")
    boolean noHardLabels;
    @Option(names = "--validation", defaultValue = "0.2", description = "Share of the training images held out for selection (default: ${DEFAULT-VALUE}).")
    double validation;
    @Option(names = "--limit", defaultValue = "0", description = "Training images, the first N (0: all; default: ${DEFAULT-VALUE}).")
    int limit;
    @Option(names = "--test-limit", defaultValue = "0", description = "Test images, the first N (0: all; default: ${DEFAULT-VALUE}).")
    int testLimit;
    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (cells, teacher, cache, table, plots).")
    Path out;
    @Option(names = "--replot", description = "Only redraw the plots from DIR/results.json of a finished study.")
    boolean replot;

    @Override
    public Integer call() throws Exception {
        if (replot) {
            dev.convexcnn.experiments.DistillStudy.replot(out);
            spec.commandLine().getOut().println("written: " + out.resolve("accuracy-vs-parameters-mimic.png") + ", accuracy-vs-parameters-labels.png");
            spec.commandLine().getOut().flush();
            return 0;
        }
        PrintWriter err = spec.commandLine().getErr();
        CommonOptions.announceBackend(err);
        if (limit < 0 || testLimit < 0) throw new IllegalArgumentException("--limit and --test-limit must be >= 0");
        List<StudentFamily> students = StudentFamily.of(convLayers, mlpLayers);
        for (long b : budgets) if (b <= 0) throw new IllegalArgumentException("--budgets must be > 0, got " + b);
        CellSettings cell = new CellSettings(trials, epochs, batch, lrMin, lrMax, 0.25, 4, 0.05, softLoss, temperature, seed);
        DistillStudy.Settings s = new DistillStudy.Settings(students, budgets, !noHardLabels, cell, validation, transferShifts, maxShift);
        List<Path> teacherFiles = null;
        Teacher.Settings ts = null;
        if (teacher.trim().equalsIgnoreCase("train")) {
            ts = new Teacher.Settings(teacherArch, teacherModels, teacherEpochs, teacherLr, batch, maxShift, seed);
        } else {
            teacherFiles = new ArrayList<>();
            for (String f : teacher.split(",")) {
                Path p = Path.of(f.trim());
                if (!Files.isRegularFile(p)) throw new IllegalArgumentException("--teacher: no such model file: " + p);
                teacherFiles.add(p);
            }
        }
        Datasets.Options data = new Datasets.Options(common.cache(), true, err::println);
        Dataset train = limit > 0 ? Datasets.head(dataset, Datasets.Part.TRAIN, data, limit) : Datasets.train(dataset, data);
        Dataset test = testLimit > 0 ? Datasets.head(dataset, Datasets.Part.TEST, data, testLimit) : Datasets.test(dataset, data);
        DistillStudy.run(train, test, teacherFiles, ts, s, out, ExperimentCommand.echo(err), o -> {});
        PrintWriter o = spec.commandLine().getOut();
        o.print(Files.readString(out.resolve("results.md")));
        o.println("written: " + out.resolve("results.md") + ", results.json, accuracy-vs-parameters-*.png, cells/*.json");
        o.flush();
        return 0;
    }
}
