package dev.convexcnn.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a solver proves about the point it returns: a number that bounds its distance from optimality, the
 * tolerance it was asked to reach, and whether it did. One type for every solver, so that the CLI prints and the
 * report shows every certificate the same way.
 */
public sealed interface Certificate {

    /** What the number measures, in words (e.g. "squared min-norm subgradient"). */
    String name();

    /** The number itself; smaller is closer to optimal. */
    double value();

    /** The tolerance the solver stopped on, or NaN when it had none (the certificate is only reported). */
    double tolerance();

    /** Whether the value reached the tolerance (false when there is none). */
    default boolean reached() {
        return !Double.isNaN(tolerance()) && value() <= tolerance();
    }

    /** The figures behind the value, by name, for run records and JSON summaries (value and tolerance included). */
    Map<String, Double> figures();

    /** One line: "squared min-norm subgradient 9.8e-07 (tolerance 1e-06, reached)". */
    default String summary() {
        String tol = Double.isNaN(tolerance()) ? "no tolerance set"
                : String.format("tolerance %.1g, %s", tolerance(), reached() ? "reached" : "NOT reached");
        return String.format("%s %.3g (%s)", name(), value(), tol);
    }

    /**
     * ‖min-norm element of ∂F(x)‖₂² of a composite objective F = f + r: zero exactly at a minimiser (R-FISTA's
     * stopping rule, as scnn's).
     */
    record MinNormSubgradient(double value, double tolerance) implements Certificate {
        @Override public String name() { return "squared min-norm subgradient"; }

        @Override public Map<String, Double> figures() {
            return ordered("certificate", value, "tolerance", tolerance);
        }
    }

    /**
     * The augmented Lagrangian's KKT residual: the squared min-norm subgradient of the inner objective
     * (stationarity) and the squared constraint violation (feasibility); reached when both are within tolerance.
     */
    record AugmentedLagrangian(double stationarity, double violation, double tolerance) implements Certificate {
        @Override public String name() { return "augmented-Lagrangian stationarity"; }
        @Override public double value() { return stationarity; }

        @Override public boolean reached() {
            return !Double.isNaN(tolerance) && stationarity <= tolerance && violation <= tolerance;
        }

        @Override public Map<String, Double> figures() {
            return ordered("certificate", stationarity, "violation", violation, "tolerance", tolerance);
        }

        @Override public String summary() {
            return String.format("%s %.3g, squared violation %.3g (tolerance %.1g, %s)", name(), stationarity, violation,
                    tolerance, reached() ? "reached" : "NOT reached");
        }
    }

    /**
     * The Frank–Wolfe gap max over the feasible set of ⟨∇L(x), x − s⟩ ≥ L(x) − L*, relative to the objective: a
     * bound on the suboptimality of a constrained program's point.
     */
    record FrankWolfeGap(double gap, double objective, double tolerance) implements Certificate {
        @Override public String name() { return "relative Frank-Wolfe gap"; }
        @Override public double value() { return gap / Math.max(Math.abs(objective), 1e-300); }

        @Override public Map<String, Double> figures() {
            return ordered("certificate", value(), "gap", gap, "objective", objective, "tolerance", tolerance);
        }
    }

    /**
     * The duality gap P(x) − D(y) ≥ P(x) − P* of a primal point and a feasible dual point, relative to |P|.
     */
    record DualityGap(double primal, double dual, double tolerance) implements Certificate {
        @Override public String name() { return "relative duality gap"; }
        public double gap() { return primal - dual; }
        @Override public double value() { return gap() / Math.max(Math.abs(primal), 1e-300); }

        @Override public Map<String, Double> figures() {
            return ordered("certificate", value(), "gap", gap(), "primal", primal, "dual", dual, "tolerance", tolerance);
        }
    }

    /** One certificate per layer of a layer-wise method: the largest value, reached when every layer's is. */
    record Layered(List<Certificate> layers) implements Certificate {
        public Layered {
            if (layers.isEmpty()) throw new IllegalArgumentException("a layered certificate needs a layer");
            layers = List.copyOf(layers);
        }

        @Override public String name() { return layers.get(layers.size() - 1).name() + ", worst layer"; }

        @Override public double value() {
            double v = Double.NEGATIVE_INFINITY;
            for (Certificate c : layers) v = Math.max(v, c.value());
            return v;
        }

        @Override public double tolerance() { return layers.get(layers.size() - 1).tolerance(); }

        @Override public boolean reached() {
            for (Certificate c : layers) if (!c.reached()) return false;
            return true;
        }

        @Override public Map<String, Double> figures() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("certificate", value());
            m.put("tolerance", tolerance());
            for (int i = 0; i < layers.size(); i++) {
                for (Map.Entry<String, Double> e : layers.get(i).figures().entrySet()) m.put("layer" + (i + 1) + "." + e.getKey(), e.getValue());
            }
            return m;
        }

        @Override public String summary() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < layers.size(); i++) b.append(i == 0 ? "" : "; ").append("layer ").append(i + 1).append(": ").append(layers.get(i).summary());
            return b.toString();
        }
    }

    private static Map<String, Double> ordered(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Double) kv[i + 1]);
        return m;
    }
}
