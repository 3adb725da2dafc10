package dev.convexcnn.ccnn;

import dev.convexcnn.linalg.DoubleMatrix;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.linalg.SymmetricEigen;

/**
 * DCCNN's weight recovery: from a dual solution p and the features, the primal A = U₁ S V₁ᵀ of few filters.
 * KKT: −G(p*) ∈ λ∂‖A*‖_*, so A*'s singular vectors are the singular vectors of −G(p*) whose singular value is λ.
 * <ol>
 *   <li>G = G(p) (one streamed pass), SVD of −G (read as m × (Q·(C−1))).</li>
 *   <li>Keep the r pairs (U₁, V₁) with σ ≥ (1 − rankTolerance)·σ_max (= λ at the optimum when A* ≠ 0): the filter
 *       subspace (m × r).</li>
 *   <li>The filter outputs H_i = Φ(x_i)U₁ (Q × r per sample, one pass): the conv layer's outputs.</li>
 *   <li>Fit the r×r matrix S ⪰ 0 by min_S (1/n)Σ ℓ(f_{U₁SV₁ᵀ}(x_i), y_i) + λ tr(S) (accelerated projected
 *       gradient with backtracking; tr S = ‖U₁SV₁ᵀ‖_* on the PSD cone), then S = E diag(e) Eᵀ.</li>
 * </ol>
 * The filters are U₁E (one per positive e_j), the linear weights diag(e)(V₁E)ᵀ. H (n·Q·r doubles) is held.
 */
public final class DualRecovery {
    private DualRecovery() {}

    /** The recovered factors, the candidate subspace size, the fitted objective and the singular values of −G. */
    public record Result(CcnnModel.Factors factors, int subspace, double objective, double[] dualSingularValues, double[] bias) {
        /** A in the W layout. */
        public double[] w() {
            CcnnModel.Factors f = factors;
            int k = f.s().length, m = f.m(), cols = f.positions() * f.outputs();
            double[] a = new double[m * cols];
            for (int i = 0; i < m; i++) for (int t = 0; t < k; t++) {
                double us = f.u()[i * k + t] * f.s()[t];
                if (us != 0) for (int j = 0; j < cols; j++) a[i * cols + j] += us * f.vt()[t * cols + j];
            }
            double[] w = new double[a.length];
            ProjectedSgd.fromA(a, m, f.positions(), f.outputs(), w);
            return w;
        }
    }

    public static Result recover(FeatureSource fs, double[] p, double lambda, double rankTolerance, int iterations) {
        return recover(fs, p, lambda, rankTolerance, iterations, false);
    }

    /**
     * With {@code withBias}, the program with an unpenalised bias (the centred variant of {@link DualSolver.Options}):
     * fs are then the centred features, and the S fit also fits the bias b (C−1 values, in {@link Result#bias()}).
     */
    public static Result recover(FeatureSource fs, double[] p, double lambda, double rankTolerance, int iterations, boolean withBias) {
        return recover(fs, p, lambda, rankTolerance, iterations, withBias, Integer.MAX_VALUE);
    }

