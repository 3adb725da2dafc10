package dev.convexcnn.cli;

import dev.convexcnn.method.Method;
import dev.convexcnn.method.Methods;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "methods", mixinStandardHelpOptions = true, sortOptions = false,
        description = "List every training method: its id, what it does, its paper and how closely it follows it.",
        footerHeading = "%nExamples:%n",
        footer = {"  convexcnn methods", "  convexcnn methods --long", "  convexcnn train --method gated-relu --help"})
final class MethodsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--long", description = "Also print each method's description and paper.")
    boolean full;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        for (Method<?> m : Methods.all()) {
            o.printf("%-17s %s%n", m.id(), m.info().summary());
            o.printf("%-17s fidelity: %s%n", "", m.info().fidelity().label());
            if (full) {
                if (m.info().paper() != null) o.printf("%-17s paper: %s%n", "", m.info().paper());
                o.printf("%-17s %s%n", "", m.info().description());
            }
        }
        o.flush();
        return 0;
    }
}
