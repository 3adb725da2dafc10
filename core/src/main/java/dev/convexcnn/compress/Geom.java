package dev.convexcnn.compress;

import java.util.Arrays;

/**
 * The shape arithmetic of a 2-D convolution with separate strides and paddings for rows and columns, on a
 * batch in the layout (channels, height, width, batch). Row and column strides may differ, which a factorised
 * kernel needs: its kH×1 stage strides the rows only and its 1×kW stage the columns only.
 */
record Geom(int height, int width, int channels, int kh, int kw, int sh, int sw, int ph, int pw) {
    Geom {
        if (height <= 0 || width <= 0 || channels <= 0 || kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || ph < 0 || pw < 0) {
            throw new IllegalArgumentException("bad convolution geometry " + height + "x" + width + "x" + channels
                    + " kernel " + kh + "x" + kw);
        }
        if (height + 2 * ph < kh || width + 2 * pw < kw) {
            throw new IllegalArgumentException("kernel " + kh + "x" + kw + " is larger than the padded input "
                    + (height + 2 * ph) + "x" + (width + 2 * pw));
        }
    }

    int outHeight() { return (height + 2 * ph - kh) / sh + 1; }
    int outWidth() { return (width + 2 * pw - kw) / sw + 1; }
    int outPositions() { return outHeight() * outWidth(); }

    /**
     * Patch matrix: row (c, ky, kx) holds, for each output position (oy, ox) and sample n (fastest), the input
     * x[c][oy·sh − ph + ky][ox·sw − pw + kx][n], or 0 in the padding. Rows are outPositions·batch long.
     */
    void patchColumns(float[] x, int batch, float[] cols) {
        final int oh = outHeight(), ow = outWidth(), n = batch, len = oh * ow * n;
        final int rows = channels * kh * kw;
        for (int r = 0; r < rows; r++) {
            final int c = r / (kh * kw), ky = (r / kw) % kh, kx = r % kw;
            for (int oy = 0; oy < oh; oy++) {
                final int iy = oy * sh - ph + ky;
                final int dst = r * len + oy * ow * n;
                if (iy < 0 || iy >= height) {
                    Arrays.fill(cols, dst, dst + ow * n, 0f);
                    continue;
                }
                final int rowBase = (c * height + iy) * width;
                for (int ox = 0; ox < ow; ox++) {
                    final int ix = ox * sw - pw + kx;
                    if (ix < 0 || ix >= width) Arrays.fill(cols, dst + ox * n, dst + (ox + 1) * n, 0f);
                    else System.arraycopy(x, (rowBase + ix) * n, cols, dst + ox * n, n);
                }
            }
        }
    }

    /** The adjoint of {@link #patchColumns}: dx (zeroed here) receives the sum of the patches' entries. */
    void addPatchColumns(float[] cols, int batch, float[] dx) {
        final int oh = outHeight(), ow = outWidth(), n = batch, len = oh * ow * n;
        Arrays.fill(dx, 0, channels * height * width * n, 0f);
        final int rows = channels * kh * kw;
        for (int r = 0; r < rows; r++) {
            final int c = r / (kh * kw), ky = (r / kw) % kh, kx = r % kw;
            for (int oy = 0; oy < oh; oy++) {
                final int iy = oy * sh - ph + ky;
                if (iy < 0 || iy >= height) continue;
                final int src = r * len + oy * ow * n;
                final int rowBase = (c * height + iy) * width;
                for (int ox = 0; ox < ow; ox++) {
                    final int ix = ox * sw - pw + kx;
                    if (ix < 0 || ix >= width) continue;
                    final int d = (rowBase + ix) * n, s = src + ox * n;
                    for (int t = 0; t < n; t++) dx[d + t] += cols[s + t];
                }
            }
        }
    }
}
