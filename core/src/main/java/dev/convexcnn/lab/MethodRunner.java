package dev.convexcnn.lab;

import dev.convexcnn.data.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** One training method as the lab runs it: train within the budget, evaluate on the test set, say what it did. */
public interface MethodRunner {
    /** The name used on the command line, e.g. "gated-relu". */
    String name();

    /** One line for help texts. */
    String summary();

    /**
     * Trains on (the budget's share of) train with the seed and evaluates on test. The returned record's peak heap
     * is left at -1: the caller measures it. modelFile, when not null, is where the method saves its model if it
     * has a file format.
     */
    dev.convexcnn.report.RunRecord run(Dataset train, Dataset test, long seed, Budget budget, Path modelFile,
                                      Consumer<String> log) throws IOException;
}
