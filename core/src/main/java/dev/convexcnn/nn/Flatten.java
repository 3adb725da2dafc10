package dev.convexcnn.nn;

import java.util.List;

/** Views a channels-last sample as one vector; no data moves, since samples are already contiguous. */
public final class Flatten implements Layer {
    @Override public String spec() { return "flatten"; }
    @Override public Shape build(Shape in) { return Shape.vector(in.size()); }
    @Override public List<Param> params() { return List.of(); }
    @Override public float[] forward(float[] input, int batch) { return input; }
    @Override public float[] backward(float[] gradOut, int batch, boolean need) { return need ? gradOut : null; }
}
