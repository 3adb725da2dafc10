package dev.convexcnn.method;

/**
 * Where a method reports while it trains: the steps of its trace (with a total when known, for an ETA) and lines of
 * text. The command line prints them; a comparison stores them.
 */
public interface Progress {
    /** A phase begins: what its steps are called (epoch, iteration, sweep, pass) and how many at most (-1: unknown). */
    default void begin(String phase, String stepName, long totalSteps) {}

    /** A step ended. */
    default void step(Trace.Point point) {}

    /** Part of a step is done (fraction in [0, 1]), with the running objective: for progress bars and ETAs. */
    default void within(long step, double fraction, double runningObjective) {}

    /** A line for the user. */
    default void message(String line) {}

    Progress NONE = new Progress() {};
}
