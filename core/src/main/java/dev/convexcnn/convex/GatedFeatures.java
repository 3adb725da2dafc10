package dev.convexcnn.convex;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.linalg.Parallel;
import java.util.Arrays;

/**
 * The data of the two-layer CNN programs, summarised per pattern: Φ_j(x) = Σ_p D_j(x, p) z_p(x) ∈ R^h, the sum
 * of the patches that pattern j switches on. A gated network's output is then linear: f_k(x) = Σ_j Φ_j(x)·w_{j,k}
 * = (Φ W)_k, with Φ the n × (p·h) matrix built here. It is built a block of samples at a time, so the patches of
 * the whole dataset (n·P·h values) are never held at once.
 */
public final class GatedFeatures {
    private final int samples, gates, patchSize;
    private final double[] phi;

    private GatedFeatures(int samples, int gates, int patchSize, double[] phi) {
        this.samples = samples;
        this.gates = gates;
        this.patchSize = patchSize;
        this.phi = phi;
    }

    public int samples() { return samples; }
    public int gates() { return gates; }
    public int patchSize() { return patchSize; }
    /** Columns of Φ: p·h. */
    public int columns() { return gates * patchSize; }
    /** Φ, n × (p·h) row-major: row i holds Φ_0(x_i), Φ_1(x_i), ... */
    public double[] matrix() { return phi; }

    /**
     * Features built elsewhere (a shard received from another machine, say): Φ as n × (p·h) row-major. The array
     * is used as is, not copied.
     */
    public static GatedFeatures of(int samples, int gates, int patchSize, double[] phi) {
        if (samples < 0 || gates <= 0 || patchSize <= 0 || phi.length != (long) samples * gates * patchSize) {
            throw new IllegalArgumentException("features of " + samples + " samples × " + gates + " patterns × " + patchSize
                    + " need that many values, got " + phi.length);
        }
        return new GatedFeatures(samples, gates, patchSize, phi);
    }

    public static GatedFeatures build(Dataset d, Normalization norm, PatchGeometry geom, Gates gates) {
        final int n = d.size(), p = gates.count(), h = geom.patchSize();
        long cells = (long) n * p * h;
        if (cells > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(n + " samples × " + p + " patterns × " + h + " is too large for one array: use fewer patterns or samples");
        }
        double[] phi = new double[(int) cells];
        new RowBuilder(d, norm, geom, gates).fill(0, n, phi, 0);
        return new GatedFeatures(n, p, h, phi);
    }

    /**
     * Builds rows of Φ for any range of samples with buffers sized once, so a caller can stream Φ a block of rows
     * at a time without holding it (the Gram path of the squared loss does).
     */
    public static final class RowBuilder {
        private final Dataset d;
        private final Normalization norm;
        private final PatchGeometry geom;
        private final Gates gates;
        private final int positions, h, p, block;
        private final double[] windowWeights;   // windowed gates: 1/A² where a position is in the column's window, else 0
        // Each block is two BLAS calls: when they use every core already, more Java threads only fight over them.
        private boolean javaChunks = !dev.convexcnn.linalg.Backend.get().threadedCalls();

        public RowBuilder(Dataset d, Normalization norm, PatchGeometry geom, Gates gates) {
            if (gates.patchSize() != geom.patchSize()) {
                throw new IllegalArgumentException("gates are for patches of " + gates.patchSize() + ", not " + geom.patchSize());
            }
            this.d = d;
            this.norm = norm;
            this.geom = geom;
            this.gates = gates;
            this.positions = geom.patches();
            this.windowWeights = gates.windowWeights(geom);
            this.h = geom.patchSize();
            this.p = gates.count();
            // A block's patches and activations stay within about 1 MiB each, so the mask pass reads them from cache.
            this.block = Math.max(1, Math.min(Math.max(1, d.size()), 131072 / Math.max(1, positions * Math.max(p, h))));
        }

        /** Forces the split over Java threads on or off (tests: the rows must not depend on it). */
        RowBuilder javaChunks(boolean on) {
            javaChunks = on;
            return this;
        }

        /** Columns of a row: p·h. */
        public int columns() { return p * h; }

        /**
         * Rows [from, from + count) of Φ into out at outOff, row-major with p·h columns. Unless the BLAS is
         * threaded itself, samples are split over {@link Parallel#threads()} chunks with buffers of their own; every
         * row is computed the same way whatever the split, and chunks write disjoint rows.
         */
        public void fill(int from, int count, double[] out, int outOff) {
            if (from < 0 || count < 0 || from + count > d.size()) {
                throw new IllegalArgumentException("rows [" + from + ", " + (from + count) + ") of " + d.size());
            }
            if (!javaChunks) {
                fillSerial(from, count, out, outOff);
            } else {
                Parallel.forRange(count, 8 * block, (lo, hi) -> fillSerial(from + lo, hi - lo, out, outOff + lo * p * h));
            }
        }

