package dev.convexcnn.sgd;

/** Hears about training progress, for progress bars and logs. Methods default to doing nothing. */
public interface TrainingListener {
    /** After each batch: its index in the epoch, the number of batches, the running mean loss. */
    default void onBatch(int epoch, int batch, int batches, double runningLoss) {}

    default void onEpoch(EpochRecord record) {}

    /** A message for the user, e.g. "resumed from epoch 3". */
    default void onMessage(String message) {}

    TrainingListener NONE = new TrainingListener() {};
}
