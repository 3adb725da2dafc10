package dev.convexcnn.ccnn;

import dev.convexcnn.linalg.ArrayKernels;
import dev.convexcnn.linalg.BlasThreads;
import dev.convexcnn.linalg.ConvGeometry;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.linalg.Parallel;

/**
 * One trained CCNN layer, immutable: the patch geometry, the whitening, the kernel feature map, the average
 * pooling, and the r filters (the top-r left singular vectors U_r of the layer's A, m×r). A sample's pooled
 * features are Φ(x) = pool(φ(z_1(x)), …, φ(z_P(x))) (Q×m); its output for the next layer is Φ(x)·U_r (Q×r),
 * which equals pooling the filter responses (pooling is linear), a channels-last grid of r channels. With random
 * Fourier features the whitening is folded into the map and the patches times the folded Ω are one float product
 * ({@link RandomFourierFeatures#afterWhitening}); the cosine and everything after are in double.
 */
public final class CcnnLayer {
    private final ConvGeometry geometry;
    private final PatchWhitening whitening;
    private final FeatureMap features;
    private final int poolSize, poolStride, pooledH, pooledW;
    private final double[] filters; // m×r
    private final int filterCount;
    /** The whitening and random Fourier features as one float product (null for other maps). */
    private final RandomFourierFeatures.Whitened folded;

    public CcnnLayer(ConvGeometry geometry, PatchWhitening whitening, FeatureMap features, int poolSize, int poolStride,
                     double[] filters, int filterCount) {
        if (whitening.dim() != geometry.patchSize() || features.inputDim() != geometry.patchSize()) {
            throw new IllegalArgumentException("patch size " + geometry.patchSize() + " does not match whitening "
                    + whitening.dim() + " / features " + features.inputDim());
        }
        if (filters.length != features.dim() * filterCount) throw new IllegalArgumentException("filters must be m×r");
        this.geometry = geometry;
        this.whitening = whitening;
        this.features = features;
        this.poolSize = poolSize;
        this.poolStride = poolStride;
        this.pooledH = Patches.pooledSize(geometry.outHeight(), poolSize, poolStride);
        this.pooledW = Patches.pooledSize(geometry.outWidth(), poolSize, poolStride);
        this.filters = filters;
        this.filterCount = filterCount;
        this.folded = features instanceof RandomFourierFeatures rff ? rff.afterWhitening(whitening) : null;
    }

    /** The same layer with other filters (m×r). */
    public CcnnLayer withFilters(double[] u, int r) {
        return new CcnnLayer(geometry, whitening, features, poolSize, poolStride, u, r);
    }

    public ConvGeometry geometry() { return geometry; }
    public PatchWhitening whitening() { return whitening; }
    public FeatureMap featureMap() { return features; }
    /** m. */
    public int featureDim() { return features.dim(); }
    /** Q, the pooled positions. */
    public int positions() { return pooledH * pooledW; }
    public int pooledHeight() { return pooledH; }
    public int pooledWidth() { return pooledW; }
    public int poolSize() { return poolSize; }
    public int poolStride() { return poolStride; }
    /** r. */
    public int filterCount() { return filterCount; }
    /** U_r, m×r row-major (not a copy). */
    public double[] filters() { return filters; }

    /**
     * Pooled features of {@code count} samples of the input grid {@code data} (each geometry.inputSize()
     * floats): sample k is idx[from + k] (or from + k when idx is null); writes count × (Q·m) doubles into out
     * from outOff, sample-major, then position-major.
     */
    public void pooledFeatures(float[] data, int[] idx, int from, int count, double[] out, int outOff) {
        int P = geometry.patches(), d = geometry.patchSize(), m = features.dim(), qm = positions() * m;
        // Fixed sub-batches (their size depends only on the geometry), processed in parallel with buffers per
        // worker: a sub-batch's numbers do not depend on the thread count or on which thread ran it.
        int sub = Math.max(1, Math.min(count, SUB_ROWS / Math.max(1, P)));
        int blocks = (count + sub - 1) / sub;
        int in = geometry.inputSize();
        // Each worker's BLAS calls on one thread: a threaded OpenBLAS driven from two Java threads at once was 3x
        // slower on these small products (2 cores), and one BLAS thread per call makes the bits independent of the
        // number of workers.
        try (BlasThreads.Scope single = BlasThreads.singleThreaded()) {
            Parallel.forRange(blocks, 1, (lo, hi) -> {
                // Buffers kept per thread: fresh arrays of this size are humongous allocations, which serialise the workers.
                double[][] buf = BUFFERS.get();
                double[] raw = buf[0] = fit(buf[0], sub * P * d);
                double[] white = folded != null ? null : (buf[1] = fit(buf[1], sub * P * d));
                double[] feat = buf[2] = fit(buf[2], sub * P * m);
                double[] scratch = buf[3] = fit(buf[3], features.scratchSize(sub * P));
                float[][] fbuf = folded == null ? null : FLOAT_BUFFERS.get();
                float[] zf = folded == null ? null : (fbuf[0] = fit(fbuf[0], sub * P * d));
                float[] prod = folded == null ? null : (fbuf[1] = fit(fbuf[1], sub * P * m));
                for (int blk = lo; blk < hi; blk++) {
                    int s0 = blk * sub, nb = Math.min(sub, count - s0);
                    for (int k = 0; k < nb; k++) {
                        int sample = idx == null ? from + s0 + k : idx[from + s0 + k];
                        extractRows(data, (long) sample * in, k * P * d, raw);
                    }
                    if (folded != null) {
                        whitening.normalize(raw, nb * P);
                        folded.map(raw, nb * P, feat, zf, prod);
                    } else {
                        whitening.apply(raw, nb * P, white);
                        features.map(white, nb * P, feat, scratch);
                    }
                    for (int k = 0; k < nb; k++) poolInto(feat, k * P * m, m, out, outOff + (s0 + k) * qm);
                }
            });
        }
    }

