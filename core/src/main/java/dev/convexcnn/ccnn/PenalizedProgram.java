package dev.convexcnn.ccnn;

import dev.convexcnn.linalg.ArrayKernels;
import dev.convexcnn.linalg.DoubleMatrix;
import dev.convexcnn.linalg.Parallel;
import dev.convexcnn.optim.NuclearNorm;

/**
 * The penalised CCNN program of one layer and its dual, over a {@link FeatureSource}:
 * <pre>
 *   primal  P(A) = (1/n) Σ_i ℓ(f_A(x_i), y_i) + λ‖A‖_*            (A in the W layout, (Q·m) × (C−1))
 *   dual    D(p) = (1/n) Σ_i H(p_i)   s.t. ‖G(p)‖₂ ≤ λ,  p_i ∈ Δ_C,
 *           G(p) = (1/n) Σ_i Φ(x_i)ᵀ (p_i − e_{y_i})  (the free C−1 coordinates; read as m × (Q·(C−1)))
 * </pre>
 * ℓ is the multinomial logistic loss with the last logit pinned at 0, H the Shannon entropy. The dual comes
 * from Fenchel duality: ℓ*(v; y) = −H(v + e_y) on the simplex, and the conjugate of λ‖·‖_* is the indicator of
 * the spectral-norm ball of radius λ. Weak duality P(A) ≥ D(p) holds for every A and every feasible p; at the
 * optimum p_i = softmax(f_{A*}(x_i)) and −G(p*) ∈ λ∂‖A*‖_*. Every pass reads the features in blocks.
 */
public final class PenalizedProgram {
    static final int CHUNK = 64;

    private PenalizedProgram() {}

    /** Mean loss and (when wanted) its gradient G (W layout) at w, and the free logits of every sample. */
    public record Pass(double loss, double accuracy, double[] gradient, double[] logits) {}

    public static Pass pass(FeatureSource fs, double[] w, boolean wantGradient) {
        return pass(fs, w, null, wantGradient);
    }

    /** As {@link #pass(FeatureSource, double[], boolean)} with an unpenalised bias (C−1 values, null: none) added to every sample's logits. */
    public static Pass pass(FeatureSource fs, double[] w, double[] bias, boolean wantGradient) {
        return pass(fs, w, bias, wantGradient, null);
    }

    /**
     * As {@link #pass(FeatureSource, double[], double[], boolean)}, the logits written into {@code into} (n·(C−1)
     * values, overwritten; null: a new array). A solver that calls this every iteration keeps its buffers: at full
     * scale the logits are megabytes, and a fresh array per pass (a G1 humongous allocation) set off a concurrent
     * collection each time once the heap was half full.
     */
    public static Pass pass(FeatureSource fs, double[] w, double[] bias, boolean wantGradient, double[] into) {
        int n = fs.size(), D = fs.positions() * fs.dim(), C = fs.classes(), c1 = C - 1;
        if (into != null && into.length < n * c1) throw new IllegalArgumentException("logits buffer of " + into.length + " values, need " + n * c1);
        int chunk = Math.min(CHUNK, n);
        if (fs.concurrentBlocks()) return heldPass(fs, w, bias, wantGradient, into, false);
        double[] wt = transpose(w, D, c1);
        Rows rows = new Rows(fs, wt, c1, wantGradient, chunk, true);
        double[] logits = into != null ? into : new double[n * c1];
        double[] delta = wantGradient ? new double[chunk * c1] : null;
        double[] gt = wantGradient ? new double[c1 * D] : null;
        double loss = 0;
        int[] correct = new int[1];
        for (int from = 0; from < n; from += chunk) {
            int nb = Math.min(chunk, n - from);
            loss += chunk(rows, false, from, nb, C, n, fs.labels(), bias, logits, delta, correct, gt);
        }
        return new Pass(loss / n, (double) correct[0] / n, wantGradient ? transpose(gt, c1, D) : null, logits);
    }

