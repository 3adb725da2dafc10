package dev.convexcnn.model;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.nn.Shape;
import java.util.Optional;

/**
 * A trained classifier of images, whatever method made it: what the lab evaluates, saves and reports. Each kind
 * has a {@link ModelCodec} that writes it into the one model container.
 */
public interface Model {
    /** The file kind of its codec (e.g. "model" for an nn CNN, "gated-relu", "ccnn"). */
    String kind();

    /** Accuracy, mean cross-entropy of its logits, and the confusion matrix on d. */
    Evaluation evaluate(Dataset d);

    /** The images it takes (height × width × channels). */
    Shape inputShape();

    /** The classes it predicts. */
    int classes();

    /** Its trainable parameters (what a user would count to compare model sizes). */
    long parameterCount();

    /** One line: the architecture in words or as a layer spec. */
    String architecture();

    /** First-layer filters in pixel space, when the model has them (for the report's filter images). */
    default Optional<FilterBank> firstLayerFilters() {
        return Optional.empty();
    }

    /** Why d cannot be fed to this model (shape or class count), or null when it can. */
    default String mismatch(Dataset d) {
        Shape in = inputShape();
        if (in.height() != d.height() || in.width() != d.width() || in.channels() != d.channels()) {
            return "the model takes " + in + " images, " + d.name() + " has " + d.height() + "x" + d.width() + "x" + d.channels();
        }
        if (classes() != d.classes()) return "the model predicts " + classes() + " classes, " + d.name() + " has " + d.classes();
        return null;
    }

    /** Filters in PyTorch's layout (count × channels × height × width). */
    record FilterBank(int count, int channels, int height, int width, float[] values) {
        public FilterBank {
            if ((long) count * channels * height * width != values.length) {
                throw new IllegalArgumentException("filters " + count + "x" + channels + "x" + height + "x" + width
                        + " need " + ((long) count * channels * height * width) + " values, got " + values.length);
            }
        }
    }
}
