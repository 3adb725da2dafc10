package dev.convexcnn.method;

import dev.convexcnn.data.Dataset;
import java.nio.file.Path;

/**
 * What a training run gets besides its data and settings.
 *
 * @param progress         where steps and messages go
 * @param validation       held-out samples a method may track while it trains (null: none)
 * @param checkpoint       where a resumable method keeps its state (null: no checkpoint)
 * @param resume           whether to continue from the checkpoint when there is one
 * @param checkpointPolicy how often an iterative solver writes its state (null: every 30 s, and on SIGTERM)
 */
public record TrainContext(Progress progress, Dataset validation, Path checkpoint, boolean resume, Checkpointer.Policy checkpointPolicy) {
    public TrainContext {
        if (progress == null) progress = Progress.NONE;
        if (checkpointPolicy == null) checkpointPolicy = Checkpointer.Policy.DEFAULT;
    }

    public TrainContext(Progress progress, Dataset validation, Path checkpoint, boolean resume) {
        this(progress, validation, checkpoint, resume, null);
    }

    public static TrainContext quiet() {
        return new TrainContext(Progress.NONE, null, null, false);
    }

    public static TrainContext of(Progress progress) {
        return new TrainContext(progress, null, null, false);
    }

    /** The same context writing its state to checkpoint with the policy, resuming when asked. */
    public TrainContext withCheckpoint(Path checkpoint, boolean resume, Checkpointer.Policy policy) {
        return new TrainContext(progress, validation, checkpoint, resume, policy);
    }
}
