package dev.convexcnn.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Param;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A trained network on disk: a {@link TensorFile} whose header holds the architecture, the input
 * normalisation and the provenance, and whose tensors are the parameters named {@code layer<i>.<param>}.
 */
public final class ModelFile {
    private ModelFile() {}

    /** A network loaded from disk, with what is needed to use it and where it came from. */
    public record SavedModel(Sequential net, Normalization normalization, JsonObject provenance) {}

    public static JsonObject architectureJson(Sequential net) {
        JsonObject a = new JsonObject();
        a.addProperty("spec", net.spec());
        JsonArray in = new JsonArray();
        in.add(net.inputShape().height());
        in.add(net.inputShape().width());
        in.add(net.inputShape().channels());
        a.add("input", in);
        a.addProperty("inputLayout", "height-width-channels");
        a.addProperty("classes", net.outputs());
        a.addProperty("parameters", net.parameterCount());
        return a;
    }

    /** Builds an uninitialised network from an architecture header. */
    public static Sequential networkFrom(JsonObject arch) {
        JsonArray in = arch.getAsJsonArray("input");
        Shape shape = new Shape(in.get(0).getAsInt(), in.get(1).getAsInt(), in.get(2).getAsInt());
        return Sequential.of(arch.get("spec").getAsString(), shape, arch.get("classes").getAsInt());
    }

    /** The network's parameters as named tensors. */
    public static Map<String, TensorFile.Tensor> parameterTensors(Sequential net) {
        Map<String, TensorFile.Tensor> t = new LinkedHashMap<>();
        int i = 0;
        for (Layer l : net.layers()) {
            for (Param p : l.params()) {
                // A layer made of sublayers (a compress block) may repeat a suffix: refuse rather than overwrite.
                if (t.put(tensorName(i, p), new TensorFile.Tensor(p.shape(), p.value().clone())) != null) {
                    throw new IllegalArgumentException("layer " + i + " ('" + l.spec() + "') has two parameters named "
                            + tensorName(i, p) + ": it cannot be stored in a model file");
                }
            }
            i++;
        }
        return t;
    }

    /** Copies named tensors into the network's parameters, checking every name and shape. */
    public static void loadParameters(Sequential net, TensorFile file, Path source) throws ModelFormatException {
        int i = 0;
        for (Layer l : net.layers()) {
            for (Param p : l.params()) {
                TensorFile.Tensor t = file.tensor(tensorName(i, p), source);
                if (!Arrays.equals(t.shape(), p.shape())) {
                    throw new ModelFormatException(source + ": tensor " + tensorName(i, p) + " has shape "
                            + Arrays.toString(t.shape()) + ", the architecture needs " + Arrays.toString(p.shape()));
                }
                System.arraycopy(t.values(), 0, p.value(), 0, p.size());
            }
            i++;
        }
    }

    private static String tensorName(int layer, Param p) {
        String n = p.name();
        return "layer" + layer + "." + n.substring(n.lastIndexOf('.') + 1);
    }

    public static void save(Path path, Sequential net, Normalization norm, JsonObject provenance) throws IOException {
        JsonObject meta = new JsonObject();
        meta.addProperty("kind", "model");
        meta.add("architecture", architectureJson(net));
        meta.add("normalization", norm.toJson());
        meta.add("provenance", provenance);
        new TensorFile(meta, parameterTensors(net)).write(path);
    }

    public static SavedModel load(Path path) throws IOException {
        TensorFile f = TensorFile.read(path);
        JsonObject meta = f.meta();
        if (meta == null || !meta.has("kind") || !meta.has("architecture")) {
            throw new ModelFormatException(path + ": the header has no model architecture");
        }
        Sequential net;
        try {
            net = networkFrom(meta.getAsJsonObject("architecture"));
        } catch (RuntimeException e) {
            throw new ModelFormatException(path + ": bad architecture in the header: " + e.getMessage());
        }
        loadParameters(net, f, path);
        Normalization norm = Normalization.fromJson(meta.getAsJsonObject("normalization"));
        return new SavedModel(net, norm, meta.has("provenance") ? meta.getAsJsonObject("provenance") : new JsonObject());
    }
}
