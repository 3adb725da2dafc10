package dev.convexcnn.ccnn;

import dev.convexcnn.linalg.ArrayKernels;
import dev.convexcnn.linalg.Parallel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The filter outputs H = (Φ − c)U of a working set of directions U (m × r): the reduced features of
 * {@link WorkingSetSolver}, sample i giving Q positions × r outputs (position-major, as every {@link FeatureSource}).
 * Held as one block of columns per added set of directions (n·Q rows × k each), so a growing working set adds a
 * block and never copies or over-allocates the ones it has (one n·Q × r array grown by doubling ran an 8 GiB heap
 * out of memory on full MNIST). Single precision on request: half the memory, and half the bytes that each
 * reduced pass reads; a pass reads the float blocks in place ({@link #times}, {@link #addTransposed}) and sums in
 * double, and {@link #block} widens rows into doubles for any other reader. Float blocks beyond a memory budget go
 * to temporary files ({@link SpilledFloats}): a reader then reads its chunk's rows into its own {@link View} once,
 * and the products are the same kernels on the same values (the same bits). Immutable: {@link #with} returns a new
 * instance sharing the blocks already computed; {@link #close} releases the files.
 */
final class FilterOutputs implements FeatureSource, AutoCloseable {
    private final int n, positions, classes;
    private final int[] labels;
    private final boolean single;
    private final int[] widths;
    private final float[][] floats;
    private final SpilledFloats[] files;
    private final double[][] doubles;
    private final int r;
    private final long budget;
    private final Path dir;

    private FilterOutputs(int n, int positions, int[] labels, int classes, boolean single, int[] widths, float[][] floats,
                          SpilledFloats[] files, double[][] doubles, long budget, Path dir) {
        this.n = n;
        this.positions = positions;
        this.labels = labels;
        this.classes = classes;
        this.single = single;
        this.widths = widths;
        this.floats = floats;
        this.files = files;
        this.doubles = doubles;
        this.r = Arrays.stream(widths).sum();
        this.budget = budget;
        this.dir = dir;
    }

    /** No directions yet, for the samples of a source; {@code single}: blocks in float, all held in memory. */
    static FilterOutputs empty(FeatureSource features, boolean single) {
        return empty(features, single, Long.MAX_VALUE, null);
    }

    /**
     * As {@link #empty(FeatureSource, boolean)}, float blocks held in memory while all held blocks take at most
     * {@code budget} bytes, the others in files under dir (unused for double blocks, which are always held).
     */
    static FilterOutputs empty(FeatureSource features, boolean single, long budget, Path dir) {
        if (budget < 0) throw new IllegalArgumentException("the filter outputs' memory budget must be >= 0 bytes, got " + budget);
        if (single && budget < Long.MAX_VALUE && dir == null) throw new IllegalArgumentException("a budget needs a directory for the rest");
        return new FilterOutputs(features.size(), features.positions(), features.labels(), features.classes(), single, new int[0],
                new float[0][], new SpilledFloats[0], new double[0][], budget, dir);
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
        SpilledFloats[] fi = Arrays.copyOf(files, files.length + blocks);
        double[][] db = Arrays.copyOf(doubles, doubles.length + blocks);
        long held = heldBytes();
        for (int b = 0; b < blocks; b++) {
            int kb = Math.min(perBlock, k - b * perBlock);
            w[widths.length + b] = kb;
            long bytes = (long) rows * kb * Float.BYTES;
            if (single && held + bytes > budget) {
                fi[files.length + b] = SpilledFloats.create(dir, (long) rows * kb);
            } else if (single) {
                fl[floats.length + b] = new float[Math.multiplyExact(rows, kb)];
                held += bytes;
            } else {
                db[doubles.length + b] = new double[Math.multiplyExact(rows, kb)];
            }
        }
        double[] ut = PenalizedProgram.transpose(dirs, m, k);
        int chunk = Math.max(1, Math.min(PenalizedProgram.CHUNK, n));
        float[] staged = single ? new float[chunk * positions * perBlock] : null;
        double[] f = new double[chunk * positions * m], out = new double[chunk * positions * k];
        for (int from = 0; from < n; from += chunk) {
            int nb = Math.min(chunk, n - from), nr = nb * positions, base = from * positions;
            features.block(from, nb, f);
            // A skinny product (k ≤ a few dozen columns): each row of patches times the directions, rows in parallel.
            Parallel.forRange(nr, 64, (lo, hi) -> ArrayKernels.rowsTimesTransposed(f, lo * m, hi - lo, m, ut, k, out, lo * k));
            for (int b = 0; b < blocks; b++) {
                int kb = w[widths.length + b], c0 = b * perBlock;
                if (!single) {
                    for (int t = 0; t < nr; t++) System.arraycopy(out, t * k + c0, db[doubles.length + b], (base + t) * kb, kb);
                    continue;
                }
                // The chunk's rows of this block are contiguous in it: rounded once, then copied in or written out.
                for (int t = 0; t < nr; t++) for (int j = 0; j < kb; j++) staged[t * kb + j] = (float) out[t * k + c0 + j];
                SpilledFloats file = fi[files.length + b];
                if (file != null) file.write((long) base * kb, staged, 0, nr * kb);
                else System.arraycopy(staged, 0, fl[floats.length + b], base * kb, nr * kb);
            }
        }
        return new FilterOutputs(n, positions, labels, classes, single, w, fl, fi, db, budget, dir);
    }

    /** Bytes of the blocks held in memory. */
    long heldBytes() {
        long b = 0;
        for (float[] f : floats) if (f != null) b += (long) f.length * Float.BYTES;
        for (double[] d : doubles) if (d != null) b += (long) d.length * Double.BYTES;
        return b;
    }

    /** Bytes of the blocks in files. */
    long spilledBytes() {
        long b = 0;
        for (SpilledFloats f : files) if (f != null) b += f.length() * Float.BYTES;
        return b;
    }

    /** Releases the files of the spilled blocks (shared with every instance that {@link #with} made from this one's). */
    @Override
    public void close() {
        for (SpilledFloats f : files) if (f != null) f.close();
    }

    /**
     * One reader's rows of every float block: a held block in place (its array and the rows' offset), a spilled one
     * read into this view's own buffer. Not shared between threads.
     */
    static final class View {
        final float[][] arrays;
        final int[] offsets;
        private final float[][] buffers;

        private View(int blocks) {
            arrays = new float[blocks][];
            offsets = new int[blocks];
            buffers = new float[blocks][];
        }
    }

    /** Rows from..from+nb of every block, in reuse when it has this many blocks (it is then returned). */
    View view(int from, int nb, View reuse) {
        if (!single) throw new IllegalStateException("double outputs are read through block()");
        View v = reuse != null && reuse.arrays.length == widths.length ? reuse : new View(widths.length);
        for (int b = 0; b < widths.length; b++) {
            int w = positions * widths[b];
            if (files[b] == null) {
                v.arrays[b] = floats[b];
                v.offsets[b] = from * w;
            } else {
                int count = Math.multiplyExact(nb, w);
                if (v.buffers[b] == null || v.buffers[b].length < count) v.buffers[b] = new float[count];
                files[b].read((long) from * w, v.buffers[b], 0, count);
                v.arrays[b] = v.buffers[b];
                v.offsets[b] = 0;
            }
        }
        return v;
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

    /** Whether a parted pass reads the blocks through a {@link View} ({@link #times}, {@link #addTransposed}): the float blocks. */
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
     * out[outOff + i·c + k] = Σ_t H[from + i, t]·B[k, t] for the nb rows of a view (sums in double), B given by
     * {@link #byBlocks}. Each block's rows in segments whose c columns of B stay in L1: the layer's full rows times
     * all of B (c·Q·r doubles, hundreds of KB) streamed B from L2 for every row.
     */
    void times(View v, int nb, double[] blocked, int c, double[] out, int outOff) {
        Arrays.fill(out, outOff, outOff + nb * c, 0);
        for (int b = 0, off = 0; b < widths.length; off += c * positions * widths[b], b++) {
            int w = positions * widths[b];
            for (int s0 = 0; s0 < w; s0 += SEGMENT) {
                ArrayKernels.addRowsTimesTransposed(v.arrays[b], v.offsets[b] + s0, w, nb, Math.min(SEGMENT, w - s0), blocked, off + s0, w, c,
                        out, outOff);
            }
        }
    }

    /** blocked (the {@link #byBlocks} layout, c rows per block) += δᵀ·H for the nb rows of a view (δ: nb × c), in double. */
    void addTransposed(View v, int nb, double[] delta, int c, double[] blocked) {
        for (int b = 0, off = 0; b < widths.length; off += c * positions * widths[b], b++) {
            int w = positions * widths[b];
            ArrayKernels.addTransposedProduct(v.arrays[b], v.offsets[b], w, nb, w, delta, 0, c, blocked, off, w);
        }
    }

    /** Gathers samples from..from+count (each position's r outputs from the blocks in order), widened to double. */
    @Override
    public void block(int from, int count, double[] out) {
        int rows = count * positions, base = from * positions, c0 = 0;
        View v = single ? view(from, count, null) : null;
        for (int b = 0; b < widths.length; b++) {
            int kb = widths[b];
            if (single) {
                ArrayKernels.widenRows(v.arrays[b], v.offsets[b], kb, out, c0, r, rows, kb);
            } else {
                double[] src = doubles[b];
                for (int t = 0; t < rows; t++) System.arraycopy(src, (base + t) * kb, out, t * r + c0, kb);
            }
            c0 += kb;
        }
    }
}
