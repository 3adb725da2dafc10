package dev.convexcnn.ccnn;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.convexcnn.io.ModelFormatException;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.io.TensorFile;
import dev.convexcnn.linalg.ConvGeometry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CCNN or DCCNN model on disk (meta.kind = "ccnn"), in the container of {@link TensorFile} (written
 * atomically): per layer its geometry, whitening, feature map (random Fourier Ω, b or Nyström landmarks and
 * transform), pooling and filters; the last layer's factors (U, s, Vᵀ) and the kept filter count; the settings,
 * the certificates and provenance in the header. The container stores float32, so every double array is saved
 * as two tensors, x and x.lo = x − (float) x, which restores it to about 1e-14 relative: a loaded model
 * predicts as the saved one (tested).
 */
public final class CcnnModelFile {
    public static final String KIND = "ccnn";

    private CcnnModelFile() {}

    public static boolean isCcnn(TensorFile f) {
        return f.meta() != null && f.meta().has("kind") && KIND.equals(f.meta().get("kind").getAsString());
    }

    public static void save(Path path, CcnnModel model, JsonObject extraProvenance) throws IOException {
        encode(model, extraProvenance).write(path);
    }

    /** The container of a CCNN or DCCNN model (not yet written). */
    public static TensorFile encode(CcnnModel model, JsonObject extraProvenance) {
        JsonObject meta = new JsonObject();
        meta.addProperty("kind", KIND);
        meta.addProperty("method", model.isDual() ? "dccnn" : "ccnn");
        meta.addProperty("classes", model.classes());
        meta.addProperty("trainedOn", model.trainedOn());
        meta.addProperty("finalFilters", model.finalFilters());
        meta.add("settings", settingsJson(model.settings()));
        Map<String, TensorFile.Tensor> t = new LinkedHashMap<>();
        JsonArray layers = new JsonArray();
        List<CcnnLayer> all = model.layers();
        for (int l = 0; l < all.size(); l++) {
            CcnnLayer layer = all.get(l);
            ConvGeometry g = layer.geometry();
            JsonObject j = new JsonObject();
            j.addProperty("height", g.height());
            j.addProperty("width", g.width());
            j.addProperty("channels", g.channels());
            j.addProperty("patch", g.kernelH());
            j.addProperty("stride", g.stride());
            j.addProperty("padding", g.padding());
            j.addProperty("poolSize", layer.poolSize());
            j.addProperty("poolStride", layer.poolStride());
            j.addProperty("normEpsilon", layer.whitening().normEpsilon());
            FeatureMap fm = layer.featureMap();
            j.addProperty("kernel", fm.kernel().id());
            j.addProperty("gamma", fm.gamma());
            j.addProperty("features", fm.dim());
            String p = "layer" + l + ".";
            put(t, p + "whitening.mean", new int[] {g.patchSize()}, layer.whitening().mean());
            put(t, p + "whitening.matrix", new int[] {g.patchSize(), g.patchSize()}, layer.whitening().matrix());
            if (fm instanceof RandomFourierFeatures rff) {
                j.addProperty("approximation", Approximation.FOURIER.id());
                put(t, p + "omega", new int[] {g.patchSize(), fm.dim()}, rff.omega());
                put(t, p + "bias", new int[] {fm.dim()}, rff.bias());
            } else if (fm instanceof NystromFeatures ny) {
                j.addProperty("approximation", Approximation.NYSTROM.id());
                j.addProperty("landmarks", ny.landmarks());
                put(t, p + "landmarks", new int[] {ny.landmarks(), g.patchSize()}, ny.landmarkMatrix());
                put(t, p + "transform", new int[] {ny.landmarks(), fm.dim()}, ny.transform());
            } else {
                throw new IllegalArgumentException("cannot save feature map " + fm.getClass().getSimpleName());
            }
            if (l + 1 < all.size()) {
                j.addProperty("filters", layer.filterCount());
                put(t, p + "filters", new int[] {fm.dim(), layer.filterCount()}, layer.filters());
            }
            layers.add(j);
        }
        meta.add("layers", layers);
        CcnnModel.Factors f = model.factors();
        JsonObject fj = new JsonObject();
        fj.addProperty("m", f.m());
        fj.addProperty("positions", f.positions());
        fj.addProperty("outputs", f.outputs());
        fj.addProperty("rank", f.rank());
        fj.addProperty("k", f.s().length);
        JsonArray bias = new JsonArray();
        for (double v : model.bias()) bias.add(v); // Double.toString: exact round trip
        fj.add("bias", bias);
        meta.add("factors", fj);
        int k = f.s().length;
        put(t, "factors.u", new int[] {f.m(), k}, f.u());
        put(t, "factors.s", new int[] {k}, f.s());
        put(t, "factors.vt", new int[] {k, f.positions() * f.outputs()}, f.vt());
        JsonArray certs = new JsonArray();
        for (Certificate c : model.certificates()) certs.add(com.google.gson.JsonParser.parseString(new com.google.gson.Gson().toJson(c)));
        meta.add("certificates", certs);
        JsonArray dual = new JsonArray();
        for (DualCertificate c : model.dualCertificates()) dual.add(com.google.gson.JsonParser.parseString(new com.google.gson.Gson().toJson(c)));
        meta.add("dualCertificates", dual);
        JsonObject prov = Provenance.base();
        prov.addProperty("seed", model.settings().seed());
        if (extraProvenance != null) for (var e : extraProvenance.entrySet()) prov.add(e.getKey(), e.getValue());
        meta.add("provenance", prov);
        return new TensorFile(meta, t);
    }

