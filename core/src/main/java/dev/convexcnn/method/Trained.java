package dev.convexcnn.method;

import com.google.gson.JsonObject;
import dev.convexcnn.model.Model;
import dev.convexcnn.optim.Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * What training returns.
 *
 * @param model       the trained model
 * @param certificate its optimality certificate, or null for methods without one
 * @param trace       the run over time
 * @param lines       what the command line prints after the common lines (label, text), in order
 * @param figures     the method's own figures for the summary JSON and the run record (objective, λ, ...)
 */
public record Trained(Model model, Certificate certificate, Trace trace, List<Line> lines, JsonObject figures) {
    /** One printed line. */
    public record Line(String label, String text) {}

    public Trained {
        if (model == null) throw new IllegalArgumentException("training returned no model");
        lines = List.copyOf(lines);
        figures = figures == null ? new JsonObject() : figures;
    }

    /** Starts a result for a model. */
    public static Builder of(Model model, Trace trace) {
        return new Builder(model, trace);
    }

    /** Collects a result's lines and figures in order. */
    public static final class Builder {
        private final Model model;
        private final Trace trace;
        private Certificate certificate;
        private final List<Line> lines = new ArrayList<>();
        private final JsonObject figures = new JsonObject();

        private Builder(Model model, Trace trace) {
            this.model = model;
            this.trace = trace;
        }

        public Builder certificate(Certificate c) {
            this.certificate = c;
            return this;
        }

        public Builder line(String label, String text) {
            lines.add(new Line(label, text));
            return this;
        }

        public Builder line(String label, String format, Object... args) {
            return line(label, String.format(format, args));
        }

        public Builder figure(String name, Number value) {
            if (value instanceof Double d && !Double.isFinite(d)) figures.addProperty(name, String.valueOf(d));
            else figures.addProperty(name, value);
            return this;
        }

        public Builder figure(String name, String value) {
            figures.addProperty(name, value);
            return this;
        }

        public Builder figure(String name, boolean value) {
            figures.addProperty(name, value);
            return this;
        }

        public Builder figure(String name, com.google.gson.JsonElement value) {
            figures.add(name, value);
            return this;
        }

        /**
         * The "iterations" line; a solver whose clock goes on across a resume (solveSeconds above this run's own)
         * also gets the whole solve's seconds, as the figure secondsAcrossResumes.
         */
        public Builder iterations(long iterations, double seconds, double solveSeconds) {
            if (solveSeconds > seconds + 1) {
                line("iterations", "%d in %.1f s of this run; the solve's clock, across the runs it resumed: %.1f s", iterations,
                        seconds, solveSeconds);
                return figure("secondsAcrossResumes", solveSeconds);
            }
            return line("iterations", "%d in %.1f s", iterations, seconds);
        }

        public Trained build() {
            return new Trained(model, certificate, trace, lines, figures);
        }
    }
}
