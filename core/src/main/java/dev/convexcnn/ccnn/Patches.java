package dev.convexcnn.ccnn;

import dev.convexcnn.linalg.ConvGeometry;

/** Patch extraction, per-patch normalisation and average pooling on channels-last grids. */
public final class Patches {
    private Patches() {}

    /**
     * Writes the patches of one channels-last image (g.height × g.width × g.channels at img[off..]) as rows of
     * out (g.patches() × g.patchSize(), each row in (ky, kx, channel) order); zero padding.
     */
    public static void extract(float[] img, int off, ConvGeometry g, double[] out) {
        int h = g.height(), w = g.width(), c = g.channels(), kh = g.kernelH(), kw = g.kernelW();
        int oh = g.outHeight(), ow = g.outWidth(), s = g.stride(), pad = g.padding();
        int d = g.patchSize();
        int row = 0;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++, row++) {
                int o = row * d;
                for (int ky = 0; ky < kh; ky++) {
                    int y = oy * s + ky - pad;
                    for (int kx = 0; kx < kw; kx++) {
                        int x = ox * s + kx - pad;
                        if (y < 0 || y >= h || x < 0 || x >= w) {
                            for (int ch = 0; ch < c; ch++) out[o++] = 0;
                        } else {
                            int src = off + (y * w + x) * c;
                            for (int ch = 0; ch < c; ch++) out[o++] = img[src + ch];
                        }
                    }
                }
            }
        }
    }

    /** Writes patch number p (row-major over the output grid) of one image into out[outOff..outOff+patchSize). */
    public static void extractOne(float[] img, int off, ConvGeometry g, int p, double[] out, int outOff) {
        int c = g.channels(), ow = g.outWidth();
        int oy = p / ow, ox = p % ow;
        int o = outOff;
        if (g.padding() == 0) {
            // Every patch lies inside: each of its rows is kw·c consecutive values of the image.
            int len = g.kernelW() * c, w = g.width();
            for (int ky = 0; ky < g.kernelH(); ky++) {
                int src = off + ((oy * g.stride() + ky) * w + ox * g.stride()) * c;
                for (int j = 0; j < len; j++) out[o++] = img[src + j];
            }
            return;
        }
        for (int ky = 0; ky < g.kernelH(); ky++) {
            int y = oy * g.stride() + ky - g.padding();
            for (int kx = 0; kx < g.kernelW(); kx++) {
                int x = ox * g.stride() + kx - g.padding();
                boolean inside = y >= 0 && y < g.height() && x >= 0 && x < g.width();
                int src = off + (y * g.width() + x) * c;
                for (int ch = 0; ch < c; ch++) out[o++] = inside ? img[src + ch] : 0;
            }
        }
    }

    /**
     * The reference normalisation of each of {@code rows} patches of length d, in place: subtract the patch's
     * own mean, then divide by sqrt(‖z‖² + eps) (eps keeps blank patches from blowing up).
     */
    public static void normalize(double[] z, int rows, int d, double eps) {
        for (int r = 0; r < rows; r++) {
            int o = r * d;
            double mean = 0;
            for (int j = 0; j < d; j++) mean += z[o + j];
            mean /= d;
            double ss = 0;
            for (int j = 0; j < d; j++) {
                double v = z[o + j] - mean;
                z[o + j] = v;
                ss += v * v;
            }
            double inv = 1 / Math.sqrt(ss + eps);
            for (int j = 0; j < d; j++) z[o + j] *= inv;
        }
    }

    /**
     * Average pooling of a gh × gw grid of length-c vectors (row-major (y, x, c) at in[0..]), window k, stride
     * s, no padding, into out[outOff..] as a ((gh−k)/s+1) × ((gw−k)/s+1) × c grid.
     */
    public static void averagePool(double[] in, int gh, int gw, int c, int k, int s, double[] out, int outOff) {
        int qh = pooledSize(gh, k, s), qw = pooledSize(gw, k, s);
        double inv = 1.0 / (k * k);
        java.util.Arrays.fill(out, outOff, outOff + qh * qw * c, 0);
        for (int qy = 0; qy < qh; qy++) {
            for (int qx = 0; qx < qw; qx++) {
                int o = outOff + (qy * qw + qx) * c;
                for (int dy = 0; dy < k; dy++) {
                    for (int dx = 0; dx < k; dx++) {
                        int src = ((qy * s + dy) * gw + (qx * s + dx)) * c;
                        for (int j = 0; j < c; j++) out[o + j] += in[src + j];
                    }
                }
                for (int j = 0; j < c; j++) out[o + j] *= inv;
            }
        }
    }

    /** Output length of pooling n positions with window k and stride s. */
    public static int pooledSize(int n, int k, int s) {
        if (k > n) throw new IllegalArgumentException("pooling window " + k + " is larger than the grid " + n);
        return (n - k) / s + 1;
    }
}
