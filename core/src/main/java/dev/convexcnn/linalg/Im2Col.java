package dev.convexcnn.linalg;

/**
 * Patch extraction for channels-last images. {@link #im2col} writes one row per output position
 * (row-major over (oy, ox)), each row the patch in (ky, kx, c) order with zeros where it overlaps the padding.
 * {@link #col2im} is its adjoint: it adds each row back onto the pixels it came from.
 */
public final class Im2Col {
    private Im2Col() {}

    /** Patches of the image at x[xOff ..] into cols[colsOff ..] (patches() rows of patchSize() values). */
    public static void im2col(float[] x, int xOff, ConvGeometry g, float[] cols, int colsOff) {
        final int h = g.height(), w = g.width(), c = g.channels();
        final int kh = g.kernelH(), kw = g.kernelW(), s = g.stride(), p = g.padding();
        final int oh = g.outHeight(), ow = g.outWidth();
        final int rowLen = kw * c;
        int dst = colsOff;
        for (int oy = 0; oy < oh; oy++) {
            final int iy0 = oy * s - p;
            for (int ox = 0; ox < ow; ox++) {
                final int ix0 = ox * s - p;
                final boolean fullRow = ix0 >= 0 && ix0 + kw <= w;
                for (int ky = 0; ky < kh; ky++) {
                    final int iy = iy0 + ky;
                    if (iy < 0 || iy >= h) {
                        java.util.Arrays.fill(cols, dst, dst + rowLen, 0f);
                    } else if (fullRow) {
                        // The kw pixels of this kernel row are adjacent in channels-last layout: one copy.
                        System.arraycopy(x, xOff + (iy * w + ix0) * c, cols, dst, rowLen);
                    } else {
                        for (int kx = 0; kx < kw; kx++) {
                            final int ix = ix0 + kx;
                            final int d = dst + kx * c;
                            if (ix < 0 || ix >= w) java.util.Arrays.fill(cols, d, d + c, 0f);
                            else System.arraycopy(x, xOff + (iy * w + ix) * c, cols, d, c);
                        }
                    }
                    dst += rowLen;
                }
            }
        }
    }

    /** Adds every patch row of cols back into dx (which the caller zeroes first). */
    public static void col2im(float[] cols, int colsOff, ConvGeometry g, float[] dx, int dxOff) {
        final int h = g.height(), w = g.width(), c = g.channels();
        final int kh = g.kernelH(), kw = g.kernelW(), s = g.stride(), p = g.padding();
        final int oh = g.outHeight(), ow = g.outWidth();
        final int rowLen = kw * c;
        int src = colsOff;
        for (int oy = 0; oy < oh; oy++) {
            final int iy0 = oy * s - p;
            for (int ox = 0; ox < ow; ox++) {
                final int ix0 = ox * s - p;
                for (int ky = 0; ky < kh; ky++) {
                    final int iy = iy0 + ky;
                    if (iy >= 0 && iy < h) {
                        for (int kx = 0; kx < kw; kx++) {
                            final int ix = ix0 + kx;
                            if (ix < 0 || ix >= w) continue;
                            final int d = dxOff + (iy * w + ix) * c;
                            final int sOff = src + kx * c;
                            for (int ch = 0; ch < c; ch++) dx[d + ch] += cols[sOff + ch];
                        }
                    }
                    src += rowLen;
                }
            }
        }
    }
}
