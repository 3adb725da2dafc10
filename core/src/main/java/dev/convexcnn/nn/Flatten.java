package dev.convexcnn.nn;

import java.util.List;

/**
 * Views a spatial batch as vectors. In the (channels, height, width, batch) layout the features of a sample are
 * already in (channel, row, column) order, PyTorch's flatten order, with the batch innermost: exactly the
 * (features, batch) layout of vectors. So no data moves.
 */
public final class Flatten implements Layer {
    @Override public String spec() { return "flatten"; }
    @Override public Shape build(Shape in) { return Shape.vector(in.size()); }
    @Override public List<Param> params() { return List.of(); }
    @Override public Layer replica() { return new Flatten(); }
    @Override public float[] forward(float[] input, int batch) { return input; }
    @Override public float[] backward(float[] gradOut, int batch, boolean need) { return need ? gradOut : null; }
}
