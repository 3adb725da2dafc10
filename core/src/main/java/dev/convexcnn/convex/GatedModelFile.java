package dev.convexcnn.convex;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.JsonFields;
import dev.convexcnn.io.ModelFile;
import dev.convexcnn.io.ModelFormatException;
import dev.convexcnn.io.TensorFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A gated-ReLU model on disk (meta.kind = "gated-relu"), in the container of {@link TensorFile}: the patch
 * geometry, the normalisation and provenance in the header; the gate filters (h × p) and the weights W (p·h × c)
 * as tensors. A gated network is not an ordinary CNN (its gates are fixed filters), so it has a file of its own.
 */
public final class GatedModelFile {
    public static final String KIND = "gated-relu";

    private GatedModelFile() {}

    /** What predicting with a gated model needs. */
    public record GatedModel(PatchGeometry geometry, Normalization normalization, Gates gates, double[] weights,
                             int classes, JsonObject provenance) implements dev.convexcnn.model.Model {
        /** The gated model a finished run of the relaxation holds. */
        public static GatedModel of(ConvexTrainer.Run run, int classes) {
            return new GatedModel(run.geometry(), run.normalization(), run.gates(), run.weights(), classes, run.provenance());
        }

        public double[] logits(dev.convexcnn.data.Dataset d) {
            return GatedFeatures.logits(d, normalization, geometry, gates, weights, classes);
        }

        @Override public dev.convexcnn.nn.Evaluation evaluate(dev.convexcnn.data.Dataset d) {
            return ConvexTrainer.evaluation(logits(d), d);
        }

        @Override public String kind() { return KIND; }
        @Override public dev.convexcnn.nn.Shape inputShape() { return new dev.convexcnn.nn.Shape(geometry.height(), geometry.width(), geometry.channels()); }
        @Override public long parameterCount() { return weights.length + (long) gates.count() * geometry.patchSize(); }

        @Override public String architecture() {
            String windows = gates.windowed() ? String.format(", each over one %dx%d window of the feature map (%d windows)",
                    gates.window(), gates.window(), Gates.windowCount(geometry, gates.window())) : "";
            return String.format("gated two-layer CNN: %d fixed gates on %dx%d patches, stride %d%s", gates.count(),
                    geometry.kernel(), geometry.kernel(), geometry.stride(), windows);
        }
    }

    /** The gated model's codec for {@link dev.convexcnn.model.ModelStore}. */
    public static final class Codec implements dev.convexcnn.model.ModelCodec<GatedModel> {
        @Override public String kind() { return KIND; }
        @Override public Class<GatedModel> type() { return GatedModel.class; }
        @Override public TensorFile encode(GatedModel m) { return GatedModelFile.encode(m); }
        @Override public GatedModel decode(TensorFile f, Path source) throws ModelFormatException { return load(source, f); }
    }

    public static void save(Path path, ConvexTrainer.Run run, int classes) throws IOException {
        if (run.settings().exact()) throw new IllegalArgumentException("save the exact program's ReLU CNN with ModelFile");
        encode(GatedModel.of(run, classes)).write(path);
    }

    /** The container of a gated model (not yet written). */
    public static TensorFile encode(GatedModel model) {
        PatchGeometry g = model.geometry();
        JsonObject meta = new JsonObject();
        meta.addProperty("kind", KIND);
        JsonObject geom = new JsonObject();
        geom.addProperty("height", g.height());
        geom.addProperty("width", g.width());
        geom.addProperty("channels", g.channels());
        geom.addProperty("kernel", g.kernel());
        geom.addProperty("stride", g.stride());
        geom.addProperty("bias", g.bias());
        meta.add("geometry", geom);
        meta.addProperty("classes", model.classes());
        meta.add("normalization", model.normalization().toJson());
        if (model.provenance() != null) meta.add("provenance", model.provenance());
        Map<String, TensorFile.Tensor> t = new LinkedHashMap<>();
        t.put("gates", new TensorFile.Tensor(new int[] {g.patchSize(), model.gates().count()}, toFloat(model.gates().filters())));
        t.put("weights", new TensorFile.Tensor(new int[] {model.gates().count() * g.patchSize(), model.classes()}, toFloat(model.weights())));
        Gates gates = model.gates();
        if (gates.windowed()) {
            // Window indices are small integers: exact in float.
            meta.addProperty("window", gates.window());
            float[] w = new float[gates.count()];
            for (int j = 0; j < w.length; j++) w[j] = gates.pools()[j];
            t.put("gateWindows", new TensorFile.Tensor(new int[] {gates.count()}, w));
        }
        return new TensorFile(meta, t);
    }

    public static boolean isGated(TensorFile f) {
        return f.meta() != null && f.meta().has("kind") && KIND.equals(f.meta().get("kind").getAsString());
    }

    public static GatedModel load(Path path, TensorFile f) throws ModelFormatException {
        ModelFile.requireKind(path, f, KIND, "a gated-ReLU model");
        JsonFields m = JsonFields.of(path, "the gated-relu header", f.meta());
        JsonFields g = m.obj("geometry");
        int classes = m.integer("classes", 1, 1 << 20);
        PatchGeometry geom;
        try {
            geom = new PatchGeometry(g.integer("height", 1, 1 << 16), g.integer("width", 1, 1 << 16), g.integer("channels", 1, 1 << 16),
                    g.integer("kernel", 1, 1 << 16), g.integer("stride", 1, 1 << 16), g.bool("bias"));
        } catch (IllegalArgumentException e) {
            throw g.error(e.getMessage());
        }
        TensorFile.Tensor gates = f.tensor("gates", path), w = f.tensor("weights", path);
        if (gates.shape().length != 2 || gates.shape()[0] != geom.patchSize()) {
            throw m.error("tensor 'gates' has shape " + java.util.Arrays.toString(gates.shape()) + ", the geometry needs [" + geom.patchSize() + ", count]");
        }
        int count = gates.shape()[1];
        if (w.shape().length != 2 || w.shape()[0] != (long) count * geom.patchSize() || w.shape()[1] != classes) {
            throw m.error("tensor 'weights' has shape " + java.util.Arrays.toString(w.shape()) + ", expected ["
                    + (long) count * geom.patchSize() + ", " + classes + "]");
        }
        if (f.formatVersion() >= 2 && !m.has("provenance")) throw m.error("has no \"provenance\"");
        try {
            int window = m.has("window") ? m.integer("window", 1, 1 << 16) : 0;
            int[] pools = null;
            if (window > 0) {
                TensorFile.Tensor wt = f.tensor("gateWindows", path);
                int windows = Gates.windowCount(geom, window);
                if (wt.shape().length != 1 || wt.shape()[0] != count) {
                    throw m.error("tensor 'gateWindows' has shape " + java.util.Arrays.toString(wt.shape()) + ", expected [" + count + "]");
                }
                pools = new int[count];
                for (int j = 0; j < count; j++) {
                    float v = wt.values()[j];
                    if (!(v >= 0 && v < windows && v == Math.rint(v))) throw m.error("gate " + j + " has window " + v + ", not one of the " + windows + " windows");
                    pools[j] = (int) v;
                }
            }
            Gates gt = new Gates(geom.patchSize(), count, toDouble(gates.values()), window, pools);
            return new GatedModel(geom, ModelFile.normalization(m), gt, toDouble(w.values()), classes,
                    m.has("provenance") ? m.obj("provenance").raw() : new JsonObject());
        } catch (RuntimeException e) {
            throw new ModelFormatException(path, "damaged gated-relu model (" + e.getMessage() + ")");
        }
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
