package dev.convexcnn.convex;

import dev.convexcnn.linalg.ArrayKernels;
import dev.convexcnn.linalg.Backend;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.optim.GroupLasso;

/**
 * The gated-ReLU relaxation of the two-layer CNN program:
 * min_W loss(Φ W, y) + λ Σ_{j,k} ‖W_{j,k}‖₂, with Φ the per-pattern patch sums ({@link GatedFeatures}) and
 * W_{j,k} ∈ R^h the weights of pattern j for class k. Its optimum is a gated ReLU network's.
 */
public final class GatedReluProgram implements GroupLassoProgram {
    private final GatedFeatures features;
    private final int[] labels;
    private final int classes;
    private final Loss loss;
    private final GroupLasso penalty;
    private final int totalSamples;
    private final double[] z, dz;

    public GatedReluProgram(GatedFeatures features, int[] labels, int classes, Loss loss, double lambda) {
        this(features, labels, classes, loss, lambda, features.samples());
    }

    /**
     * A shard of a program over {@code totalSamples} samples, holding some of its rows: the loss is scaled for
     * totalSamples, so the smooth parts (and gradients) of disjoint shards add up to the whole program's. This is
     * what a data-parallel solver sums across machines.
     */
    public GatedReluProgram(GatedFeatures features, int[] labels, int classes, Loss loss, double lambda, int totalSamples) {
        if (labels.length != features.samples()) throw new IllegalArgumentException("one label per sample");
        if (totalSamples < features.samples() || totalSamples <= 0) {
            throw new IllegalArgumentException("total samples " + totalSamples + " must be > 0 and at least this shard's " + features.samples());
        }
        this.totalSamples = totalSamples;
        this.features = features;
        this.labels = labels;
        this.classes = classes;
        this.loss = loss;
        this.penalty = new GroupLasso(1, features.gates(), features.patchSize(), classes, lambda);
        this.z = new double[features.samples() * classes];
        this.dz = new double[features.samples() * classes];
    }

    public GroupLasso penalty() { return penalty; }
    public GatedFeatures features() { return features; }
    public int classes() { return classes; }
    public Loss loss() { return loss; }

    @Override public int dimension() { return features.columns() * classes; }

    /** Predictions Φ W, n × c. */
    public void predict(double[] w, double[] out) {
        int n = features.samples(), g = features.columns();
        Gemm.dgemm(false, false, n, classes, g, 1, features.matrix(), 0, g, w, 0, classes, 0, out, 0, classes);
    }

    /**
     * The predictions Φ·W and the gradient Φᵀ·residual by the skinny-product kernels (a BLAS call packs Φ to
     * multiply it by only c columns): rows in parallel for the predictions, column ranges in parallel for the
     * gradient, each entry summed in row order, so the result does not depend on the thread count.
     */
    @Override
    public double smooth(double[] w, double[] grad) {
        final int n = features.samples(), g = features.columns();
        final double[] phi = features.matrix();
        double[] wt = new double[classes * g];
        for (int j = 0; j < g; j++) for (int k = 0; k < classes; k++) wt[k * g + j] = w[j * classes + k];
        ArrayKernels.rowsTimesTransposedInParallel(phi, 0, n, g, wt, classes, z, 0, 64);
        double f = loss.value(z, labels, 0, n, totalSamples, classes, grad == null ? null : dz);
        if (grad != null) {
            double[] gt = new double[classes * g];
            ArrayKernels.addTransposedProductByColumns(phi, 0, n, g, dz, classes, gt, COLUMNS);
            for (int j = 0; j < g; j++) for (int k = 0; k < classes; k++) grad[j * classes + k] = gt[k * g + j];
        }
        return f;
    }

    /**
     * This program as a quadratic, f(W) = scale·(‖ΦW‖²/2 − ⟨ΦᵀY, W⟩) + constant with scale = 1/(N·c), for the squared
     * loss (null for another): A·W = ΦᵀΦW, several points in one product (their columns side by side); by the native
     * dgemm where it is present ({@link #BLAS_COLUMNS}), else by the kernels of {@link #smooth}. A float product (asked
     * for with single) is two sgemm calls on a float copy of Φ, twice as fast as dgemm; on the Java BLAS it stays double.
     */
    public synchronized dev.convexcnn.optim.Quadratic asQuadratic() {
        if (loss != Loss.SQUARED) return null;
        if (asQuadratic == null) asQuadratic = new AsQuadratic();   // one view, so ΦᵀY is made once
        return asQuadratic;
    }

    private AsQuadratic asQuadratic;

    private final class AsQuadratic implements dev.convexcnn.optim.Quadratic {
        private double[] cross;
        private float[] phiSingle;

