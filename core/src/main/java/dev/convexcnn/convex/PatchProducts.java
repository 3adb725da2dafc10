package dev.convexcnn.convex;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.linalg.Parallel;
import java.util.Arrays;

/**
 * The two-layer programs' products shaped for the BLAS, with Φ never formed. For a block of samples, the patch
 * matrix Z_b (every patch of the block, n_b·P × h, rebuilt from the images by im2col each time) times the weights
 * of all patterns and outputs at once (h × width) is one GEMM; a pass then applies the 0/1 gate masks and sums over
 * positions:
 * <pre>  out(i, o) = Σ_positions Σ_{a : colOut[a] = o} D_{colPattern[a]}(i, position) · (Z_b W)(row, a)</pre>
 * {@link #adjoint} is its transpose: the residual spread over positions and masked, then one GEMM Z_bᵀ R_b per block.
 * <p>
 * The masks D_j(i, position) = 1[z·g_j > 0] are computed once, in double (the same product and the same signs as
 * {@link GatedFeatures.RowBuilder}), and kept as bits. The products run in float (sgemm, sums over positions in
 * double) or in double (dgemm on the same patches widened: the patches are floats, so the double products are
 * those of the other forms). An instance keeps its work buffers: one caller at a time.
 */
public final class PatchProducts {
    /** Values of one block's product (rows × width): about 8 MiB in float, long enough for sgemm's full rate. */
    static final int BLOCK_VALUES = 1 << 21;
    /**
     * The float patches of all samples are kept when they are at most this many values (512 MiB): rebuilding them
     * (normalisation, im2col) for every product cost about a sixth of the products' time on the fully-connected
     * shape, where Z is no larger than the images. Larger Z (e.g. 5×5 patches of 60,000 images, 0.9·10⁹ values)
     * is rebuilt per block as before.
     */
    static final long KEEP_PATCHES_VALUES = 1L << 27;
    /** Samples per parallel task of a mask pass. */
    private static final int MASK_CHUNK = 32;

    private final Dataset data;
    private final Normalization norm;
    private final PatchGeometry geom;
    private final Gates gates;
    private final int samples, positions, h, p, words;
    private final long[] masks;
    private int blockValues = BLOCK_VALUES;
    private long keepValues = KEEP_PATCHES_VALUES;
    private long flops, nanos;
    // Work buffers, grown on demand.
    private float[] zf, wf, outF, gf, scratch;
    private float[] zAll;          // every sample's float patches, when kept (see KEEP_PATCHES_VALUES)
    private int zOff;              // where the last patches(…, true) block starts in zf
    private double[] zd, outD;

    public PatchProducts(Dataset d, Normalization norm, PatchGeometry geom, Gates gates) {
        if (gates.windowed()) throw new IllegalArgumentException("the GEMM form sums over all positions: windowed gates (--pool) take the Gram or streamed form");
        if (gates.patchSize() != geom.patchSize()) {
            throw new IllegalArgumentException("gates are for patches of " + gates.patchSize() + ", not " + geom.patchSize());
        }
        this.data = d;
        this.norm = norm;
        this.geom = geom;
        this.gates = gates;
        this.samples = d.size();
        this.positions = geom.patches();
        this.h = geom.patchSize();
        this.p = gates.count();
        this.words = (p + 63) >>> 6;
        long cells = (long) samples * positions * words;
        if (cells > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(samples + " samples × " + positions + " patches × " + p + " patterns: too many gate bits for one array");
        }
        this.masks = new long[(int) cells];
        buildMasks();
    }

    private PatchProducts(PatchProducts base, Gates gates, long[] masks) {
        this.data = base.data;
        this.norm = base.norm;
        this.geom = base.geom;
        this.gates = gates;
        this.samples = base.samples;
        this.positions = base.positions;
        this.h = base.h;
        this.p = gates.count();
        this.words = (p + 63) >>> 6;
        this.masks = masks;
        this.blockValues = base.blockValues;
        this.zAll = base.zAll;
        this.keepValues = base.keepValues;
    }

    /** D as bits, in the same blocks and by the same double product as the features' rows, so the same signs. */
    private void buildMasks() {
        int block = Math.max(1, Math.min(Math.max(1, samples), 131072 / Math.max(1, positions * Math.max(p, h))));
        double[] z = new double[block * positions * h], act = new double[block * positions * p];
        float[] s = new float[geom.scratchSize()];
        for (int i0 = 0; i0 < samples; i0 += block) {
            int m = Math.min(block, samples - i0);
            for (int b = 0; b < m; b++) geom.patchesOf(data, norm, i0 + b, s, z, b * positions * h);
            Gemm.dgemm(false, false, m * positions, p, h, 1, z, 0, h, gates.filters(), 0, p, 0, act, 0, p);
            for (int r = 0; r < m * positions; r++) {
                int row = i0 * positions + r;
                for (int j = 0; j < p; j++) {
                    if (act[r * p + j] > 0) masks[row * words + (j >>> 6)] |= 1L << (j & 63);
                }
            }
        }
    }

