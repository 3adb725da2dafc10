package dev.convexcnn.method;

import dev.convexcnn.data.Dataset;
import java.io.IOException;

/**
 * A training method. Construction holds nothing; settings are an immutable value of type S with documented
 * defaults; {@link #train} learns and returns the model with its certificate and trace. Implementations are
 * registered in {@code META-INF/services/dev.convexcnn.method.Method} and need a public no-argument constructor.
 *
 * @param <S> the method's settings
 */
public interface Method<S> {
    /** The name used on the command line and in result files, e.g. "gated-relu". */
    String id();

    /** Summary, description, paper and fidelity label. */
    MethodInfo info();

    /** The settings used when the user gives none, for training data like data (a method may scale by its size). */
    S defaults(DataInfo data);

    /** The seed the settings carry. */
    long seed(S settings);

    /** The settings with another seed. */
    S withSeed(S settings, long seed);

    /** What a comparison with this budget trains: how many samples, with which settings (seed not yet set). */
    Plan<S> plan(Budget budget, DataInfo data);

    /**
     * A fresh object holding this method's command-line options (a picocli mixin: fields annotated with
     * {@code @Option}); null when the method has none.
     */
    default MethodOptions<S> options() {
        return null;
    }

    /** The settings in a few words, for budget tables (e.g. "32 patterns, ≤ 2,000 R-FISTA iterations"). */
    default String describe(S settings) {
        return dev.convexcnn.io.Records.settingsJson(settings).toString();
    }

    /** Why this method cannot train on data like data (e.g. it takes one-channel images), or null when it can. */
    default String unsupported(DataInfo data) {
        return null;
    }

    /** Whether {@link #train} writes a checkpoint to {@link TrainContext#checkpoint()} and resumes from it. */
    default boolean resumable() {
        return false;
    }

    /**
     * Whether its checkpoint is a solver state saved at iteration boundaries through {@link Checkpointer} (so
     * {@link TrainContext#checkpointPolicy()} applies), rather than once per epoch.
     */
    default boolean checkpointsSolverState() {
        return false;
    }

    /** Trains on train with the settings; progress and messages go to the context. */
    Trained train(Dataset train, S settings, TrainContext context) throws IOException;
}
