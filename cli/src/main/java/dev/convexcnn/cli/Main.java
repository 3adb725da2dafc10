package dev.convexcnn.cli;

import dev.convexcnn.io.Provenance;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code convexcnn} command: a thin layer over the library. */
@Command(name = "convexcnn", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Train and compare CNNs by SGD and by convex methods with certificates.",
        subcommands = {TrainCommand.class, MethodsCommand.class, EvalCommand.class, DataCommand.class, DemoCommand.class, ExperimentCommand.class,
                RedundancyCommand.class, CompressCommand.class, CompareCommand.class, ReportCommand.class, ExportCommand.class,
                DistillCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for bad input: a flag value, a dataset name, a file. */
    public static final int USER_ERROR = 2;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: try 'convexcnn demo' or 'convexcnn --help'");
    }

    // Held strongly: java.util.logging keeps loggers weakly, and a collected logger forgets its level.
    private static final java.util.logging.Logger NETLIB_LOG = java.util.logging.Logger.getLogger("dev.ludovic.netlib");

    public static void main(String[] args) {
        NETLIB_LOG.setLevel(java.util.logging.Level.WARNING);
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * The command line for these arguments, with the options of the method they name added to train: for parsing
     * a train command line elsewhere (e.g. to check a sweep's cells before they run).
     */
    public static CommandLine commandLine(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        String method = TrainCommand.methodOf(args);
        if (!TrainCommand.withMethodOptions(cl.getSubcommands().get("train"), method == null ? "sgd" : method)) {
            throw new IllegalArgumentException("unknown method '" + method + "': use one of " + String.join(", ", dev.convexcnn.method.Methods.ids()));
        }
        return cl;
    }

    /** Runs the command line with the given streams and returns the exit code (for tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommonOptions.resetAnnouncement();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        String method = TrainCommand.methodOf(args);
        if (method != null && !TrainCommand.withMethodOptions(cl.getSubcommands().get("train"), method)) {
            err.println("convexcnn: --method: unknown method '" + method + "': use one of "
                    + String.join(", ", dev.convexcnn.method.Methods.ids()));
            return USER_ERROR;
        }
        if (method == null) TrainCommand.withMethodOptions(cl.getSubcommands().get("train"), "sgd");
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("convexcnn: " + ex.getMessage() + otherMethodHint(ex, method));
            CommandLine c = ex.getCommandLine();
            err.println("see '" + c.getCommandSpec().qualifiedName() + (method != null ? " --method " + method : "") + " --help'");
            return USER_ERROR;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            boolean verbose = java.util.Arrays.asList(a(parseResult)).contains("--verbose");
            Throwable t = ex instanceof UncheckedIOException u ? u.getCause() : ex;
            if (verbose) t.printStackTrace(err);
            if (t instanceof IllegalArgumentException || t instanceof IOException || t instanceof ArithmeticException) {
                err.println("convexcnn: error: " + message(t));
                return USER_ERROR;
            }
            err.println("convexcnn: internal error: " + t + (verbose ? "" : " (rerun with --verbose for the stack trace)"));
            return 1;
        });
        return cl.execute(args);
    }

    /** For a flag of another method given to train: which methods take it. */
    private static String otherMethodHint(CommandLine.ParameterException ex, String method) {
        if (method == null || !(ex instanceof CommandLine.UnmatchedArgumentException u)) return "";
        StringBuilder b = new StringBuilder();
        for (String arg : u.getUnmatched()) {
            if (!arg.startsWith("--")) continue;
            String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            java.util.List<String> owners = TrainCommand.methodsWithOption(flag);
            if (!owners.isEmpty()) {
                b.append("\n").append(flag).append(" is an option of ").append(String.join(", ", owners))
                        .append(", not of --method ").append(method);
            }
        }
        return b.toString();
    }

    private static String[] a(CommandLine.ParseResult r) {
        return r.originalArgs().toArray(new String[0]);
    }

    private static String message(Throwable t) {
        if (t instanceof NoSuchFileException e) return "no such file: " + e.getFile()
                + (e.getReason() != null ? " (" + e.getReason() + ")" : "");
        if (t instanceof AccessDeniedException e) return "cannot read " + e.getFile() + ": permission denied";
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"convexcnn " + Provenance.version(), "Java " + System.getProperty("java.version")};
        }
    }
}
