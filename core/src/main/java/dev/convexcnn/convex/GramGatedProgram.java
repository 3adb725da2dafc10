package dev.convexcnn.convex;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.linalg.ArrayKernels;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.optim.GroupLasso;

/**
 * The gated-ReLU program with the squared loss, posed on its sufficient statistics: with G = ΦᵀΦ (g × g,
 * g = p·h) and B = ΦᵀY, (1/(2nc))‖ΦW − Y‖² = (1/(2nc))(⟨W, GW − 2B⟩ + ‖Y‖²) and its gradient is (GW − B)/(nc).
 * An evaluation then costs one g × g by g × c product instead of two passes over the n × g matrix Φ, and Φ
 * itself is never held: G and B are summed a block of rows at a time ({@link #build}). Building G costs about
 * n·g² flops once (one dsyrk per block, at dgemm speed); it pays for itself after about g / (2c) iterations of
 * the streamed evaluation ({@link GatedReluProgram}), and R-FISTA runs hundreds to thousands. Same program,
 * same optimum: only the arithmetic is arranged differently (tested against the streamed one).
 */
public final class GramGatedProgram implements QuadraticObjective, GroupLassoProgram {
    /** Rows of Φ per dsyrk: long enough for the product to run at dgemm speed, small enough to stay in memory. */
    static final int ROWS_PER_BLOCK = 1024;
    /** Columns above which G (g² doubles) is not worth holding: 8,192 columns is 512 MiB. */
    public static final int MAX_COLUMNS = 8192;
    /** Rows of G per thread in the SIMD products: below this a thread's start costs more than its share. */
    static final int ROWS_PER_THREAD = 48;

    private final int samples, gates, patchSize, classes;
    private final double[] gram, cross;
    private final double targetsSquared;
    private final GroupLasso penalty;
    private final double[] gw;
    private double featureSeconds, gramSeconds;
    // G rounded to float once, for the single-precision products (half the bytes read per flop), and the packing
    // buffers of the wide products; made on first use.
    private float[] gramSingle;
    private double[] packed, packedOut;
    private float[] packedSingle, packedSingleOut;
    private long productFlops, productNanos;

    private GramGatedProgram(int samples, int gates, int patchSize, int classes, double[] gram, double[] cross,
                             double targetsSquared, double lambda) {
        this.samples = samples;
        this.gates = gates;
        this.patchSize = patchSize;
        this.classes = classes;
        this.gram = gram;
        this.cross = cross;
        this.targetsSquared = targetsSquared;
        this.penalty = new GroupLasso(1, gates, patchSize, classes, lambda);
        this.gw = new double[gates * patchSize * classes];
    }

    /**
     * G and B of the gated features of d under the given gates, streamed: Φ is built {@link #ROWS_PER_BLOCK}
     * rows at a time and never held whole. λ is set later ({@link #withLambda}).
     */
    public static GramGatedProgram build(Dataset d, Normalization norm, PatchGeometry geom, Gates gates) {
        return build(d, norm, geom, gates, ROWS_PER_BLOCK);
    }

    static GramGatedProgram build(Dataset d, Normalization norm, PatchGeometry geom, Gates gates, int rowsPerBlock) {
        if (rowsPerBlock <= 0) throw new IllegalArgumentException("rows per block must be > 0, got " + rowsPerBlock);
        GatedFeatures.RowBuilder rows = new GatedFeatures.RowBuilder(d, norm, geom, gates);
        int n = d.size(), g = rows.columns(), c = d.classes();
        checkColumns(g);
        double[] gram = new double[g * g], cross = new double[g * c];
        double[] block = new double[Math.min(Math.max(n, 1), rowsPerBlock) * g];
        long featureNanos = 0, gramNanos = 0;
        for (int r0 = 0; r0 < n; r0 += rowsPerBlock) {
            int m = Math.min(rowsPerBlock, n - r0);
            long t0 = System.nanoTime();
            rows.fill(r0, m, block, 0);
            long t1 = System.nanoTime();
            accumulate(block, m, g, d.labels(), r0, c, gram, cross, r0 > 0);
            featureNanos += t1 - t0;
            gramNanos += System.nanoTime() - t1;
        }
        Gemm.symmetriseFromLower(g, gram);
        GramGatedProgram p = new GramGatedProgram(n, gates.count(), geom.patchSize(), c, gram, cross, n, 0);
        p.featureSeconds = featureNanos / 1e9;
        p.gramSeconds = gramNanos / 1e9;
        return p;
    }

