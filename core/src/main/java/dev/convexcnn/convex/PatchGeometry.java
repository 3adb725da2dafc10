package dev.convexcnn.convex;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.linalg.ConvGeometry;
import dev.convexcnn.linalg.Im2Col;

/**
 * How an image becomes patches z_p(x): square kernels with a stride, no padding, each patch in (ky, kx, c)
 * order, with a constant 1 appended when the network has a bias. A kernel as large as the image gives one patch
 * per image: the fully-connected two-layer network of Pilanci and Ergen (2020).
 */
public record PatchGeometry(int height, int width, int channels, int kernel, int stride, boolean bias) {
    public PatchGeometry {
        if (kernel <= 0 || kernel > Math.min(height, width)) {
            throw new IllegalArgumentException("kernel " + kernel + " must be in 1.." + Math.min(height, width));
        }
        if (stride <= 0) throw new IllegalArgumentException("stride must be > 0, got " + stride);
    }

    public static PatchGeometry of(Dataset d, int kernel, int stride, boolean bias) {
        return new PatchGeometry(d.height(), d.width(), d.channels(), kernel, stride, bias);
    }

    public ConvGeometry conv() {
        return new ConvGeometry(height, width, channels, kernel, kernel, stride, 0);
    }

    /** Patches per image, P. */
    public int patches() { return conv().patches(); }

    /** Values per patch, h: kernel²·channels, plus one for the bias. */
    public int patchSize() { return kernel * kernel * channels + (bias ? 1 : 0); }

    /**
     * The patches of sample i, normalised, as P rows of h doubles at out[off ..]. scratch must hold
     * P·(kernel²·channels) + features floats.
     */
    public void patchesOf(Dataset d, Normalization norm, int i, float[] scratch, double[] out, int off) {
        ConvGeometry g = conv();
        int f = d.features(), k = g.patchSize(), p = g.patches(), h = patchSize();
        norm.apply(d.pixels(), i * f, scratch, 0, f, d.channels());
        Im2Col.im2col(scratch, 0, g, scratch, f);
        for (int r = 0; r < p; r++) {
            for (int t = 0; t < k; t++) out[off + r * h + t] = scratch[f + r * k + t];
            if (bias) out[off + r * h + k] = 1.0;
        }
    }

    /**
     * The same patches as float rows (exactly the values {@link #patchesOf} gives: they are floats widened), for
     * the single-precision products of {@link PatchProducts}.
     */
    public void patchesOf(Dataset d, Normalization norm, int i, float[] scratch, float[] out, int off) {
        ConvGeometry g = conv();
        int f = d.features(), k = g.patchSize(), p = g.patches(), h = patchSize();
        norm.apply(d.pixels(), i * f, scratch, 0, f, d.channels());
        Im2Col.im2col(scratch, 0, g, scratch, f);
        for (int r = 0; r < p; r++) {
            System.arraycopy(scratch, f + r * k, out, off + r * h, k);
            if (bias) out[off + r * h + k] = 1f;
        }
    }

    /** Floats of scratch space {@link #patchesOf} needs. */
    public int scratchSize() {
        return height * width * channels + patches() * kernel * kernel * channels;
    }
}
