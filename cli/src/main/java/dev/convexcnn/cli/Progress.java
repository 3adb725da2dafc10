package dev.convexcnn.cli;

import dev.convexcnn.sgd.EpochRecord;
import dev.convexcnn.sgd.TrainingListener;
import java.io.PrintWriter;

/**
 * Training progress: on a terminal, a one-line bar with the running loss and the ETA of the epoch, redrawn at
 * most ten times a second; otherwise plain log lines, one per tenth of an epoch and one per epoch.
 */
final class Progress implements TrainingListener {
    private final PrintWriter err;
    private final boolean terminal;
    private final int epochs;
    /** What one step is called: "epoch", or "sweep" for alternation. */
    private final String unit;
    private long epochStart, lastDraw;
    private int lastDecile = -1;

    Progress(PrintWriter err, int epochs, boolean terminal) {
        this(err, epochs, terminal, "epoch");
    }

    Progress(PrintWriter err, int epochs, boolean terminal, String unit) {
        this.err = err;
        this.epochs = epochs;
        this.terminal = terminal;
        this.unit = unit;
    }

    static boolean onTerminal() {
        return System.console() != null && System.getenv("CI") == null;
    }

    @Override
    public void onBatch(int epoch, int batch, int batches, double runningLoss) {
        long now = System.nanoTime();
        if (batch == 1) {
            epochStart = now;
            lastDecile = -1;
        }
        double done = (double) batch / batches;
        double elapsed = (now - epochStart) / 1e9;
        double eta = done > 0 ? elapsed * (1 - done) / done : 0;
        if (terminal) {
            if (now - lastDraw < 100_000_000L && batch != batches) return;
            lastDraw = now;
            int width = 30, filled = (int) Math.round(done * width);
            err.printf("\r%s %d/%d [%s%s] %3.0f%%  loss %.4f  eta %s ", unit, epoch, epochs, "=".repeat(filled),
                    " ".repeat(width - filled), 100 * done, runningLoss, seconds(eta));
            err.flush();
        } else {
            int decile = (int) (done * 10);
            if (decile > lastDecile && decile < 10 && decile > 0) {
                lastDecile = decile;
                err.printf("%s %d/%d: %d%% of batches, running loss %.4f, eta %s%n", unit, epoch, epochs, decile * 10,
                        runningLoss, seconds(eta));
                err.flush();
            }
        }
    }

    @Override
    public void onEpoch(EpochRecord r) {
        if (terminal) err.print("\r" + " ".repeat(78) + "\r");
        err.printf("%s %d/%d: train loss %.4f, train accuracy %.2f%%%s, %.1f s%n", unit, r.epoch(), epochs, r.trainLoss(),
                100 * r.trainAccuracy(),
                Double.isNaN(r.validationAccuracy()) ? "" : String.format(", validation accuracy %.2f%%", 100 * r.validationAccuracy()),
                r.trainSeconds());
        err.flush();
    }

    @Override
    public void onMessage(String message) {
        err.println(message);
        err.flush();
    }

    private static String seconds(double s) {
        return s < 90 ? String.format("%.0fs", s) : String.format("%dm%02ds", (int) s / 60, (int) s % 60);
    }
}
