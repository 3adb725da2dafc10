package dev.convexcnn.ccnn;

import dev.convexcnn.linalg.Gemm;

/**
 * DCCNN's solver: the dual D(p) = (1/n)Σ H(p_i) s.t. ‖G(p)‖₂ ≤ λ (see {@link PenalizedProgram}) by the
 * primal–dual hybrid gradient method (Chambolle–Pock) on the saddle function
 * min_A max_p (1/n)Σ_i [H(p_i) + ⟨p_i − e_{y_i}, f_A(x_i)⟩] + λ‖A‖_*, whose A is the spectral constraint's
 * multiplier. The dual step is an entropic (mirror) step, closed form and separate per sample:
 * p_i ← normalise(p_i^{1/(1+s)}·exp(s·f_Ā(x_i)/(1+s))) with s = σ/n. The multiplier's step is
 * singular-value soft-thresholding. Steps τ = β/L, σ = 1/(βL), L = ‖F‖₂/n (so τσL² = 1).
 *
 * <p>One iteration is one streamed pass over the features: the logits of a block at Ā, then its new p_i, then
 * its share of G(p). What it holds: p (n × C), A, Ā and G (each (Q·m) × (C−1)), and one block of features; no
 * kernel matrix. Every {@code checkEvery} iterations it makes p feasible (scaling towards e_y, see
 * {@link PenalizedProgram#feasible}) and records the duality gap against the multiplier A.
 */
public final class DualSolver {
    private DualSolver() {}

    /** One check: iteration, primal P(A) at the multiplier, dual D(p̃) at the feasible point, ‖G(p)‖₂/λ. */
    public record Check(int iteration, double primal, double dual, double constraintRatio, double seconds) {
        public double gap() { return primal - dual; }
    }

    /**
     * The dual solution p̃ (feasible, n × C), the raw last iterate p, the multiplier A (W layout), and the checks.
     */
    public record Result(double[] dual, double[] lastIterate, double[] multiplier, double dualObjective,
                         double primalObjective, double lambda, java.util.List<Check> checks) {
        public double gap() { return primalObjective - dualObjective; }
    }

    public interface Listener { void onCheck(Check c); }

    public static Result solve(FeatureSource fs, double lambda, int iterations, double balance, int checkEvery,
                               double featureNorm, double tolerance, Listener listener) {
        if (!(lambda > 0)) throw new IllegalArgumentException("lambda must be > 0, got " + lambda);
        if (!(balance > 0)) throw new IllegalArgumentException("step balance must be > 0, got " + balance);
        long t0 = System.nanoTime();
        int n = fs.size(), m = fs.dim(), Q = fs.positions(), C = fs.classes(), c1 = C - 1, D = Q * m;
        int[] y = fs.labels();
        double L = featureNorm / n;
        double tau = balance / L, sigma = 1 / (balance * L), s = sigma / n;
        double[] logp = new double[n * C];
        java.util.Arrays.fill(logp, -Math.log(C));
        double[] a = new double[D * c1], abar = new double[D * c1];
        int chunk = Math.min(PenalizedProgram.CHUNK, n);
        double[] f = new double[chunk * D];
        double[] logits = new double[chunk * c1];
        double[] delta = new double[chunk * c1];
        double[] p = new double[n * C];
        java.util.List<Check> checks = new java.util.ArrayList<>();
        double[] g = new double[D * c1];
        Check last = null;
        for (int it = 1; it <= iterations; it++) {
            java.util.Arrays.fill(g, 0);
            for (int from = 0; from < n; from += chunk) {
                int nb = Math.min(chunk, n - from);
                fs.block(from, nb, f);
                Gemm.dgemm(false, false, nb, c1, D, 1, f, abar, 0, logits);
                for (int k = 0; k < nb; k++) {
                    int i = from + k;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < C; c++) {
                        double u = c < c1 ? logits[k * c1 + c] : 0;
                        logp[i * C + c] = (logp[i * C + c] + s * u) / (1 + s);
                        max = Math.max(max, logp[i * C + c]);
                    }
                    double z = 0;
                    for (int c = 0; c < C; c++) z += Math.exp(logp[i * C + c] - max);
                    double lz = max + Math.log(z);
                    for (int c = 0; c < C; c++) {
                        logp[i * C + c] -= lz;
                        p[i * C + c] = Math.exp(logp[i * C + c]);
                    }
                    PenalizedProgram.deltaRow(p, i, C, y[i], delta, k * c1, 1.0 / n);
                }
                Gemm.dgemm(true, false, D, c1, nb, 1, f, 0, D, delta, 0, c1, 1, g, 0, c1);
            }
            double[] next = new double[D * c1];
            for (int i = 0; i < next.length; i++) next[i] = a[i] - tau * g[i];
            double[] aa = ProjectedSgd.toA(next, m, Q, c1);
            NuclearBall.shrink(aa, m, Q * c1, tau * lambda);
            ProjectedSgd.fromA(aa, m, Q, c1, next);
            for (int i = 0; i < next.length; i++) abar[i] = 2 * next[i] - a[i];
            a = next;
            if (it % checkEvery == 0 || it == iterations) {
                double spec = PenalizedProgram.spectralNorm(g, m, Q, c1);
                double dual = PenalizedProgram.meanEntropy(PenalizedProgram.feasible(p, n, C, y, spec, lambda), n, C);
                double primal = PenalizedProgram.primalObjective(fs, a, lambda);
                last = new Check(it, primal, dual, spec / lambda, (System.nanoTime() - t0) / 1e9);
                checks.add(last);
                if (listener != null) listener.onCheck(last);
                if (last.gap() <= tolerance * Math.max(1, Math.abs(primal))) break;
            }
        }
        double spec = PenalizedProgram.spectralNorm(PenalizedProgram.dualMatrix(fs, p), m, Q, c1);
        double[] pt = PenalizedProgram.feasible(p, n, C, y, spec, lambda);
        double dual = PenalizedProgram.meanEntropy(pt, n, C);
        double primal = last != null ? last.primal() : PenalizedProgram.primalObjective(fs, a, lambda);
        return new Result(pt, p, a, dual, primal, lambda, checks);
    }

    /** λ_max = ‖G(p⁰)‖₂ at A = 0 (p⁰ the softmax of zero logits, uniform): for λ ≥ λ_max, A* = 0. */
    public static double lambdaMax(FeatureSource fs) {
        int n = fs.size(), C = fs.classes();
        double[] p = new double[n * C];
        java.util.Arrays.fill(p, 1.0 / C);
        return PenalizedProgram.spectralNorm(PenalizedProgram.dualMatrix(fs, p), fs.dim(), fs.positions(), C - 1);
    }
}