    /**
     * Patch rows per sub-batch (whole images, at least one): a worker's float products and double features
     * (rows × m each) stay in its L2 for m = 1,000. A feature pass of 6,000 images of a 5×5×4 patch layer took
     * 0.70 s at 256 rows against 0.98 s at 1,152 (two 28×28 images; 2 threads).
     */
    private static final int SUB_ROWS = 256;
    private static final ThreadLocal<double[][]> BUFFERS = ThreadLocal.withInitial(() -> new double[4][]);
    private static final ThreadLocal<float[][]> FLOAT_BUFFERS = ThreadLocal.withInitial(() -> new float[2][]);

    private static double[] fit(double[] b, int size) {
        return b != null && b.length >= size ? b : new double[size];
    }

    private static float[] fit(float[] b, int size) {
        return b != null && b.length >= size ? b : new float[size];
    }

    private void extractRows(float[] data, long off, int rawOff, double[] raw) {
        // Patches.extract writes from index 0; use a view by extracting each patch row.
        int P = geometry.patches(), d = geometry.patchSize();
        for (int p = 0; p < P; p++) Patches.extractOne(data, (int) off, geometry, p, raw, rawOff + p * d);
    }

    private void poolInto(double[] feat, int featOff, int m, double[] out, int outOff) {
        int oh = geometry.outHeight(), ow = geometry.outWidth();
        if (poolSize == 1 && poolStride == 1) {
            System.arraycopy(feat, featOff, out, outOff, oh * ow * m);
            return;
        }
        double inv = 1.0 / (poolSize * poolSize);
        int[] rows = new int[poolSize * poolSize];
        for (int qy = 0; qy < pooledH; qy++) {
            for (int qx = 0; qx < pooledW; qx++) {
                int k = 0;
                for (int dy = 0; dy < poolSize; dy++) {
                    for (int dx = 0; dx < poolSize; dx++) {
                        rows[k++] = featOff + ((qy * poolStride + dy) * ow + (qx * poolStride + dx)) * m;
                    }
                }
                ArrayKernels.average(feat, rows, k, inv, out, outOff + (qy * pooledW + qx) * m, m);
            }
        }
    }

    /**
     * This layer's output for the next layer, for {@code count} samples: Φ(x)·U_r as float grids of
     * pooledHeight × pooledWidth × r, written sample after sample into out from outOff.
     */
    public void outputs(float[] data, int[] idx, int from, int count, float[] out, long outOff) {
        if (filterCount == 0) throw new IllegalStateException("this layer has no filters");
        int Q = positions(), m = features.dim(), r = filterCount;
        int chunk = Math.max(1, Math.min(count, 64));
        double[] f = new double[chunk * Q * m];
        double[] h = new double[chunk * Q * r];
        for (int c0 = 0; c0 < count; c0 += chunk) {
            int nb = Math.min(chunk, count - c0);
            pooledFeatures(data, idx, from + c0, nb, f, 0);
            Gemm.dgemm(false, false, nb * Q, r, m, 1, f, 0, m, filters, 0, r, 0, h, 0, r);
            long o = outOff + (long) c0 * Q * r;
            for (int i = 0; i < nb * Q * r; i++) out[(int) (o + i)] = (float) h[i];
        }
    }

    /** The geometry of this layer's output grid, as the next layer's input (before its own patches). */
    public int[] outputShape() { return new int[] {pooledH, pooledW, filterCount}; }
}
