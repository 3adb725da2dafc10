package dev.convexcnn.cli;

import dev.convexcnn.method.Trace;
import java.io.PrintWriter;

/**
 * A method's progress on the terminal or in a log: every step of a slow method (epochs, sweeps, AL steps), at most
 * one line every two seconds for fast iterations, each with the elapsed time and, when the method gives its step
 * budget, an ETA to that budget (an upper bound for solvers that stop on a certificate). Within an epoch, a
 * one-line bar on a terminal, or a line per tenth of the epoch in a log.
 */
final class Progress implements dev.convexcnn.method.Progress {
    private static final long THROTTLE_NANOS = 2_000_000_000L;
    private final PrintWriter err;
    private final boolean terminal;
    private final String prefix;
    private String stepName = "step";
    private long total = -1, lastPrint, start = System.nanoTime(), withinStart, lastDraw;
    private int lastDecile = -1;
    private long lastWithinStep = -1;
    private boolean barShown;

    Progress(PrintWriter err, boolean terminal, String prefix) {
        this.err = err;
        this.terminal = terminal;
        this.prefix = prefix == null ? "" : prefix;
    }

    static boolean onTerminal() {
        return System.console() != null && System.getenv("CI") == null;
    }

    @Override
    public void begin(String phase, String stepName, long totalSteps) {
        this.stepName = stepName;
        this.total = totalSteps;
        this.start = System.nanoTime();
        this.lastPrint = 0;
    }

    @Override
    public void within(long step, double fraction, double running) {
        long now = System.nanoTime();
        if (step != lastWithinStep) {
            lastWithinStep = step;
            withinStart = now;
            lastDecile = -1;
        }
        double elapsed = (now - withinStart) / 1e9, eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
        String of = total > 0 ? "/" + total : "";
        if (terminal) {
            if (now - lastDraw < 100_000_000L && fraction < 1) return;
            lastDraw = now;
            int width = 30, filled = (int) Math.round(fraction * width);
            err.printf("\r%s%s %d%s [%s%s] %3.0f%%  loss %.4f  eta %s ", prefix, stepName, step, of, "=".repeat(filled),
                    " ".repeat(width - filled), 100 * fraction, running, seconds(eta));
            barShown = true;
        } else {
            int decile = (int) (fraction * 10);
            if (decile <= lastDecile || decile >= 10 || decile == 0) return;
            lastDecile = decile;
            err.printf("%s%s %d%s: %d %% done, running loss %.4f, eta %s%n", prefix, stepName, step, of, decile * 10, running, seconds(eta));
        }
        err.flush();
    }

    @Override
    public void step(Trace.Point p) {
        long now = System.nanoTime();
        boolean last = total > 0 && p.step() >= total;
        if (!last && now - lastPrint < THROTTLE_NANOS && lastPrint != 0) return;
        lastPrint = now;
        clearBar();
        StringBuilder b = new StringBuilder(prefix).append(stepName).append(' ').append(p.step());
        if (total > 0) b.append('/').append(total);
        b.append(": objective ").append(String.format("%.6g", p.objective()));
        if (!Double.isNaN(p.accuracy())) b.append(String.format(", train accuracy %.2f %%", 100 * p.accuracy()));
        if (!Double.isNaN(p.certificate())) b.append(String.format(", certificate %.3g", p.certificate()));
        double elapsed = (now - start) / 1e9;
        b.append(", ").append(seconds(elapsed));
        if (total > 0 && p.step() > 0 && p.step() < total) {
            b.append(", at most ").append(seconds(elapsed * (total - p.step()) / p.step())).append(" to the ").append(stepName).append(" budget");
        }
        err.println(b);
        err.flush();
    }

    @Override
    public void message(String line) {
        clearBar();
        err.println(prefix + line);
        err.flush();
    }

    private void clearBar() {
        if (barShown) {
            err.print("\r" + " ".repeat(100) + "\r");
            barShown = false;
        }
    }

    static String seconds(double s) {
        return s < 90 ? String.format("%.1f s", s) : s < 5400 ? String.format("%dm%02ds", (int) s / 60, (int) s % 60)
                : String.format("%dh%02dm", (int) s / 3600, ((int) s % 3600) / 60);
    }
}
