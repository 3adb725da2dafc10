package dev.convexcnn.linalg;

import java.util.Arrays;

/**
 * Patch extraction. Two layouts: a single channels-last image (one patch per row, {@link #im2col}), and a batch
 * stored (channels, height, width, batch) with one patch per column ({@link #patchColumns}), which is what the
 * conv layers use.
 * <p>
 * Single image, channels-last. {@link #im2col} writes one row per output position
 * (row-major over (oy, ox)), each row the patch in (ky, kx, c) order with zeros where it overlaps the padding.
 * {@link #col2im} is its adjoint: it adds each row back onto the pixels it came from. Rows are {@code ld}
 * floats apart (ld ≥ patchSize), so a caller can keep extra columns, such as a column of ones for the bias.
 */
public final class Im2Col {
    /** Below this many floats a plain loop beats System.arraycopy's call overhead. */
    private static final int SHORT_COPY = 24;

    private Im2Col() {}

    /** Patches of the image at x[xOff ..] into cols[colsOff ..], packed (ld = patchSize). */
    public static void im2col(float[] x, int xOff, ConvGeometry g, float[] cols, int colsOff) {
        im2col(x, xOff, g, cols, colsOff, g.patchSize());
    }

    /** Patches of the image at x[xOff ..] into rows of cols that start ld floats apart. */
    public static void im2col(float[] x, int xOff, ConvGeometry g, float[] cols, int colsOff, int ld) {
        final int h = g.height(), w = g.width(), c = g.channels();
        final int kh = g.kernelH(), kw = g.kernelW(), s = g.stride(), p = g.padding();
        final int oh = g.outHeight(), ow = g.outWidth();
        final int rowLen = kw * c;
        int row = colsOff;
        for (int oy = 0; oy < oh; oy++) {
            final int iy0 = oy * s - p;
            for (int ox = 0; ox < ow; ox++, row += ld) {
                final int ix0 = ox * s - p;
                final boolean fullRow = ix0 >= 0 && ix0 + kw <= w;
                int dst = row;
                for (int ky = 0; ky < kh; ky++, dst += rowLen) {
                    final int iy = iy0 + ky;
                    if (iy < 0 || iy >= h) {
                        Arrays.fill(cols, dst, dst + rowLen, 0f);
                    } else if (fullRow) {
                        // The kw pixels of this kernel row are adjacent in channels-last layout: one copy.
                        copy(x, xOff + (iy * w + ix0) * c, cols, dst, rowLen);
                    } else {
                        for (int kx = 0; kx < kw; kx++) {
                            final int ix = ix0 + kx;
                            final int d = dst + kx * c;
                            if (ix < 0 || ix >= w) Arrays.fill(cols, d, d + c, 0f);
                            else copy(x, xOff + (iy * w + ix) * c, cols, d, c);
                        }
                    }
                }
            }
        }
    }

    /** Adds every patch row of cols (packed) back into dx, which the caller zeroes first. */
    public static void col2im(float[] cols, int colsOff, ConvGeometry g, float[] dx, int dxOff) {
        col2im(cols, colsOff, g, dx, dxOff, g.patchSize());
    }

    /** Adds every patch row of cols (rows ld floats apart) back into dx, which the caller zeroes first. */
    public static void col2im(float[] cols, int colsOff, ConvGeometry g, float[] dx, int dxOff, int ld) {
        final int h = g.height(), w = g.width(), c = g.channels();
        final int kh = g.kernelH(), kw = g.kernelW(), s = g.stride(), p = g.padding();
        final int oh = g.outHeight(), ow = g.outWidth();
        final int rowLen = kw * c;
        int row = colsOff;
        for (int oy = 0; oy < oh; oy++) {
            final int iy0 = oy * s - p;
            for (int ox = 0; ox < ow; ox++, row += ld) {
                final int ix0 = ox * s - p;
                final boolean fullRow = ix0 >= 0 && ix0 + kw <= w;
                int src = row;
                for (int ky = 0; ky < kh; ky++, src += rowLen) {
                    final int iy = iy0 + ky;
                    if (iy < 0 || iy >= h) continue;
                    if (fullRow) {
                        add(cols, src, dx, dxOff + (iy * w + ix0) * c, rowLen);
                    } else {
                        for (int kx = 0; kx < kw; kx++) {
                            final int ix = ix0 + kx;
                            if (ix >= 0 && ix < w) add(cols, src + kx * c, dx, dxOff + (iy * w + ix) * c, c);
                        }
                    }
                }
            }
        }
    }

    private static void copy(float[] src, int from, float[] dst, int to, int n) {
        if (n >= SHORT_COPY) {
            System.arraycopy(src, from, dst, to, n);
        } else {
            for (int i = 0; i < n; i++) dst[to + i] = src[from + i];
        }
    }