    /** G and B of features already held (for tests, and for callers that have Φ anyway). */
    public static GramGatedProgram of(GatedFeatures f, int[] labels, int classes) {
        if (labels.length != f.samples()) throw new IllegalArgumentException("one label per sample");
        int n = f.samples(), g = f.columns();
        checkColumns(g);
        double[] gram = new double[g * g], cross = new double[g * classes];
        accumulate(f.matrix(), n, g, labels, 0, classes, gram, cross, false);
        Gemm.symmetriseFromLower(g, gram);
        return new GramGatedProgram(n, f.gates(), f.patchSize(), classes, gram, cross, n, 0);
    }

    private static void checkColumns(int g) {
        if (g > MAX_COLUMNS) {
            throw new IllegalArgumentException("the Gram matrix of " + g + " feature columns would take "
                    + (8L * g * g >> 20) + " MiB: use at most " + MAX_COLUMNS + " columns (patterns × patch size)");
        }
    }

    /** Adds the m rows of phi (labels from labels[labelOffset]) into G's lower triangle and into B = ΦᵀY. */
    private static void accumulate(double[] phi, int m, int g, int[] labels, int labelOffset, int c,
                                   double[] gram, double[] cross, boolean add) {
        Gemm.gramLower(m, g, 1, phi, 0, add ? 1 : 0, gram);
        // B's column k is the sum of the rows of class k: one pass, no one-hot matrix.
        if (!add) java.util.Arrays.fill(cross, 0);
        for (int i = 0; i < m; i++) {
            int k = labels[labelOffset + i];
            if (k < 0 || k >= c) throw new IllegalArgumentException("label " + k + " of sample " + (labelOffset + i) + " is not in [0, " + c + ")");
            int row = i * g;
            for (int t = 0; t < g; t++) cross[t * c + k] += phi[row + t];
        }
    }

    /** The same statistics with another λ. */
    public GramGatedProgram withLambda(double lambda) {
        return new GramGatedProgram(samples, gates, patchSize, classes, gram, cross, targetsSquared, lambda);
    }

    public int samples() { return samples; }
    public int gates() { return gates; }
    public int patchSize() { return patchSize; }
    public int classes() { return classes; }
    public int columns() { return gates * patchSize; }
    public GroupLasso penalty() { return penalty; }
    @Override public GroupLasso groupLasso() { return penalty; }
    /** G itself (g × g, row-major), for tests that bound its products' rounding. */
    double[] gram() { return gram; }
    /** Seconds {@link #build} spent making rows of Φ, and summing them into G and B (0 for other instances). */
    public double featureSeconds() { return featureSeconds; }
    public double gramSeconds() { return gramSeconds; }

    @Override public int dimension() { return columns() * classes; }

    /** One product with G into a kept buffer; the value and gradient by {@link QuadraticObjective}'s formulas. */
    @Override
    public double smooth(double[] w, double[] grad) {
        products(new double[][] {w}, 1, new double[][] {gw}, false);
        return smoothFromProduct(w, gw, grad);
    }