    /**
     * One chunk of a pass: the logits of samples from..from+nb for the weights the rows were made with into logits
     * (unless given: then they are there already), their loss (returned, scaled by 1/n) and accuracy into correct,
     * and, when gt is not null, (Fᵀδ)ᵀ added to gt (c1 × D; from float blocks once the rows are flushed). The
     * products are skinny (c1 columns), where the SIMD kernels beat a BLAS call that packs the whole block.
     */
    private static double chunk(Rows rows, boolean given, int from, int nb, int C, int n, int[] labels, double[] bias,
                                double[] logits, double[] delta, int[] correct, double[] gt) {
        int c1 = C - 1;
        rows.load(from, nb);
        if (!given) {
            rows.times(logits, from * c1);
            if (bias != null) for (int k = 0; k < nb * c1; k++) logits[from * c1 + k] += bias[k % c1];
        }
        double[] lg = java.util.Arrays.copyOfRange(logits, from * c1, (from + nb) * c1);
        double loss = MultinomialLogistic.evaluate(lg, nb, C, labels, from, 1.0 / n, gt == null ? null : delta, correct);
        if (gt != null) rows.addTransposed(delta, gt);
        return loss;
    }

    /** Columns of a block's gradient product per parallel task. */
    private static final int COLUMN_BLOCK = 2048;

    /** gt (c1 × D) += (fᵀδ)ᵀ for nb rows of f from at; over column ranges in parallel when asked (each entry summed in row order). */
    static void addGradient(double[] f, int at, int nb, int D, double[] delta, int c1, double[] gt, boolean parallel) {
        if (!parallel || D < 2 * COLUMN_BLOCK) {
            ArrayKernels.addTransposedProduct(f, at, D, nb, D, delta, 0, c1, gt, 0, D);
            return;
        }
        ArrayKernels.addTransposedProductByColumns(f, at, nb, D, delta, c1, gt, COLUMN_BLOCK);
    }

    /** The transpose of a rows × cols row-major array. */
    static double[] transpose(double[] a, int rows, int cols) {
        return new DoubleMatrix(rows, cols, a).transpose().data();
    }

    /** Fixed parts of a held source's pass: each sums its chunks in order, then the parts are summed in order. */
    static final int HELD_PARTS = 8;
    /** How many fixed parts a held source of n samples is split into (fewer for a small n). */
    private static int heldParts(int n) {
        return Math.max(1, Math.min(HELD_PARTS, (n + HELD_CHUNK - 1) / HELD_CHUNK));
    }

    /** The first sample of part (of parts) of n samples; part = parts gives n. */
    private static int partStart(int n, int part, int parts) {
        return (int) ((long) n * part / parts);
    }

    /**
     * One worker's access to a pass's rows, a chunk at a time: a held matrix read in place, another source's rows
     * copied into a buffer, or a working set's float filter outputs read block by block through a view (in place when
     * held, read once per chunk from a spilled block's file; {@link FilterOutputs#times}:
     * sums in double, B rearranged to the blocks' order once per pass, the gradient gathered in that order and added
     * back by {@link #flush}). Widening those rows into a double buffer first took as long as the products themselves.
     * parallel: one worker for a pass that is not parted, its products split over the threads (rows, then column
     * ranges: the same sums either way).
     */
    private static final class Rows {
        private final FeatureSource fs;
        private final double[] held, buf, bt, blockedB, blockedG;
        private final FilterOutputs blocks;
        private final int D, c;
        private final boolean parallel;
        private FilterOutputs.View view;
        private int from, nb;

        /** A parted pass's worker: chunks of at most HELD_CHUNK rows, the products on this thread. */
        Rows(FeatureSource fs, double[] bt, int c, boolean gradient) {
            this(fs, bt, c, gradient, HELD_CHUNK, false);
        }

        /** For products with bt (c × D; null when only gradients are taken), gradients with c columns when gradient, chunks of at most chunk rows. */
        Rows(FeatureSource fs, double[] bt, int c, boolean gradient, int chunk, boolean parallel) {
            this.fs = fs;
            this.bt = bt;
            this.c = c;
            this.parallel = parallel;
            D = fs.positions() * fs.dim();
            held = fs.held();
            blocks = held == null && fs instanceof FilterOutputs fo && fo.inPlace() ? fo : null;
            buf = held == null && blocks == null ? new double[chunk * D] : null;
            blockedB = blocks != null && bt != null ? blocks.byBlocks(bt, c) : null;
            blockedG = blocks != null && gradient ? new double[c * D] : null;
        }

        /** Moves to rows from..from+nb (at most the chunk size). */
        void load(int from, int nb) {
            this.from = from;
            this.nb = nb;
            if (buf != null) fs.block(from, nb, buf);
            if (blocks != null) view = blocks.view(from, nb, view);
        }

