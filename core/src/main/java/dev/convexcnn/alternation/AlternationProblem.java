package dev.convexcnn.alternation;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.linalg.Backend;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.nn.Batches;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Linear;
import dev.convexcnn.nn.Param;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import dev.convexcnn.optim.ConjugateGradient;
import java.util.ArrayList;
import java.util.List;
import org.netlib.util.intW;

/**
 * The training problem of the alternation and its steps, each usable alone:
 * min over θ of F(θ) = ½·(1/N)·Σₙ‖z(xₙ; θ) − tₙ‖² + ½λ‖θ‖², on a network whose non-linearities are
 * {@link PositiveHardThreshold} layers, over the whole training set (processed in chunks).
 * <ul>
 *   <li>{@link #supportStep()}: a forward pass that recomputes and stores the multi-layer support.</li>
 *   <li>{@link #solveLayer(int)}: with the support frozen the output is A_k θ_k + c_k, affine in layer k's
 *   weights and bias θ_k; the step δ minimises the frozen objective over θ_k, a ridge least-squares problem
 *   (AᵀA/N + λI) δ = Aᵀr/N − λθ_k, r = t − z. A last {@code linear} layer is solved exactly through the normal
 *   equations (Cholesky); any other layer by conjugate gradients from δ = 0 (the warm start: the current
 *   weights), with AᵀA applied matrix-free as one frozen forward and one backward pass.</li>
 *   <li>{@link #weightStep(int)}: solveLayer, then the step length α = 1, ½, … whose true objective (support
 *   recomputed: this is the support step) does not exceed the current one; F never increases.</li>
 * </ul>
 * Our reading of arXiv 1712.02501: see docs/alternation.md.
 */
public final class AlternationProblem {
    private final Sequential net;
    private final List<Layer> layers;
    private final List<PositiveHardThreshold> thresholds = new ArrayList<>();
    private final int[] trainable;
    private final Dataset data;
    private final Normalization norm;
    private final float[] targets; // N × classes, or null for one-hot labels
    private final double ridge;
    private final int chunkSize, n, classes, features;
    private final int[] chunkSamples;
    private MultiLayerSupport support, scratch;
    private double objective, accuracy;
    private long lastChanges;
    private int passes;
    private final float[] x, cm, tgt, buf;
    private final int[] y;

