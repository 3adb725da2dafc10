package dev.convexcnn.model;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.ModelFile;
import dev.convexcnn.io.ModelFormatException;
import dev.convexcnn.io.TensorFile;
import dev.convexcnn.nn.Sequential;
import java.nio.file.Path;

/** The nn CNN's codec: architecture and normalisation in the header, parameters in PyTorch's layouts. */
public final class NetworkCodec implements ModelCodec<NetworkModel> {
    @Override public String kind() { return NetworkModel.KIND; }
    @Override public Class<NetworkModel> type() { return NetworkModel.class; }

    @Override
    public TensorFile encode(NetworkModel m) {
        JsonObject meta = new JsonObject();
        meta.add("architecture", ModelFile.architectureJson(m.net()));
        meta.add("normalization", m.normalization().toJson());
        return new TensorFile(meta, ModelFile.parameterTensors(m.net()));
    }

    @Override
    public NetworkModel decode(TensorFile f, Path source) throws ModelFormatException {
        JsonObject meta = f.meta();
        if (!meta.has("architecture") || !meta.get("architecture").isJsonObject()) {
            throw new ModelFormatException(source + ": damaged CNN model (the header has no architecture)");
        }
        // The checked reader: a missing or renamed key is named, not a NullPointerException's text.
        Sequential net = ModelFile.networkFrom(dev.convexcnn.io.JsonFields.of(source, "the model header", meta).obj("architecture"));
        ModelFile.loadParameters(net, f, source);
        try {
            return new NetworkModel(net, Normalization.fromJson(meta.getAsJsonObject("normalization")));
        } catch (RuntimeException e) {
            throw new ModelFormatException(source + ": damaged CNN model (normalisation: " + e.getMessage() + ")");
        }
    }
}