    /** As above, keeping at most maxRank singular pairs (each S-fit step costs n·Q·r² flops per product). */
    public static Result recover(FeatureSource fs, double[] p, double lambda, double rankTolerance, int iterations, boolean withBias,
                                 int maxRank) {
        int m = fs.dim(), Q = fs.positions(), C = fs.classes(), c1 = C - 1, n = fs.size(), cols = Q * c1;
        double[] g = ProjectedSgd.toA(PenalizedProgram.dualMatrix(fs, p), m, Q, c1);
        for (int i = 0; i < g.length; i++) g[i] = -g[i];
        // The left side alone (no cols × cols buffer); the r right vectors kept are −Gᵀu_j/σ_j, from the top band only.
        DoubleMatrix.Svd svd = new DoubleMatrix(m, cols, g).leftSingularVectors();
        double[] sv = svd.s();
        int k = sv.length, r = 0;
        // Relative to σ_max rather than λ: at the exact optimum σ_max = λ whenever A* ≠ 0 (and the S fit returns 0
        // when A* = 0), and an inexact dual point keeps its top directions instead of losing them all.
        while (r < k && r < maxRank && sv[r] > 0 && sv[r] >= (1 - rankTolerance) * sv[0]) r++;
        if (r == 0) {
            // G = 0: A* = 0. One zero filter keeps the model well formed.
            double[] u = new double[m];
            u[0] = 1;
            return new Result(new CcnnModel.Factors(u, new double[] {0}, new double[cols], m, Q, c1, 0), 0,
                    PenalizedProgram.pass(fs, new double[Q * m * c1], false).loss(), sv, new double[c1]);
        }
        double[] u1 = new double[m * r], v1 = new double[cols * r]; // V₁ as (Q·c1) × r
        for (int i = 0; i < m; i++) System.arraycopy(svd.u().data(), i * k, u1, i * r, r);
        Gemm.dgemm(true, false, cols, r, m, 1, g, u1, 0, v1);
        for (int c = 0; c < cols; c++) for (int j = 0; j < r; j++) v1[c * r + j] /= sv[j];
        // Vflat[(q, b), o] = V₁[q·c1 + o, b]: logits = (H S) flattened per sample · Vflat.
        double[] vflat = new double[Q * r * c1];
        for (int q = 0; q < Q; q++) for (int b = 0; b < r; b++) for (int o = 0; o < c1; o++)
            vflat[(q * r + b) * c1 + o] = v1[(q * c1 + o) * r + b];
        double[] bias = withBias ? new double[c1] : null;
        // No fit asked (the caller keeps its certified iterate): S = 0 and its objective from one pass, without H
        // (n·Q·r doubles, and two more arrays of that size in objectiveS: gigabytes on full MNIST).
        double[] h = iterations == 0 ? null : filterOutputs(fs, u1, r);
        double[] s = iterations == 0 ? new double[r * r] : fitS(h, vflat, n, Q, r, fs.labels(), C, lambda, iterations, bias);
        SymmetricEigen e = SymmetricEigen.of(s, r);
        // Descending eigenvalues; S ⪰ 0 after the projection, rounding aside.
        double[] ev = new double[r];
        double[] uf = new double[m * r], vt = new double[r * cols];
        for (int j = 0; j < r; j++) {
            int src = r - 1 - j;
            ev[j] = Math.max(0, e.values()[src]);
            for (int i = 0; i < m; i++) {
                double v = 0;
                for (int b = 0; b < r; b++) v += u1[i * r + b] * e.vectors()[src * r + b];
                uf[i * r + j] = v;
            }
            for (int c = 0; c < cols; c++) {
                double v = 0;
                for (int b = 0; b < r; b++) v += v1[c * r + b] * e.vectors()[src * r + b];
                vt[j * cols + c] = v;
            }
        }
        double max = ev[0];
        int rank = 0;
        for (double v : ev) if (v > 1e-8 * max && v > 0) rank++;
        double obj = h == null ? PenalizedProgram.pass(fs, new double[Q * m * c1], bias, false).loss()
                : objectiveS(h, vflat, s, bias, n, Q, r, fs.labels(), C, null, null) + lambda * trace(s, r);
        return new Result(new CcnnModel.Factors(uf, ev, vt, m, Q, c1, Math.max(rank, 0)), r, obj, sv,
                bias == null ? new double[c1] : bias);
    }

    /** How many singular pairs of −G(p) the recovery would keep (one pass for G, one SVD). */
    static int bandSize(FeatureSource fs, double[] p, double rankTolerance, int maxRank) {
        int m = fs.dim(), Q = fs.positions(), c1 = fs.classes() - 1;
        double[] sv = new DoubleMatrix(m, Q * c1, ProjectedSgd.toA(PenalizedProgram.dualMatrix(fs, p), m, Q, c1)).singularValues();
        int r = 0;
        while (r < sv.length && r < maxRank && sv[r] > 0 && sv[r] >= (1 - rankTolerance) * sv[0]) r++;
        return r;
    }

    /** H = Φ U₁ for all samples: (n·Q) × r. */
    static double[] filterOutputs(FeatureSource fs, double[] u1, int r) {
        return FilterOutputs.empty(fs, false).with(fs, u1, r, r).asMatrix();
    }

    /** Samples per block of {@link #objectiveS}: its buffers are O(block·Q·r), not O(n·Q·r). */
    static final int S_BLOCK = 256;

