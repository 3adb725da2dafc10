package dev.convexcnn.model;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.nn.Conv2d;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import java.util.Optional;

/** An ordinary CNN of nn layers with the normalisation of its inputs: what SGD, Adam, alternation and the exact
 * convex program's recovery produce. The only kind that exports to PyTorch and can be compressed. */
public record NetworkModel(Sequential net, Normalization normalization) implements Model {
    public static final String KIND = "model";

    @Override public String kind() { return KIND; }
    @Override public Evaluation evaluate(Dataset d) { return Evaluation.of(net, d, normalization, 512); }
    @Override public Shape inputShape() { return net.inputShape(); }
    @Override public int classes() { return net.outputs(); }
    @Override public long parameterCount() { return net.parameterCount(); }
    @Override public String architecture() { return net.spec(); }

    @Override
    public Optional<FilterBank> firstLayerFilters() {
        for (Layer l : net.layers()) {
            if (l instanceof Conv2d c) {
                int[] s = c.params().get(0).shape();   // F × C × kH × kW
                return Optional.of(new FilterBank(s[0], s[1], s[2], s[3], c.params().get(0).value().clone()));
            }
        }
        return Optional.empty();
    }
}
