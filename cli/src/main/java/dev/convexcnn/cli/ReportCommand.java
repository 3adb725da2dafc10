package dev.convexcnn.cli;

import dev.convexcnn.method.Budget;
import dev.convexcnn.method.DataInfo;
import dev.convexcnn.method.Methods;
import dev.convexcnn.report.Report;
import dev.convexcnn.report.Tables;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write the HTML and Markdown report of a comparison's stored runs.",
                "RUN_DIR/report.html (self-contained) and RUN_DIR/report.md, from the runs a 'compare' stored: the table, "
                        + "training curves, accuracy against time, first-layer filters, confusion matrices, provenance.",
                "With --trace PNG: plot the certificate against time of summary files written by 'train --summary-json'.",
                "With --tables: regenerate the tables marked '<!-- table: SOURCE -->' in Markdown files from the results "
                        + "files the experiments wrote; --check only says which differ."},
        footerHeading = "%nExamples:%n",
        footer = {"  convexcnn report runs/fm-compare",
                "  convexcnn report --tables README.md docs/*.md",
                "  convexcnn report --trace docs/ccnn/gap.png --tolerance 1e-3 mnist.json fashion.json   # certificate against time",
                "  convexcnn report --tables --check README.md docs/*.md   # exit 1 when a table is out of date"})
final class ReportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "RUN_DIR|FILE.md", arity = "1..*",
            description = "A directory written by 'convexcnn compare'; with --tables, Markdown files.")
    List<Path> paths;

    @Option(names = "--tables", description = "Regenerate the marked tables of the given Markdown files.")
    boolean tables;

    @Option(names = "--check", description = "With --tables: write nothing, list the tables that differ, exit 1 if any.")
    boolean check;

    @Option(names = "--trace", paramLabel = "PNG", description = "Plot the certificate against seconds of the given summary files "
            + "('train --summary-json'), one curve each, into PNG.")
    Path trace;

    @Option(names = "--tolerance", description = "With --trace: draw this tolerance as a dashed line.")
    Double tolerance;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        if (tables) return tables(o);
        if (trace != null) {
            for (Path p : paths) if (!java.nio.file.Files.isRegularFile(p)) throw new IllegalArgumentException(p + ": no such summary file (--trace)");
            dev.convexcnn.report.TracePlot.write(paths, trace, tolerance);
            o.println("plot: " + trace.toAbsolutePath());
            o.flush();
            return 0;
        }
        if (tolerance != null) throw new IllegalArgumentException("--tolerance goes with --trace");
        if (check) throw new IllegalArgumentException("--check goes with --tables");
        if (paths.size() != 1) throw new IllegalArgumentException("report takes one RUN_DIR (or --tables FILE.md ...)");
        Path runDir = paths.get(0);
        Report.Written w = Report.write(runDir);
        o.println("report: " + w.html().toAbsolutePath());
        o.println("        " + w.markdown().toAbsolutePath());
        o.printf("%d images in %s%n", w.images().size(), runDir.resolve("report").toAbsolutePath());
        o.flush();
        return 0;
    }

    private int tables(PrintWriter o) throws java.io.IOException {
        Tables.BudgetLookup budgets = name -> Methods.plans(Budget.named(name), DataInfo.MNIST);
        int stale = 0;
        for (Path md : paths) {
            if (!md.getFileName().toString().endsWith(".md")) throw new IllegalArgumentException(md + ": --tables takes Markdown files");
            if (check) {
                for (Tables.Stale s : Tables.check(md, budgets)) {
                    o.println(s.file() + ":" + s.line() + ": out of date: " + s.spec());
                    stale++;
                }
            } else if (Tables.rewrite(md, budgets)) {
                o.println("rewritten: " + md);
            }
        }
        if (check) o.println(stale == 0 ? "every generated table matches its results file" : stale + " table(s) out of date");
        o.flush();
        return stale == 0 ? 0 : 1;
    }
}
