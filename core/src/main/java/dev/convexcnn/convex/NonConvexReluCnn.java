package dev.convexcnn.convex;

import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.optim.Adam;
import dev.convexcnn.optim.SgdMomentum;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The non-convex network the programs are equivalent to, trained the ordinary way, for the paper's
 * comparison: m neurons per class, f_k(x) = Σ_{a of class k} v_a Σ_p (z_p(x)·u_a)₊, objective
 * loss(f) + (β/2) Σ_a (‖u_a‖² + v_a²) with the programs' loss and scaling, minimised by mini-batch SGD with
 * momentum or Adam in double precision (the update rules of {@code optim}, which the SGD trainer uses in float).
 * Its objective can never go below the convex optimum with all patterns.
 */
public final class NonConvexReluCnn {
    private final int classes, perClass, size, patches;
    private final double[] u, v;

    /**
     * A network with m neurons per class, initialised from the seed: u ~ N(0, 1/h), so z·u is of order one, and
     * v ~ N(0, (0.25/(P√m))²), so that the sums over P patches start the outputs near 0.1, not near P.
     */
    public NonConvexReluCnn(int classes, int perClass, int patchSize, int patchesPerSample, long seed) {
        this.classes = classes;
        this.perClass = perClass;
        this.size = patchSize;
        this.patches = patchesPerSample;
        int m = classes * perClass;
        u = new double[m * size];
        v = new double[m];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < u.length; i++) u[i] = r.nextGaussian() / Math.sqrt(size);
        for (int i = 0; i < m; i++) v[i] = r.nextGaussian() * 0.25 / (patchesPerSample * Math.sqrt(perClass));
    }

    /**
     * Rescales each neuron to ‖u_a‖ = |v_a| (u_a·α, v_a/α with α = √(|v_a|/‖u_a‖)): the same function, since the
     * ReLU is positively homogeneous, with the least weight decay of any such rescaling, β Σ_a ‖u_a‖|v_a| (AM–GM).
     * The constructor's start has ‖u_a‖ ≈ 1 and |v_a| ≈ 1e-3, so its objective is almost all weight decay, which
     * SGD at a rate the output weights tolerate shrinks too slowly (docs/convex.md). Returns this network.
     */
    public NonConvexReluCnn balance() {
        for (int a = 0; a < v.length; a++) {
            double norm = 0;
            for (int j = 0; j < size; j++) norm += u[a * size + j] * u[a * size + j];
            norm = Math.sqrt(norm);
            if (norm == 0 || v[a] == 0) continue;
            double alpha = Math.sqrt(Math.abs(v[a]) / norm);
            for (int j = 0; j < size; j++) u[a * size + j] *= alpha;
            v[a] /= alpha;
        }
        return this;
    }

    /**
     * The same network as a {@link ReluNetwork} on the given geometry (the patches it was trained on): neuron a feeds
     * class a / perClass with weight v_a. Saved as a model file, it is a start for {@code --patterns-from}.
     */
    public ReluNetwork asReluNetwork(PatchGeometry geometry) {
        if (geometry.patchSize() != size || geometry.patches() != patches) {
            throw new IllegalArgumentException("the geometry has " + geometry.patches() + " patches of " + geometry.patchSize()
                    + " values; the network was trained on " + patches + " of " + size);
        }
        int m = neurons();
        double[] out = new double[m * classes];
        for (int a = 0; a < m; a++) out[a * classes + a / perClass] = v[a];
        return new ReluNetwork(geometry, m, classes, u.clone(), out);
    }

    public double[] filters() { return u; }
    public double[] outputWeights() { return v; }
    public int neurons() { return classes * perClass; }

    /** The objective on all samples (patches z: n·P × h). */
    public double objective(double[] z, int[] labels, int n, Loss loss, double beta) {
        return loss.value(predict(z, n), labels, n, classes, null) + beta / 2 * (dot(u, u) + dot(v, v));
    }

    /** Predictions (n × c) for the samples whose patches are z. */
    public double[] predict(double[] z, int n) {
        double[] pred = new double[n * classes];
        int block = 256;
        for (int i0 = 0; i0 < n; i0 += block) forward(z, i0, Math.min(block, n - i0), pred, i0 * classes, null);
        return pred;
    }

    /** Predictions of samples [i0, i0+b) into pred at off; keeps the pre-activations in act when not null. */
    private double[] forward(double[] z, int i0, int b, double[] pred, int off, double[] act) {
        int m = neurons(), P = patches;
        double[] a = act != null ? act : new double[b * P * m];
        Gemm.dgemm(false, true, b * P, m, size, 1, z, i0 * P * size, size, u, 0, size, 0, a, 0, m);
        double[] s = new double[b * m];
        for (int i = 0; i < b; i++) {
            for (int p = 0; p < P; p++) {
                int row = (i * P + p) * m;
                for (int n = 0; n < m; n++) s[i * m + n] += Math.max(0, a[row + n]);
            }
            for (int k = 0; k < classes; k++) pred[off + i * classes + k] = 0;
            for (int n = 0; n < m; n++) pred[off + i * classes + n / perClass] += v[n] * s[i * m + n];
        }
        return s;
    }

    /** The gradient of the mini-batch objective (samples [i0, i0+b), loss scaled as for b samples). */
    public double gradient(double[] z, int[] labels, int i0, int b, Loss loss, double beta, double[] gu, double[] gv) {
        int m = neurons(), P = patches;
        double[] act = new double[b * P * m];
        double[] pred = new double[b * classes], dz = new double[b * classes];
        double[] s = forward(z, i0, b, pred, 0, act);
        int[] y = java.util.Arrays.copyOfRange(labels, i0, i0 + b);
        double f = loss.value(pred, y, b, classes, dz);
        for (int n = 0; n < m; n++) gv[n] = beta * v[n];
        for (int i = 0; i < b; i++) for (int n = 0; n < m; n++) gv[n] += dz[i * classes + n / perClass] * s[i * m + n];
        // dA = dz_k(a)·v_a on active patches.
        for (int i = 0; i < b; i++) {
            for (int p = 0; p < P; p++) {
                int row = (i * P + p) * m;
                for (int n = 0; n < m; n++) act[row + n] = act[row + n] > 0 ? dz[i * classes + n / perClass] * v[n] : 0;
            }
        }
        for (int i = 0; i < u.length; i++) gu[i] = beta * u[i];
        Gemm.dgemm(true, false, m, size, b * P, 1, act, 0, m, z, i0 * P * size, size, 1, gu, 0, size);
        return f + beta / 2 * (dot(u, u) + dot(v, v));
    }

    /** One point of a training curve. */
    public record Point(int epoch, double seconds, double objective) {}

    /**
     * Trains by mini-batch SGD with momentum 0.9 ("sgd") or Adam ("adam") for the given epochs, recording the full
     * objective after every epoch. Each epoch visits the blocks of {@code batch} consecutive samples in a seeded
     * random order (the samples themselves are in random order already when the data was shuffled).
     */
    public List<Point> train(double[] z, int[] labels, int n, Loss loss, double beta, String optimizer, double lr,
                             int epochs, int batch, long seed) {
        List<Point> curve = new ArrayList<>();
        long t0 = System.nanoTime();
        curve.add(new Point(0, 0, objective(z, labels, n, loss, beta)));
        int m = neurons();
        double[] gu = new double[u.length], gv = new double[m];
        double[] mu = new double[u.length], mv = new double[m], su = new double[u.length], sv = new double[m];
        boolean adam = optimizer.equals("adam");
        // PyTorch's defaults for Adam's betas and ε; β is in the gradient already, so the rules add no decay.
        Adam.Rule adamRule = adam ? new Adam.Rule(lr, 0.9, 0.999, 1e-8) : null;
        SgdMomentum.Rule sgdRule = adam ? null : new SgdMomentum.Rule(lr, 0.9);
        SplittableRandom r = new SplittableRandom(seed);
        long step = 0;
        int blocks = (n + batch - 1) / batch;
        for (int e = 1; e <= epochs; e++) {
            int[] order = new int[blocks];
            for (int i = 0; i < blocks; i++) order[i] = i;
            for (int i = blocks - 1; i > 0; i--) {
                int j = r.nextInt(i + 1), t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int blk : order) {
                int i0 = blk * batch, b = Math.min(batch, n - i0);
                gradient(z, labels, i0, b, loss, beta, gu, gv);
                step++;
                if (adam) {
                    adamRule.step(u, gu, mu, su, 0, step);
                    adamRule.step(v, gv, mv, sv, 0, step);
                } else {
                    sgdRule.step(u, gu, mu, 0);
                    sgdRule.step(v, gv, mv, 0);
                }
            }
            curve.add(new Point(e, (System.nanoTime() - t0) / 1e9, objective(z, labels, n, loss, beta)));
        }
        return curve;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