    /**
     * G·[W₁ … W_k] as one g × g by g × kc product, so G is read once for k points: a second trial point costs
     * little (G's reading bounds a g × 10 product). Where the SIMD kernels run, G's rows against the points' columns
     * on the cores (no BLAS call: OpenBLAS packs all of G for so few columns, and its idle threads would spin beside
     * ours); otherwise by the BLAS.
     */
    @Override
    public void products(double[][] xs, int count, double[][] out, boolean single) {
        int g = columns(), c = classes, wide = count * c;
        long t0 = System.nanoTime();
        boolean simd = ArrayKernels.vectorized();
        if (!single && count == 1 && !simd) {
            Gemm.dgemm(false, false, g, c, g, 1, gram, 0, g, xs[0], 0, c, 0, out[0], 0, c);
        } else if (!single) {
            if (packed == null || packed.length < g * wide) { packed = new double[g * wide]; packedOut = new double[g * wide]; }
            if (simd) {
                // G is symmetric, so G·X is G's rows against X's columns: the SIMD kernel takes X transposed.
                for (int j = 0; j < count; j++) {
                    double[] x = xs[j];
                    for (int k = 0; k < c; k++) {
                        int row = (j * c + k) * g;
                        for (int t = 0; t < g; t++) packed[row + t] = x[t * c + k];
                    }
                }
                ArrayKernels.rowsTimesTransposedInParallel(gram, 0, g, g, packed, wide, packedOut, 0, ROWS_PER_THREAD);
            } else {
                for (int j = 0; j < count; j++) {
                    for (int t = 0; t < g; t++) System.arraycopy(xs[j], t * c, packed, t * wide + j * c, c);
                }
                Gemm.dgemm(false, false, g, wide, g, 1, gram, 0, g, packed, 0, wide, 0, packedOut, 0, wide);
            }
            for (int j = 0; j < count; j++) {
                for (int t = 0; t < g; t++) System.arraycopy(packedOut, t * wide + j * c, out[j], t * c, c);
            }
        } else {
            if (gramSingle == null) {
                gramSingle = new float[g * g];
                for (int i = 0; i < gramSingle.length; i++) gramSingle[i] = (float) gram[i];
            }
            if (packedSingle == null || packedSingle.length < g * wide) {
                packedSingle = new float[g * wide];
                packedSingleOut = new float[g * wide];
            }
            if (simd) {
                for (int j = 0; j < count; j++) {
                    double[] x = xs[j];
                    for (int k = 0; k < c; k++) {
                        int row = (j * c + k) * g;
                        for (int t = 0; t < g; t++) packedSingle[row + t] = (float) x[t * c + k];
                    }
                }
                ArrayKernels.rowsTimesTransposedInParallel(gramSingle, 0, g, g, packedSingle, wide, packedSingleOut, 0, ROWS_PER_THREAD);
            } else {
                for (int j = 0; j < count; j++) {
                    double[] x = xs[j];
                    for (int t = 0; t < g; t++) {
                        for (int k = 0; k < c; k++) packedSingle[t * wide + j * c + k] = (float) x[t * c + k];
                    }
                }
                Gemm.sgemm(false, false, g, wide, g, 1, gramSingle, 0, g, packedSingle, 0, wide, 0, packedSingleOut, 0, wide);
            }
            for (int j = 0; j < count; j++) {
                double[] o = out[j];
                for (int t = 0; t < g; t++) {
                    for (int k = 0; k < c; k++) o[t * c + k] = packedSingleOut[t * wide + j * c + k];
                }
            }
        }
        productNanos += System.nanoTime() - t0;
        productFlops += 2L * g * g * wide;
    }

    @Override public double scale() { return 1.0 / ((double) samples * classes); }
    @Override public double[] linearTerm() { return cross; }
    @Override public double constant() { return targetsSquared * scale() / 2; }

    /** Flops and seconds spent in G's products so far (the solver's hot loop), and a reset. */
    public long productFlops() { return productFlops; }
    public double productSeconds() { return productNanos / 1e9; }
    public void resetProductCounters() { productFlops = 0; productNanos = 0; }

    /**
     * A start for the solver near the optimum when λ is small, from the normal equations rather than gradient steps:
     * iteratively reweighted least squares. The optimum satisfies (G + nc·λ·diag(1/‖W_{j,k}‖))·W_k = B_k for each
     * class k on its nonzero groups; with the group norms of the last point in place of the optimum's, each step is
     * one g × g Cholesky solve per class (the first, with all norms 1, one ridge solve for all classes). Each step
     * minimises a quadratic majoriser of the objective, so the objective does not increase; the point with the lowest
     * objective among zero and the steps' is returned, and R-FISTA's certificate decides optimality as from any
     * start. Gradient steps alone take thousands of iterations along G's flat directions when λ is small (the
     * windowed program on full MNIST: 1,400 iterations to the certificate, the relative gap still 0.19 there).
     */
    public double[] reweightedRidgeStart(double lambda, int steps) {
        return reweightedRidgeStart(lambda, steps, 0).x();
    }

    /** The relative duality gap at which the start's steps stop (with the certificate met). */
    public static final double START_GAP = 1e-3;

    /** A start point and the solves it took. */
    public record RidgeStart(double[] x, int steps) {}

