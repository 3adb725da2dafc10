package dev.convexcnn.spark;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedMap;

/**
 * One cell of an experiment grid: a run that writes one result file. This is all {@link SparkSweep} needs, so any
 * method (SGD, the convex programs, a distillation study) plugs in by implementing it. A cell travels to an
 * executor by Java serialization, so it holds plain values (strings, numbers), not open files or models.
 *
 * <p>Contract: {@link #run} writes {@link #resultPath} last and atomically (dev.convexcnn.io.AtomicFiles), so a
 * cell is done exactly when its result file exists; a cell killed half-way leaves no result and runs again next
 * time. The result path must be on a file system both the driver and every executor see.
 */
public interface SweepCell extends Serializable {
    /** Unique within a sweep, usable in a file name. */
    String id();

    /** The cell's settings: what the grid varies and what it holds fixed. */
    SortedMap<String, String> settings();

    /** The file the finished run leaves. */
    Path resultPath();

    /** Whether the cell needs no run: its result is there. */
    default boolean isDone() {
        return Files.isRegularFile(resultPath());
    }

    /** Runs the cell; throws with a message that says why when the run fails. */
    void run() throws Exception;

    /** Settings as command-line flags: NAME=VALUE becomes --NAME VALUE, "true" a bare switch, "false" nothing. */
    static java.util.List<String> flags(java.util.Map<String, String> settings) {
        java.util.List<String> a = new java.util.ArrayList<>();
        for (java.util.Map.Entry<String, String> e : settings.entrySet()) {
            if (e.getValue().equals("true")) a.add("--" + e.getKey());
            else if (!e.getValue().equals("false")) {
                a.add("--" + e.getKey());
                a.add(e.getValue());
            }
        }
        return a;
    }

    /**
     * Runs a convexcnn command line in this JVM, writes its console output (with the command and the exit code)
     * to log, and throws with the last error line when it fails.
     */
    static void runCli(String id, java.util.List<String> args, Path log) throws java.io.IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        java.io.StringWriter out = new java.io.StringWriter(), err = new java.io.StringWriter();
        int code;
        try (java.io.PrintWriter o = new java.io.PrintWriter(out); java.io.PrintWriter e = new java.io.PrintWriter(err)) {
            code = dev.convexcnn.cli.Main.execute(args.toArray(new String[0]), o, e);
        }
        dev.convexcnn.io.AtomicFiles.writeString(log, "$ convexcnn " + String.join(" ", args) + "\n" + err + out + "exit " + code + "\n");
        if (code != 0) {
            String[] lines = err.toString().strip().split("\n");
            throw new IllegalStateException("cell " + id + " failed (exit " + code + "): " + lines[lines.length - 1] + " (see " + log + ")");
        }
    }
}