    /** The CCNN model's codec for {@link dev.convexcnn.model.ModelStore}. */
    public static final class Codec implements dev.convexcnn.model.ModelCodec<CcnnModel> {
        @Override public String kind() { return KIND; }
        @Override public Class<CcnnModel> type() { return CcnnModel.class; }
        @Override public TensorFile encode(CcnnModel m) { return CcnnModelFile.encode(m, null); }
        @Override public CcnnModel decode(TensorFile f, Path source) throws ModelFormatException { return load(source, f); }
    }

    public static CcnnModel load(Path path) throws IOException {
        return load(path, TensorFile.read(path));
    }

    public static CcnnModel load(Path path, TensorFile file) throws ModelFormatException {
        dev.convexcnn.io.ModelFile.requireKind(path, file, KIND, "a CCNN or DCCNN model");
        // Format 2 files hold every key the writer writes: a missing one is damage, not an older file's default.
        boolean strict = file.formatVersion() >= 2;
        try {
            JsonObject meta = file.meta();
            CcnnSettings settings = settingsFrom(meta.getAsJsonObject("settings"));
            JsonArray lj = meta.getAsJsonArray("layers");
            List<CcnnLayer> layers = new ArrayList<>();
            for (int l = 0; l < lj.size(); l++) {
                JsonObject j = lj.get(l).getAsJsonObject();
                String p = "layer" + l + ".";
                int patch = j.get("patch").getAsInt();
                ConvGeometry g = new ConvGeometry(j.get("height").getAsInt(), j.get("width").getAsInt(), j.get("channels").getAsInt(),
                        patch, patch, j.get("stride").getAsInt(), j.get("padding").getAsInt());
                int d = g.patchSize(), m = j.get("features").getAsInt();
                PatchWhitening white = new PatchWhitening(d, get(file, path, p + "whitening.mean"), get(file, path, p + "whitening.matrix"),
                        j.get("normEpsilon").getAsDouble());
                Kernel kernel = Kernel.parse(j.get("kernel").getAsString());
                double gamma = j.get("gamma").getAsDouble();
                FeatureMap fm = Approximation.parse(j.get("approximation").getAsString()) == Approximation.FOURIER
                        ? RandomFourierFeatures.restore(d, m, gamma, get(file, path, p + "omega"), get(file, path, p + "bias"))
                        : NystromFeatures.restore(kernel, gamma, d, j.get("landmarks").getAsInt(), m, get(file, path, p + "landmarks"),
                                get(file, path, p + "transform"));
                double[] filters = new double[0];
                int r = 0;
                if (l + 1 < lj.size() && !j.has("filters")) throw new IllegalArgumentException("layer " + l + " has no \"filters\"");
                if (j.has("filters")) {
                    r = j.get("filters").getAsInt();
                    filters = get(file, path, p + "filters");
                }
                layers.add(new CcnnLayer(g, white, fm, j.get("poolSize").getAsInt(), j.get("poolStride").getAsInt(), filters, r));
            }
            JsonObject fj = meta.getAsJsonObject("factors");
            CcnnModel.Factors f = new CcnnModel.Factors(get(file, path, "factors.u"), get(file, path, "factors.s"),
                    get(file, path, "factors.vt"), fj.get("m").getAsInt(), fj.get("positions").getAsInt(), fj.get("outputs").getAsInt(),
                    fj.get("rank").getAsInt());
            double[] bias = new double[meta.get("classes").getAsInt() - 1];
            if (strict && !fj.has("bias")) throw new IllegalArgumentException("the factors have no \"bias\"");
            if (fj.has("bias")) { // format 1 files written before the centred DCCNN have none: zeros
                JsonArray b = fj.getAsJsonArray("bias");
                if (b.size() != bias.length) throw new IllegalArgumentException("bias must have " + bias.length + " values");
                for (int i = 0; i < bias.length; i++) bias[i] = b.get(i).getAsDouble();
            }
            com.google.gson.Gson gson = new com.google.gson.Gson();
            List<Certificate> certs = new ArrayList<>();
            for (var e : meta.getAsJsonArray("certificates")) certs.add(gson.fromJson(e, Certificate.class));
            List<DualCertificate> dual = new ArrayList<>();
            for (var e : meta.getAsJsonArray("dualCertificates")) dual.add(gson.fromJson(e, DualCertificate.class));
            if (strict) {
                if (!settingsJson(settings).equals(meta.getAsJsonObject("settings"))) throw new IllegalArgumentException("the settings do not read back as written");
                if (!gson.toJsonTree(certs).equals(meta.get("certificates")) || !gson.toJsonTree(dual).equals(meta.get("dualCertificates"))) {
                    throw new IllegalArgumentException("the certificates do not read back as written");
                }
            }
            return CcnnModel.restore(layers, f, bias, meta.get("finalFilters").getAsInt(), meta.get("classes").getAsInt(), settings,
                    certs, dual, meta.get("trainedOn").getAsString());
        } catch (RuntimeException e) {
            throw new ModelFormatException(path + ": damaged CCNN model (" + (e.getMessage() != null ? e.getMessage() : e.toString()) + ")");
        }
    }