    /**
     * @param net     a built, initialised network whose non-linearities are PositiveHardThreshold layers
     *                (layers: conv, linear, flatten, avgpool, thresholding)
     * @param targets N × classes regression targets (sample after sample), or null for one-hot class labels
     */
    public AlternationProblem(Sequential net, Dataset data, Normalization norm, float[] targets, double ridge, int chunkSize) {
        if (data.size() == 0) throw new IllegalArgumentException("the training set is empty");
        this.net = net;
        this.layers = net.executionOrder();
        List<Integer> tr = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (l instanceof PositiveHardThreshold t) {
                thresholds.add(t);
                sizes.add(t.size());
            } else if (l instanceof dev.convexcnn.nn.Relu || l.spec().startsWith("maxpool")) {
                throw new IllegalArgumentException("layer '" + l.spec() + "' is not allowed in alternation: use thresholding layers and no max pooling");
            }
            if (!l.params().isEmpty()) tr.add(i);
        }
        this.trainable = tr.stream().mapToInt(Integer::intValue).toArray();
        this.data = data;
        this.norm = norm;
        this.classes = net.outputs();
        if (targets != null && targets.length != (long) data.size() * classes) {
            throw new IllegalArgumentException("targets must hold " + data.size() + " × " + classes + " values");
        }
        this.targets = targets;
        if (!(ridge >= 0)) throw new IllegalArgumentException("ridge must be >= 0");
        this.ridge = ridge;
        this.n = data.size();
        this.features = data.features();
        this.chunkSize = Math.min(chunkSize, n);
        int chunks = (n + this.chunkSize - 1) / this.chunkSize;
        chunkSamples = new int[chunks];
        for (int c = 0; c < chunks; c++) chunkSamples[c] = Math.min(this.chunkSize, n - c * this.chunkSize);
        int[] ls = sizes.stream().mapToInt(Integer::intValue).toArray();
        support = new MultiLayerSupport(chunkSamples, ls);
        scratch = new MultiLayerSupport(chunkSamples, ls);
        x = new float[this.chunkSize * features];
        cm = new float[this.chunkSize * features];
        tgt = new float[this.chunkSize * classes];
        buf = new float[this.chunkSize * classes];
        y = new int[this.chunkSize];
        supportStepInto(support);
        lastChanges = 0;
    }

    public Sequential network() { return net; }
    /** Indices (in the execution order) of the layers with weights. */
    public int[] trainableLayers() { return trainable.clone(); }
    public MultiLayerSupport support() { return support; }
    /** The true objective at the current weights (the support is always kept consistent with them). */
    public double objective() { return objective; }
    public double trainAccuracy() { return accuracy; }
    /** Unit states changed by the last support step. */
    public long lastSupportChanges() { return lastChanges; }
    /** Passes over the training set so far. */
    public int dataPasses() { return passes; }

    /** Sets the pass count of a resumed run (its problem, rebuilt from the saved weights, has counted one pass). */
    void restorePasses(int count) { passes = count; }
    public int samples() { return n; }
    public int classes() { return classes; }

    // ---- chunks -------------------------------------------------------------------------------------------

    /** Loads chunk c: normalised inputs channel-major into cm, targets class-major (classes × b) into tgt. */
    private int load(int c) {
        int from = c * chunkSize, b = chunkSamples[c];
        Batches.gather(data, null, from, b, norm, x, y);
        Shape in = net.inputShape();
        int ch = in.channels(), plane = in.height() * in.width();
        for (int s = 0; s < b; s++) {
            for (int j = 0; j < plane; j++) {
                for (int k = 0; k < ch; k++) cm[(k * plane + j) * b + s] = x[(s * plane + j) * ch + k];
            }
        }
        for (int s = 0; s < b; s++) {
            for (int j = 0; j < classes; j++) {
                tgt[j * b + s] = targets != null ? targets[(from + s) * classes + j] : (y[s] == j ? 1f : 0f);
            }
        }
        return b;
    }

    private float[] forward(float[] in, int b, int upTo) {
        float[] cur = in;
        for (int i = 0; i < upTo; i++) cur = layers.get(i).forward(cur, b);
        return cur;
    }

    private void backwardTo(float[] g, int b, int k) {
        for (int i = layers.size() - 1; i >= k; i--) g = layers.get(i).backward(g, b, i > k);
    }

    private void freeze(MultiLayerSupport s, int c) {
        for (int t = 0; t < thresholds.size(); t++) thresholds.get(t).freeze(s.mask(c, t));
    }

    private void thaw() {
        for (PositiveHardThreshold t : thresholds) t.thaw();
    }

    private double ridgeTerm() {
        double s = 0;
        for (Param p : net.params()) for (float v : p.value()) s += (double) v * v;
        return 0.5 * ridge * s;
    }

    // ---- the support step -----------------------------------------------------------------------------------

    /** Recomputes the support from the current weights; returns the true objective. */
    public double supportStep() {
        supportStepInto(scratch);
        lastChanges = scratch.differences(support);
        MultiLayerSupport t = support;
        support = scratch;
        scratch = t;
        return objective;
    }

    /** A free forward pass over the data, storing the support into s and setting objective and accuracy. */
    private void supportStepInto(MultiLayerSupport s) {
        double[] r = freePass(s);
        objective = r[0];
        accuracy = r[1];
    }

    private double[] freePass(MultiLayerSupport store) {
        thaw();
        double sse = 0;
        long correct = 0;
        for (int c = 0; c < chunkSamples.length; c++) {
            int b = load(c);
            float[] z = forward(cm, b, layers.size());
            if (store != null) {
                for (int t = 0; t < thresholds.size(); t++) {
                    long[] dst = store.mask(c, t);
                    System.arraycopy(thresholds.get(t).support(), 0, dst, 0, dst.length);
                }
            }
            sse += sse(z, b);
            correct += correct(z, b);
        }
        passes++;
        return new double[] {0.5 * sse / n + ridgeTerm(), (double) correct / n};
    }

    private double sse(float[] z, int b) {
        double s = 0;
        for (int i = 0; i < classes * b; i++) {
            double d = z[i] - tgt[i];
            s += d * d;
        }
        return s;
    }

    private long correct(float[] z, int b) {
        long k = 0;
        for (int s = 0; s < b; s++) {
            int best = 0, truth = 0;
            for (int j = 1; j < classes; j++) {
                if (z[j * b + s] > z[best * b + s]) best = j;
                if (tgt[j * b + s] > tgt[truth * b + s]) truth = j;
            }
            if (best == truth) k++;
        }
        return k;
    }

    /** The objective with the stored support frozen (equal to {@link #objective()} until weights change). */
    public double frozenObjective() {
        double sse = 0;
        for (int c = 0; c < chunkSamples.length; c++) {
            int b = load(c);
            freeze(support, c);
            sse += sse(forward(cm, b, layers.size()), b);
        }
        thaw();
        passes++;
        return 0.5 * sse / n + ridgeTerm();
    }

    // ---- layer parameters -----------------------------------------------------------------------------------

    /** Layer k's weights then bias, as one vector. */
    public double[] layerParameters(int k) {
        List<Param> ps = layers.get(k).params();
        int size = 0;
        for (Param p : ps) size += p.size();
        double[] v = new double[size];
        int off = 0;
        for (Param p : ps) {
            float[] a = p.value();
            for (int i = 0; i < a.length; i++) v[off + i] = a[i];
            off += a.length;
        }
        return v;
    }

    /** Sets layer k's parameters (weights then bias). The support is not recomputed. */
    public void setLayerParameters(int k, double[] v) {
        int off = 0;
        for (Param p : layers.get(k).params()) {
            float[] a = p.value();
            for (int i = 0; i < a.length; i++) a[i] = (float) v[off + i];
            off += a.length;
        }
    }

    private double[] layerGradient(int k) {
        List<Param> ps = layers.get(k).params();
        int size = 0;
        for (Param p : ps) size += p.size();
        double[] v = new double[size];
        int off = 0;
        for (Param p : ps) {
            float[] a = p.grad();
            for (int i = 0; i < a.length; i++) v[off + i] = a[i];
            off += a.length;
        }
        return v;
    }

    private void zeroGrads() {
        for (Param p : net.params()) p.zeroGrad();
    }

    /** Zeroes the biases of the layers after k (so the frozen output is linear in θ_k); returns them. */
    private List<float[]> zeroLaterBiases(int k) {
        List<float[]> saved = new ArrayList<>();
        for (int i = k + 1; i < layers.size(); i++) {
            for (Param p : layers.get(i).params()) {
                if (!p.decays()) {
                    saved.add(p.value().clone());
                    java.util.Arrays.fill(p.value(), 0f);
                }
            }
        }
        return saved;
    }

    private void restoreLaterBiases(int k, List<float[]> saved) {
        int j = 0;
        for (int i = k + 1; i < layers.size(); i++) {
            for (Param p : layers.get(i).params()) {
                if (!p.decays()) System.arraycopy(saved.get(j++), 0, p.value(), 0, p.size());
            }
        }
    }

    // ---- the linear maps of a layer with the support frozen -------------------------------------------------

    /**
     * A_k v: the network output (N × classes, sample after sample) with the support frozen, layer k's
     * parameters set to v and the later biases set to 0. The map is linear in v. Restores the weights.
     */
    public double[] applyA(int k, double[] v) {
        double[] keep = layerParameters(k);
        setLayerParameters(k, v);
        List<float[]> biases = zeroLaterBiases(k);
        double[] out = new double[n * classes];
        for (int c = 0; c < chunkSamples.length; c++) {
            int b = load(c);
            freeze(support, c);
            float[] z = forward(cm, b, layers.size());
            int from = c * chunkSize;
            for (int s = 0; s < b; s++) for (int j = 0; j < classes; j++) out[(from + s) * classes + j] = z[j * b + s];
        }
        thaw();
        restoreLaterBiases(k, biases);
        setLayerParameters(k, keep);
        return out;
    }

    /** A_kᵀ r for r of N × classes values (sample after sample), with the support frozen. */
    public double[] applyAT(int k, double[] r) {
        zeroGrads();
        for (int c = 0; c < chunkSamples.length; c++) {
            int b = load(c);
            freeze(support, c);
            forward(cm, b, layers.size());
            int from = c * chunkSize;
            for (int s = 0; s < b; s++) for (int j = 0; j < classes; j++) buf[j * b + s] = (float) r[(from + s) * classes + j];
            backwardTo(buf, b, k);
        }
        thaw();
        double[] g = layerGradient(k);
        zeroGrads();
        return g;
    }

    /**
     * The normal operator H = AᵀA/N + λI of layer k, matrix-free: each product is one frozen forward pass with
     * the later biases zeroed and one backward pass. Valid until the support or other layers change.
     */
    public ConjugateGradient.Operator normalOperator(int k) {
        return (v, out) -> {
            double[] keep = layerParameters(k);
            setLayerParameters(k, v);
            List<float[]> biases = zeroLaterBiases(k);
            zeroGrads();
            final float inv = 1f / n;
            for (int c = 0; c < chunkSamples.length; c++) {
                int b = load(c);
                freeze(support, c);
                float[] z = forward(cm, b, layers.size());
                for (int i = 0; i < classes * b; i++) buf[i] = z[i] * inv;
                backwardTo(buf, b, k);
            }
            thaw();
            passes++;
            restoreLaterBiases(k, biases);
            setLayerParameters(k, keep);
            double[] g = layerGradient(k);
            zeroGrads();
            for (int i = 0; i < g.length; i++) out[i] = g[i] + ridge * v[i];
        };
    }

    /** The right-hand side Aᵀr/N − λθ_k at the current weights, r = t − z with the support frozen. */
    public double[] rightHandSide(int k) {
        zeroGrads();
        final float inv = 1f / n;
        for (int c = 0; c < chunkSamples.length; c++) {
            int b = load(c);
            freeze(support, c);
            float[] z = forward(cm, b, layers.size());
            for (int i = 0; i < classes * b; i++) buf[i] = (tgt[i] - z[i]) * inv;
            backwardTo(buf, b, k);
        }
        thaw();
        passes++;
        double[] g = layerGradient(k);
        zeroGrads();
        double[] theta = layerParameters(k);
        for (int i = 0; i < g.length; i++) g[i] -= ridge * theta[i];
        return g;
    }

    // ---- the weight step ----------------------------------------------------------------------------------

    /** How a layer's least-squares problem was solved. */
    public record Solve(double[] delta, String method, int iterations, double relativeResidual) {}

    /**
     * The minimiser δ of the frozen objective over layer k's parameters (exactly, or by CG): the weights become
     * θ_k + δ. Does not change the weights.
     */
    public Solve solveLayer(int k, boolean exactOutputLayer, int cgIterations, double cgTolerance) {
        if (exactOutputLayer && k == layers.size() - 1 && layers.get(k) instanceof Linear) return solveOutputLayer(k);
        double[] g = rightHandSide(k);
        double[] delta = new double[g.length];
        ConjugateGradient.Result r = ConjugateGradient.solve(normalOperator(k), g, delta, cgIterations, cgTolerance);
        return new Solve(delta, "cg", r.iterations(), r.relativeResidual());
    }

    /**
     * The last linear layer: min over W̃ = [W | b] of ½/N‖W̃Ỹ − T‖² + ½λ‖W̃‖² with Ỹ = [Y; 1] its (frozen)
     * input, that is (ỸỸᵀ/N + λI) W̃ᵀ = ỸTᵀ/N, by Cholesky (LAPACK dposv).
     */
    private Solve solveOutputLayer(int k) {
        Linear lin = (Linear) layers.get(k);
        int in = lin.params().get(0).shape()[1], m = in + 1;
        double[] gram = new double[m * m], rhs = new double[classes * m];
        double[] yd = new double[m * chunkSize], td = new double[classes * chunkSize];
        for (int c = 0; c < chunkSamples.length; c++) {
            int b = load(c);
            freeze(support, c);
            float[] yin = forward(cm, b, k);
            for (int i = 0; i < in * b; i++) yd[i] = yin[i];
            for (int s = 0; s < b; s++) yd[in * b + s] = 1;
            for (int i = 0; i < classes * b; i++) td[i] = tgt[i];
            Gemm.dgemm(false, true, m, m, b, 1, yd, 0, b, yd, 0, b, 1, gram, 0, m);
            Gemm.dgemm(false, true, classes, m, b, 1, td, 0, b, yd, 0, b, 1, rhs, 0, m);
        }
        thaw();
        passes++;
        for (int i = 0; i < gram.length; i++) gram[i] /= n;
        for (int i = 0; i < m; i++) gram[i * m + i] += ridge;
        for (int i = 0; i < rhs.length; i++) rhs[i] /= n;
        double[] w = solveSpd(gram, m, rhs, classes);
        double[] theta = layerParameters(k);
        double[] delta = new double[theta.length];
        for (int j = 0; j < classes; j++) {
            for (int i = 0; i < in; i++) delta[j * in + i] = w[j * m + i] - theta[j * in + i];
            delta[classes * in + j] = w[j * m + in] - theta[classes * in + j];
        }
        return new Solve(delta, "normal-equations", 1, 0);
    }

    /**
     * Solves A X = B for a symmetric positive definite m × m A (row-major; A is overwritten) and nrhs right-hand
     * sides given as the rows of B (nrhs × m, row-major), by LAPACK dposv. Returns X in B's layout (B itself).
     */
    public static double[] solveSpd(double[] a, int m, double[] b, int nrhs) {
        intW info = new intW(0);
        Backend.get().lapack().dposv("U", m, nrhs, a, m, b, m, info);
        if (info.val != 0) throw new ArithmeticException("dposv failed with info=" + info.val + " (the matrix is not positive definite: raise the ridge)");
        return b;
    }

    /** What a weight step did. */
    public record StepResult(int layer, String method, int iterations, double before, double after, double stepLength,
                             long supportChanges) {}

    /**
     * One weight step on layer k followed by the support step: solve the frozen least-squares problem, then
     * take the longest step length in 1, ½, … (at most maxBacktracks halvings) whose true objective does not
     * exceed the current one, recomputing the support; if none does, the weights stay (step length 0).
     */
    public StepResult weightStep(int k, boolean exactOutputLayer, int cgIterations, double cgTolerance, int maxBacktracks) {
        double before = objective;
        double[] theta0 = layerParameters(k);
        Solve s = solveLayer(k, exactOutputLayer, cgIterations, cgTolerance);
        double alpha = 1;
        double[] trial = new double[theta0.length];
        for (int tries = 0; tries <= maxBacktracks; tries++, alpha *= 0.5) {
            for (int i = 0; i < trial.length; i++) trial[i] = theta0[i] + alpha * s.delta()[i];
            setLayerParameters(k, trial);
            double[] r = freePass(scratch);
            if (r[0] <= before) {
                lastChanges = scratch.differences(support);
                MultiLayerSupport t = support;
                support = scratch;
                scratch = t;
                objective = r[0];
                accuracy = r[1];
                return new StepResult(k, s.method(), s.iterations(), before, objective, alpha, lastChanges);
            }
        }
        setLayerParameters(k, theta0);
        lastChanges = 0;
        return new StepResult(k, s.method(), s.iterations(), before, before, 0, 0);
    }
}
