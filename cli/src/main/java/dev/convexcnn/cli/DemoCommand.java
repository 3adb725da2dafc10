package dev.convexcnn.cli;

import dev.convexcnn.method.Budget;
import dev.convexcnn.lab.Compare;
import dev.convexcnn.method.Methods;
import dev.convexcnn.linalg.Backend;
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

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run every method on MNIST with a short budget, print the table and write the report.",
                "Fetches MNIST if missing and runs 'compare' with its 'quick' budget. Minutes on 2 cores with native BLAS;",
                "a rerun reuses finished runs."},
        footerHeading = "%nExamples:%n",
        footer = {"  convexcnn demo", "  convexcnn demo --dataset fashion-mnist --out runs/demo-fashion",
                "  convexcnn demo --methods sgd,gated-relu --limit 2000"})
final class DemoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--dataset", defaultValue = "mnist", description = "Dataset (default: ${DEFAULT-VALUE}).")
    String dataset;
    @Option(names = "--methods", split = ",", description = "Comma-separated methods (default: all of them).")
    List<String> methods;
    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--limit", description = "Cap every method's training set at N samples (quicker still).")
    Integer limit;
    @Option(names = "--out", defaultValue = "runs/demo", paramLabel = "DIR", description = "Run directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter o = spec.commandLine().getOut();
        CommonOptions.announceBackend(err);
        Budget b = Budget.quick();
        if (limit != null) b = b.limitedTo(limit);
        List<String> ms = Methods.parse(methods);
        long t0 = System.nanoTime();
        List<RunRecord> runs = Compare.run(new Compare.Settings(dataset, ms, List.of(seed), b), out, common.cache(), true, line -> {
            err.println(line);
            err.flush();
        }, id -> new Progress(err, false, id + ": "));
        Report.Written w = Report.write(out);
        o.println();
        o.printf("ConvexCNN demo: %s, budget %s, seed %d, backend %s, %.0f s%n", dataset, b.label(), seed, Backend.get().kind(),
                (System.nanoTime() - t0) * 1e-9);
        o.print(Summary.text(Summary.of(runs)));
        o.println("report: " + w.html().toAbsolutePath());
        o.println("        " + w.markdown().toAbsolutePath());
        o.println("models: " + out.resolve("models").toAbsolutePath());
        o.flush();
        return 0;
    }
}