        /** out[outOff + i·c + k] = row i of the chunk times bt's row k. */
        void times(double[] out, int outOff) {
            double[] src = held != null ? held : buf;
            int at = held != null ? from * D : 0;
            if (blocks != null) blocks.times(view, nb, blockedB, c, out, outOff);
            else if (parallel) ArrayKernels.rowsTimesTransposedInParallel(src, at, nb, D, bt, c, out, outOff, 4);
            else ArrayKernels.rowsTimesTransposed(src, at, nb, D, bt, c, out, outOff);
        }

        /** gt (c × D) += δᵀ·rows (δ: nb × c); from float blocks only once {@link #flush}ed into gt. */
        void addTransposed(double[] delta, double[] gt) {
            if (blocks != null) blocks.addTransposed(view, nb, delta, c, blockedG);
            else addGradient(held != null ? held : buf, held != null ? from * D : 0, nb, D, delta, c, gt, parallel);
        }

        /** Adds the gradient gathered from float blocks since the last flush into gt (c × D); nothing for other rows. */
        void flush(double[] gt) {
            if (blockedG == null) return;
            blocks.addFromBlocks(blockedG, c, gt);
            java.util.Arrays.fill(blockedG, 0);
        }
    }

    /** Rows per chunk of a held pass: a chunk of the reduced features (32 × 4,320 doubles) stays in a core's cache between its two products. */
    private static final int HELD_CHUNK = 32;

    /**
     * {@link #pass} on a source whose blocks threads may read at once (a held n × D matrix, read in place), split into
     * {@link #HELD_PARTS} fixed parts of samples that Java threads share: the grouping of the sums depends on the
     * parts, never on the thread count, so the result is the same for any number of threads.
     */
    private static Pass heldPass(FeatureSource fs, double[] w, double[] bias, boolean wantGradient, double[] into, boolean given) {
        int n = fs.size(), D = fs.positions() * fs.dim(), C = fs.classes(), c1 = C - 1;
        int parts = heldParts(n);
        double[] wt = given ? null : transpose(w, D, c1);
        double[] logits = into != null ? into : new double[n * c1];
        double[] partLoss = new double[parts];
        int[] partCorrect = new int[parts];
        double[][] partGrad = new double[parts][];
        int[] labels = fs.labels();
        Parallel.forRange(parts, 1, (lo, hi) -> {
            double[] delta = wantGradient ? new double[HELD_CHUNK * c1] : null;
            Rows rows = new Rows(fs, wt, c1, wantGradient);
            for (int part = lo; part < hi; part++) {
                int start = partStart(n, part, parts), end = partStart(n, part + 1, parts);
                double[] gt = wantGradient ? new double[c1 * D] : null;
                int[] correct = new int[1];
                double loss = 0;
                for (int from = start; from < end; from += HELD_CHUNK) {
                    int nb = Math.min(HELD_CHUNK, end - from);
                    loss += chunk(rows, given, from, nb, C, n, labels, bias, logits, delta, correct, gt);
                }
                if (gt != null) rows.flush(gt);
                partLoss[part] = loss;
                partCorrect[part] = correct[0];
                partGrad[part] = gt;
            }
        });
        double loss = 0;
        int correct = 0;
        double[] gt = wantGradient ? partGrad[0] : null;
        for (int part = 0; part < parts; part++) {
            loss += partLoss[part];
            correct += partCorrect[part];
            if (wantGradient && part > 0) for (int i = 0; i < gt.length; i++) gt[i] += partGrad[part][i];
        }
        return new Pass(loss / n, (double) correct / n, wantGradient ? transpose(gt, c1, D) : null, logits);
    }

    /**
     * {@link #pass} with its gradient from logits already known (n × (C−1), bias included, as a pass returns them; kept
     * as the result's logits), on a source whose blocks threads may read at once: the loss from them, and one pass over
     * the features for the gradient alone, in the same fixed parts.
     */
    public static Pass passFromLogits(FeatureSource fs, double[] logits) {
        if (!fs.concurrentBlocks()) throw new IllegalArgumentException("the gradient from given logits needs a source read in parts");
        if (logits.length < fs.size() * (fs.classes() - 1)) throw new IllegalArgumentException("logits of " + logits.length + " values");
        return heldPass(fs, null, null, true, logits, true);
    }

    /** P(A) = mean loss + λ‖A‖_* at a W-layout A. */
    public static double primalObjective(FeatureSource fs, double[] w, double lambda) {
        return pass(fs, w, false).loss() + lambda * nuclearNorm(w, fs.dim(), fs.positions(), fs.classes() - 1);
    }

