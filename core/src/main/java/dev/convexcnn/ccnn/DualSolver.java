package dev.convexcnn.ccnn;

import dev.convexcnn.linalg.ArrayKernels;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.linalg.Parallel;
import dev.convexcnn.optim.AcceleratedProximalGradient;
import dev.convexcnn.optim.NuclearNorm;
import dev.convexcnn.optim.Pdhg;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * DCCNN's solver: the dual D(p) = (1/n)Σ H(p_i) s.t. ‖G(p)‖₂ ≤ λ (see {@link PenalizedProgram}) by the
 * primal–dual hybrid gradient method (Chambolle–Pock) on the saddle function
 * min_A max_p (1/n)Σ_i [H(p_i) + ⟨p_i − e_{y_i}, f_A(x_i)⟩] + λ‖A‖_*, whose A is the spectral constraint's
 * multiplier. The dual step is an entropic (mirror) step, closed form and separate per sample:
 * p_i ← normalise(p_i^{1/(1+s)}·exp(s·f_Ā(x_i)/(1+s))) with s = σ/n. The multiplier's step is
 * singular-value soft-thresholding. Steps τ = β/L, σ = 1/(βL), L = ‖F‖₂/n (so τσL² = 1).
 *
 * <p>Both variants run the one PDHG loop, {@link Pdhg}, on {@code Streamed}: this one in Chambolle and Pock's
 * form, the centred/restarted one ({@link #solve(FeatureSource, double, int, Options, Listener)}) with the dual
 * extrapolated instead and PDLP's restarts. One iteration is one streamed pass over the features: the logits of
 * a block at Ā, then its new p_i, then its share of G(p). What it holds: p (n × C), A, Ā and G (each (Q·m) × (C−1)), and one block of features; no
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
                         double primalObjective, double lambda, List<Check> checks) {
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
        Streamed problem = new Streamed(fs, lambda, tau, s, false, false, 0);
        List<Check> checks = new ArrayList<>();
        // Chambolle and Pock's form (the dual step at the extrapolated multiplier Ā), the last check the answer.
        Pdhg.Outcome<Certified> out = new Pdhg(Pdhg.Extrapolation.PRIMAL, Pdhg.Restart.NONE, false, checkEvery, tolerance)
                .run(problem, new double[D * c1], iterations, recorder(checks, listener, t0));
        double[] a = out.x(), p = problem.p;
        double spec = PenalizedProgram.spectralNorm(PenalizedProgram.dualMatrix(fs, p), m, Q, c1);
        double[] pt = PenalizedProgram.feasible(p, n, C, y, spec, lambda);
        double dual = PenalizedProgram.meanEntropy(pt, n, C);
        double primal = out.answer() != null ? out.answer().primal() : PenalizedProgram.primalObjective(fs, a, lambda);
        return new Result(pt, p, a, dual, primal, lambda, checks);
    }

    /** A listener for {@link Pdhg} that records each check (its time since t0) and passes it on. */
    private static Pdhg.Listener<Certified> recorder(List<Check> checks, Listener listener, long t0) {
        return (it, c) -> {
            Check ch = new Check(it, c.primal(), c.dual(), c.ratio(), (System.nanoTime() - t0) / 1e9);
            checks.add(ch);
            if (listener != null) listener.onCheck(ch);
        };
    }

    /**
     * The saddle problem of {@link Pdhg} for DCCNN, one streamed pass per dual step. The primal point x is the
     * multiplier A (W layout), followed with {@code withBias} by the bias b (C−1 values, stepped only when
     * {@code stepBias}); the dual image Kᵀp is G(p), followed with a bias by the bias gradient r(p). The dual step
     * is the entropic step on every p_i at the logits of x; the primal step singular-value thresholding of
     * A − τG and a plain gradient step on b. Certificates: without a bias, D at p scaled into the spectral ball
     * by the G(p) of the iteration; with one, as {@link #certify} (p balanced first when centred).
     */
    private static final class Streamed implements Pdhg.Problem<Certified> {
        private final FeatureSource fs;
        private final double lambda, tau, s, biasStep;
        private final boolean withBias, stepBias;
        private final int n, m, Q, C, c1, D, chunk;
        private final int[] y;
        final double[] logp, p;
        private final double[] f, logits, delta;

        Streamed(FeatureSource fs, double lambda, double tau, double s, boolean withBias, boolean stepBias, double biasStep) {
            this.fs = fs;
            this.lambda = lambda;
            this.tau = tau;
            this.s = s;
            this.withBias = withBias;
            this.stepBias = stepBias;
            this.biasStep = biasStep;
            n = fs.size();
            m = fs.dim();
            Q = fs.positions();
            C = fs.classes();
            c1 = C - 1;
            D = Q * m;
            y = fs.labels();
            logp = new double[n * C];
            Arrays.fill(logp, -Math.log(C));
            p = new double[n * C];
            Arrays.fill(p, 1.0 / C);
            chunk = Math.min(PenalizedProgram.CHUNK, n);
            f = new double[chunk * D];
            logits = new double[chunk * c1];
            delta = new double[chunk * c1];
        }

        @Override
        public double[] primalStep(double[] x, double[] image) {
            double[] next = new double[D * c1];
            for (int i = 0; i < next.length; i++) next[i] = x[i] - tau * image[i];
            double[] aa = ProjectedSgd.toA(next, m, Q, c1);
            NuclearNorm.shrink(aa, m, Q * c1, tau * lambda);
            ProjectedSgd.fromA(aa, m, Q, c1, next);
            if (!withBias) return next;
            double[] out = Arrays.copyOf(next, D * c1 + c1);
            for (int c = 0; c < c1; c++) {
                int i = D * c1 + c;
                out[i] = stepBias ? x[i] - biasStep * image[i] : x[i];
            }
            return out;
        }

        @Override
        public double[] dualStep(double[] x) {
            double[] image = new double[D * c1 + (withBias ? c1 : 0)];
            for (int from = 0; from < n; from += chunk) {
                int nb = Math.min(chunk, n - from);
                fs.block(from, nb, f);
                Gemm.dgemm(false, false, nb, c1, D, 1, f, x, 0, logits);
                for (int k = 0; k < nb; k++) {
                    int i = from + k;
                    mirrorStep(logp, p, i, C, c1, logits, k * c1, withBias ? x : null, D * c1, s);
                    PenalizedProgram.deltaRow(p, i, C, y[i], delta, k * c1, 1.0 / n);
                    if (withBias) for (int c = 0; c < c1; c++) image[D * c1 + c] += delta[k * c1 + c];
                }
                Gemm.dgemm(true, false, D, c1, nb, 1, f, 0, D, delta, 0, c1, 1, image, 0, c1);
            }
            return image;
        }

        @Override
        public double[] dualImage() {
            double[] g = PenalizedProgram.dualMatrix(fs, p);
            if (!withBias) return g;
            double[] image = Arrays.copyOf(g, D * c1 + c1);
            System.arraycopy(biasGradient(p, n, C, y), 0, image, D * c1, c1);
            return image;
        }

        @Override public double[] dual() { return p; }

        @Override
        public void restartDual(double[] q) {
            for (int i = 0; i < p.length; i++) {
                p[i] = q[i];
                logp[i] = Math.log(p[i]);
            }
        }

        @Override
        public Certified certify(double[] x, double[] q, double[] image) {
            if (withBias) {
                return DualSolver.certify(fs, Arrays.copyOf(x, D * c1), Arrays.copyOfRange(x, D * c1, D * c1 + c1), q,
                        lambda, stepBias);
            }
            double spec = PenalizedProgram.spectralNorm(image, m, Q, c1);
            double[] pt = PenalizedProgram.feasible(q, n, C, y, spec, lambda);
            double dual = PenalizedProgram.meanEntropy(pt, n, C);
            double primal = PenalizedProgram.primalObjective(fs, x, lambda);
            return new Certified(x, null, pt, primal, dual, spec / lambda, 0);
        }
    }

    /**
     * The options of the restarted solver ({@link #solve(FeatureSource, double, int, Options, Listener)}).
     *
     * @param centre          solve the centred variant: features Φ − c (c the mean W-layout row of the training
     *                        set) plus an unpenalised bias b. It is the program with a free bias (c's share of the
     *                        logits, cᵀw, is absorbed by b), and its dual gains the balance constraint
     *                        Σ_i (p_i − e_{y_i}) = 0. Centring removes the dominant direction of the MNIST features
     *                        (the common blank-patch vector), so ‖F − 1cᵀ‖₂ is several times smaller than ‖F‖₂
     * @param restart         restart to the average (Applegate et al., PDLP) when its gap has dropped enough
     * @param fista           instead of PDHG, accelerated proximal gradient on the primal pair (w, b) with adaptive
     *                        restarts (O'Donoghue & Candès), whose dual iterate is p_i = softmax(f(x_i)): the same
     *                        certificate and recovery read p only
     * @param balance         initial β of τ = β/L, σ = 1/(βL)
     * @param checkEvery      iterations between checks (each costs two passes per candidate, one SVD each)
     * @param tolerance       stop when the gap ≤ tolerance·max(1, |P|)
     * @param powerIterations power iterations for the operator norm L
     * @param seed            the power iteration's start
     */
    public record Options(boolean centre, boolean restart, boolean fista, double balance, int checkEvery,
                          double tolerance, int powerIterations, long seed) {
        public Options {
            if (!(balance > 0 && balance < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("step balance must be > 0, got " + balance);
            if (checkEvery <= 0) throw new IllegalArgumentException("checkEvery must be > 0, got " + checkEvery);
            if (!(tolerance >= 0)) throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
            if (powerIterations < 1) throw new IllegalArgumentException("power iterations must be >= 1, got " + powerIterations);
        }

        /** Centred PDHG without restarts; checks every 20 iterations. */
        public static Options defaults(double tolerance, long seed) {
            return new Options(true, false, false, 1, 20, tolerance, 30, seed);
        }
    }

    /**
     * A certified point of the restarted solver: the primal (w, bias) and the feasible dual p̃, on the centred
     * features when {@link #centre()} is not null (bias null otherwise).
     */
    public record Solution(double[] w, double[] bias, double[] centre, double[] dual, double primalObjective,
                           double dualObjective, double constraintRatio, double balanceResidual, double lambda,
                           int iterations, int restarts, List<Check> checks) {
        public double gap() { return primalObjective - dualObjective; }

        /** The features the program was solved on: fs itself, or fs − c. */
        public FeatureSource features(FeatureSource fs) { return centre == null ? fs : centred(fs, centre); }

        /** The bias in terms of the raw features: b − cᵀw (C−1 values; zeros for the plain program). */
        public double[] rawBias(int c1) {
            double[] out = new double[c1];
            if (centre == null) return out;
            for (int k = 0; k < c1; k++) {
                double v = bias[k];
                for (int j = 0; j < centre.length; j++) v -= centre[j] * w[j * c1 + k];
                out[k] = v;
            }
            return out;
        }
    }

    /** fs − c: every sample's W-layout row minus the fixed row c (Q·m). */
    static FeatureSource centred(FeatureSource fs, double[] c) {
        int D = fs.positions() * fs.dim();
        if (c.length != D) throw new IllegalArgumentException("centre must have " + D + " values");
        return new FeatureSource() {
            public int size() { return fs.size(); }
            public int positions() { return fs.positions(); }
            public int dim() { return fs.dim(); }
            public int classes() { return fs.classes(); }
            public int[] labels() { return fs.labels(); }
            public void block(int from, int count, double[] out) {
                fs.block(from, count, out);
                Parallel.forRange(count, 4, (lo, hi) -> {
                    for (int i = lo; i < hi; i++) ArrayKernels.subtract(c, 0, out, i * D, D);
                });
            }
        };
    }

    /** The mean W-layout row of a source (one pass). */
    static double[] meanRow(FeatureSource fs) {
        int n = fs.size(), D = fs.positions() * fs.dim(), chunk = Math.min(PenalizedProgram.CHUNK, n);
        double[] f = new double[chunk * D], c = new double[D];
        for (int from = 0; from < n; from += chunk) {
            int nb = Math.min(chunk, n - from);
            fs.block(from, nb, f);
            for (int i = 0; i < nb; i++) for (int j = 0; j < D; j++) c[j] += f[i * D + j];
        }
        for (int j = 0; j < D; j++) c[j] /= n;
        return c;
    }

    /**
     * Makes the class totals of p (n × C, rows on the simplex) equal to those of the labels, Σ_i p_i = Σ_i e_{y_i}, by
     * the one point of the form q_i ∝ p_i ∘ s (a shift of the free bias): Newton's method on the convex
     * F(β) = Σ_i log Σ_k p_ik e^{β_k} − Σ_k N_k β_k (gradient: column totals − counts), damped by halving, until
     * the largest column error is ≤ 1e-13·n. Sinkhorn scaling (the same fixed point) finishes where Newton stalls;
     * alone it took hundreds of rounds over n × C at full scale, Newton takes a handful. A class no label has
     * gets 0. In place; returns the final max |Σ_i p_ik − N_k| / n.
     */
    static double balance(double[] p, int n, int C, int[] y) {
        double[] count = new double[C], col = new double[C];
        for (int i = 0; i < n; i++) count[y[i]]++;
        for (int i = 0; i < n; i++) for (int k = 0; k < C; k++) col[k] += p[i * C + k];
        // Free: a class with labels and some mass; the first free one pins the bias's shift (β is free up to a constant).
        int[] free = new int[C];
        int nf = 0;
        for (int k = 0; k < C; k++) if (count[k] > 0 && col[k] > 0) free[nf++] = k;
        double[] scale = new double[C];
        for (int k = 0; k < C; k++) scale[k] = count[k] > 0 ? 1 : 0;
        double tol = 1e-13 * n;
        double[] beta = new double[C];
        if (nf > 1) {
            int f = nf - 1;
            double[] hess = new double[f * f], g = new double[f], d = new double[f], q = new double[C];
            double value = balanceObjective(p, n, C, count, beta);
            for (int step = 0; step < 100; step++) {
                Arrays.fill(col, 0);
                Arrays.fill(hess, 0);
                for (int i = 0; i < n; i++) {
                    double z = 0;
                    for (int k = 0; k < C; k++) z += q[k] = p[i * C + k] * scale[k];
                    if (z <= 0) continue;
                    for (int k = 0; k < C; k++) col[k] += q[k] /= z;
                    for (int a = 0; a < f; a++) {
                        double qa = q[free[a + 1]];
                        hess[a * f + a] += qa;
                        for (int b = 0; b < f; b++) hess[a * f + b] -= qa * q[free[b + 1]];
                    }
                }
                if (columnError(col, count, C) <= tol) break;
                for (int a = 0; a < f; a++) g[a] = col[free[a + 1]] - count[free[a + 1]];
                if (!solveSpd(hess, g, d, f)) break;
                // d solves H·d = g; the step is −d, halved until F decreases enough (Armijo).
                double slope = 0;
                for (int a = 0; a < f; a++) slope -= g[a] * d[a];
                double t = 1, next = Double.NaN;
                double[] trial = beta.clone();
                for (int half = 0; half < 50; half++, t /= 2) {
                    for (int a = 0; a < f; a++) trial[free[a + 1]] = beta[free[a + 1]] - t * d[a];
                    next = balanceObjective(p, n, C, count, trial);
                    if (next <= value + 1e-4 * t * slope) break;
                }
                if (!(next < value)) break; // no progress left in floating point
                value = next;
                beta = trial;
                for (int a = 0; a < f; a++) scale[free[a + 1]] = Math.exp(beta[free[a + 1]]);
            }
        }
        for (int i = 0; i < n; i++) {
            double z = 0;
            for (int k = 0; k < C; k++) z += p[i * C + k] *= scale[k];
            if (z > 0) for (int k = 0; k < C; k++) p[i * C + k] /= z;
        }
        double err = Double.POSITIVE_INFINITY;
        for (int round = 0; round < 10_000; round++) {
            Arrays.fill(col, 0);
            for (int i = 0; i < n; i++) for (int k = 0; k < C; k++) col[k] += p[i * C + k];
            err = columnError(col, count, C);
            if (err <= tol) break;
            for (int i = 0; i < n; i++) {
                double z = 0;
                for (int k = 0; k < C; k++) z += p[i * C + k] *= col[k] > 0 ? count[k] / col[k] : 1;
                for (int k = 0; k < C; k++) p[i * C + k] /= z;
            }
        }
        return err / n;
    }

    private static double columnError(double[] col, double[] count, int C) {
        double err = 0;
        for (int k = 0; k < C; k++) err = Math.max(err, Math.abs(col[k] - count[k]));
        return err;
    }

    /** F(β) = Σ_i log Σ_k p_ik e^{β_k} − Σ_k N_k β_k over the classes with labels (the others get weight 0). */
    private static double balanceObjective(double[] p, int n, int C, double[] count, double[] beta) {
        double[] w = new double[C];
        double shift = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < C; k++) if (count[k] > 0) shift = Math.max(shift, beta[k]);
        for (int k = 0; k < C; k++) w[k] = count[k] > 0 ? Math.exp(beta[k] - shift) : 0;
        double f = 0;
        for (int i = 0; i < n; i++) {
            double z = 0;
            for (int k = 0; k < C; k++) z += p[i * C + k] * w[k];
            if (z > 0) f += Math.log(z) + shift;
        }
        for (int k = 0; k < C; k++) if (count[k] > 0) f -= count[k] * beta[k];
        return f;
    }

    /** Solves A·x = b for a symmetric positive definite A (f × f, row-major) by Cholesky; false when A is not numerically so. */
    private static boolean solveSpd(double[] a, double[] b, double[] x, int f) {
        double[] l = new double[f * f];
        for (int i = 0; i < f; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * f + j];
                for (int k = 0; k < j; k++) s -= l[i * f + k] * l[j * f + k];
                if (i == j) {
                    if (!(s > 1e-14 * Math.max(1, a[i * f + i]))) return false;
                    l[i * f + i] = Math.sqrt(s);
                } else {
                    l[i * f + j] = s / l[j * f + j];
                }
            }
        }
        for (int i = 0; i < f; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i * f + k] * x[k];
            x[i] = s / l[i * f + i];
        }
        for (int i = f - 1; i >= 0; i--) {
            double s = x[i];
            for (int k = i + 1; k < f; k++) s -= l[k * f + i] * x[k];
            x[i] = s / l[i * f + i];
        }
        return true;
    }

    /** (1/n)Σ_i (p_i − e_{y_i}) over the free coordinates: the bias's gradient. */
    static double[] biasGradient(double[] p, int n, int C, int[] y) {
        double[] r = new double[C - 1];
        for (int i = 0; i < n; i++) for (int k = 0; k < C - 1; k++) r[k] += (p[i * C + k] - (k == y[i] ? 1 : 0)) / n;
        return r;
    }

    /** A certified candidate: P at (w, b), D at the feasible p̃ made from p. */
    private record Certified(double[] w, double[] b, double[] pt, double primal, double dual, double ratio, double residual)
            implements Pdhg.Candidate {}

    private static Certified certify(FeatureSource fs, double[] w, double[] b, double[] p, double lambda, boolean centre) {
        int n = fs.size(), m = fs.dim(), Q = fs.positions(), C = fs.classes(), c1 = C - 1;
        double[] q = p.clone();
        double residual = centre ? balance(q, n, C, fs.labels()) : 0;
        double spec = PenalizedProgram.spectralNorm(PenalizedProgram.dualMatrix(fs, q), m, Q, c1);
        double[] pt = PenalizedProgram.feasible(q, n, C, fs.labels(), spec, lambda);
        double dual = PenalizedProgram.meanEntropy(pt, n, C);
        double primal = PenalizedProgram.pass(fs, w, centre ? b : null, false).loss() + lambda * PenalizedProgram.nuclearNorm(w, m, Q, c1);
        return new Certified(w, b, pt, primal, dual, spec / lambda, residual);
    }

    /**
     * The restarted, centred PDHG (see {@link Options}): the same entropic step on p and singular-value
     * thresholding on the multiplier as {@link #solve(FeatureSource, double, int, double, int, double, double, Listener)},
     * plus a bias step (unpenalised: a plain gradient step, its column scaled to ‖F − 1cᵀ‖₂/√n so that it does not
     * set the step sizes); L = √2·‖F − 1cᵀ‖₂/n bounds the norm of the coupling operator [F − 1cᵀ, scale·1]/n.
     * Every {@code checkEvery} iterations the current point and the running average since the last restart are
     * certified (P at the primal pair, D at p balanced by {@link #balance} and scaled into the spectral ball);
     * the better becomes the restart point when its gap is ≤ 0.2× the gap at the last restart, or ≤ 0.8× and no
     * better than at the previous check, or after 36 % of the iterations without a restart (PDLP's rules). It
     * returns the candidate with the smallest certified gap.
     */
    public static Solution solve(FeatureSource raw, double lambda, int iterations, Options o, Listener listener) {
        if (!(lambda > 0)) throw new IllegalArgumentException("lambda must be > 0, got " + lambda);
        long t0 = System.nanoTime();
        int n = raw.size(), m = raw.dim(), Q = raw.positions(), C = raw.classes(), c1 = C - 1, D = Q * m;
        double[] centre = o.centre() ? meanRow(raw) : null;
        FeatureSource fs = o.centre() ? centred(raw, centre) : raw;
        double norm = PenalizedProgram.featureNorm(fs, o.powerIterations(), o.seed()) * 1.05;
        if (!(norm > 0)) throw new IllegalArgumentException("the features are all zero");
        if (o.fista()) return fista(fs, centre, lambda, iterations, norm, o, listener, t0);
        double biasScale2 = o.centre() ? norm * norm / n : 0; // (bias column scale)²
        double L = (o.centre() ? Math.sqrt(2) : 1) * norm / n;
        double beta = o.balance();
        double tauA = beta / L, s = 1 / (beta * L) / n;
        Streamed problem = new Streamed(fs, lambda, tauA, s, true, o.centre(), tauA * biasScale2);
        List<Check> checks = new ArrayList<>();
        // The multiplier's step first, at the extrapolated dual point p̄ (through its image G(p̄), r(p̄)).
        Pdhg.Outcome<Certified> out = new Pdhg(Pdhg.Extrapolation.DUAL,
                o.restart() ? Pdhg.Restart.ADAPTIVE : Pdhg.Restart.NONE, true, o.checkEvery(), o.tolerance())
                .run(problem, new double[D * c1 + c1], iterations, recorder(checks, listener, t0));
        Certified best = out.answer();
        return new Solution(best.w(), o.centre() ? best.b() : null, centre, best.pt(), best.primal(), best.dual(),
                best.ratio(), best.residual(), lambda, out.iterations(), out.restarts(), checks);
    }

    /**
     * FISTA on the primal pair (w, b) (b only when centred), step 1/L with L = (‖F‖₂² + n)/n (‖F‖₂²/n without a
     * bias), momentum reset whenever it points uphill, ⟨y − x⁺, x⁺ − x⟩ > 0 (O'Donoghue & Candès 2015). Its dual
     * iterate is p = softmax of the logits at x, certified as in PDHG. One pass per iteration plus the checks. The
     * shared loop ({@link AcceleratedProximalGradient}, fixed step, gradient restart) on {@link PrimalOracle}.
     */
    private static Solution fista(FeatureSource fs, double[] centre, double lambda, int iterations, double norm, Options o,
                                  Listener listener, long t0) {
        int n = fs.size(), C = fs.classes();
        boolean bias = centre != null;
        double eta = n / (norm * norm + (bias ? n : 0));
        List<Check> checks = new ArrayList<>();
        Certified[] best = {null};
        // The loop's certificate: the best relative gap so far, gap/max(1, |P|), refreshed every checkEvery iterations.
        PrimalOracle oracle = new PrimalOracle(fs, lambda, bias, (it, x, xb) -> {
            if (it % o.checkEvery() == 0 || it == iterations) {
                double[] p = PenalizedProgram.softmax(PenalizedProgram.pass(fs, x, bias ? xb : null, false).logits(), n, C);
                Certified cur = certify(fs, x.clone(), xb.clone(), p, lambda, bias);
                if (best[0] == null || cur.gap() < best[0].gap()) best[0] = cur;
                Check ch = new Check(it, cur.primal(), cur.dual(), cur.ratio(), (System.nanoTime() - t0) / 1e9);
                checks.add(ch);
                if (listener != null) listener.onCheck(ch);
            }
            return best[0] == null ? Double.POSITIVE_INFINITY : best[0].gap() / Math.max(1, Math.abs(best[0].primal()));
        });
        AcceleratedProximalGradient.Outcome out = oracle.run(new AcceleratedProximalGradient(AcceleratedProximalGradient.FIXED,
                o.restart() ? AcceleratedProximalGradient.Restart.GRADIENT : AcceleratedProximalGradient.Restart.NONE,
                new AcceleratedProximalGradient.Stopping(o.tolerance(), iterations, 0)), eta);
        Certified b = best[0];
        return new Solution(b.w(), bias ? b.b() : null, centre, b.pt(), b.primal(), b.dual(),
                b.ratio(), b.residual(), lambda, out.iterations(), oracle.restarts(), checks);
    }

    /** λ_max = ‖G(p⁰)‖₂ at A = 0 (p⁰ the softmax of zero logits, uniform): for λ ≥ λ_max, A* = 0. */
    public static double lambdaMax(FeatureSource fs) {
        int n = fs.size(), C = fs.classes();
        double[] p = new double[n * C];
        Arrays.fill(p, 1.0 / C);
        return PenalizedProgram.spectralNorm(PenalizedProgram.dualMatrix(fs, p), fs.dim(), fs.positions(), C - 1);
    }

    /**
     * The entropic mirror step on sample i's dual row: log p ← (log p + s·u)/(1 + s), renormalised, with u the free
     * logits (plus the bias at biasOff when there is one) and 0 for the pinned class; p = exp(log p).
     */
    private static void mirrorStep(double[] logp, double[] p, int i, int C, int c1, double[] logits, int off,
                                   double[] bias, int biasOff, double s) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < C; c++) {
            double u = c < c1 ? logits[off + c] + (bias == null ? 0 : bias[biasOff + c]) : 0;
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
    }
}
