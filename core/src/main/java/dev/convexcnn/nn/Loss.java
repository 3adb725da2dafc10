package dev.convexcnn.nn;

/**
 * A loss on a batch of logits, averaged over the batch. Targets are class labels (cross-entropy) or target
 * logits (squared error, for distillation); each loss reads the kind it needs.
 */
public interface Loss {
    /**
     * Mean loss over the batch; when grad is not null, writes dMeanLoss/dLogits into it.
     *
     * @param labels        one label per sample (may be null for losses on target values)
     * @param targetLogits  batch × classes target values (may be null for losses on labels)
     */
    double evaluate(float[] logits, int batch, int classes, int[] labels, float[] targetLogits, float[] grad);

    String id();

    static Loss parse(String s) {
        switch (s) {
            case "cross-entropy": case "xent": return new SoftmaxCrossEntropy();
            case "squared-logits": return new SquaredLogitError();
            default: throw new IllegalArgumentException("unknown loss '" + s
                    + "': use cross-entropy or squared-logits (½‖z − t‖² per sample, mean over samples)");
        }
    }
}
