package dev.convexcnn.cli;

import dev.convexcnn.lab.Compare;
import dev.convexcnn.method.Budget;
import dev.convexcnn.method.Methods;
import dev.convexcnn.report.Report;
import dev.convexcnn.report.RunRecord;
import dev.convexcnn.report.Summary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run several training methods on one dataset with one budget and seed policy.",
                "Stores every run, prints the table and writes the report (report.html, report.md). A rerun skips the "
                        + "runs already stored. The methods: 'convexcnn methods'."},
        footerHeading = "%nExamples:%n",
        footer = {"  convexcnn compare --dataset fashion-mnist --seeds 1,2,3 --budget quick --out runs/fm-compare",
                "  convexcnn compare --methods all --budget quick --limit 300",
                "  convexcnn compare --methods sgd,adam,gated-relu --limit 2000 --out runs/small",
                "  convexcnn compare --budget smoke --dataset csv:my-images.csv     # does every method run on my data?",
                "  convexcnn report runs/fm-compare"})
final class CompareCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--dataset", defaultValue = "mnist",
            description = "mnist, fashion-mnist, cifar10:<dir>, digits:<file>, or the regenerated mnist-rot-regen, mnist-rand-regen (default: ${DEFAULT-VALUE}).")
    String dataset;
    @Option(names = "--methods", split = ",", description = "Comma-separated methods, or all (default: all of them).")
    List<String> methods;
    @Option(names = "--seeds", split = ",", defaultValue = "1", description = "Comma-separated seeds; each method runs once per seed (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;
    @Option(names = "--budget", defaultValue = "quick", description = "quick (minutes) or standard (tens of minutes) (default: ${DEFAULT-VALUE}).")
    String budget;
    @Option(names = "--epochs", description = "SGD/Adam epochs instead of the budget's.")
    Integer epochs;
    @Option(names = "--limit", description = "Cap every method's training set at N samples.")
    Integer limit;
    @Option(names = "--test-limit", description = "Evaluate on the first N test samples only.")
    Integer testLimit;
    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/compare-<dataset>-<budget>).")
    Path out;
    @Option(names = "--no-report", description = "Do not write the report.")
    boolean noReport;
    @Option(names = "--no-fetch", description = "Fail instead of fetching a missing dataset.")
    boolean noFetch;

    /** The budget from the flags. */
    static Budget budget(String name, Integer limit, Integer epochs, Integer testLimit) {
        Budget b = Budget.named(name);
        if (epochs != null) b = b.withEpochs(epochs);
        if (limit != null) b = b.limitedTo(limit);
        if (testLimit != null) b = b.withTestLimit(testLimit);
        return b;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter o = spec.commandLine().getOut();
        CommonOptions.announceBackend(err);
        Budget b = budget(budget, limit, epochs, testLimit);
        List<String> ms = Methods.parse(methods);
        Path dir = out != null ? out : Path.of("runs", "compare-" + TrainCommand.safe(dataset) + "-" + b.label());
        Compare.Settings s = new Compare.Settings(dataset, ms, seeds, b);
        List<RunRecord> runs = Compare.run(s, dir, common.cache(), !noFetch, line -> {
            err.println(line);
            err.flush();
        }, id -> new Progress(err, false, id + ": "));
        o.println();
        o.printf("%s, budget %s, seeds %s%n", dataset, b.label(), seeds);
        o.print(Summary.text(Summary.of(runs)));
        o.println("runs stored in " + dir.resolve("runs").toAbsolutePath());
        if (!noReport) {
            Report.Written w = Report.write(dir);
            o.println("report: " + w.html().toAbsolutePath());
            o.println("        " + w.markdown().toAbsolutePath());
        }
        o.flush();
        return 0;
    }
}
