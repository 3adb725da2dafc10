package dev.convexcnn.model;

import dev.convexcnn.io.ModelFormatException;
import dev.convexcnn.io.TensorFile;
import java.nio.file.Path;

/**
 * How one kind of model goes into the model container and back: its header entries and tensors. Registered in
 * {@code META-INF/services/dev.convexcnn.model.ModelCodec}; {@link ModelStore} picks the codec by the header's
 * {@code kind}.
 *
 * @param <M> the model type it writes
 */
public interface ModelCodec<M extends Model> {
    /** The header's kind (unique among codecs). */
    String kind();

    /** The model type written by this codec. */
    Class<M> type();

    /**
     * The container for the model: a header (without kind and provenance, which the store adds) and the tensors.
     */
    TensorFile encode(M model);

    /** The model from a container of this kind; damage is a {@link ModelFormatException} naming the file. */
    M decode(TensorFile file, Path source) throws ModelFormatException;
}
