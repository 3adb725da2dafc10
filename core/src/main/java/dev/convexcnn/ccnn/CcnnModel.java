package dev.convexcnn.ccnn;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.linalg.DoubleMatrix;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.nn.Evaluation;
import java.util.List;

/**
 * A trained CCNN, as the CNN it stands for: per layer, whitened patches → kernel features → r filters →
 * average pooling; then a linear layer on the last layer's pooled filter outputs, with C − 1 free logits.
 * The last layer's filters and linear weights are the factors of its A = U S Vᵀ: with all of A's numerical
 * rank the model predicts exactly as the convex solution; {@link #withFilters(int)} truncates to the top r
 * (the recovered r-filter CNN). Immutable.
 */
public final class CcnnModel implements dev.convexcnn.model.Model {
    @Override public String kind() { return CcnnModelFile.KIND; }

    @Override public dev.convexcnn.nn.Shape inputShape() {
        var g = layers().get(0).geometry();
        return new dev.convexcnn.nn.Shape(g.height(), g.width(), g.channels());
    }

    @Override public String architecture() {
        return String.format("%s, %d layer(s), %d filters in kernel-feature space", isDual() ? "DCCNN" : "CCNN", layers().size(), filterCount());
    }
    /**
     * The SVD of the last layer's A (m × (Q·c1)): U (m×k), s (k, descending), Vᵀ (k × (Q·c1)), and the
     * numerical rank (singular values above 1e-10·s_max).
     */
    public record Factors(double[] u, double[] s, double[] vt, int m, int positions, int outputs, int rank) {
        static Factors of(DoubleMatrix.Svd svd, int m, int positions, int outputs) {
            double[] s = svd.s();
            double max = s.length == 0 ? 0 : s[0];
            int rank = 0;
            for (double v : s) if (v > 1e-10 * max && v > 0) rank++;
            return new Factors(svd.u().data(), s, svd.vt().data(), m, positions, outputs, rank);
        }

        int k() { return s.length; }

        /** The first r left singular vectors as m×r. */
        double[] leftVectors(int r) {
            double[] out = new double[m * r];
            for (int i = 0; i < m; i++) System.arraycopy(u, i * k(), out, i * r, r);
            return out;
        }

        /** The linear weights of the top-r filters, (Q·r) × c1: row q·r + j, column o, is s_j·Vᵀ[j, q·c1 + o]. */
        double[] linearWeights(int r) {
            int n = positions * outputs;
            double[] out = new double[positions * r * outputs];
            for (int q = 0; q < positions; q++)
                for (int j = 0; j < r; j++)
                    for (int o = 0; o < outputs; o++) out[(q * r + j) * outputs + o] = s[j] * vt[j * n + q * outputs + o];
            return out;
        }
    }

    private final List<CcnnLayer> layers;
    private final Factors factors;
    private final int finalFilters;
    private final double[] linear; // (Q·r) × c1
    private final int classes;
    private final CcnnSettings settings;
    private final List<Certificate> certificates;
    private final List<IterationRecord> log;
    private final String trainedOn;
    private final List<DualCertificate> dualCertificates;
    private final double[] bias; // C−1 values added to the free logits (DCCNN's centred variant; zeros otherwise)

    private CcnnModel(List<CcnnLayer> layers, Factors factors, int r, int classes, CcnnSettings settings,
                      List<Certificate> certificates, List<IterationRecord> log, String trainedOn,
                      List<DualCertificate> dualCertificates, double[] bias) {
        if (bias.length != classes - 1) throw new IllegalArgumentException("bias must have " + (classes - 1) + " values");
        this.bias = bias.clone();
        if (r < 1 || r > factors.k()) throw new IllegalArgumentException("filters must be in 1.." + factors.k() + ", got " + r);
        CcnnLayer top = layers.get(layers.size() - 1);
        this.layers = List.copyOf(layers.subList(0, layers.size() - 1));
        this.factors = factors;
        this.finalFilters = r;
        this.linear = factors.linearWeights(r);
        this.classes = classes;
        this.settings = settings;
        this.certificates = List.copyOf(certificates);
        this.log = List.copyOf(log);
        this.trainedOn = trainedOn;
        this.dualCertificates = List.copyOf(dualCertificates);
        this.top = top.withFilters(factors.leftVectors(r), r);
    }

