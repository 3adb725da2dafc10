package dev.convexcnn.nn;

import java.util.List;
import java.util.SplittableRandom;

/**
 * One layer of a {@link Sequential} network, working on a batch in the layout a float array indexed
 * [channel][row][column][sample]; a vector batch is [feature][sample]. Lifecycle: {@link #build} once with the input shape, then forward/backward pairs.
 * Buffers returned by forward and backward belong to the layer and are overwritten by its next call. The
 * input array given to forward must stay unchanged until the matching backward: layers may read it there.
 */
public interface Layer {
    /** The layer's token in an architecture string, e.g. {@code conv16k5} or {@code maxpool2}. */
    String spec();

    /** Fixes the input shape, allocates parameters and returns the output shape. */
    Shape build(Shape input);

    /** Sets the parameters' initial values. Layers without parameters do nothing. */
    default void initialize(Initializer init, SplittableRandom random) {}

    List<Param> params();

    /** Output for a batch of inputs (batch × input size values). Keeps what backward needs. */
    float[] forward(float[] input, int batch);

    /**
     * Given dLoss/dOutput for the last forward batch, adds the parameter gradients to {@link Param#grad()} and
     * returns dLoss/dInput, or null when needInputGradient is false (the first layer).
     */
    float[] backward(float[] gradOutput, int batch, boolean needInputGradient);

    /**
     * An unbuilt layer of the same kind whose parameters, once built on the same input shape, share this layer's
     * values with gradients of their own: a replica runs another part of a batch on another thread. Null for a
     * layer that cannot be replicated.
     */
    default Layer replica() { return null; }

    static float[] ensure(float[] buf, int size) {
        return buf != null && buf.length >= size ? buf : new float[size];
    }
}