    public int samples() { return samples; }
    public int positions() { return positions; }
    public int patchSize() { return h; }
    public int patterns() { return p; }
    public Gates gates() { return gates; }
    public Dataset data() { return data; }

    /** Whether pattern j switches on patch {@code position} of sample i. */
    public boolean on(int i, int position, int j) {
        return (masks[(i * positions + position) * words + (j >>> 6)] >>> (j & 63) & 1) != 0;
    }

    /** Flops and seconds spent in {@link #forward} and {@link #adjoint} so far (GEMMs and mask passes). */
    public long flops() { return flops; }
    public double seconds() { return nanos / 1e9; }
    public void resetCounters() { flops = 0; nanos = 0; }

    /** Another block size (tests: results must not depend on it beyond rounding). */
    PatchProducts blockValues(int values) {
        blockValues = Math.max(1, values);
        return this;
    }

    /** Keeps the float patches of all samples only up to this many values (tests: 0 rebuilds them per block). */
    PatchProducts keepPatches(long values) {
        keepValues = values;
        return this;
    }

    /** Samples per block for a product of the given width. */
    int blockSamples(int width) {
        return Math.max(1, Math.min(Math.max(1, samples), blockValues / Math.max(1, positions * Math.max(width, h))));
    }

    /**
     * out (samples × outWidth, overwritten) from the weights wt (h × width, row-major): column a of wt belongs to
     * pattern colPattern[a] and adds into output colOut[a] &lt; outWidth. Columns may be any subset of the
     * (pattern, output) pairs, so zero groups need not be multiplied.
     */
    public void forward(double[] wt, int width, int[] colPattern, int[] colOut, int outWidth, boolean single, double[] out) {
        long t0 = System.nanoTime();
        Arrays.fill(out, 0, samples * outWidth, 0);
        if (width == 0) return;
        int block = blockSamples(width);
        if (single) {
            wf = grow(wf, h * width);
            for (int i = 0; i < h * width; i++) wf[i] = (float) wt[i];
        }
        for (int i0 = 0; i0 < samples; i0 += block) {
            int m = Math.min(block, samples - i0), rows = m * positions;
            if (single) {
                patches(i0, m, true);
                outF = grow(outF, rows * width);
                Gemm.sgemm(false, false, rows, width, h, 1f, zf, zOff, h, wf, 0, width, 0f, outF, 0, width);
            } else {
                outD = grow(outD, rows * width);
                blockTimes(i0, m, wt, width, outD, 0);
            }
            // The mask pass, samples in parallel (each sample's sums in one fixed order: the same bits for any
            // thread count); a column whose pattern is off adds nothing, so it is skipped.
            final int first = i0;
            final float[] pf = outF;
            final double[] pd = outD;
            Parallel.forRange(m, MASK_CHUNK, (lo, hi) -> {
                double[] sums = new double[outWidth];
                for (int b = lo; b < hi; b++) {
                    Arrays.fill(sums, 0);
                    for (int q = 0; q < positions; q++) {
                        int r = b * positions + q, bits = ((first + b) * positions + q) * words, o = r * width;
                        for (int a = 0; a < width; a++) {
                            int j = colPattern[a];
                            if ((masks[bits + (j >>> 6)] >>> (j & 63) & 1) == 0) continue;
                            sums[colOut[a]] += single ? pf[o + a] : pd[o + a];
                        }
                    }
                    System.arraycopy(sums, 0, out, (first + b) * outWidth, outWidth);
                }
            });
        }
        flops += 2L * samples * positions * h * width;
        nanos += System.nanoTime() - t0;
    }

    /**
     * g (h × width, overwritten) = Σ_blocks Z_bᵀ R_b with R_b(row, a) = D_{colPattern[a]}(row) · res(i, colOut[a]):
     * the transpose of {@link #forward} applied to res (samples × outWidth).
     */
    public void adjoint(double[] res, int outWidth, int width, int[] colPattern, int[] colOut, boolean single, double[] g) {
        long t0 = System.nanoTime();
        Arrays.fill(g, 0, h * width, 0);
        if (width == 0 || samples == 0) return;
        int block = blockSamples(width);
        if (single) gf = grow(gf, h * width);
        for (int i0 = 0; i0 < samples; i0 += block) {
            int m = Math.min(block, samples - i0), rows = m * positions;
            if (single) {
                patches(i0, m, true);
                outF = grow(outF, rows * width);
            } else {
                outD = grow(outD, rows * width);
            }
            // The residual spread over positions and masked, samples in parallel.
            final int first = i0;
            final float[] pf = outF;
            final double[] pd = outD;
            Parallel.forRange(m, MASK_CHUNK, (lo, hi) -> {
                for (int b = lo; b < hi; b++) {
                    int ro = (first + b) * outWidth;
                    for (int q = 0; q < positions; q++) {
                        int r = b * positions + q, bits = ((first + b) * positions + q) * words, o = r * width;
                        for (int a = 0; a < width; a++) {
                            int j = colPattern[a];
                            boolean on = (masks[bits + (j >>> 6)] >>> (j & 63) & 1) != 0;
                            if (single) pf[o + a] = on ? (float) res[ro + colOut[a]] : 0f;
                            else pd[o + a] = on ? res[ro + colOut[a]] : 0;
                        }
                    }
                }
            });
            if (single) {
                // Each block's product in float, summed over blocks in double.
                Gemm.sgemm(true, false, h, width, rows, 1f, zf, zOff, h, outF, 0, width, 0f, gf, 0, width);
                for (int i = 0; i < h * width; i++) g[i] += gf[i];
            } else {
                blockTransposeTimes(i0, m, outD, width, 1, g);
            }
        }
        flops += 2L * samples * positions * h * width;
        nanos += System.nanoTime() - t0;
    }