    private final CcnnLayer top;

    static CcnnModel create(List<CcnnLayer> layers, Factors factors, int classes, CcnnSettings settings,
                            List<Certificate> certificates, List<IterationRecord> log, String trainedOn) {
        int want = settings.layers().get(settings.layers().size() - 1).filters();
        int r = want == 0 ? factors.rank() : Math.min(want, factors.rank());
        return new CcnnModel(layers, factors, Math.max(1, r), classes, settings, certificates, log, trainedOn, List.of(), new double[classes - 1]);
    }

    /** A DCCNN model: its layers were trained through the dual; it carries their duality-gap certificates. */
    static CcnnModel createDual(List<CcnnLayer> layers, Factors factors, double[] bias, int classes, CcnnSettings settings,
                                List<DualCertificate> dual, String trainedOn) {
        int want = settings.layers().get(settings.layers().size() - 1).filters();
        int r = want == 0 ? factors.rank() : Math.min(want, factors.rank());
        return new CcnnModel(layers, factors, Math.max(1, r), classes, settings, List.of(), List.of(), trainedOn, dual, bias);
    }

    /** Rebuilds a model from its parts (as read from a file). */
    static CcnnModel restore(List<CcnnLayer> layers, Factors factors, double[] bias, int r, int classes, CcnnSettings settings,
                             List<Certificate> certificates, List<DualCertificate> dual, String trainedOn) {
        return new CcnnModel(layers, factors, r, classes, settings, certificates, List.of(), trainedOn, dual, bias);
    }

    /** Whether the layers were trained through the dual (DCCNN). */
    public boolean isDual() { return !dualCertificates.isEmpty(); }

    /** DCCNN only: one duality-gap certificate per layer (empty for a primal CCNN). */
    public List<DualCertificate> dualCertificates() { return dualCertificates; }

    /** The same model with the last layer truncated to its top r filters (1 ≤ r ≤ min(m, Q·c1)). */
    public CcnnModel withFilters(int r) {
        List<CcnnLayer> all = new java.util.ArrayList<>(layers);
        all.add(top);
        return new CcnnModel(all, factors, r, classes, settings, certificates, log, trainedOn, dualCertificates, bias);
    }

    /** The model that predicts exactly as the convex solution A of the last layer (all its numerical rank). */
    public CcnnModel exact() { return withFilters(Math.max(1, factors.rank())); }

    /** All layers, input side first; the last one holds the kept filters. */
    public List<CcnnLayer> layers() {
        List<CcnnLayer> all = new java.util.ArrayList<>(layers);
        all.add(top);
        return List.copyOf(all);
    }

    @Override public int classes() { return classes; }
    public CcnnSettings settings() { return settings; }
    /** The name of the data set it was trained on. */
    public String trainedOn() { return trainedOn; }
    /** One certificate per layer: the Frank–Wolfe gap of that layer's convex program at the returned A. */
    public List<Certificate> certificates() { return certificates; }
    /** The last layer's certificate: the one of the model's classifier. */
    public Certificate certificate() {
        if (certificates.isEmpty()) throw new IllegalStateException("a DCCNN model has dual certificates: see dualCertificates()");
        return certificates.get(certificates.size() - 1);
    }
    /** The per-iteration log of all layers. */
    public List<IterationRecord> log() { return log; }
    /** The last layer's factors (the SVD of its A). */
    public Factors factors() { return factors; }
    /** The bias added to the C−1 free logits (zeros except for DCCNN's centred variant). */
    public double[] bias() { return bias.clone(); }

    /** Filters over all layers: Σ r_l. */
    public int filterCount() {
        int sum = finalFilters;
        for (CcnnLayer l : layers) sum += l.filterCount();
        return sum;
    }

    /** Filters of the last layer. */
    public int finalFilters() { return finalFilters; }