    /** ‖A‖_* of a W-layout matrix. */
    public static double nuclearNorm(double[] w, int m, int Q, int c1) {
        return NuclearNorm.nuclearNorm(ProjectedSgd.toA(w, m, Q, c1), m, Q * c1);
    }

    /** G(p) (W layout) for distributions p (n × C, rows on the simplex). */
    public static double[] dualMatrix(FeatureSource fs, double[] p) {
        int n = fs.size(), D = fs.positions() * fs.dim(), C = fs.classes(), c1 = C - 1;
        int[] y = fs.labels();
        if (fs.concurrentBlocks()) {
            // Fixed parts, as in heldPass: the same sums for any thread count.
            int parts = heldParts(n);
            double[][] partG = new double[parts][];
            Parallel.forRange(parts, 1, (lo, hi) -> {
                double[] delta = new double[HELD_CHUNK * c1];
                Rows rows = new Rows(fs, null, c1, true);
                for (int part = lo; part < hi; part++) {
                    int start = partStart(n, part, parts), end = partStart(n, part + 1, parts);
                    double[] gt = new double[c1 * D];
                    for (int from = start; from < end; from += HELD_CHUNK) {
                        int nb = Math.min(HELD_CHUNK, end - from);
                        for (int k = 0; k < nb; k++) deltaRow(p, from + k, C, y[from + k], delta, k * c1, 1.0 / n);
                        rows.load(from, nb);
                        rows.addTransposed(delta, gt);
                    }
                    rows.flush(gt);
                    partG[part] = gt;
                }
            });
            for (int part = 1; part < parts; part++) for (int i = 0; i < partG[0].length; i++) partG[0][i] += partG[part][i];
            return transpose(partG[0], c1, D);
        }
        int chunk = Math.min(CHUNK, n);
        double[] f = new double[chunk * D];
        double[] delta = new double[chunk * c1];
        double[] gt = new double[c1 * D];
        for (int from = 0; from < n; from += chunk) {
            int nb = Math.min(chunk, n - from);
            fs.block(from, nb, f);
            for (int k = 0; k < nb; k++) deltaRow(p, from + k, C, y[from + k], delta, k * c1, 1.0 / n);
            addGradient(f, 0, nb, D, delta, c1, gt, true);
        }
        return transpose(gt, c1, D);
    }

    /** G(p) in the W layout, and the mean loss and accuracy at (w, bias) over the same features. */
    public record DualAndLoss(double[] g, double loss, double accuracy) {}

    /**
     * G(p) and, in the same pass, the mean loss at (w, bias) (bias: C−1 values or null): a certificate's two halves
     * when the iterate's own logits came from rounded features (the working set's float filter outputs), so that
     * its primal is exact on these features. Fixed parts when the source allows, as in {@link #dualMatrix}.
     */
    public static DualAndLoss dualMatrixAndLoss(FeatureSource fs, double[] p, double[] w, double[] bias) {
        int n = fs.size(), D = fs.positions() * fs.dim(), C = fs.classes(), c1 = C - 1;
        double[] wt = transpose(w, D, c1);
        boolean parted = fs.concurrentBlocks();
        int parts = parted ? heldParts(n) : 1, chunk = parted ? HELD_CHUNK : Math.min(CHUNK, n);
        double[][] partG = new double[parts][];
        double[] partLoss = new double[parts];
        int[] partCorrect = new int[parts];
        Parallel.forRange(parts, parted ? 1 : parts, (lo, hi) -> {
            double[] delta = new double[chunk * c1], lg = new double[chunk * c1];
            // Parted: each worker's rows; otherwise one pass over copied chunks with the products over the threads.
            Rows rows = new Rows(fs, wt, c1, true, chunk, !parted);
            int[] correct = new int[1];
            for (int part = lo; part < hi; part++) {
                int start = partStart(n, part, parts), end = partStart(n, part + 1, parts);
                double[] gt = new double[c1 * D];
                double loss = 0;
                correct[0] = 0;
                for (int from = start; from < end; from += chunk) {
                    int nb = Math.min(chunk, end - from);
                    rows.load(from, nb);
                    rows.times(lg, 0);
                    if (bias != null) for (int k = 0; k < nb * c1; k++) lg[k] += bias[k % c1];
                    loss += MultinomialLogistic.evaluate(lg, nb, C, fs.labels(), from, 1.0 / n, null, correct);
                    for (int k = 0; k < nb; k++) deltaRow(p, from + k, C, fs.labels()[from + k], delta, k * c1, 1.0 / n);
                    rows.addTransposed(delta, gt);
                }
                rows.flush(gt);
                partG[part] = gt;
                partLoss[part] = loss;
                partCorrect[part] = correct[0];
            }
        });
        double loss = 0;
        int correct = 0;
        for (int part = 0; part < parts; part++) {
            loss += partLoss[part];
            correct += partCorrect[part];
            if (part > 0) for (int i = 0; i < partG[0].length; i++) partG[0][i] += partG[part][i];
        }
        return new DualAndLoss(transpose(partG[0], c1, D), loss / n, (double) correct / n);
    }

