package dev.convexcnn.spark;

import dev.convexcnn.convex.CompositeObjective;
import dev.convexcnn.convex.GroupLasso;
import org.apache.spark.api.java.JavaRDD;

/**
 * The gated-ReLU program with its data spread over Spark partitions, as the {@link CompositeObjective} the core's
 * R-FISTA solves: the smooth part f(W) = Σ_shards f_s(W) and its gradient are one tree aggregation over the
 * shards (W goes out in the task closure, p·h·c + 1 doubles come back per partition and are summed pairwise up a
 * tree of the given depth). The group-lasso value, its prox and the certificate act on W alone (p·h·c numbers),
 * so they run on the driver; the certificate's gradient is the aggregated one R-FISTA passes in, so it is exactly
 * the certificate of the whole program.
 */
public final class DistributedGatedProgram implements CompositeObjective {
    private final JavaRDD<Shard> shards;
    private final GroupLasso penalty;
    private final int dimension, depth;
    private long evaluations;
    private double aggregateSeconds, computeSeconds;

    DistributedGatedProgram(JavaRDD<Shard> shards, int gates, int patchSize, int classes, double lambda, int depth) {
        if (depth < 1) throw new IllegalArgumentException("tree depth must be >= 1, got " + depth);
        this.shards = shards;
        this.penalty = new GroupLasso(1, gates, patchSize, classes, lambda);
        this.dimension = gates * patchSize * classes;
        this.depth = depth;
    }

    public GroupLasso penalty() { return penalty; }

    @Override public int dimension() { return dimension; }

    @Override
    public double smooth(double[] w, double[] grad) {
        long t0 = System.nanoTime();
        final double[] at = w.clone();
        final int d = dimension;
        double[] sum = shards.treeAggregate(new double[d + 2],
                (acc, shard) -> shard.addSmooth(at, acc),
                (a, b) -> {
                    for (int i = 0; i < d + 2; i++) a[i] += b[i];
                    return a;
                }, depth);
        if (grad != null) System.arraycopy(sum, 0, grad, 0, d);
        evaluations++;
        aggregateSeconds += (System.nanoTime() - t0) / 1e9;
        computeSeconds += sum[d + 1];
        return sum[d];
    }

    @Override public double regularizer(double[] w) { return penalty.value(w); }
    @Override public void prox(double[] v, double step, double[] out) { penalty.prox(v, step, out); }
    @Override public double minNormSubgradientSquared(double[] w, double[] grad) { return penalty.minNormSubgradientSquared(w, grad); }

    /** Smooth-part evaluations so far: each is one Spark job. */
    public long evaluations() { return evaluations; }

    /** Wall time spent in those jobs. */
    public double aggregateSeconds() { return aggregateSeconds; }

    /** Time the executors spent computing in them, summed over partitions. */
    public double computeSeconds() { return computeSeconds; }
}
