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

    /** Builds an uninitialised network from a file's architecture header, refusing a bad one with the file's name. */
    public static Sequential networkFrom(JsonFields arch) throws ModelFormatException {
        int[] in = arch.integers("input", 1, 1 << 16);
        if (in.length != 3) throw arch.error("\"input\" must be [height, width, channels], got " + arch.raw().get("input"));
        String spec = arch.str("spec");
        int classes = arch.integer("classes", 1, 1 << 20);
        if (arch.has("inputLayout") && !"height-width-channels".equals(arch.str("inputLayout"))) {
            throw arch.error("input layout " + arch.str("inputLayout") + " is not height-width-channels");
        }
        try {
            Sequential net = Sequential.of(spec, new Shape(in[0], in[1], in[2]), classes);
            if (arch.has("parameters") && arch.whole("parameters") != net.parameterCount()) {
                throw arch.error("says " + arch.whole("parameters") + " parameters but '" + spec + "' has " + net.parameterCount());
            }
            return net;
        } catch (RuntimeException e) {
            throw arch.error("architecture '" + spec + "' cannot be built (" + e.getMessage() + ")");
        }
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
        requireKind(path, f, "model", "a CNN model");
        JsonFields meta = JsonFields.of(path, "the header", f.meta());
        Sequential net = networkFrom(meta.obj("architecture"));
        loadParameters(net, f, path);
        Normalization norm = normalization(meta);
        if (norm.channels() != net.inputShape().channels()) {
            throw meta.error("the normalisation has " + norm.channels() + " channels, the network takes " + net.inputShape().channels());
        }
        if (f.formatVersion() >= 2 && !meta.has("provenance")) throw meta.error("has no \"provenance\"");
        return new SavedModel(net, norm, meta.has("provenance") ? meta.obj("provenance").raw() : new JsonObject());
    }

    /** The normalisation of a header, refused with the file's name when it is missing or invalid. */
    public static Normalization normalization(JsonFields meta) throws ModelFormatException {
        JsonFields n = meta.obj("normalization");
        n.array("mean");
        n.array("std");
        try {
            return Normalization.fromJson(n.raw());
        } catch (RuntimeException e) {
            throw n.error(e.getMessage());
        }
    }

    /**
     * Refuses a file whose header is of another kind, saying what it is instead: "m.ccnn holds a CCNN or DCCNN model
     * (kind 'ccnn'), not a CNN model".
     */
    public static void requireKind(Path path, TensorFile f, String kind, String what) throws ModelFormatException {
        String k = f.kind();
        if (kind.equals(k)) return;
        if (k == null) throw new ModelFormatException(path, "the header names no kind of file (damaged, or not written by convexcnn); expected " + what);
        String hint = k.equals("checkpoint") ? ": continue it with train --resume, or use the model file written at the end of the run" : "";
        throw new ModelFormatException(path + " holds " + describeKind(k) + " (kind '" + k + "'), not " + what + hint);
    }

    /** What a file of a header kind holds, for messages. */
    public static String describeKind(String kind) {
        return switch (kind) {
            case "model" -> "a CNN model (train --method sgd, convex-relu, alternation; compress)";
            case "checkpoint" -> "a training checkpoint";
            case "ccnn" -> "a CCNN or DCCNN model";
            case "gated-relu" -> "a gated-ReLU model";
            case "circular-cnn" -> "a circular CNN";
            case "teacher-logits" -> "cached teacher logits of a distillation study";
            default -> "a file of kind '" + kind + "'";
        };
    }
}
