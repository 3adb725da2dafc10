package dev.convexcnn.data;

/**
 * Which samples of a file to load, decided once its sample count is known: strictly increasing indices in
 * {@code 0..total-1}. Readers that can skip (IDX) then hold only those samples; the others read the file and
 * keep the selection.
 */
@FunctionalInterface
public interface RowSelection {
    /** The indices to keep of a file of {@code total} samples. */
    int[] rows(int total);

    /** The first {@code n} samples, or all when the file holds fewer. */
    static RowSelection head(int n) {
        if (n < 0) throw new IllegalArgumentException("a head of " + n + " samples");
        return total -> range(0, Math.min(n, total));
    }

    /** Indices from..to-1. */
    static int[] range(int from, int to) {
        int[] r = new int[Math.max(0, to - from)];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    /** The selection's indices for {@code total}, checked (a bad selection is a programming error). */
    static int[] checked(RowSelection s, int total) {
        int[] r = s.rows(total);
        for (int i = 0; i < r.length; i++) {
            if (r[i] < 0 || r[i] >= total || (i > 0 && r[i] <= r[i - 1])) {
                throw new IllegalArgumentException("row selection must be strictly increasing in 0.." + (total - 1)
                        + ", got " + r[i] + " at position " + i);
            }
        }
        return r;
    }
}
