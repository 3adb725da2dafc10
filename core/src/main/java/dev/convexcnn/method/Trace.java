package dev.convexcnn.method;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a run did over time: one point per step (epoch, iteration, sweep), with the objective it minimises, the
 * training accuracy where it measures one, and its certificate where it has one.
 *
 * @param stepName      what a step is ("epoch", "iteration", "sweep", "pass")
 * @param objectiveName what the objective is (e.g. "mean cross-entropy", "regularised convex objective")
 */
public record Trace(String stepName, String objectiveName, List<Point> points) {
    /** One step: NaN where a figure is not measured. */
    public record Point(long step, double seconds, double objective, double accuracy, double certificate) {}

    public Trace {
        points = List.copyOf(points);
    }

    public static Trace empty(String stepName, String objectiveName) {
        return new Trace(stepName, objectiveName, List.of());
    }

    /** The last point, or null for an empty trace. */
    public Point last() {
        return points.isEmpty() ? null : points.get(points.size() - 1);
    }

    /**
     * Collects the points of a run as it goes, timing them from its creation, and forwards each to the progress.
     * Thread-safe for one writer.
     */
    public static final class Recorder {
        private final String stepName, objectiveName;
        private final Progress progress;
        private final long start = System.nanoTime();
        private final List<Point> points = Collections.synchronizedList(new ArrayList<>());

        public Recorder(String stepName, String objectiveName, long totalSteps, Progress progress) {
            this.stepName = stepName;
            this.objectiveName = objectiveName;
            this.progress = progress == null ? Progress.NONE : progress;
            this.progress.begin(objectiveName, stepName, totalSteps);
        }

        /** Seconds since the recorder was made. */
        public double seconds() {
            return (System.nanoTime() - start) * 1e-9;
        }

        /** Records a step and passes it on. */
        public Point step(long step, double objective, double accuracy, double certificate) {
            return step(step, seconds(), objective, accuracy, certificate);
        }

        /** Records a step at a time of its own (a solver's clock, which a resumed run carries over) and passes it on. */
        public Point step(long step, double seconds, double objective, double accuracy, double certificate) {
            Point p = new Point(step, seconds, objective, accuracy, certificate);
            points.add(p);
            progress.step(p);
            return p;
        }

        /** Records a point with its own time (e.g. replayed from a solver's log). */
        public void add(Point p) {
            points.add(p);
        }

        public void message(String line) {
            progress.message(line);
        }

        public Progress progress() {
            return progress;
        }

        public Trace trace() {
            synchronized (points) {
                return new Trace(stepName, objectiveName, points);
            }
        }
    }
}
