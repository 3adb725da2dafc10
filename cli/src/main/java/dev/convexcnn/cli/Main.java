package dev.convexcnn.cli;

import dev.convexcnn.io.FileLocks;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.io.Warnings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

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
    /** Exit code for a bug: an error the program did not expect. */
    public static final int INTERNAL_ERROR = 1;
    /** Exit code when the Java heap ran out. */
    public static final int OUT_OF_MEMORY = 3;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    // Every command accepts it (inherited), so the hint to rerun with it always works.
    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces with errors.")
    boolean verbose;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: try 'convexcnn demo' or 'convexcnn --help'");
    }

    // Held strongly: java.util.logging keeps loggers weakly, and a collected logger forgets its level.
    private static final java.util.logging.Logger NETLIB_LOG = java.util.logging.Logger.getLogger("dev.ludovic.netlib");

    public static void main(String[] args) {
        NETLIB_LOG.setLevel(java.util.logging.Level.WARNING);
        PrintWriter err = new PrintWriter(System.err, true);
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        // An error in a thread of its own (a progress printer, a pool worker) ends the run the same way.
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            int code = report(e, verbose, err);
            Runtime.getRuntime().halt(code);
        });
        System.exit(execute(args, new PrintWriter(System.out, true), err));
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
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        try {
            CommonOptions.resetAnnouncement();
            Warnings.setSink(line -> {
                err.println(line);
                err.flush();
            });
            FileLocks.setCommand("convexcnn " + String.join(" ", args));
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
            cl.setExecutionExceptionHandler((ex, c, parseResult) -> report(ex, verbose, err));
            return cl.execute(args);
        } catch (Throwable t) {
            return report(t, verbose, err);
        } finally {
            Warnings.setSink(null);
        }
    }

    /** One line for any error (and the stack trace with --verbose); returns the exit code. */
    static int report(Throwable ex, boolean verbose, PrintWriter err) {
        Throwable t = unwrap(ex);
        OutOfMemoryError oom = outOfMemory(ex);
        try {
            if (verbose) ex.printStackTrace(err);
            if (oom != null) {
                err.println("convexcnn: out of memory: " + (oom.getMessage() != null ? oom.getMessage() : "the Java heap is full")
                        + " (maximum heap " + gib(Runtime.getRuntime().maxMemory()) + "). Raise it, e.g. CONVEXCNN_JAVA_OPTS=-Xmx"
                        + suggestedHeap() + " ./convexcnn ..., or ask for less (--limit, --batch-size, --patterns, --features)");
                return OUT_OF_MEMORY;
            }
            if (t instanceof NegativeArraySizeException || t instanceof ArrayIndexOutOfBoundsException && t.getMessage() != null
                    && t.getMessage().contains("-")) {
                err.println("convexcnn: error: a size asked for is too large for one Java array (" + t + "): lower the sizes "
                        + "given (batch size, patterns, features, samples)");
                return USER_ERROR;
            }
            if (t instanceof IllegalArgumentException || t instanceof IOException || t instanceof ArithmeticException) {
                err.println("convexcnn: error: " + message(t));
                return USER_ERROR;
            }
            err.println("convexcnn: internal error: " + oneLine(String.valueOf(t)) + (verbose ? "" : " (rerun with --verbose for the stack trace)"));
            return INTERNAL_ERROR;
        } finally {
            err.flush();
        }
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

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof UncheckedIOException || t instanceof ExecutionException || t instanceof CompletionException
                || t instanceof CommandLine.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static OutOfMemoryError outOfMemory(Throwable t) {
        for (int i = 0; t != null && i < 20; t = t.getCause(), i++) if (t instanceof OutOfMemoryError o) return o;
        return null;
    }

    private static String gib(long bytes) {
        if (bytes < (1L << 30)) return String.format(Locale.ROOT, "%d MiB", bytes >> 20);
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    /** Twice the current heap, in whole GiB, at least 2. */
    private static String suggestedHeap() {
        long g = Math.max(2, (long) Math.ceil(2.0 * Runtime.getRuntime().maxMemory() / (1L << 30)));
        return g + "g";
    }

    private static String message(Throwable t) {
        if (t instanceof NoSuchFileException e) return "no such file: " + e.getFile()
                + (e.getReason() != null ? " (" + e.getReason() + ")" : "");
        if (t instanceof AccessDeniedException e) return "permission denied: " + e.getFile()
                + (e.getReason() != null ? " (" + e.getReason() + ")" : "");
        // The JDK's messages for these are the bare path, or "Not a directory" for the wrong part of it.
        if (t instanceof FileSystemException e && e.getFile() != null) {
            java.nio.file.Path inTheWay = fileInTheWay(java.nio.file.Path.of(e.getFile()));
            if (inTheWay != null) return inTheWay + " is a file where a folder is needed (for " + e.getFile() + ")";
        }
        if (t instanceof FileAlreadyExistsException e) return e.getFile() + " is a file where a folder is needed"
                + (e.getReason() != null ? " (" + e.getReason() + ")" : "");
        if (t instanceof NotDirectoryException e) return e.getFile() + " is not a folder";
        if (t instanceof DirectoryNotEmptyException e) return e.getFile() + " is a folder that is not empty";
        if (t instanceof FileSystemException e && e.getReason() == null) return e.getFile() + ": " + e.getClass().getSimpleName();
        return oneLine(t.getMessage() == null ? t.toString() : t.getMessage());
    }

    /** The part of a path that is a regular file although more path follows it, or null. */
    private static java.nio.file.Path fileInTheWay(java.nio.file.Path p) {
        for (java.nio.file.Path d = p.toAbsolutePath().getParent(); d != null; d = d.getParent()) {
            if (java.nio.file.Files.isRegularFile(d)) return d;
        }
        return null;
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"convexcnn " + Provenance.version(), "Java " + System.getProperty("java.version")};
        }
    }
}