    /**
     * The same, stopping after the first step whose point meets the certificate {@code tolerance} (squared min-norm
     * subgradient, from double products) and is within {@link #START_GAP} of the optimum by the duality gap. The gap
     * matters: with λ = 1e-5·λ_max the plain ridge point (one step) meets a 1e-6 certificate with a relative gap of
     * 0.26 (MNIST, 10,000 images), since every term of the subgradient is small when λ is.
     */
    public RidgeStart reweightedRidgeStart(double lambda, int steps, double tolerance) {
        int g = columns(), h = patchSize, c = classes;
        double nc = (double) samples * classes, meanDiagonal = 0;
        for (int i = 0; i < g; i++) meanDiagonal += gram[i * g + i];
        meanDiagonal /= Math.max(1, g);
        GramGatedProgram at = withLambda(lambda);
        double[] best = new double[dimension()];
        double bestValue = at.smooth(best, null) + at.regularizer(best);
        double[] w = null, shift = new double[g], column = new double[g];
        int done = 0;
        for (int step = 0; step < steps; step++) {
            done = step + 1;
            double[] next;
            try {
                if (w == null) {
                    java.util.Arrays.fill(shift, nc * lambda + 1e-12 * meanDiagonal);
                    next = dev.convexcnn.linalg.Cholesky.solveShifted(g, gram, shift, c, cross);
                } else {
                    next = new double[dimension()];
                    for (int k = 0; k < c; k++) {
                        double largest = 0;
                        double[] norms = new double[gates];
                        for (int j = 0; j < gates; j++) {
                            norms[j] = penalty.norm(w, j * c + k);        // group (pattern j, class k)
                            largest = Math.max(largest, norms[j]);
                        }
                        for (int j = 0; j < gates; j++) {
                            // A floor keeps the system positive definite where a group vanishes (it stays near zero).
                            double mu = nc * lambda / Math.max(norms[j], 1e-9 * largest) + 1e-12 * meanDiagonal;
                            for (int t = 0; t < h; t++) shift[j * h + t] = mu;
                        }
                        for (int r = 0; r < g; r++) column[r] = cross[r * c + k];
                        double[] x = dev.convexcnn.linalg.Cholesky.solveShifted(g, gram, shift, 1, column);
                        for (int r = 0; r < g; r++) next[r * c + k] = x[r];
                    }
                }
            } catch (ArithmeticException e) {
                break;                                      // rounding made the system indefinite: keep the best so far
            }
            w = next;
            double[] grad = new double[w.length];
            double value = at.smooth(w, grad) + at.regularizer(w);
            if (value < bestValue) {
                best = w;
                bestValue = value;
                if (at.minNormSubgradientSquared(w, grad) <= tolerance
                        && at.penalty().relativeGap(w, value - at.regularizer(w), at.regularizer(w), grad) <= START_GAP) {
                    break;
                }
            }
        }
        return new RidgeStart(best, done);
    }


    /**
     * The gates that switch something on and differ from every earlier kept one, read off G: gate j is empty when
     * tr(G_jj) = 0, and gates j, j′ have equal features when ‖Φ_j − Φ_j′‖² = tr G_jj + tr G_j′j′ − 2 tr G_jj′ is 0
     * (to 1e-12 of the traces: the sums are rounded, unlike {@link GatedFeatures#informativeGates}'s exact test).
     */
    public int[] informativeGates() {
        int g = columns();
        double[] trace = new double[gates];
        for (int j = 0; j < gates; j++) trace[j] = blockTrace(j, j, g);
        int[] keep = new int[gates];
        int kept = 0;
        for (int j = 0; j < gates; j++) {
            if (!(trace[j] > 0)) continue;
            boolean duplicate = false;
            for (int a = 0; a < kept && !duplicate; a++) {
                int o = keep[a];
                double distance = trace[j] + trace[o] - 2 * blockTrace(j, o, g);
                duplicate = distance <= 1e-12 * (trace[j] + trace[o]);
            }
            if (!duplicate) keep[kept++] = j;
        }
        return java.util.Arrays.copyOf(keep, kept);
    }

    private double blockTrace(int a, int b, int g) {
        double s = 0;
        for (int t = 0; t < patchSize; t++) s += gram[(a * patchSize + t) * g + b * patchSize + t];
        return s;
    }

    /** The program over the given gates only: the matching blocks of G and rows of B. */
    public GramGatedProgram select(int[] keep) {
        int g = columns(), h = patchSize, g2 = keep.length * h, c = classes;
        double[] gram2 = new double[g2 * g2], cross2 = new double[g2 * c];
        for (int a = 0; a < keep.length; a++) {
            for (int t = 0; t < h; t++) {
                int src = keep[a] * h + t, dst = a * h + t;
                System.arraycopy(cross, src * c, cross2, dst * c, c);
                for (int b = 0; b < keep.length; b++) {
                    System.arraycopy(gram, src * g + keep[b] * h, gram2, dst * g2 + b * h, h);
                }
            }
        }
        return new GramGatedProgram(samples, keep.length, h, c, gram2, cross2, targetsSquared, penalty.lambda());
    }
}