        private void fillSerial(int from, int count, double[] out, int outOff) {
            double[] z = new double[block * positions * h];
            double[] act = new double[block * positions * p];
            double[] mask = new double[positions * p];
            float[] scratch = new float[geom.scratchSize()];
            for (int i0 = 0; i0 < count; i0 += block) {
                int m = Math.min(block, count - i0);
                for (int b = 0; b < m; b++) geom.patchesOf(d, norm, from + i0 + b, scratch, z, b * positions * h);
                // Activations of every patch of the block for every gate: (m·P × h)(h × p).
                Gemm.dgemm(false, false, m * positions, p, h, 1, z, 0, h, gates.filters(), 0, p, 0, act, 0, p);
                for (int b = 0; b < m; b++) {
                    positive(act, b * positions * p, mask, positions * p);
                    if (windowWeights != null) for (int q = 0; q < mask.length; q++) mask[q] *= windowWeights[q];
                    // Φ(x) as p × h: maskᵀ (p × P) · patches (P × h).
                    Gemm.dgemm(true, false, p, h, positions, 1, mask, 0, p, z, b * positions * h, h, 0,
                            out, outOff + (i0 + b) * p * h, h);
                }
            }
        }
    }

    /**
     * mask[q] = 1 where a[from + q] > 0, else 0, without a branch: the signs of activations are random, and a
     * compare-and-branch mispredicts half the time (5× slower, measured). For the bits b of a double, a > 0 exactly
     * when b > 0 as a long, i.e. when both −b and ~b have the sign bit (−0.0 and +0.0 give 0).
     */
    static void positive(double[] a, int from, double[] mask, int count) {
        for (int q = 0; q < count; q++) {
            long b = Double.doubleToRawLongBits(a[from + q]);
            mask[q] = (double) (((-b) & ~b) >>> 63);
        }
    }

    /**
     * Logits (n × c) of a gated network with weights W (p·h × c) on d: by GEMMs over the patches for gates on whole
     * feature maps ({@link PatchProducts#logits}), else a block of rows of Φ at a time.
     */
    public static double[] logits(Dataset d, Normalization norm, PatchGeometry geom, Gates gates, double[] w, int classes) {
        if (!gates.windowed()) return PatchProducts.logits(d, norm, geom, gates, w, classes);
        return logitsFromRows(d, norm, geom, gates, w, classes);
    }

    /** Logits (n × c) from rows of Φ, a block at a time (any gates). */
    static double[] logitsFromRows(Dataset d, Normalization norm, PatchGeometry geom, Gates gates, double[] w, int classes) {
        RowBuilder rows = new RowBuilder(d, norm, geom, gates);
        int n = d.size(), g = rows.columns(), block = Math.max(1, Math.min(n, 1024));
        double[] z = new double[n * classes], phi = new double[block * g];
        for (int r0 = 0; r0 < n; r0 += block) {
            int m = Math.min(block, n - r0);
            rows.fill(r0, m, phi, 0);
            Gemm.dgemm(false, false, m, classes, g, 1, phi, 0, g, w, 0, classes, 0, z, r0 * classes, classes);
        }
        return z;
    }

    /**
     * The patterns that switch on at least one patch of at least one sample, and differ from every earlier one
     * in what they switch on (as Φ shows it). Duplicate or empty patterns add nothing to the program.
     */
    public int[] informativeGates() {
        int[] keep = new int[gates];
        int kept = 0;
        // Hash first, then compare the columns themselves: a hash collision must not drop a distinct pattern.
        java.util.Map<Long, java.util.List<Integer>> byHash = new java.util.HashMap<>();
        for (int j = 0; j < gates; j++) {
            long hash = 1;
            boolean any = false;
            for (int i = 0; i < samples; i++) {
                int off = (i * gates + j) * patchSize;
                for (int t = 0; t < patchSize; t++) {
                    double v = phi[off + t];
                    if (v != 0) any = true;
                    hash = 31 * hash + Double.hashCode(v);
                }
            }
            if (!any) continue;
            java.util.List<Integer> same = byHash.computeIfAbsent(hash, h -> new java.util.ArrayList<>());
            final int candidate = j;
            if (same.stream().noneMatch(other -> sameColumns(other, candidate))) {
                same.add(j);
                keep[kept++] = j;
            }
        }
        return Arrays.copyOf(keep, kept);
    }

    private boolean sameColumns(int a, int b) {
        for (int i = 0; i < samples; i++) {
            int oa = (i * gates + a) * patchSize, ob = (i * gates + b) * patchSize;
            for (int t = 0; t < patchSize; t++) if (phi[oa + t] != phi[ob + t]) return false;
        }
        return true;
    }

    /** The features of the given gates only (for dropping uninformative patterns). */
    public GatedFeatures select(int[] keep) {
        double[] out = new double[samples * keep.length * patchSize];
        for (int i = 0; i < samples; i++) {
            for (int a = 0; a < keep.length; a++) {
                System.arraycopy(phi, (i * gates + keep[a]) * patchSize, out, (i * keep.length + a) * patchSize, patchSize);
            }
        }
        return new GatedFeatures(samples, keep.length, patchSize, out);
    }
}
