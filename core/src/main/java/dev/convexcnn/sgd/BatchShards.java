package dev.convexcnn.sgd;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.linalg.Parallel;
import dev.convexcnn.nn.Batches;
import dev.convexcnn.nn.Param;
import dev.convexcnn.nn.Sequential;
import java.util.List;

/**
 * A mini-batch split into two fixed halves, each run forward and backward by its own copy of the network (the
 * trained network and a replica sharing its weights), on two threads where each BLAS call is single-threaded.
 * On two cores this beats one network over a two-threaded BLAS: no barrier inside a layer, no idle BLAS worker
 * spinning while Java code runs, and the elementwise layers run on both cores with no split of their own.
 * <p>
 * The halves do not depend on the thread count: the loss and its gradient are taken over the whole batch, and
 * the replica's weight gradients are added to the network's in one fixed order, so a seed gives the same
 * weights whether the halves run at once or one after the other. A network with a layer that cannot be
 * replicated runs as one shard.
 */
final class BatchShards {
    /** Fixed, not the core count: the arithmetic (and so the result of a seed) must not depend on the machine. */
    static final int SHARDS = 2;

    private final Sequential[] nets;
    private final List<Param>[] params;
    private final float[][] xs, grads;
    private final int[][] ys;
    private final float[] logits;
    private final int[] offset = new int[SHARDS + 1];
    private final int classes;
    private int parts;

    @SuppressWarnings("unchecked")
    BatchShards(Sequential net, int batchSize, int features, int classes) {
        Sequential replica = batchSize >= SHARDS ? net.replica() : null;
        this.nets = replica == null ? new Sequential[] {net} : new Sequential[] {net, replica};
        this.params = new List[nets.length];
        for (int k = 0; k < nets.length; k++) params[k] = nets[k].params();
        int most = (batchSize + nets.length - 1) / nets.length;
        this.xs = new float[nets.length][most * features];
        this.grads = new float[nets.length][most * classes];
        this.ys = new int[nets.length][most];
        this.logits = new float[batchSize * classes];
        this.classes = classes;
    }

    /** How many parts a batch runs in (1 when the network cannot be replicated). */
    int shards() { return nets.length; }

    /**
     * Gathers samples order[from .. from+b), runs them forward and returns the logits (b × classes, sample after
     * sample); labels go to y. Zeroes the gradients first.
     */
    float[] forward(Dataset train, int[] order, int from, int b, Normalization norm, int[] y, boolean concurrent) {
        parts = Math.min(nets.length, b);
        for (int k = 0; k <= parts; k++) offset[k] = (int) ((long) b * k / parts);
        Parallel.shards(parts, concurrent, k -> {
            int off = offset[k], count = offset[k + 1] - off;
            Batches.gather(train, order, from + off, count, norm, xs[k], ys[k]);
            nets[k].zeroGrad();
            float[] out = nets[k].forward(xs[k], count);
            System.arraycopy(out, 0, logits, off * classes, count * classes);
            System.arraycopy(ys[k], 0, y, off, count);
        });
        return logits;
    }

    /** Backpropagates dLoss/dLogits of the whole last batch and leaves the summed gradients in the network. */
    void backward(float[] gradLogits, int b, boolean concurrent) {
        Parallel.shards(parts, concurrent, k -> {
            int off = offset[k], count = offset[k + 1] - off;
            float[] g = grads[k];
            System.arraycopy(gradLogits, off * classes, g, 0, count * classes);
            nets[k].backward(g, count);
        });
        List<Param> into = params[0];
        for (int k = 1; k < parts; k++) {
            List<Param> from = params[k];
            for (int i = 0; i < into.size(); i++) {
                float[] d = into.get(i).grad(), s = from.get(i).grad();
                for (int j = 0; j < d.length; j++) d[j] += s[j];
            }
        }
    }
}
