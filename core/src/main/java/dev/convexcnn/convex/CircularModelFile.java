package dev.convexcnn.convex;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.JsonFields;
import dev.convexcnn.io.ModelFile;
import dev.convexcnn.io.ModelFormatException;
import dev.convexcnn.io.TensorFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A circular CNN on disk (meta.kind = "circular-cnn"), in the container of {@link TensorFile}: image size,
 * classes, normalisation and provenance in the header; filters u and maps w (m × H·W), output weights and classes
 * (m) as tensors. The nn layers pad with zeros, not circularly, so the network has a file of its own.
 */
public final class CircularModelFile {
    public static final String KIND = "circular-cnn";

    private CircularModelFile() {}

    public static void save(Path path, CircularCnn net, JsonObject provenance) throws IOException {
        encode(net, provenance).write(path);
    }

    /** The container of a circular CNN (not yet written). */
    public static TensorFile encode(CircularCnn net, JsonObject provenance) {
        int m = net.units().size(), d = net.height() * net.width();
        JsonObject meta = new JsonObject();
        meta.addProperty("kind", KIND);
        meta.addProperty("height", net.height());
        meta.addProperty("width", net.width());
        meta.addProperty("classes", net.classes());
        meta.add("normalization", net.normalization().toJson());
        if (provenance != null) meta.add("provenance", provenance);
        float[] u = new float[m * d], w = new float[m * d], v = new float[m], k = new float[m];
        for (int a = 0; a < m; a++) {
            CircularCnn.Unit un = net.units().get(a);
            for (int t = 0; t < d; t++) { u[a * d + t] = (float) un.filter()[t]; w[a * d + t] = (float) un.map()[t]; }
            v[a] = (float) un.output();
            k[a] = un.cls();
        }
        Map<String, TensorFile.Tensor> t = new LinkedHashMap<>();
        t.put("filters", new TensorFile.Tensor(new int[] {m, d}, u));
        t.put("maps", new TensorFile.Tensor(new int[] {m, d}, w));
        t.put("outputs", new TensorFile.Tensor(new int[] {m}, v));
        t.put("classes", new TensorFile.Tensor(new int[] {m}, k));
        return new TensorFile(meta, t);
    }

    public static boolean isCircular(TensorFile f) {
        return f.meta() != null && f.meta().has("kind") && KIND.equals(f.meta().get("kind").getAsString());
    }

    public static CircularCnn load(Path path, TensorFile f) throws ModelFormatException {
        ModelFile.requireKind(path, f, KIND, "a circular CNN");
        JsonFields meta = JsonFields.of(path, "the circular-cnn header", f.meta());
        int h = meta.integer("height", 1, 1 << 14), w = meta.integer("width", 1, 1 << 14), c = meta.integer("classes", 1, 1 << 20);
        int d = h * w;
        Normalization norm = ModelFile.normalization(meta);
        TensorFile.Tensor ut = f.tensor("filters", path), mt = f.tensor("maps", path), vt = f.tensor("outputs", path), kt = f.tensor("classes", path);
        int m = vt.values().length;
        if (ut.values().length != (long) m * d || mt.values().length != (long) m * d || kt.values().length != m) {
            throw meta.error("tensors filters " + java.util.Arrays.toString(ut.shape()) + ", maps " + java.util.Arrays.toString(mt.shape())
                    + ", outputs " + java.util.Arrays.toString(vt.shape()) + " and classes " + java.util.Arrays.toString(kt.shape())
                    + " do not fit " + m + " units of " + h + "x" + w);
        }
        float[] u = ut.values(), mp = mt.values(), v = vt.values(), k = kt.values();
        List<CircularCnn.Unit> units = new ArrayList<>();
        for (int a = 0; a < m; a++) {
            double[] uu = new double[d], ww = new double[d];
            for (int t = 0; t < d; t++) { uu[t] = u[a * d + t]; ww[t] = mp[a * d + t]; }
            if (k[a] != Math.rint(k[a]) || k[a] < 0 || k[a] >= c) throw meta.error("unit " + a + " feeds class " + k[a] + " of " + c);
            units.add(new CircularCnn.Unit(uu, ww, v[a], (int) k[a]));
        }
        try {
            return new CircularCnn(h, w, c, norm, units);
        } catch (RuntimeException e) {
            throw new ModelFormatException(path, "damaged circular-cnn model (" + e.getMessage() + ")");
        }
    }

    /** The circular CNN's codec for {@link dev.convexcnn.model.ModelStore}. */
    public static final class Codec implements dev.convexcnn.model.ModelCodec<CircularCnn> {
        @Override public String kind() { return KIND; }
        @Override public Class<CircularCnn> type() { return CircularCnn.class; }
        @Override public TensorFile encode(CircularCnn m) { return CircularModelFile.encode(m, null); }
        @Override public CircularCnn decode(TensorFile f, Path source) throws ModelFormatException { return load(source, f); }
    }
}
