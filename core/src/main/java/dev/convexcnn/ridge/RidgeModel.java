package dev.convexcnn.ridge;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.ModelFormatException;
import dev.convexcnn.io.TensorFile;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.model.Model;
import dev.convexcnn.model.ModelCodec;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.nn.Shape;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Logits x·W + b of the normalised pixels x.
 *
 * @param weights (d + 1) × c, row-major; the last row is the bias
 */
public record RidgeModel(Shape inputShape, int classes, Normalization normalization, double[] weights) implements Model {
    public static final String KIND = "ridge";

    public RidgeModel {
        if (weights.length != (long) (inputShape.size() + 1) * classes) {
            throw new IllegalArgumentException("weights need " + (inputShape.size() + 1) + " × " + classes + " values, got " + weights.length);
        }
    }

    @Override public String kind() { return KIND; }
    @Override public long parameterCount() { return weights.length; }
    @Override public String architecture() { return "linear " + inputShape + " -> " + classes + " (ridge regression on one-hot targets)"; }

    /** The design matrix rows [x, 1] of samples [from, from + n), normalised. */
    static double[] design(Dataset d, Normalization norm, int from, int n) {
        int f = d.features();
        float[] x = new float[n * f];
        norm.apply(d.pixels(), from * f, x, 0, n * f, d.channels());
        double[] a = new double[n * (f + 1)];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < f; j++) a[i * (f + 1) + j] = x[i * f + j];
            a[i * (f + 1) + f] = 1;
        }
        return a;
    }

    /** n × c logits, a block of samples at a time. */
    public double[] logits(Dataset d) {
        int n = d.size(), f = d.features(), c = classes;
        double[] z = new double[n * c];
        for (int from = 0; from < n; from += 4096) {
            int m = Math.min(4096, n - from);
            Gemm.dgemm(false, false, m, c, f + 1, 1, design(d, normalization, from, m), 0, f + 1, weights, 0, c, 0, z, from * c, c);
        }
        return z;
    }

    @Override public Evaluation evaluate(Dataset d) { return Evaluation.ofLogits(logits(d), d); }

    /** The ridge model's codec: shape, classes and normalisation in the header; W in double as two float tensors. */
    public static final class Codec implements ModelCodec<RidgeModel> {
        @Override public String kind() { return KIND; }
        @Override public Class<RidgeModel> type() { return RidgeModel.class; }

        @Override
        public TensorFile encode(RidgeModel m) {
            JsonObject meta = new JsonObject();
            meta.addProperty("height", m.inputShape().height());
            meta.addProperty("width", m.inputShape().width());
            meta.addProperty("channels", m.inputShape().channels());
            meta.addProperty("classes", m.classes());
            meta.add("normalization", m.normalization().toJson());
            float[] hi = new float[m.weights().length], lo = new float[hi.length];
            for (int i = 0; i < hi.length; i++) {
                hi[i] = (float) m.weights()[i];
                lo[i] = (float) (m.weights()[i] - hi[i]);
            }
            Map<String, TensorFile.Tensor> t = new LinkedHashMap<>();
            int[] shape = {m.inputShape().size() + 1, m.classes()};
            t.put("weights", new TensorFile.Tensor(shape, hi));
            t.put("weights.lo", new TensorFile.Tensor(shape, lo));
            return new TensorFile(meta, t);
        }

        @Override
        public RidgeModel decode(TensorFile f, Path source) throws ModelFormatException {
            try {
                JsonObject meta = f.meta();
                float[] hi = f.tensor("weights", source).values(), lo = f.tensor("weights.lo", source).values();
                if (hi.length != lo.length) throw new IllegalArgumentException("weights and weights.lo differ in size");
                double[] w = new double[hi.length];
                for (int i = 0; i < w.length; i++) w[i] = (double) hi[i] + lo[i];
                return new RidgeModel(new Shape(meta.get("height").getAsInt(), meta.get("width").getAsInt(), meta.get("channels").getAsInt()),
                        meta.get("classes").getAsInt(), Normalization.fromJson(meta.getAsJsonObject("normalization")), w);
            } catch (RuntimeException e) {
                throw new ModelFormatException(source + ": damaged ridge model (" + e.getMessage() + ")");
            }
        }
    }
}
