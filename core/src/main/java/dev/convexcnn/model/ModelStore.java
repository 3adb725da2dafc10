package dev.convexcnn.model;

import com.google.gson.JsonObject;
import dev.convexcnn.io.ModelFormatException;
import dev.convexcnn.io.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Saves and loads every kind of model in one container ({@link TensorFile}): the header names the kind, carries the
 * provenance, and the kind's {@link ModelCodec} does the rest. The extension is {@code .cnn} for every kind; files
 * written before under {@code .ccnn} load the same way.
 */
public final class ModelStore {
    private ModelStore() {}

    /** A model read back, with its provenance and kind. */
    public record Stored(Model model, String kind, JsonObject provenance) {}

    private static final Map<String, ModelCodec<?>> CODECS = load();

    private static Map<String, ModelCodec<?>> load() {
        Map<String, ModelCodec<?>> m = new LinkedHashMap<>();
        for (ModelCodec<?> c : ServiceLoader.load(ModelCodec.class, ModelStore.class.getClassLoader())) {
            if (m.put(c.kind(), c) != null) throw new IllegalStateException("two model codecs of kind " + c.kind());
        }
        return m;
    }

    /** The kinds a file may hold. */
    public static List<String> kinds() {
        return new ArrayList<>(CODECS.keySet());
    }

    /** Writes the model atomically; the provenance goes into the header as it is. */
    public static void save(Path path, Model model, JsonObject provenance) throws IOException {
        TensorFile f = encode(model);
        f.meta().addProperty("kind", model.kind());
        f.meta().add("provenance", provenance == null ? new JsonObject() : provenance);
        f.write(path);
    }

    @SuppressWarnings("unchecked")
    private static <M extends Model> TensorFile encode(Model model) {
        ModelCodec<M> c = (ModelCodec<M>) CODECS.get(model.kind());
        if (c == null) throw new IllegalStateException("no model codec of kind '" + model.kind() + "' is registered");
        if (!c.type().isInstance(model)) {
            throw new IllegalStateException("the codec of kind '" + model.kind() + "' writes " + c.type().getSimpleName()
                    + ", not " + model.getClass().getSimpleName());
        }
        return c.encode((M) model);
    }

    /** Reads a model file of any registered kind. */
    public static Stored load(Path path) throws IOException {
        if (Files.isDirectory(path)) throw new ModelFormatException(path + ": is a folder, not a model file");
        TensorFile f = TensorFile.read(path);
        JsonObject meta = f.meta();
        if (meta == null || !meta.has("kind") || !meta.get("kind").isJsonPrimitive()) {
            throw new ModelFormatException(path + ": not a ConvexCNN model (the header names no model kind)");
        }
        String kind = meta.get("kind").getAsString();
        ModelCodec<?> c = CODECS.get(kind);
        if (c == null && kind.equals("checkpoint")) {
            throw new ModelFormatException(path + ": holds a training checkpoint, not a model (continue it with train --resume)");
        }
        if (c == null) {
            throw new ModelFormatException(path + ": holds a model of kind '" + kind + "', which this version cannot read (it reads "
                    + String.join(", ", CODECS.keySet()) + ")");
        }
        Model m = c.decode(f, path);
        JsonObject prov = meta.has("provenance") && meta.get("provenance").isJsonObject() ? meta.getAsJsonObject("provenance") : new JsonObject();
        return new Stored(m, kind, prov);
    }

    /**
     * A stored CNN of nn layers, for what only such a network supports (export to PyTorch, compression, redundancy);
     * another kind is refused naming it and what it is.
     */
    public static Stored network(Path path, String purpose) throws IOException {
        Stored s = load(path);
        if (!(s.model() instanceof NetworkModel)) {
            throw new IllegalArgumentException(path + " holds a " + s.kind() + " model (" + s.model().architecture() + "), which cannot be "
                    + purpose + ": only CNNs of nn layers (kind 'model': sgd, adam, alternation, and the CNNs the exact convex programs "
                    + "recover) can");
        }
        return s;
    }
}