    /** scale·(p_i − e_{y_i}) over the free coordinates. */
    static void deltaRow(double[] p, int i, int C, int y, double[] out, int off, double scale) {
        for (int k = 0; k < C - 1; k++) out[off + k] = scale * (p[i * C + k] - (k == y ? 1 : 0));
    }

    /** ‖G‖₂ of a W-layout matrix read as A (m × (Q·c1)). */
    public static double spectralNorm(double[] g, int m, int Q, int c1) {
        return NuclearNorm.spectralNorm(ProjectedSgd.toA(g, m, Q, c1), m, Q * c1);
    }

    /** D(p) = mean entropy of the rows of p (n × C); does not check feasibility. */
    public static double meanEntropy(double[] p, int n, int C) {
        double h = 0;
        for (int i = 0; i < n * C; i++) if (p[i] > 0) h -= p[i] * Math.log(p[i]);
        return h / n;
    }

    /**
     * A feasible dual point from any p on the simplices: p̃_i = (1 − t)e_{y_i} + t·p_i with t = min(1, λ/‖G(p)‖₂).
     * G is linear in p − e_y, so G(p̃) = t·G(p) and ‖G(p̃)‖₂ ≤ λ. Returns p̃ (a new array).
     */
    public static double[] feasible(double[] p, int n, int C, int[] labels, double spectral, double lambda) {
        double t = spectral <= lambda ? 1 : lambda / spectral;
        double[] out = new double[n * C];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < C; k++) out[i * C + k] = t * p[i * C + k] + (k == labels[i] ? 1 - t : 0);
        }
        return out;
    }

    /**
     * {@code meanEntropy(feasible(p, …), n, C)}, the same values in the same order, without the n × C array of the
     * feasible point.
     */
    public static double feasibleEntropy(double[] p, int n, int C, int[] labels, double spectral, double lambda) {
        double t = spectral <= lambda ? 1 : lambda / spectral;
        double h = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < C; k++) {
                double v = t * p[i * C + k] + (k == labels[i] ? 1 - t : 0);
                if (v > 0) h -= v * Math.log(v);
            }
        }
        return h / n;
    }

    /** The dual objective of p made feasible, computed from p alone (one pass for G(p), one SVD). */
    public static double dualObjective(FeatureSource fs, double[] p, double lambda) {
        int n = fs.size(), C = fs.classes();
        double spec = spectralNorm(dualMatrix(fs, p), fs.dim(), fs.positions(), C - 1);
        return feasibleEntropy(p, n, C, fs.labels(), spec, lambda);
    }

    /** softmax over all C classes (the pinned logit 0 included) of free logits, n × C. */
    public static double[] softmax(double[] logits, int n, int C) {
        return softmax(logits, n, C, new double[n * C]);
    }

    /** {@link #softmax} into p (n·C values, overwritten), which it returns. */
    public static double[] softmax(double[] logits, int n, int C, double[] p) {
        for (int i = 0; i < n; i++) softmaxRow(logits, i * (C - 1), p, i * C, C);
        return p;
    }

    /** One sample's C probabilities at out[at…] from its C−1 free logits at logits[from…] (the last logit pinned at 0). */
    private static void softmaxRow(double[] logits, int from, double[] out, int at, int C) {
        int c1 = C - 1;
        double max = 0;
        for (int k = 0; k < c1; k++) max = Math.max(max, logits[from + k]);
        double z = 0;
        for (int k = 0; k < C; k++) {
            double v = Math.exp((k < c1 ? logits[from + k] : 0) - max);
            out[at + k] = v;
            z += v;
        }
        for (int k = 0; k < C; k++) out[at + k] /= z;
    }

    /**
     * {@link #softmax} in place: {@code a} holds the free logits (n × (C−1)) in its first n·(C−1) values and gets the
     * n × C probabilities, the same values as {@code softmax(logits, n, C, p)}. One array instead of two: rows are
     * done last to first, so a row's probabilities only overwrite logits already read (its own are copied first).
     */
    public static double[] softmaxInPlace(double[] a, int n, int C) {
        int c1 = C - 1;
        if (a.length < n * C) throw new IllegalArgumentException("softmax of " + n + " × " + C + " in " + a.length + " values");
        double[] row = new double[c1];
        for (int i = n - 1; i >= 0; i--) {
            System.arraycopy(a, i * c1, row, 0, c1);
            softmaxRow(row, 0, a, i * C, C);
        }
        return a;
    }

    /** σ_max of the n × (Q·m) feature matrix by power iteration on FᵀF (streamed passes), from a seeded start. */
    public static double featureNorm(FeatureSource fs, int iterations, long seed) {
        return featureNorm(fs, iterations, seededStart(fs.positions() * fs.dim(), seed)).value();
    }

    /** The power iteration's seeded Gaussian start (D values). */
    static double[] seededStart(int D, long seed) {
        double[] v = new double[D];
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < D; i++) v[i] = r.nextGaussian();
        return v;
    }

    /** σ_max estimated by power iteration, and the last vector (unit length): a warm start for a grown matrix. */
    public record Norm(double value, double[] vector) {}

    /** σ_max of the n × (Q·m) feature matrix by power iteration on FᵀF from {@code initial} (Q·m values, not all 0; overwritten). */
    public static Norm featureNorm(FeatureSource fs, int iterations, double[] initial) {
        int n = fs.size(), D = fs.positions() * fs.dim();
        if (initial.length != D) throw new IllegalArgumentException("start vector of " + initial.length + " values, need " + D);
        double[] v = initial;
        boolean parted = fs.concurrentBlocks();
        int chunk = Math.min(CHUNK, n);
        double[] f = parted ? null : new double[chunk * D], fv = new double[chunk];
        int parts = heldParts(n);
        double est = 0;
        for (int it = 0; it < iterations; it++) {
            double norm = 0;
            for (double x : v) norm += x * x;
            norm = Math.sqrt(norm);
            if (norm == 0) return new Norm(0, v);
            for (int i = 0; i < D; i++) v[i] /= norm;
            double[] next, unit = v;
            double sq = 0;
            if (parted) {
                // Fixed parts, as in heldPass: the same sums for any thread count.
                double[][] partNext = new double[parts][];
                double[] partSq = new double[parts];
                Parallel.forRange(parts, 1, (lo, hi) -> {
                    double[] pv = new double[HELD_CHUNK];
                    Rows rows = new Rows(fs, unit, 1, true);
                    for (int part = lo; part < hi; part++) {
                        int start = partStart(n, part, parts), end = partStart(n, part + 1, parts);
                        double[] acc = new double[D];
                        double s2 = 0;
                        for (int from = start; from < end; from += HELD_CHUNK) {
                            int nb = Math.min(HELD_CHUNK, end - from);
                            rows.load(from, nb);
                            rows.times(pv, 0);
                            for (int k = 0; k < nb; k++) s2 += pv[k] * pv[k];
                            rows.addTransposed(pv, acc);
                        }
                        rows.flush(acc);
                        partNext[part] = acc;
                        partSq[part] = s2;
                    }
                });
                next = partNext[0];
                for (int part = 0; part < parts; part++) {
                    sq += partSq[part];
                    if (part > 0) for (int i = 0; i < D; i++) next[i] += partNext[part][i];
                }
            } else {
                next = new double[D];
                for (int from = 0; from < n; from += chunk) {
                    int nb = Math.min(chunk, n - from);
                    fs.block(from, nb, f);
                    ArrayKernels.rowsTimesTransposed(f, 0, nb, D, v, 1, fv, 0);
                    for (int k = 0; k < nb; k++) sq += fv[k] * fv[k];
                    addGradient(f, 0, nb, D, fv, 1, next, true);
                }
            }
            est = Math.sqrt(sq);
            v = next;
        }
        double norm = 0;
        for (double x : v) norm += x * x;
        norm = Math.sqrt(norm);
        if (norm > 0) for (int i = 0; i < D; i++) v[i] /= norm;
        return new Norm(est, v);
    }
}
