package dev.convexcnn.convex;

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
     * One pass over Φ a block of rows at a time: the block's predictions, its loss and residual, and its part of
     * Φᵀ·residual, while the block is still in the cache. Φ is far larger than W, so reading it once instead of
     * twice is what sets the speed.
     */
    @Override
    public double smooth(double[] w, double[] grad) {
        final int n = features.samples(), g = features.columns();
        final double[] phi = features.matrix();
        final int block = Math.max(1, BLOCK_BYTES / (g * Double.BYTES));
        double f = 0;
        if (n == 0 && grad != null) java.util.Arrays.fill(grad, 0);
        for (int r0 = 0; r0 < n; r0 += block) {
            int m = Math.min(block, n - r0);
            Gemm.dgemm(false, false, m, classes, g, 1, phi, r0 * g, g, w, 0, classes, 0, z, r0 * classes, classes);
            f += loss.value(z, labels, r0, r0 + m, totalSamples, classes, grad == null ? null : dz);
            if (grad != null) {
                Gemm.dgemm(true, false, g, classes, m, 1, phi, r0 * g, g, dz, r0 * classes, classes, r0 == 0 ? 0 : 1, grad, 0, classes);
            }
        }
        return f;
    }

    private static final int BLOCK_BYTES = 1 << 20;

    /** λ_max: the smallest λ for which W = 0 is optimal. Choose λ as a fraction of it (it falls like 1/√n). */
    public static double lambdaMax(GatedFeatures features, int[] labels, int classes, Loss loss) {
        return new GatedReluProgram(features, labels, classes, loss, 0).lambdaMax();
    }
}
