package dev.convexcnn.spark;

import dev.convexcnn.convex.Gates;
import dev.convexcnn.convex.PatchGeometry;
import dev.convexcnn.data.Normalization;
import java.io.Serializable;

/**
 * What an executor needs to turn its samples into the gated features Φ, in a form Java serialization can ship
 * (the core's records are not Serializable): the patch geometry, the normalisation and the gate filters.
 */
record FeatureSpec(int height, int width, int channels, int kernel, int stride, boolean bias,
                   float[] mean, float[] std, int gateCount, double[] filters) implements Serializable {
    static FeatureSpec of(PatchGeometry g, Normalization n, Gates gates) {
        return new FeatureSpec(g.height(), g.width(), g.channels(), g.kernel(), g.stride(), g.bias(), n.mean(), n.std(),
                gates.count(), gates.filters());
    }

    PatchGeometry geometry() { return new PatchGeometry(height, width, channels, kernel, stride, bias); }
    Normalization normalization() { return new Normalization(mean, std); }
    Gates gates() { return new Gates(geometry().patchSize(), gateCount, filters); }
}
