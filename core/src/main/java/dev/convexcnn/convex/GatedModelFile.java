package dev.convexcnn.convex;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Normalization;
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
                             int classes, JsonObject provenance) {
        public double[] logits(dev.convexcnn.data.Dataset d) {
            return GatedFeatures.logits(d, normalization, geometry, gates, weights, classes);
        }

        public dev.convexcnn.nn.Evaluation evaluate(dev.convexcnn.data.Dataset d) {
            return ConvexTrainer.evaluation(logits(d), d);
        }
    }

    public static void save(Path path, ConvexTrainer.Run run, int classes) throws IOException {
        if (run.settings().exact()) throw new IllegalArgumentException("save the exact program's ReLU CNN with ModelFile");
        PatchGeometry g = run.geometry();
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
        meta.addProperty("classes", classes);
        meta.add("normalization", run.normalization().toJson());
        meta.add("provenance", run.provenance());
        Map<String, TensorFile.Tensor> t = new LinkedHashMap<>();
        t.put("gates", new TensorFile.Tensor(new int[] {g.patchSize(), run.gates().count()}, toFloat(run.gates().filters())));
        t.put("weights", new TensorFile.Tensor(new int[] {run.gates().count() * g.patchSize(), classes}, toFloat(run.weights())));
        new TensorFile(meta, t).write(path);
    }

    public static boolean isGated(TensorFile f) {
        return f.meta() != null && f.meta().has("kind") && KIND.equals(f.meta().get("kind").getAsString());
    }

    public static GatedModel load(Path path, TensorFile f) throws ModelFormatException {
        try {
            JsonObject m = f.meta(), g = m.getAsJsonObject("geometry");
            PatchGeometry geom = new PatchGeometry(g.get("height").getAsInt(), g.get("width").getAsInt(),
                    g.get("channels").getAsInt(), g.get("kernel").getAsInt(), g.get("stride").getAsInt(), g.get("bias").getAsBoolean());
            TensorFile.Tensor gates = f.tensor("gates", path), w = f.tensor("weights", path);
            Gates gt = new Gates(gates.shape()[0], gates.shape()[1], toDouble(gates.values()));
            return new GatedModel(geom, Normalization.fromJson(m.getAsJsonObject("normalization")), gt,
                    toDouble(w.values()), m.get("classes").getAsInt(), m.getAsJsonObject("provenance"));
        } catch (RuntimeException e) {
            throw new ModelFormatException(path + ": damaged gated-relu model (" + e.getMessage() + ")");
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
