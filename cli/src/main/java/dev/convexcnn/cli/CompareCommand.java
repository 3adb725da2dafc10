package dev.convexcnn.cli;

import dev.convexcnn.lab.Budget;
import dev.convexcnn.lab.Compare;
import dev.convexcnn.lab.Methods;
import dev.convexcnn.report.Report;
import dev.convexcnn.report.RunRecord;
import dev.convexcnn.report.Summary;
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

@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run several training methods on one dataset with one budget and seed policy.",
                "Stores every run, prints the table and writes the report (report.html, report.md). A rerun skips the",
                "runs already stored."},
        footerHeading = "%nExamples:%n",
        footer = {"  convexcnn compare --dataset fashion-mnist --seeds 1,2,3 --budget quick --out runs/fm-compare",
                "  convexcnn compare --methods sgd,adam,gated-relu --limit 2000 --out runs/small",
                "  convexcnn report runs/fm-compare"})
final class CompareCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--dataset", defaultValue = "mnist",
            description = "mnist, fashion-mnist, cifar10:<dir>, digits:<file>, or the regenerated mnist-rot-regen, mnist-rand-regen (default: ${DEFAULT-VALUE}).")
    String dataset;
    @Option(names = "--methods", split = ",", description = "Comma-separated methods (default: all of them).")
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

    static String methodHelp() {
        StringBuilder b = new StringBuilder();
        Methods.all().forEach(m -> b.append(String.format("  %-12s %s%n", m.name(), m.summary())));
        return b.toString();
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter o = spec.commandLine().getOut();
        CommonOptions.announceBackend(err);
        Budget b = Budget.named(budget);
        if (epochs != null) b = b.withSgdEpochs(epochs);
        if (limit != null) b = b.limitedTo(limit);
        if (testLimit != null) {
            if (testLimit <= 0) throw new IllegalArgumentException("--test-limit must be > 0, got " + testLimit);
            b = b.withTestLimit(testLimit);
        }
        List<String> ms = methods == null ? Methods.names() : new ArrayList<>(methods);
        Path dir = out != null ? out : Path.of("runs", "compare-" + TrainCommand.safe(dataset) + "-" + b.name());
        Compare.Settings s = new Compare.Settings(dataset, ms, seeds, b);
        List<RunRecord> runs = Compare.run(s, dir, common.cache(), !noFetch, line -> {
            err.println(line);
            err.flush();
        });
        o.println();
        o.printf("%s, budget %s, seeds %s%n", dataset, b.name(), seeds);
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