    /**
     * Learned parameters of the CNN: per layer m_l·r_l (each filter is a vector in the m-dimensional feature
     * space), plus the linear layer Q·r·(C−1). The random features and whitening are not counted (they are
     * drawn or fitted without labels); see {@link #fixedParameterCount()}.
     */
    @Override public long parameterCount() {
        long sum = 0;
        for (CcnnLayer l : layers) sum += (long) l.featureDim() * l.filterCount();
        sum += (long) top.featureDim() * finalFilters;
        sum += (long) linear.length;
        for (double b : bias) if (b != 0) return sum + bias.length;
        return sum;
    }

    /** Entries of the last layer's convex variable A, m·Q·(C−1): the primal's size before factorisation. */
    public long convexParameterCount() { return (long) factors.m() * factors.positions() * factors.outputs(); }

    /** Numbers drawn or fitted without labels: whitening (d² + d) and feature maps per layer. */
    public long fixedParameterCount() {
        long sum = 0;
        for (CcnnLayer l : layers()) {
            int d = l.geometry().patchSize();
            sum += (long) d * d + d;
            FeatureMap f = l.featureMap();
            sum += f instanceof NystromFeatures ny ? (long) ny.landmarks() * (d + f.dim()) : (long) f.dim() * (d + 1);
        }
        return sum;
    }

    /** Free logits (n × (C−1)) of a data set; the last class's logit is 0. */
    public double[] logits(Dataset d) {
        check(d);
        int n = d.size(), c1 = classes - 1;
        double[] out = new double[n * c1];
        int chunk = 64;
        for (int from = 0; from < n; from += chunk) {
            int nb = Math.min(chunk, n - from);
            float[] x = d.pixels();
            int xFrom = from;
            for (CcnnLayer l : layers) {
                int[] shape = l.outputShape();
                float[] next = new float[nb * shape[0] * shape[1] * shape[2]];
                l.outputs(x, null, xFrom, nb, next, 0);
                x = next;
                xFrom = 0;
            }
            int Q = top.positions(), m = top.featureDim(), r = finalFilters;
            double[] f = new double[nb * Q * m];
            top.pooledFeatures(x, null, xFrom, nb, f, 0);
            double[] hid = new double[nb * Q * r];
            Gemm.dgemm(false, false, nb * Q, r, m, 1, f, 0, m, top.filters(), 0, r, 0, hid, 0, r);
            Gemm.dgemm(false, false, nb, c1, Q * r, 1, hid, 0, Q * r, linear, 0, c1, 0, out, from * c1, c1);
            for (int i = 0; i < nb * c1; i++) out[from * c1 + i] += bias[i % c1];
        }
        return out;
    }

    /** Predicted classes. */
    public int[] predict(Dataset d) {
        double[] z = logits(d);
        int[] out = new int[d.size()];
        for (int i = 0; i < out.length; i++) out[i] = MultinomialLogistic.argmax(z, i * (classes - 1), classes);
        return out;
    }

    /** Accuracy, mean cross-entropy and confusion (rows: true class). */
    @Override public Evaluation evaluate(Dataset d) {
        double[] z = logits(d);
        int n = d.size();
        int[] correct = new int[1];
        double loss = MultinomialLogistic.evaluate(z, n, classes, d.labels(), 0, 1, null, correct);
        int[][] confusion = new int[classes][classes];
        for (int i = 0; i < n; i++) confusion[d.label(i)][MultinomialLogistic.argmax(z, i * (classes - 1), classes)]++;
        return new Evaluation(n, n == 0 ? Double.NaN : (double) correct[0] / n, n == 0 ? Double.NaN : loss / n, confusion);
    }

    private void check(Dataset d) {
        var g = layers().get(0).geometry();
        if (d.height() != g.height() || d.width() != g.width() || d.channels() != g.channels()) {
            throw new IllegalArgumentException("model expects " + g.height() + "x" + g.width() + "x" + g.channels()
                    + " images, got " + d);
        }
        if (d.classes() != classes) throw new IllegalArgumentException("model has " + classes + " classes, data " + d.classes());
    }

    @Override
    public String toString() {
        return "CcnnModel(" + (layers.size() + 1) + " layers, " + filterCount() + " filters, " + parameterCount() + " parameters)";
    }
}