    private static void add(float[] src, int from, float[] dst, int to, int n) {
        ArrayKernels.add(src, from, dst, to, n);
    }

    /**
     * The transposed patch matrix of a batch in the layout (channels, height, width, batch), the sample index
     * fastest. Row (c, ky, kx) of the result (rows ld floats apart) holds, for every output position (oy, ox) and
     * sample n in that order, x[c][oy·s − p + ky][ox·s − p + kx][n], or 0 in the padding. With the samples
     * innermost, a row is made of long contiguous runs (a whole output row of positions times the batch). Rows
     * [rowFrom, rowTo) are written, so threads can split the rows.
     */
    public static void patchColumns(float[] x, ConvGeometry g, int batch, float[] cols, int ld, int rowFrom, int rowTo) {
        patchColumns(x, g, batch, cols, ld, rowFrom, rowTo, 0, g.outHeight());
    }

    /**
     * The columns of output rows [oyFrom, oyTo) only, written from column 0 of cols: a block of the patch matrix
     * small enough to stay in cache between this copy and the product that reads it.
     */
    public static void patchColumns(float[] x, ConvGeometry g, int batch, float[] cols, int ld, int rowFrom, int rowTo,
                                    int oyFrom, int oyTo) {
        final int h = g.height(), w = g.width(), kh = g.kernelH(), kw = g.kernelW(), s = g.stride(), p = g.padding();
        final int ow = g.outWidth(), n = batch;
        for (int r = rowFrom; r < rowTo; r++) {
            final int c = r / (kh * kw), ky = (r / kw) % kh, kx = r % kw;
            // The output columns ox whose input column ix = ox·s − p + kx lies inside the image.
            final int oxLo = Math.max(0, ceilDiv(p - kx, s)), oxHi = Math.max(oxLo, Math.min(ow, ceilDiv(w + p - kx, s)));
            for (int oy = oyFrom; oy < oyTo; oy++) {
                final int dst = r * ld + (oy - oyFrom) * ow * n;
                final int iy = oy * s - p + ky;
                if (iy < 0 || iy >= h || oxLo == oxHi) {
                    Arrays.fill(cols, dst, dst + ow * n, 0f);
                    continue;
                }
                if (oxLo > 0) Arrays.fill(cols, dst, dst + oxLo * n, 0f);
                if (oxHi < ow) Arrays.fill(cols, dst + oxHi * n, dst + ow * n, 0f);
                final int rowStart = ((c * h + iy) * w - p + kx) * n;
                if (s == 1) {
                    System.arraycopy(x, rowStart + oxLo * n, cols, dst + oxLo * n, (oxHi - oxLo) * n);
                } else {
                    for (int ox = oxLo; ox < oxHi; ox++) System.arraycopy(x, rowStart + ox * s * n, cols, dst + ox * n, n);
                }
            }
        }
    }

    /**
     * The adjoint of {@link #patchColumns}: adds each patch column back onto the pixels it came from, for input
     * channels [cFrom, cTo), so threads can split the channels. dx is (channels, height, width, batch) and is
     * zeroed by the caller.
     */
    public static void addPatchColumns(float[] cols, int ld, ConvGeometry g, int batch, float[] dx, int cFrom, int cTo) {
        addPatchColumns(cols, ld, g, batch, dx, cFrom, cTo, 0, g.outHeight());
    }

    /** The adjoint of the block form of {@link #patchColumns}: cols holds output rows [oyFrom, oyTo) from column 0. */
    public static void addPatchColumns(float[] cols, int ld, ConvGeometry g, int batch, float[] dx, int cFrom, int cTo,
                                       int oyFrom, int oyTo) {
        final int h = g.height(), w = g.width(), kh = g.kernelH(), kw = g.kernelW(), s = g.stride(), p = g.padding();
        final int ow = g.outWidth(), n = batch;
        for (int c = cFrom; c < cTo; c++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    final int r = (c * kh + ky) * kw + kx;
                    final int oxLo = Math.max(0, ceilDiv(p - kx, s)), oxHi = Math.min(ow, ceilDiv(w + p - kx, s));
                    if (oxLo >= oxHi) continue;
                    for (int oy = oyFrom; oy < oyTo; oy++) {
                        final int iy = oy * s - p + ky;
                        if (iy < 0 || iy >= h) continue;
                        final int src = r * ld + (oy - oyFrom) * ow * n;
                        final int rowStart = ((c * h + iy) * w - p + kx) * n;
                        if (s == 1) {
                            add(cols, src + oxLo * n, dx, rowStart + oxLo * n, (oxHi - oxLo) * n);
                        } else {
                            for (int ox = oxLo; ox < oxHi; ox++) add(cols, src + ox * n, dx, rowStart + ox * s * n, n);
                        }
                    }
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
