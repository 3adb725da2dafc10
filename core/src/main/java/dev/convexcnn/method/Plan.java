package dev.convexcnn.method;

/**
 * What one method trains in a comparison.
 *
 * @param trainLimit the first samples of the training set it uses (0 = all)
 * @param settings   its settings (the seed is set by the comparison)
 */
public record Plan<S>(int trainLimit, S settings) {
    public Plan {
        if (trainLimit < 0) throw new IllegalArgumentException("a plan's sample limit must be >= 0, got " + trainLimit);
    }
}
