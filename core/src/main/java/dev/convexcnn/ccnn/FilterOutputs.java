package dev.convexcnn.ccnn;

import dev.convexcnn.linalg.ArrayKernels;
import dev.convexcnn.linalg.Parallel;
import java.util.Arrays;

/**
 * The filter outputs H = (Φ − c)U of a working set of directions U (m × r): the reduced features of
 * {@link WorkingSetSolver}, sample i giving Q positions × r outputs (position-major, as every {@link FeatureSource}).
 * Held as one block of columns per added set of directions (n·Q rows × k each), so a growing working set adds a
 * block and never copies or over-allocates the ones it has (one n·Q × r array grown by doubling ran an 8 GiB heap
 * out of memory on full MNIST). Single precision on request: half the memory, and half the bytes that each
 * reduced pass reads; a pass reads the float blocks in place ({@link #times}, {@link #addTransposed}) and sums in
 * double, and {@link #block} widens rows into doubles for any other reader. Immutable:
 * {@link #with} returns a new instance sharing the blocks already computed.
 */
final class FilterOutputs implements FeatureSource {
    private final int n, positions, classes;
    private final int[] labels;
    private final boolean single;
    private final int[] widths;
    private final float[][] floats;
    private final double[][] doubles;
    private final int r;

    private FilterOutputs(int n, int positions, int[] labels, int classes, boolean single, int[] widths, float[][] floats,
                          double[][] doubles) {
        this.n = n;
        this.positions = positions;
        this.labels = labels;
        this.classes = classes;
        this.single = single;
        this.widths = widths;
        this.floats = floats;
        this.doubles = doubles;
        this.r = Arrays.stream(widths).sum();
    }

    /** No directions yet, for the samples of a source; {@code single}: blocks in float. */
    static FilterOutputs empty(FeatureSource features, boolean single) {
        return new FilterOutputs(features.size(), features.positions(), features.labels(), features.classes(), single, new int[0],
                new float[0][], new double[0][]);
    }

    /**
     * These outputs and those of k more directions (m × k row-major, orthonormal columns) over the features: one pass,
     * each chunk's products in double, then stored (rounded to float when single). A block larger than an array can
     * hold is split into blocks of fewer columns.
     */
    FilterOutputs with(FeatureSource features, double[] dirs, int k) {
        return with(features, dirs, k, (Integer.MAX_VALUE - 16) / Math.max(1, n * positions));
    }

    /** As {@link #with(FeatureSource, double[], int)}, at most maxColumns columns per block. */
    FilterOutputs with(FeatureSource features, double[] dirs, int k, int maxColumns) {
        int m = features.dim(), rows = n * positions;
        if (features.size() != n || features.positions() != positions) throw new IllegalArgumentException("features of another shape");
        if (dirs.length != m * k) throw new IllegalArgumentException("directions must be m × k = " + m + " × " + k);
        int perBlock = Math.max(1, Math.min(k, maxColumns));
        int blocks = (k + perBlock - 1) / perBlock;
        int[] w = Arrays.copyOf(widths, widths.length + blocks);
        float[][] fl = Arrays.copyOf(floats, floats.length + blocks);
        double[][] db = Arrays.copyOf(doubles, doubles.length + blocks);
        for (int b = 0; b < blocks; b++) {
            int kb = Math.min(perBlock, k - b * perBlock);
            w[widths.length + b] = kb;
            if (single) fl[floats.length + b] = new float[Math.multiplyExact(rows, kb)];
            else db[doubles.length + b] = new double[Math.multiplyExact(rows, kb)];
        }
        double[] ut = PenalizedProgram.transpose(dirs, m, k);
        int chunk = Math.min(PenalizedProgram.CHUNK, n);
        double[] f = new double[chunk * positions * m], out = new double[chunk * positions * k];
        for (int from = 0; from < n; from += chunk) {
            int nb = Math.min(chunk, n - from), nr = nb * positions, base = from * positions;
            features.block(from, nb, f);
            // A skinny product (k ≤ a few dozen columns): each row of patches times the directions, rows in parallel.
            Parallel.forRange(nr, 64, (lo, hi) -> ArrayKernels.rowsTimesTransposed(f, lo * m, hi - lo, m, ut, k, out, lo * k));
            for (int b = 0; b < blocks; b++) {
                int kb = w[widths.length + b], c0 = b * perBlock;
                for (int t = 0; t < nr; t++) {
                    int to = (base + t) * kb, src = t * k + c0;
                    if (single) {
                        float[] dst = fl[floats.length + b];
                        for (int j = 0; j < kb; j++) dst[to + j] = (float) out[src + j];
                    } else {
                        System.arraycopy(out, src, db[doubles.length + b], to, kb);
                    }
                }
            }
        }
        return new FilterOutputs(n, positions, labels, classes, single, w, fl, db);
    }

