package dev.convexcnn.optim;

import dev.convexcnn.nn.Param;
import java.util.List;
import java.util.Map;

/**
 * A first-order optimiser. Lifecycle: construct with the hyperparameters and the parameters it owns; then
 * {@link #step()} after each backward pass. Its state (momentum buffers, moment estimates, step count) is kept
 * apart from the parameters and can be saved and restored exactly, so a resumed run continues bit for bit.
 */
public interface Optimizer {
    /** Updates every parameter from its accumulated gradient. */
    void step();

    /** The state buffers by name, for checkpoints. The arrays are live. */
    Map<String, float[]> state();

    long steps();

    /** Restores state saved by {@link #state()} and {@link #steps()}. */
    void restore(Map<String, float[]> state, long steps);

    List<Param> params();
}
