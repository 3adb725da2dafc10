package dev.convexcnn.convex;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.linalg.BlasThreads;
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
    // Work buffers, grown on demand: the float weights, each half's own.
    private float[] wf;
    private final Work[] work = {new Work(), new Work()};
    private float[] zAll;          // every sample's float patches, when kept (see KEEP_PATCHES_VALUES)
    private int[] runStart, runPattern, runOut;  // the current product's runs of columns of one pattern
    private int[] column, slabPattern, slabOut;   // forwardGroups: the columns of the groups that are not zero
    private double[] slabWeights;
    /** Patch values per chunk of {@link #logits} (the chunk's masks and patches only). */
    private static final int LOGIT_CHUNK_VALUES = 1 << 24;

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
     * out (samples × classes, overwritten) = Φ·x for x in the programs' layout (p slabs of h rows of classes values,
     * {@link GemmGatedProgram}): only the (pattern, output) groups of x that are not zero are multiplied.
     */
    public void forwardGroups(double[] x, int classes, boolean single, double[] out) {
        int c = classes, pc = p * c;
        if (column == null || column.length < pc) {
            column = new int[pc];
            slabPattern = new int[pc];
            slabOut = new int[pc];
        }
        // x is read in its own layout: a gather by column was as slow as the products themselves at n = 1,000 on
        // the fully-connected shape (x has 785,000 entries there).
        Arrays.fill(column, 0, pc, -1);
        for (int j = 0; j < p; j++) {
            for (int t = 0; t < h; t++) {
                int row = (j * h + t) * c;
                for (int k = 0; k < c; k++) if (x[row + k] != 0) column[j * c + k] = 0;
            }
        }
        int width = 0;
        for (int a = 0; a < pc; a++) {
            if (column[a] < 0) continue;
            column[a] = width;
            slabPattern[width] = a / c;
            slabOut[width] = a % c;
            width++;
        }
        slabWeights = slabWeights == null || slabWeights.length < h * width ? new double[h * Math.max(width, 1)] : slabWeights;
        for (int j = 0; j < p; j++) {
            for (int t = 0; t < h; t++) {
                int row = (j * h + t) * c, to = t * width;
                for (int k = 0; k < c; k++) {
                    int a = column[j * c + k];
                    if (a >= 0) slabWeights[to + a] = x[row + k];
                }
            }
        }
        forward(slabWeights, width, slabPattern, slabOut, c, single, out);
    }

    /**
     * The logits (n × classes) of the gated network with weights w (the programs' layout) on d, from double products
     * over chunks of samples (their gate bits only): what {@link GatedFeatures#logits} gives, without forming Φ.
     */
    public static double[] logits(Dataset d, Normalization norm, PatchGeometry geom, Gates gates, double[] w, int classes) {
        return logits(d, norm, geom, gates, w, classes, LOGIT_CHUNK_VALUES / Math.max(1, geom.patches() * geom.patchSize()));
    }

    /** {@link #logits} over chunks of the given number of samples. */
    static double[] logits(Dataset d, Normalization norm, PatchGeometry geom, Gates gates, double[] w, int classes, int samples) {
        int n = d.size();
        double[] z = new double[n * classes];
        int chunk = Math.max(1, Math.min(n, samples));
        for (int i0 = 0; i0 < n; i0 += chunk) {
            int m = Math.min(chunk, n - i0);
            int[] idx = new int[m];
            for (int k = 0; k < m; k++) idx[k] = i0 + k;
            Dataset part = i0 == 0 && m == n ? d : d.subset(idx, d.name());
            double[] zp = new double[m * classes];
            new PatchProducts(part, norm, geom, gates).forwardGroups(w, classes, false, zp);
            System.arraycopy(zp, 0, z, i0 * classes, m * classes);
        }
        return z;
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
        int runs = runsOf(colPattern, colOut, width);
        if (single) {
            keepPatches();
            wf = grow(wf, h * width);
            for (int i = 0; i < h * width; i++) wf[i] = (float) wt[i];
        }
        inHalves((k, from, to) -> {
            Work w = work[k];
            for (int i0 = from; i0 < to; i0 += block) {
                int m = Math.min(block, to - i0), rows = m * positions;
                if (single) {
                    patches(w, i0, m, true);
                    w.outF = grow(w.outF, rows * width);
                    Gemm.sgemm(false, false, rows, width, h, 1f, w.zf, w.zOff, h, wf, 0, width, 0f, w.outF, 0, width);
                } else {
                    w.outD = grow(w.outD, rows * width);
                    blockTimes(w, i0, m, wt, width, w.outD, 0);
                }
                // The mask pass (each sample's sums in one fixed order: the same bits for any thread count).
                // Columns come in runs of one pattern: one bit test per run, and a run whose pattern is off adds
                // nothing, so it is skipped (a test per column mispredicted about half the time).
                final int first = i0;
                final float[] pf = w.outF;
                final double[] pd = w.outD;
                Parallel.forRange(m, MASK_CHUNK, (lo, hi) -> {
                    if (single) sumMasked(first, lo, hi, pf, null, width, colOut, outWidth, runs, out);
                    else sumMasked(first, lo, hi, null, pd, width, colOut, outWidth, runs, out);
                });
            }
        });
        flops += 2L * samples * positions * h * width;
        nanos += System.nanoTime() - t0;
    }

    /**
     * g (h × width, overwritten) = Σ_blocks Z_bᵀ R_b with R_b(row, a) = D_{colPattern[a]}(row) · res(i, colOut[a]):
     * the transpose of {@link #forward} applied to res (samples × outWidth). Each half of the samples sums its
     * blocks in order, then g = half 0 + half 1.
     */
    public void adjoint(double[] res, int outWidth, int width, int[] colPattern, int[] colOut, boolean single, double[] g) {
        long t0 = System.nanoTime();
        Arrays.fill(g, 0, h * width, 0);
        if (width == 0 || samples == 0) return;
        int block = blockSamples(width);
        int runs = runsOf(colPattern, colOut, width);
        if (single) keepPatches();
        for (Work w : work) {
            w.sum = grow(w.sum, h * width);
            Arrays.fill(w.sum, 0, h * width, 0);
        }
        inHalves((k, from, to) -> {
            Work w = work[k];
            if (single) w.gf = grow(w.gf, h * width);
            for (int i0 = from; i0 < to; i0 += block) {
                int m = Math.min(block, to - i0), rows = m * positions;
                if (single) {
                    patches(w, i0, m, true);
                    w.outF = grow(w.outF, rows * width);
                } else {
                    w.outD = grow(w.outD, rows * width);
                }
                // The residual spread over positions and masked, one bit test per run of columns of one pattern.
                final int first = i0;
                final float[] pf = w.outF;
                final double[] pd = w.outD;
                Parallel.forRange(m, MASK_CHUNK, (lo, hi) -> {
                    if (single) spreadMasked(first, lo, hi, res, outWidth, width, colOut, runs, pf, null);
                    else spreadMasked(first, lo, hi, res, outWidth, width, colOut, runs, null, pd);
                });
                if (single) {
                    // Each block's product in float, summed over blocks in double.
                    Gemm.sgemm(true, false, h, width, rows, 1f, w.zf, w.zOff, h, w.outF, 0, width, 0f, w.gf, 0, width);
                    for (int i = 0; i < h * width; i++) w.sum[i] += w.gf[i];
                } else {
                    blockTransposeTimes(w, i0, m, w.outD, width, 1, w.sum);
                }
            }
        });
        for (Work w : work) {
            for (int i = 0; i < h * width; i++) g[i] += w.sum[i];
        }
        flops += 2L * samples * positions * h * width;
        nanos += System.nanoTime() - t0;
    }

    /**
     * out rows first + [lo, hi): each sample's sums over positions and the runs whose pattern is on, in one fixed
     * order, from the block's product pf (float) or pd (double). A run of consecutive outputs adds as one slice.
     */
    private void sumMasked(int first, int lo, int hi, float[] pf, double[] pd, int width, int[] colOut, int outWidth,
                           int runs, double[] out) {
        double[] sums = new double[outWidth];
        for (int b = lo; b < hi; b++) {
            Arrays.fill(sums, 0);
            for (int q = 0; q < positions; q++) {
                int r = b * positions + q, bits = ((first + b) * positions + q) * words, o = r * width;
                for (int u = 0; u < runs; u++) {
                    int j = runPattern[u];
                    if ((masks[bits + (j >>> 6)] >>> (j & 63) & 1) == 0) continue;
                    int a0 = runStart[u], a1 = runStart[u + 1], o0 = runOut[u];
                    if (pf != null) {
                        if (o0 >= 0) for (int a = a0, k = o0; a < a1; a++, k++) sums[k] += pf[o + a];
                        else for (int a = a0; a < a1; a++) sums[colOut[a]] += pf[o + a];
                    } else {
                        if (o0 >= 0) for (int a = a0, k = o0; a < a1; a++, k++) sums[k] += pd[o + a];
                        else for (int a = a0; a < a1; a++) sums[colOut[a]] += pd[o + a];
                    }
                }
            }
            System.arraycopy(sums, 0, out, (first + b) * outWidth, outWidth);
        }
    }

    /** The block's R rows for samples first + [lo, hi): res spread over positions, zero where the run's pattern is off. */
    private void spreadMasked(int first, int lo, int hi, double[] res, int outWidth, int width, int[] colOut, int runs,
                              float[] pf, double[] pd) {
        for (int b = lo; b < hi; b++) {
            int ro = (first + b) * outWidth;
            for (int q = 0; q < positions; q++) {
                int r = b * positions + q, bits = ((first + b) * positions + q) * words, o = r * width;
                for (int u = 0; u < runs; u++) {
                    int j = runPattern[u], a0 = runStart[u], a1 = runStart[u + 1], o0 = runOut[u];
                    boolean on = (masks[bits + (j >>> 6)] >>> (j & 63) & 1) != 0;
                    if (pf != null) {
                        if (!on) for (int a = a0; a < a1; a++) pf[o + a] = 0f;
                        else if (o0 >= 0) for (int a = a0, k = ro + o0; a < a1; a++, k++) pf[o + a] = (float) res[k];
                        else for (int a = a0; a < a1; a++) pf[o + a] = (float) res[ro + colOut[a]];
                    } else {
                        if (!on) for (int a = a0; a < a1; a++) pd[o + a] = 0;
                        else if (o0 >= 0) for (int a = a0, k = ro + o0; a < a1; a++, k++) pd[o + a] = res[k];
                        else for (int a = a0; a < a1; a++) pd[o + a] = res[ro + colOut[a]];
                    }
                }
            }
        }
    }

    /** A half of the samples, [from, to), run by {@link #inHalves}. */
    @FunctionalInterface
    private interface HalfBody {
        void run(int half, int from, int to);
    }

    /**
     * Runs body on the two halves of the samples, always two whatever the core count (so the same sums on any
     * machine): at once, each BLAS call on one thread, where OpenBLAS's threads can be set (its idle workers would
     * spin while Java runs the mask passes); else one after the other with threaded BLAS calls.
     */
    private void inHalves(HalfBody body) {
        int mid = samples / 2;
        try (BlasThreads.Scope scope = BlasThreads.singleThreaded()) {
            Parallel.shards(2, scope.single(), k -> {
                if (k == 0 ? mid > 0 : samples > mid) body.run(k, k == 0 ? 0 : mid, k == 0 ? mid : samples);
            });
        }
    }

    /**
     * The rows of Z·W for samples [i0, i0 + m), unmasked: out (m·P × width) = Z_b·w, w h × width, in double. The
     * exact program's constraint rows z·v are this product ({@link ExactReluProgram}).
     */
    public void blockTimes(int i0, int m, double[] w, int width, double[] out, int outOff) {
        blockTimes(work[0], i0, m, w, width, out, outOff);
    }

    private void blockTimes(Work k, int i0, int m, double[] w, int width, double[] out, int outOff) {
        patches(k, i0, m, false);
        Gemm.dgemm(false, false, m * positions, width, h, 1, k.zd, 0, h, w, 0, width, 0, out, outOff, width);
    }

    /** g (h × width) = beta·g + Z_bᵀ·q for samples [i0, i0 + m), q m·P × width: the transpose of {@link #blockTimes}. */
    public void blockTransposeTimes(int i0, int m, double[] q, int width, double beta, double[] g) {
        blockTransposeTimes(work[0], i0, m, q, width, beta, g);
    }

    private void blockTransposeTimes(Work k, int i0, int m, double[] q, int width, double beta, double[] g) {
        patches(k, i0, m, false);
        Gemm.dgemm(true, false, h, width, m * positions, 1, k.zd, 0, h, q, 0, width, beta, g, 0, width);
    }

    /** The float patches of all samples, made once where they are few enough (see KEEP_PATCHES_VALUES). */
    private void keepPatches() {
        if (zAll == null && (long) samples * positions * h <= keepValues) {
            float[] scratch = new float[geom.scratchSize()];
            float[] z = new float[samples * positions * h];
            for (int i = 0; i < samples; i++) geom.patchesOf(data, norm, i, scratch, z, i * positions * h);
            zAll = z;
        }
    }

    /** Z of samples [i0, i0 + m) into w.zf from w.zOff (single: the kept patches of all samples, if any) or w.zd. */
    private void patches(Work w, int i0, int m, boolean single) {
        int size = m * positions * h;
        if (w.scratch == null) w.scratch = new float[geom.scratchSize()];
        if (single) {
            if (zAll != null) {
                w.zf = zAll;
                w.zOff = i0 * positions * h;
                return;
            }
            w.zf = grow(w.zf, size);
            w.zOff = 0;
            for (int b = 0; b < m; b++) geom.patchesOf(data, norm, i0 + b, w.scratch, w.zf, b * positions * h);
        } else {
            w.zd = grow(w.zd, size);
            for (int b = 0; b < m; b++) geom.patchesOf(data, norm, i0 + b, w.scratch, w.zd, b * positions * h);
        }
    }

    /** One half's work buffers, grown on demand. */
    private static final class Work {
        float[] zf, outF, gf, scratch;
        int zOff;          // where the current block starts in zf
        double[] zd, outD, sum;
    }

    /**
     * Splits columns [0, width) into runs of one pattern: run u is [runStart[u], runStart[u + 1]) with pattern
     * runPattern[u], and runOut[u] its first output where the run's outputs are consecutive (else -1). Returns the
     * number of runs.
     */
    private int runsOf(int[] colPattern, int[] colOut, int width) {
        if (runStart == null || runStart.length < width + 1) {
            runStart = new int[width + 1];
            runPattern = new int[width];
            runOut = new int[width];
        }
        int runs = 0;
        for (int a = 0; a < width; a++) {
            if (a == 0 || colPattern[a] != colPattern[a - 1]) {
                runStart[runs] = a;
                runOut[runs] = colOut[a];
                runPattern[runs++] = colPattern[a];
            } else if (runOut[runs - 1] >= 0 && colOut[a] != colOut[a - 1] + 1) {
                runOut[runs - 1] = -1;
            }
        }
        runStart[runs] = width;
        return runs;
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
