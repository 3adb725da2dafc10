package dev.convexcnn.spark;

import dev.convexcnn.convex.CompositeObjective;
import dev.convexcnn.optim.GroupLasso;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * The gated-ReLU program with its data spread over Spark partitions, as the {@link CompositeObjective} the core's
 * R-FISTA solves: the smooth part f(W) = Σ_shards f_s(W) and its gradient are one Spark job over the shards. W
 * goes out as a broadcast, once per evaluation (each executor fetches it once, whatever its number of tasks);
 * p·h·c + 2 doubles come back per partition and are summed up a tree of the given depth, always in partition
 * order, so the sum (and so the whole solve) does not depend on which task finished first or was re-run. The
 * group-lasso value, its prox and the certificate act on W alone (p·h·c numbers), so they run on the driver; the
 * certificate's gradient is the aggregated one R-FISTA passes in, so it is exactly the certificate of the whole
 * program.
 */
public final class DistributedGatedProgram implements CompositeObjective {
    private final JavaRDD<Shard> shards;
    private final JavaSparkContext sc;
    private final GroupLasso penalty;
    private final int dimension, depth;
    private long evaluations;
    private double aggregateSeconds, computeSeconds;

    DistributedGatedProgram(JavaRDD<Shard> shards, int gates, int patchSize, int classes, double lambda, int depth) {
        if (depth < 1) throw new IllegalArgumentException("tree depth must be >= 1, got " + depth);
        this.shards = shards;
        this.sc = JavaSparkContext.fromSparkContext(shards.context());
        this.penalty = new GroupLasso(1, gates, patchSize, classes, lambda);
        this.dimension = gates * patchSize * classes;
        this.depth = depth;
    }

    public GroupLasso penalty() { return penalty; }

    @Override public int dimension() { return dimension; }

    @Override
    public double smooth(double[] w, double[] grad) {
        long t0 = System.nanoTime();
        final int d = dimension;
        Broadcast<double[]> at = sc.broadcast(w.clone());
        double[] sum;
        try {
            JavaRDD<Tuple2<Integer, double[]>> partials = shards.mapPartitionsWithIndex((i, it) -> {
                double[] acc = new double[d + 2];
                double[] x = at.value();
                while (it.hasNext()) it.next().addSmooth(x, acc);
                return List.of(new Tuple2<>(i, acc)).iterator();
            }, true);
            sum = orderedSum(partials, shards.getNumPartitions(), depth, d + 2);
        } finally {
            at.destroy();
        }
        if (grad != null) System.arraycopy(sum, 0, grad, 0, d);
        evaluations++;
        aggregateSeconds += (System.nanoTime() - t0) / 1e9;
        computeSeconds += sum[d + 1];
        return sum[d];
    }

    /**
     * Σ of the partials (partition index, vector), added in index order: with depth > 1, first in groups of
     * consecutive partitions on the executors (as many levels as Spark's treeAggregate would use), then on the
     * driver. Deterministic: the same numbers whatever the tasks' finishing order.
     */
    static double[] orderedSum(JavaRDD<Tuple2<Integer, double[]>> partials, int k, int depth, int length) {
        int n = k;
        int scale = Math.max((int) Math.ceil(Math.pow(k, 1.0 / depth)), 2);
        while (depth > 1 && n > scale + (int) Math.ceil((double) n / scale)) {
            final int fan = scale;
            n = (int) Math.ceil((double) n / scale);
            partials = partials.mapToPair(p -> new Tuple2<>(p._1() / fan, p)).groupByKey(n)
                    .map(g -> new Tuple2<>(g._1(), sumInOrder(g._2().iterator(), length)));
        }
        return sumInOrder(partials.collect().iterator(), length);
    }

    private static double[] sumInOrder(Iterator<Tuple2<Integer, double[]>> it, int length) {
        List<Tuple2<Integer, double[]>> parts = new ArrayList<>();
        it.forEachRemaining(parts::add);
        Collections.sort(parts, Comparator.comparingInt(Tuple2::_1));
        double[] s = new double[length];
        for (Tuple2<Integer, double[]> p : parts) {
            double[] v = p._2();
            for (int i = 0; i < length; i++) s[i] += v[i];
        }
        return s;
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