    /** The outputs as one n·Q × r row-major array: only for double outputs held in one block. */
    double[] asMatrix() {
        if (single || doubles.length != 1) throw new IllegalStateException("not one block of doubles");
        return doubles[0];
    }

    @Override public int size() { return n; }
    @Override public int positions() { return positions; }
    @Override public int dim() { return r; }
    @Override public int classes() { return classes; }
    @Override public int[] labels() { return labels; }
    @Override public boolean concurrentBlocks() { return true; }

    /** Whether a parted pass reads the blocks in place ({@link #times}, {@link #addTransposed}): the float blocks. */
    boolean inPlace() { return single; }

    /** Values of a segment of a block's row in one {@link #times} call: c such columns of doubles stay in L1 (18 KB for c = 9). */
    private static final int SEGMENT = 256;

    /**
     * bt (c × Q·r: a transposed matrix over this source's row layout) rearranged to the blocks' layout: for each block in
     * order, c rows of Q·k values (position-major, then the block's own k columns), the order a block's row is stored in.
     */
    double[] byBlocks(double[] bt, int c) {
        int D = positions * r;
        if (bt.length != c * D) throw new IllegalArgumentException("need c × " + D + " values, got " + bt.length);
        double[] out = new double[c * D];
        for (int b = 0, off = 0, c0 = 0; b < widths.length; c0 += widths[b], off += c * positions * widths[b], b++) {
            int kb = widths[b], w = positions * kb;
            for (int k = 0; k < c; k++) for (int q = 0; q < positions; q++) System.arraycopy(bt, k * D + q * r + c0, out, off + k * w + q * kb, kb);
        }
        return out;
    }

    /** The inverse of {@link #byBlocks}, added into gt (c × Q·r). */
    void addFromBlocks(double[] blocked, int c, double[] gt) {
        int D = positions * r;
        for (int b = 0, off = 0, c0 = 0; b < widths.length; c0 += widths[b], off += c * positions * widths[b], b++) {
            int kb = widths[b], w = positions * kb;
            for (int k = 0; k < c; k++) {
                for (int q = 0; q < positions; q++) {
                    for (int j = 0; j < kb; j++) gt[k * D + q * r + c0 + j] += blocked[off + k * w + q * kb + j];
                }
            }
        }
    }

    /**
     * out[outOff + i·c + k] = Σ_t H[from + i, t]·B[k, t] for i &lt; nb, read from the float blocks in place (sums in double),
     * B given by {@link #byBlocks}. Each block's rows in segments whose c columns of B stay in L1: the layer's full
     * rows times all of B (c·Q·r doubles, hundreds of KB) streamed B from L2 for every row.
     */
    void times(int from, int nb, double[] blocked, int c, double[] out, int outOff) {
        if (!single) throw new IllegalStateException("double outputs are read through block()");
        Arrays.fill(out, outOff, outOff + nb * c, 0);
        for (int b = 0, off = 0; b < widths.length; off += c * positions * widths[b], b++) {
            int w = positions * widths[b];
            for (int s0 = 0; s0 < w; s0 += SEGMENT) {
                ArrayKernels.addRowsTimesTransposed(floats[b], from * w + s0, w, nb, Math.min(SEGMENT, w - s0), blocked, off + s0, w, c,
                        out, outOff);
            }
        }
    }

    /** blocked (the {@link #byBlocks} layout, c rows per block) += δᵀ·H for rows from..from+nb (δ: nb × c), in double. */
    void addTransposed(int from, int nb, double[] delta, int c, double[] blocked) {
        if (!single) throw new IllegalStateException("double outputs are read through block()");
        for (int b = 0, off = 0; b < widths.length; off += c * positions * widths[b], b++) {
            int w = positions * widths[b];
            ArrayKernels.addTransposedProduct(floats[b], from * w, w, nb, w, delta, 0, c, blocked, off, w);
        }
    }

    /** Gathers samples from..from+count (each position's r outputs from the blocks in order), widened to double. */
    @Override
    public void block(int from, int count, double[] out) {
        int rows = count * positions, base = from * positions, c0 = 0;
        for (int b = 0; b < widths.length; b++) {
            int kb = widths[b];
            if (single) {
                ArrayKernels.widenRows(floats[b], base * kb, kb, out, c0, r, rows, kb);
            } else {
                double[] src = doubles[b];
                for (int t = 0; t < rows; t++) System.arraycopy(src, (base + t) * kb, out, t * r + c0, kb);
            }
            c0 += kb;
        }
    }
}
