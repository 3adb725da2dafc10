package dev.convexcnn.cli;

import dev.convexcnn.data.DataCache;
import dev.convexcnn.linalg.Backend;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options most commands take (--verbose, which every command takes, is on Main). */
final class CommonOptions {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Dataset cache folder (default: $CONVEXCNN_DATA, else ~/.cache/convexcnn/data).")
    Path dataDir;

    DataCache cache() {
        return DataCache.resolve(dataDir);
    }

    private static final java.util.concurrent.atomic.AtomicBoolean ANNOUNCED = new java.util.concurrent.atomic.AtomicBoolean();

    /** Forgets that the backend was printed: each command invocation prints it once. */
    static void resetAnnouncement() {
        ANNOUNCED.set(false);
    }

    /** Prints the backend line, once per command invocation. */
    static void announceBackend(PrintWriter err) {
        if (ANNOUNCED.compareAndSet(false, true)) {
            err.println("backend: " + Backend.get().description());
            if (Backend.get().isNative() && !dev.convexcnn.linalg.BlasThreads.controllable()) {
                // Without it the Java threads and OpenBLAS's own threads share the cores, and the sums split
                // differently from a launcher run's (last bits).
                err.println("warning: OpenBLAS's threads per call cannot be set in this JVM (start it with --add-modules="
                        + "jdk.incubator.vector,jdk.incubator.foreign --enable-native-access=ALL-UNNAMED, as ./convexcnn does): "
                        + "BLAS calls run on OpenBLAS's own threads, so results may differ from a launcher run's in the last bits");
            }
            err.flush();
        }
    }
}
