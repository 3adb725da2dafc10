package dev.convexcnn.data;

import java.util.SplittableRandom;

/**
 * Data augmentation by whole-pixel translations: each image moves by its own seeded random (dy, dx) in
 * [−maxShift, maxShift]², and the pixels that come in from outside are 0 (the background of MNIST-style data).
 */
public final class Shifts {
    private Shifts() {}

    /**
     * Writes image {@code src[srcOff ..]} (height × width × channels, channels-last) moved down by dy rows and
     * right by dx columns into {@code dst[dstOff ..]}; dst must not overlap src.
     */
    public static void shift(float[] src, int srcOff, int height, int width, int channels, int dy, int dx,
                             float[] dst, int dstOff) {
        final int row = width * channels;
        java.util.Arrays.fill(dst, dstOff, dstOff + height * row, 0f);
        for (int r = 0; r < height; r++) {
            int sr = r - dy;
            if (sr < 0 || sr >= height) continue;
            int c0 = Math.max(0, dx), c1 = Math.min(width, width + dx);
            if (c1 <= c0) continue;
            System.arraycopy(src, srcOff + sr * row + (c0 - dx) * channels, dst, dstOff + r * row + c0 * channels,
                    (c1 - c0) * channels);
        }
    }

    /**
     * A copy of d with every image shifted by its own offset; the offsets come from one stream seeded by seed,
     * drawn in sample order, so the result depends only on (d, maxShift, seed).
     */
    public static Dataset random(Dataset d, int maxShift, long seed, String newName) {
        if (maxShift < 0) throw new IllegalArgumentException("the largest shift must be >= 0, got " + maxShift);
        if (maxShift >= Math.min(d.height(), d.width())) {
            throw new IllegalArgumentException("a shift of " + maxShift + " pixels would empty " + d.height() + "x"
                    + d.width() + " images");
        }
        final int f = d.features();
        float[] out = new float[d.pixels().length];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < d.size(); i++) {
            int dy = r.nextInt(2 * maxShift + 1) - maxShift, dx = r.nextInt(2 * maxShift + 1) - maxShift;
            shift(d.pixels(), i * f, d.height(), d.width(), d.channels(), dy, dx, out, i * f);
        }
        return new Dataset(newName, d.height(), d.width(), d.channels(), d.classes(), out, d.labels().clone());
    }

    /** The samples of the given datasets one after another (same image shape and classes). */
    public static Dataset concat(String name, Dataset... parts) {
        Dataset first = parts[0];
        int n = 0;
        for (Dataset p : parts) {
            if (p.height() != first.height() || p.width() != first.width() || p.channels() != first.channels()
                    || p.classes() != first.classes()) {
                throw new IllegalArgumentException("cannot join " + p + " to " + first + ": shapes differ");
            }
            n += p.size();
        }
        float[] px = new float[n * first.features()];
        int[] y = new int[n];
        int at = 0;
        for (Dataset p : parts) {
            System.arraycopy(p.pixels(), 0, px, at * first.features(), p.pixels().length);
            System.arraycopy(p.labels(), 0, y, at, p.size());
            at += p.size();
        }
        return new Dataset(name, first.height(), first.width(), first.channels(), first.classes(), px, y);
    }
}