    /** The header's "provenance" object. */
    public static JsonObject provenance(TensorFile f) { return f.meta().getAsJsonObject("provenance"); }

    static JsonObject settingsJson(CcnnSettings s) {
        JsonObject o = new JsonObject();
        JsonArray layers = new JsonArray();
        for (LayerSettings l : s.layers()) {
            JsonObject j = new JsonObject();
            j.addProperty("kernel", l.kernel().id());
            j.addProperty("approximation", l.approximation().id());
            j.addProperty("gamma", l.gamma());
            j.addProperty("features", l.features());
            j.addProperty("radius", l.radius());
            j.addProperty("learningRate", l.learningRate());
            j.addProperty("iterations", l.iterations());
            j.addProperty("filters", l.filters());
            j.addProperty("patchSize", l.patchSize());
            j.addProperty("stride", l.stride());
            j.addProperty("padding", l.padding());
            j.addProperty("poolSize", l.poolSize());
            j.addProperty("poolStride", l.poolStride());
            layers.add(j);
        }
        o.add("layers", layers);
        o.addProperty("batchSize", s.batchSize());
        o.addProperty("zcaEpsilon", s.zcaEpsilon());
        o.addProperty("patchNormEpsilon", s.patchNormEpsilon());
        o.addProperty("whiteningPatches", s.whiteningPatches());
        o.addProperty("averageTail", s.averageTail());
        o.addProperty("certificateSamples", s.certificateSamples());
        o.addProperty("monitorSamples", s.monitorSamples());
        o.addProperty("logEvery", s.logEvery());
        o.addProperty("seed", s.seed());
        return o;
    }

    static CcnnSettings settingsFrom(JsonObject o) {
        List<LayerSettings> layers = new ArrayList<>();
        for (var e : o.getAsJsonArray("layers")) {
            JsonObject j = e.getAsJsonObject();
            layers.add(new LayerSettings(Kernel.parse(j.get("kernel").getAsString()), Approximation.parse(j.get("approximation").getAsString()),
                    j.get("gamma").getAsDouble(), j.get("features").getAsInt(), j.get("radius").getAsDouble(),
                    j.get("learningRate").getAsDouble(), j.get("iterations").getAsInt(), j.get("filters").getAsInt(),
                    j.get("patchSize").getAsInt(), j.get("stride").getAsInt(), j.get("padding").getAsInt(),
                    j.get("poolSize").getAsInt(), j.get("poolStride").getAsInt()));
        }
        return new CcnnSettings(layers, o.get("batchSize").getAsInt(), o.get("zcaEpsilon").getAsDouble(),
                o.get("patchNormEpsilon").getAsDouble(), o.get("whiteningPatches").getAsInt(), o.get("averageTail").getAsDouble(),
                o.get("certificateSamples").getAsInt(), o.get("monitorSamples").getAsInt(), o.get("logEvery").getAsInt(),
                o.get("seed").getAsLong());
    }

    private static void put(Map<String, TensorFile.Tensor> t, String name, int[] shape, double[] values) {
        float[] hi = new float[values.length], lo = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            hi[i] = (float) values[i];
            lo[i] = (float) (values[i] - hi[i]);
        }
        t.put(name, new TensorFile.Tensor(shape, hi));
        t.put(name + ".lo", new TensorFile.Tensor(shape, lo));
    }

    private static double[] get(TensorFile f, Path path, String name) throws ModelFormatException {
        float[] hi = f.tensor(name, path).values(), lo = f.tensor(name + ".lo", path).values();
        if (hi.length != lo.length) throw new ModelFormatException(path + ": tensor '" + name + "' and its low part differ in size");
        double[] out = new double[hi.length];
        for (int i = 0; i < hi.length; i++) out[i] = (double) hi[i] + lo[i];
        return out;
    }
}
