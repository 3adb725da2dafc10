package dev.convexcnn.cli;

import dev.convexcnn.report.Report;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write the HTML and Markdown report of a comparison's stored runs.",
                "RUN_DIR/report.html (self-contained) and RUN_DIR/report.md, from the runs a 'compare' stored: the table,",
                "training curves, accuracy against time, first-layer filters, confusion matrices, provenance."},
        footerHeading = "%nExamples:%n",
        footer = {"  convexcnn report runs/fm-compare"})
final class ReportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "RUN_DIR", description = "A directory written by 'convexcnn compare'.")
    Path runDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        Report.Written w = Report.write(runDir);
        o.println("report: " + w.html().toAbsolutePath());
        o.println("        " + w.markdown().toAbsolutePath());
        o.printf("%d images in %s%n", w.images().size(), runDir.resolve("report").toAbsolutePath());
        o.flush();
        return 0;
    }
}
