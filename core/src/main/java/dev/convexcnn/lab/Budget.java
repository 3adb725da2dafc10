package dev.convexcnn.lab;

import com.google.gson.JsonObject;

/**
 * How much each method may train in a comparison: training-set sizes (0 = the whole training set) and iteration
 * counts. Iteration budgets, not time budgets: our trainers finish what they start, so a run's time is measured,
 * not capped. The convex exact program and CCNN are heavier per sample, hence their own sizes.
 *
 * @param sgdEpochs         epochs of SGD (momentum 0.9) and Adam on the reference CNN
 * @param sgdLimit          training samples for sgd and adam
 * @param gatedLimit        training samples for the gated-ReLU convex program
 * @param gatedPatterns     activation patterns sampled for the gated-ReLU program
 * @param exactLimit        training samples for the exact convex ReLU program (augmented Lagrangian)
 * @param exactPatterns     activation patterns of the exact program
 * @param exactStride       patch stride of the exact program (a larger stride means fewer patches and less memory)
 * @param convexIterations  iteration cap of the gated solver (R-FISTA)
 * @param exactIterations   R-FISTA iterations per augmented-Lagrangian step of the exact program (at most 50 steps)
 * @param alternationLimit  training samples for alternation
 * @param alternationSweeps sweeps of alternation
 * @param ccnnLimit         training samples for CCNN and DCCNN
 * @param ccnnIterations    projected-SGD iterations per CCNN layer
 * @param dccnnLimit        training samples for DCCNN
 * @param dccnnIterations   iterations of DCCNN's dual solver (it stops earlier at a duality gap of 1e-6·max(1, |P|))
 * @param testLimit         test samples evaluated (0 = the whole test set)
 */
public record Budget(String name, int sgdEpochs, int sgdLimit, int gatedLimit, int gatedPatterns, int exactLimit,
                     int exactPatterns, int exactStride, int convexIterations, int exactIterations, int alternationLimit,
                     int alternationSweeps, int ccnnLimit, int ccnnIterations, int dccnnLimit, int dccnnIterations,
                     int testLimit) {

    public Budget {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a budget needs a name");
        positive("sgd epochs", sgdEpochs);
        positive("gated patterns", gatedPatterns);
        positive("exact patterns", exactPatterns);
        positive("exact stride", exactStride);
        positive("convex iterations", convexIterations);
        positive("exact iterations", exactIterations);
        positive("alternation sweeps", alternationSweeps);
        positive("ccnn iterations", ccnnIterations);
        positive("dccnn iterations", dccnnIterations);
        for (int v : new int[] {sgdLimit, gatedLimit, exactLimit, alternationLimit, ccnnLimit, dccnnLimit, testLimit}) {
            if (v < 0) throw new IllegalArgumentException("a sample limit must be >= 0 (0 = all), got " + v);
        }
    }

    private static void positive(String what, int v) {
        if (v <= 0) throw new IllegalArgumentException(what + " must be > 0, got " + v);
    }

    /** Minutes on 2 cores for every method on MNIST: the demo's budget. */
    public static Budget quick() {
        return new Budget("quick", 1, 0, 10_000, 32, 100, 8, 3, 2_000, 1_000, 10_000, 5, 10_000, 300, 1_000, 300, 0);
    }

    /** Longer runs on more data: tens of minutes on 2 cores for every method. */
    public static Budget standard() {
        return new Budget("standard", 3, 0, 20_000, 64, 300, 8, 3, 10_000, 3_000, 60_000, 20, 20_000, 1_000, 5_000, 1_000, 0);
    }

    /** A named preset: quick or standard. */
    public static Budget named(String name) {
        return switch (name) {
            case "quick" -> quick();
            case "standard" -> standard();
            default -> throw new IllegalArgumentException("--budget must be quick or standard, got '" + name + "'");
        };
    }

    /** Caps every method's training set at n samples (for quick looks and tests). */
    public Budget limitedTo(int n) {
        if (n <= 0) throw new IllegalArgumentException("--limit must be > 0, got " + n);
        return new Budget(name + "-limit" + n, sgdEpochs, cap(sgdLimit, n), cap(gatedLimit, n), gatedPatterns,
                cap(exactLimit, n), exactPatterns, exactStride, convexIterations, exactIterations, cap(alternationLimit, n),
                alternationSweeps, cap(ccnnLimit, n), ccnnIterations, cap(dccnnLimit, n), dccnnIterations, testLimit);
    }

    public Budget withTestLimit(int n) {
        return new Budget(name, sgdEpochs, sgdLimit, gatedLimit, gatedPatterns, exactLimit, exactPatterns, exactStride,
                convexIterations, exactIterations, alternationLimit, alternationSweeps, ccnnLimit, ccnnIterations, dccnnLimit, dccnnIterations, n);
    }

    public Budget withSgdEpochs(int e) {
        return new Budget(name, e, sgdLimit, gatedLimit, gatedPatterns, exactLimit, exactPatterns, exactStride,
                convexIterations, exactIterations, alternationLimit, alternationSweeps, ccnnLimit, ccnnIterations, dccnnLimit, dccnnIterations, testLimit);
    }

    private static int cap(int limit, int n) {
        return limit == 0 ? n : Math.min(limit, n);
    }

    public JsonObject toJson() {
        return Records.toJson(this);
    }
}
