package dev.convexcnn.data;

import java.util.SplittableRandom;

/** Seeded, stratified train/validation splits. */
public final class Splits {
    private Splits() {}

    /** The two parts of a split; together they hold every sample of the source exactly once. */
    public record Split(Dataset train, Dataset validation) {}

    /**
     * Splits each class separately: that class's indices are shuffled with a {@link SplittableRandom} seeded
     * by {@code seed} (classes are visited in order 0, 1, …, so the stream of random numbers is fixed) and the
     * first {@code round(validationFraction × count)} go to validation. Both parts keep the original sample
     * order, so the result depends only on the dataset, the fraction and the seed. A fraction of 0 gives an
     * empty validation set. A class with very few samples may end up entirely in one part.
     *
     * @param validationFraction in [0, 1)
     */
    public static Split stratified(Dataset d, double validationFraction, long seed) {
        int[][] parts = stratifiedIndices(d.labels(), d.classes(), validationFraction, seed);
        return new Split(d.subset(parts[0], d.name() + "/train"), d.subset(parts[1], d.name() + "/validation"));
    }

    /** The sample indices of the two parts, {train, validation}, each ascending. */
    static int[][] stratifiedIndices(int[] labels, int classes, double validationFraction, long seed) {
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
        }
        int n = labels.length;
        int[] counts = new int[classes];
        for (int y : labels) counts[y]++;
        int[][] byClass = new int[classes][];
        for (int c = 0; c < classes; c++) byClass[c] = new int[counts[c]];
        int[] fill = new int[classes];
        for (int i = 0; i < n; i++) byClass[labels[i]][fill[labels[i]]++] = i;

        SplittableRandom rng = new SplittableRandom(seed);
        boolean[] validation = new boolean[n];
        int nv = 0;
        for (int c = 0; c < classes; c++) {
            int[] idx = byClass[c];
            // Fisher–Yates.
            for (int i = idx.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
            int k = (int) Math.round(validationFraction * idx.length);
            for (int i = 0; i < k; i++) validation[idx[i]] = true;
            nv += k;
        }
        int[] train = new int[n - nv];
        int[] val = new int[nv];
        int a = 0;
        int b = 0;
        for (int i = 0; i < n; i++) {
            if (validation[i]) val[b++] = i; else train[a++] = i;
        }
        return new int[][] {train, val};
    }
}