    /**
     * The rows of Z·W for samples [i0, i0 + m), unmasked: out (m·P × width) = Z_b·w, w h × width, in double. The
     * exact program's constraint rows z·v are this product ({@link ExactReluProgram}).
     */
    public void blockTimes(int i0, int m, double[] w, int width, double[] out, int outOff) {
        patches(i0, m, false);
        Gemm.dgemm(false, false, m * positions, width, h, 1, zd, 0, h, w, 0, width, 0, out, outOff, width);
    }

    /** g (h × width) = beta·g + Z_bᵀ·q for samples [i0, i0 + m), q m·P × width: the transpose of {@link #blockTimes}. */
    public void blockTransposeTimes(int i0, int m, double[] q, int width, double beta, double[] g) {
        patches(i0, m, false);
        Gemm.dgemm(true, false, h, width, m * positions, 1, zd, 0, h, q, 0, width, beta, g, 0, width);
    }

    /** Z of samples [i0, i0 + m) into zf from zOff (single: zf may be the kept patches of all samples) or zd. */
    private void patches(int i0, int m, boolean single) {
        int size = m * positions * h;
        if (scratch == null) scratch = new float[geom.scratchSize()];
        if (single) {
            if (zAll == null && (long) samples * positions * h <= keepValues) {
                zAll = new float[samples * positions * h];
                for (int i = 0; i < samples; i++) geom.patchesOf(data, norm, i, scratch, zAll, i * positions * h);
            }
            if (zAll != null) {
                zf = zAll;
                zOff = i0 * positions * h;
                return;
            }
            zf = grow(zf, size);
            zOff = 0;
            for (int b = 0; b < m; b++) geom.patchesOf(data, norm, i0 + b, scratch, zf, b * positions * h);
        } else {
            zd = grow(zd, size);
            for (int b = 0; b < m; b++) geom.patchesOf(data, norm, i0 + b, scratch, zd, b * positions * h);
        }
    }

    private static float[] grow(float[] a, int n) { return a == null || a.length < n ? new float[n] : a; }
    private static double[] grow(double[] a, int n) { return a == null || a.length < n ? new double[n] : a; }

    /**
     * The patterns that switch on at least one patch and differ from every earlier kept one in what they switch
     * on. Equal masks give equal features; an empty mask gives a zero feature.
     */
    public int[] informativeGates() {
        int rows = samples * positions;
        int[] keep = new int[p];
        int kept = 0;
        java.util.Map<Long, java.util.List<Integer>> byHash = new java.util.HashMap<>();
        for (int j = 0; j < p; j++) {
            long hash = 1;
            boolean any = false;
            for (int r = 0; r < rows; r++) {
                long bit = masks[r * words + (j >>> 6)] >>> (j & 63) & 1;
                any |= bit != 0;
                hash = 31 * hash + (bit != 0 ? r + 1 : 0);
            }
            if (!any) continue;
            java.util.List<Integer> same = byHash.computeIfAbsent(hash, x -> new java.util.ArrayList<>());
            final int candidate = j;
            if (same.stream().noneMatch(o -> sameMasks(o, candidate, rows))) {
                same.add(j);
                keep[kept++] = j;
            }
        }
        return Arrays.copyOf(keep, kept);
    }

    private boolean sameMasks(int a, int b, int rows) {
        for (int r = 0; r < rows; r++) {
            long x = masks[r * words + (a >>> 6)] >>> (a & 63) & 1, y = masks[r * words + (b >>> 6)] >>> (b & 63) & 1;
            if (x != y) return false;
        }
        return true;
    }

    /** The products over the given patterns only, in that order. */
    public PatchProducts select(int[] keep) {
        Gates g = gates.select(keep);
        int w2 = (keep.length + 63) >>> 6, rows = samples * positions;
        long[] m2 = new long[rows * w2];
        for (int r = 0; r < rows; r++) {
            for (int a = 0; a < keep.length; a++) {
                int j = keep[a];
                if ((masks[r * words + (j >>> 6)] >>> (j & 63) & 1) != 0) m2[r * w2 + (a >>> 6)] |= 1L << (a & 63);
            }
        }
        return new PatchProducts(this, g, m2);
    }
}