        /** Φ rounded to float, made on the first float product (half Φ's memory again). */
        private synchronized float[] phiInFloat() {
            if (phiSingle == null) {
                double[] phi = features.matrix();
                float[] f = new float[phi.length];
                for (int i = 0; i < phi.length; i++) f[i] = (float) phi[i];
                phiSingle = f;
            }
            return phiSingle;
        }

        @Override public int dimension() { return GatedReluProgram.this.dimension(); }

        @Override
        public void products(double[][] xs, int count, double[][] out, boolean single) {
            int n = features.samples(), g = features.columns(), c = classes, wide = count * c;
            double[] phi = features.matrix(), gt = new double[wide * g];
            boolean blas = Backend.get().isNative();
            if (single && blas) {
                // The columns rounded to float straight from xs: no double copy, no double product buffer.
                float[] pf = phiInFloat(), wf = new float[wide * g], zf = new float[n * wide], gf = new float[gt.length];
                for (int j = 0; j < count; j++) {
                    for (int t = 0; t < g; t++) for (int k = 0; k < c; k++) wf[(j * c + k) * g + t] = (float) xs[j][t * c + k];
                }
                Gemm.sgemm(false, true, n, wide, g, 1, pf, 0, g, wf, 0, g, 0, zf, 0, wide);
                Gemm.sgemm(true, false, wide, g, n, 1, zf, 0, wide, pf, 0, g, 0, gf, 0, g);
                for (int i = 0; i < gt.length; i++) gt[i] = gf[i];
            } else {
                double[] wt = new double[wide * g], zs = new double[n * wide];
                for (int j = 0; j < count; j++) {
                    for (int t = 0; t < g; t++) for (int k = 0; k < c; k++) wt[(j * c + k) * g + t] = xs[j][t * c + k];
                }
                if (wide >= BLAS_COLUMNS && blas) {
                    Gemm.dgemm(false, true, n, wide, g, 1, phi, 0, g, wt, 0, g, 0, zs, 0, wide);
                    Gemm.dgemm(true, false, wide, g, n, 1, zs, 0, wide, phi, 0, g, 0, gt, 0, g);
                } else {
                    ArrayKernels.rowsTimesTransposedInParallel(phi, 0, n, g, wt, wide, zs, 0, 64);
                    ArrayKernels.addTransposedProductByColumns(phi, 0, n, g, zs, wide, gt, COLUMNS);
                }
            }
            for (int j = 0; j < count; j++) {
                for (int t = 0; t < g; t++) for (int k = 0; k < c; k++) out[j][t * c + k] = gt[(j * c + k) * g + t];
            }
        }

        @Override public double scale() { return 1.0 / ((double) totalSamples * classes); }

        /** b = ΦᵀY (Y one-hot), made once. */
        @Override
        public synchronized double[] linearTerm() {
            if (cross == null) {
                int n = features.samples(), g = features.columns();
                double[] y = new double[n * classes], gt = new double[classes * g], b = new double[dimension()];
                for (int i = 0; i < n; i++) y[i * classes + labels[i]] = 1;
                ArrayKernels.addTransposedProductByColumns(features.matrix(), 0, n, g, y, classes, gt, COLUMNS);
                for (int t = 0; t < g; t++) for (int k = 0; k < classes; k++) b[t * classes + k] = gt[k * g + t];
                cross = b;
            }
            return cross;
        }

        @Override public double constant() { return features.samples() * scale() / 2; }
        @Override public double regularizer(double[] w) { return penalty.value(w); }
        @Override public void prox(double[] v, double step, double[] out) { penalty.prox(v, step, out); }
        @Override public double minNormSubgradientSquared(double[] w, double[] grad) { return penalty.minNormSubgradientSquared(w, grad); }
    }

    /**
     * From this many columns on (ten classes) the quadratic view multiplies by the native BLAS: measured on Φ of
     * 2,000 × 6,656 (2-core AVX2), dgemm took 27–33 ms for 10 columns against 30–50 ms for the skinny kernels, and
     * 36–45 ms for 20 (two points) against 66–95 ms, since those kernels pass over Φ once per 8 columns. The Java
     * BLAS is slower than the kernels, so it keeps them.
     */
    private static final int BLAS_COLUMNS = 10;

    /** Columns of Φ per gradient task (their rows stay in the cache between the c outputs). */
    private static final int COLUMNS = 256;

    /** λ_max: the smallest λ for which W = 0 is optimal. Choose λ as a fraction of it (it falls like 1/√n). */
    public static double lambdaMax(GatedFeatures features, int[] labels, int classes, Loss loss) {
        return new GatedReluProgram(features, labels, classes, loss, 0).lambdaMax();
    }
}
