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
}
