package dev.convexcnn.method;

import java.util.List;

/**
 * How much a comparison lets each method train: a named preset that each method maps onto its own settings
 * ({@link Method#plan}), and caps that apply to all. Iteration budgets, not time budgets: trainers finish what they
 * start, so a run's time is measured, not capped.
 *
 * @param name      the preset: "quick" (minutes for every method on 2 cores), "standard" (tens of minutes), or
 *                  "smoke" (seconds per method on a few samples: checks that every method runs on the data, no results)
 * @param limit     the most training samples any method uses (0 = no cap beyond the preset's)
 * @param epochs    epochs for the epoch-based methods (sgd, adam) instead of the preset's, or null
 * @param testLimit test samples evaluated (0 = the whole test set)
 */
public record Budget(String name, int limit, Integer epochs, int testLimit) {
    public static final List<String> PRESETS = List.of("quick", "standard", "smoke");

    public Budget {
        if (!PRESETS.contains(name)) throw new IllegalArgumentException("--budget must be quick, standard or smoke, got '" + name + "'");
        if (limit < 0) throw new IllegalArgumentException("--limit must be > 0, got " + limit);
        if (epochs != null && epochs <= 0) throw new IllegalArgumentException("--epochs must be > 0, got " + epochs);
        if (testLimit < 0) throw new IllegalArgumentException("--test-limit must be > 0, got " + testLimit);
    }

    public static Budget quick() { return new Budget("quick", 0, null, 0); }
    public static Budget standard() { return new Budget("standard", 0, null, 0); }
    public static Budget smoke() { return new Budget("smoke", 0, null, 0); }

    /** A preset by name. */
    public static Budget named(String name) { return new Budget(name, 0, null, 0); }

    public boolean quickPreset() { return name.equals("quick"); }
    public boolean smokePreset() { return name.equals("smoke"); }

    /** The value for this preset: quick, standard or smoke. */
    public <T> T pick(T quick, T standard, T smoke) {
        return switch (name) {
            case "quick" -> quick;
            case "standard" -> standard;
            default -> smoke;
        };
    }

    /** Every method's training set capped at n samples (for quick looks and tests). */
    public Budget limitedTo(int n) {
        if (n <= 0) throw new IllegalArgumentException("--limit must be > 0, got " + n);
        return new Budget(name, n, epochs, testLimit);
    }

    public Budget withEpochs(int e) { return new Budget(name, limit, e, testLimit); }

    public Budget withTestLimit(int n) {
        if (n <= 0) throw new IllegalArgumentException("--test-limit must be > 0, got " + n);
        return new Budget(name, limit, epochs, n);
    }

    /** A plan's sample limit under this budget's cap (0 = all). */
    public int cap(int planLimit) {
        if (limit == 0) return planLimit;
        return planLimit == 0 ? limit : Math.min(planLimit, limit);
    }

    /** The label a run directory is tied to: the preset and the caps. */
    public String label() {
        return name + (limit > 0 ? "-limit" + limit : "") + (epochs != null ? "-epochs" + epochs : "")
                + (testLimit > 0 ? "-test" + testLimit : "");
    }
}