    /**
     * Mean loss at S (and bias b, null: none); the gradients (r×r, symmetrised; C−1) into grad, gradB when not null.
     * Block by block of samples, in a fixed order: the whole-data products' n·Q·r arrays, two more per call, were
     * what ran a 1,000-image DCCNN out of a 40 MiB heap.
     */
    static double objectiveS(double[] h, double[] vflat, double[] s, double[] b, int n, int Q, int r, int[] y, int C,
                             double[] grad, double[] gradB) {
        int c1 = C - 1, D = Q * r, block = Math.min(S_BLOCK, Math.max(1, n));
        double[] hs = new double[block * D], logits = new double[block * c1];
        double[] delta = grad == null && gradB == null ? null : new double[block * c1];
        double[] gamma = grad == null ? null : new double[block * D];
        double[] gs = grad == null ? null : new double[r * r];
        if (gradB != null) java.util.Arrays.fill(gradB, 0);
        double loss = 0;
        for (int from = 0; from < n; from += block) {
            int nb = Math.min(block, n - from);
            // H's rows of these samples: (nb·Q) × r from row from·Q.
            Gemm.dgemm(false, false, nb * Q, r, r, 1, h, from * D, r, s, 0, r, 0, hs, 0, r);
            Gemm.dgemm(false, false, nb, c1, D, 1, hs, vflat, 0, logits);
            if (b != null) for (int i = 0; i < nb * c1; i++) logits[i] += b[i % c1];
            loss += MultinomialLogistic.evaluate(logits, nb, C, y, from, 1.0 / n, delta, null);
            if (grad != null) {
                Gemm.dgemm(false, true, nb, D, c1, 1, delta, vflat, 0, gamma);
                // gs += H_blockᵀ·Γ_block, Γ_block as (nb·Q) × r.
                Gemm.dgemm(true, false, r, r, nb * Q, 1, h, from * D, r, gamma, 0, r, 1, gs, 0, r);
            }
            if (gradB != null) for (int i = 0; i < nb * c1; i++) gradB[i % c1] += delta[i];
        }
        if (grad != null) for (int a = 0; a < r; a++) for (int c = 0; c < r; c++) grad[a * r + c] = 0.5 * (gs[a * r + c] + gs[c * r + a]);
        return loss / n;
    }

    static double trace(double[] s, int r) {
        double t = 0;
        for (int i = 0; i < r; i++) t += s[i * r + i];
        return t;
    }

    /** Prox of θ·tr on the PSD cone: eigenvalues e ← max(e − θ, 0). */
    static double[] proxPsdTrace(double[] s, int r, double theta) {
        SymmetricEigen e = SymmetricEigen.of(s, r);
        double[] out = new double[r * r];
        for (int i = 0; i < r; i++) {
            double v = e.values()[i] - theta;
            if (v <= 0) continue;
            for (int a = 0; a < r; a++) {
                double va = v * e.vectors()[i * r + a];
                for (int b = 0; b < r; b++) out[a * r + b] += va * e.vectors()[i * r + b];
            }
        }
        return out;
    }

    /**
     * FISTA with backtracking on min loss(S, b) + λ tr S over S ⪰ 0, from S = 0; b (null: no bias) is
     * unpenalised, fitted alongside from its given start and returned in place.
     */
    static double[] fitS(double[] h, double[] vflat, int n, int Q, int r, int[] y, int C, double lambda, int iterations, double[] bias) {
        int c1 = C - 1;
        boolean fitB = bias != null;
        double[] x = new double[r * r], z = x.clone();
        double[] xb = fitB ? bias.clone() : null, zb = fitB ? bias.clone() : null;
        double t = 1, L = 1;
        double[] grad = new double[r * r], gradB = fitB ? new double[c1] : null;
        for (int it = 0; it < iterations; it++) {
            double fz = objectiveS(h, vflat, z, zb, n, Q, r, y, C, grad, gradB);
            double[] next, nextB;
            while (true) {
                double[] step = new double[r * r];
                for (int i = 0; i < step.length; i++) step[i] = z[i] - grad[i] / L;
                next = proxPsdTrace(step, r, lambda / L);
                nextB = null;
                double quad = fz;
                for (int i = 0; i < step.length; i++) {
                    double d = next[i] - z[i];
                    quad += grad[i] * d + 0.5 * L * d * d;
                }
                if (fitB) {
                    nextB = new double[c1];
                    for (int k = 0; k < c1; k++) {
                        nextB[k] = zb[k] - gradB[k] / L;
                        double d = nextB[k] - zb[k];
                        quad += gradB[k] * d + 0.5 * L * d * d;
                    }
                }
                if (objectiveS(h, vflat, next, nextB, n, Q, r, y, C, null, null) <= quad + 1e-15 || L > 1e15) break;
                L *= 2;
            }
            double tn = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
            for (int i = 0; i < z.length; i++) z[i] = next[i] + (t - 1) / tn * (next[i] - x[i]);
            if (fitB) for (int k = 0; k < c1; k++) zb[k] = nextB[k] + (t - 1) / tn * (nextB[k] - xb[k]);
            x = next;
            xb = nextB;
            t = tn;
        }
        if (fitB) System.arraycopy(xb, 0, bias, 0, c1);
        return x;
    }
}
