package dev.convexcnn.data;

import java.nio.file.Path;

/**
 * Shared rules of the flat-row readers (CSV, npy): which image shape a row of pixel values has, and how raw
 * values become floats in [0, 1].
 */
final class PixelRows {
    private PixelRows() {}

    /**
     * The image shape {height, width, channels} of a row of {@code values} pixel values, channels last: a
     * square grey image when {@code values} is a square number, a square RGB image when it is three times one.
     */
    static int[] squareShape(long values, Path file, String where) throws DataFormatException {
        int side = exactRoot(values);
        if (side > 0) return new int[] {side, side, 1};
        if (values % 3 == 0) {
            side = exactRoot(values / 3);
            if (side > 0) return new int[] {side, side, 3};
        }
        throw new DataFormatException(file, where + values + " pixel values per image make no square image (a square"
                + " number for grey images, three times one for RGB in height × width × channel order)");
    }

    private static int exactRoot(long v) {
        if (v <= 0) return -1;
        long r = Math.round(Math.sqrt((double) v));
        return r * r == v && r <= Integer.MAX_VALUE ? (int) r : -1;
    }

    /**
     * Scales raw pixel values in place: values in [0, 1] stay, values up to 255 are divided by 255 (with the
     * float division the byte readers use, so 0..255 integers give the same floats as an IDX file).
     *
     * @param max the largest value in {@code px}
     */
    static void toUnit(float[] px, int length, float max, Path file) throws DataFormatException {
        if (max <= 1f) return;
        if (max > 255f) {
            throw new DataFormatException(file, "pixel value " + max + " is above 255; pixels must be 0..255 or"
                    + " 0..1");
        }
        for (int i = 0; i < length; i++) px[i] = px[i] / 255f;
    }

    /** The number of classes for labels 0..max, with the reader's check that there is at least one. */
    static int classesFor(int maxLabel, Path file) throws DataFormatException {
        if (maxLabel < 0) throw new DataFormatException(file, "contains no samples");
        return maxLabel + 1;
    }
}
