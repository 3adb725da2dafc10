package dev.convexcnn.ccnn;

import dev.convexcnn.linalg.DoubleMatrix;
import dev.convexcnn.optim.AcceleratedProximalGradient;
import dev.convexcnn.optim.NuclearNorm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * DCCNN's full-scale solver: the centred program with a free bias (see {@link DualSolver.Options#centre()}) solved
 * over a growing working set of filter directions. A = U·B with U (m × r) orthonormal, so ‖A‖_* = ‖B‖_* and the
 * logits need only the filter outputs H = (Φ − c)U (n·Q × r, held in blocks of columns, in float at the usual
 * tolerances: {@link FilterOutputs}). Per round:
 * <ol>
 *   <li>FISTA on (B, b) over H (the shared loop, {@link AcceleratedProximalGradient}, on a {@link PrimalOracle} over H;
 *       a pass over H costs r/m of a pass over the features), step 1/L or longer by backtracking, with
 *       L = max(‖H‖₂², n)/(2n) (the softmax Hessian is ≤ ½I, and the centred H is orthogonal to the bias
 *       column), optional adaptive momentum restarts, until the relative gap of the reduced program is ≤ a tenth
 *       of the last full one (1e-2 at first; never below ¼ of the tolerance);</li>
 *   <li>one pass over the features: G(q) at the balanced softmax point q, the certificate of the full program
 *       P(UB, b) − D(p̃) exactly as in {@link DualSolver} (P from H in double, or from the features in the same pass
 *       when H is float; D needs the full ‖G(q)‖₂);</li>
 *   <li>when the directions outside span(U) are to blame for ‖G(q)‖₂ &gt; λ (‖G‖₂ − ‖UᵀG‖₂ ≥ ½(‖G‖₂ − λ)), the
 *       top singular directions of (I − UUᵀ)G(q) with σ ≥ {@code threshold}·σ_max join U, and one pass computes
 *       their outputs; otherwise the next reduced solve is asked for a 4× smaller gap.</li>
 * </ol>
 * So the features are read 2 times per round (plus one first pass for the mean and λ_max), not once per
 * iteration: the filter subspace of A* is small (rank r ≪ m) and the reduced program does the iterating.
 */
public final class WorkingSetSolver {
    private WorkingSetSolver() {}

    /**
     * At a gap tolerance this loose or looser the filter outputs are held in float: rounding moves a logit by about
     * 1e-7 of its size, a hundredth of the gap asked for, and the certificate's primal is computed from the
     * features themselves (exact), not from the rounded outputs.
     */
    static final double SINGLE_TOLERANCE = 1e-5;

    /**
     * Power iterations for ‖H‖₂ (the step bound) in the first round, and in later rounds from the last round's vector:
     * 30 every round were a fifth of the passes over H on full MNIST's first layer.
     */
    static final int POWER_ITERATIONS = 30, WARM_POWER_ITERATIONS = 8;

    /**
     * @param directions    directions added per round at most
     * @param maxRank       working-set size at most
     * @param threshold     a direction outside U joins when its singular value of (I − UUᵀ)G is ≥ threshold times the largest
     * @param restart       adaptive momentum restarts (O'Donoghue and Candès) in the reduced FISTA
     * @param backtrack     a step longer than 1/L when it passes the quadratic bound (each try costs a forward pass
     *                      over H): grown by 1.25 per iteration, halved on failure, never below 1/L
     * @param checkEvery    reduced-program checks every that many iterations (cheap: a pass over H, an r-row SVD)
     * @param tolerance     stop when the certified full gap ≤ tolerance·|P| (the relative gap of optim.Certificate.DualityGap)
     */
    public record Options(int directions, int maxRank, double threshold, boolean restart, boolean backtrack, int checkEvery,
                          double tolerance, long seed, long heldBytes, Path spillDir) {
        public Options {
            if (directions < 1 || maxRank < 1) throw new IllegalArgumentException("directions and max rank must be >= 1");
            if (heldBytes < 0) throw new IllegalArgumentException("the filter outputs' memory budget must be >= 0 bytes, got " + heldBytes);
            if (!(threshold > 0 && threshold <= 1)) throw new IllegalArgumentException("threshold must be in (0, 1], got " + threshold);
            if (checkEvery < 1) throw new IllegalArgumentException("checkEvery must be >= 1, got " + checkEvery);
            if (!(tolerance >= 0)) throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
        }

        /** Every filter output held in memory. */
        public Options(int directions, int maxRank, double threshold, boolean restart, boolean backtrack, int checkEvery,
                       double tolerance, long seed) {
            this(directions, maxRank, threshold, restart, backtrack, checkEvery, tolerance, seed, Long.MAX_VALUE, null);
        }

        public static Options defaults(double tolerance, long seed) {
            return new Options(8, 48, 0.5, true, true, 10, tolerance, seed);
        }

        /**
         * Float filter outputs held in memory up to heldBytes in all, the rest in temporary files under dir (read once
         * per chunk of a pass: the same values, so the same solve).
         */
        public Options spillingOver(long heldBytes, Path dir) {
            return new Options(directions, maxRank, threshold, restart, backtrack, checkEvery, tolerance, seed, heldBytes, dir);
        }
    }

    /** The mean row c of the features, λ_max of the plain program (‖G‖₂ at uniform p) and G at the class frequencies (centred program at A = 0). */
    public record Start(double[] centre, double lambdaMax, double[] g0) {}

    /** One pass: the mean row, G at uniform p (raw features) and G at the class frequencies π (= G of the centred features, since Σ(π − e_y) = 0). */
    public static Start start(FeatureSource fs) {
        int n = fs.size(), D = fs.positions() * fs.dim(), C = fs.classes(), c1 = C - 1;
        int[] y = fs.labels();
        double[] freq = new double[C];
        for (int i = 0; i < n; i++) freq[y[i]] += 1.0 / n;
        int chunk = Math.min(PenalizedProgram.CHUNK, n);
        double[] f = new double[chunk * D], c = new double[D];
        // G at uniform p and at the class frequencies in one product: δ = [δ_uniform | δ_frequencies], 2(C−1) columns.
        double[] delta = new double[chunk * 2 * c1], gt = new double[2 * c1 * D];
        for (int from = 0; from < n; from += chunk) {
            int nb = Math.min(chunk, n - from);
            fs.block(from, nb, f);
            for (int i = 0; i < nb; i++) for (int j = 0; j < D; j++) c[j] += f[i * D + j];
            for (int k = 0; k < nb; k++) for (int o = 0; o < c1; o++) {
                double e = o == y[from + k] ? 1 : 0;
                delta[k * 2 * c1 + o] = (1.0 / C - e) / n;
                delta[k * 2 * c1 + c1 + o] = (freq[o] - e) / n;
            }
            PenalizedProgram.addGradient(f, 0, nb, D, delta, 2 * c1, gt, true);
        }
        double[] gu = new double[D * c1], gp = new double[D * c1];
        for (int o = 0; o < c1; o++) {
            for (int j = 0; j < D; j++) {
                gu[j * c1 + o] = gt[o * D + j];
                gp[j * c1 + o] = gt[(c1 + o) * D + j];
            }
        }
        for (int j = 0; j < D; j++) c[j] /= n;
        return new Start(c, PenalizedProgram.spectralNorm(gu, fs.dim(), fs.positions(), c1), gp);
    }

    /**
     * What a resumed solve needs: the working set (U, m × r row-major, built in blocks of the given sizes), the
     * reduced iterate x = (B in the W layout of dimension r, bias), FISTA's extrapolated point and momentum, the
     * counters and the checks so far. The filter outputs are recomputed from U block by block (the same products).
     */
    public record State(int round, double[] u, int[] blocks, double[] x, double[] xb, double[] y, double[] yb, double t, double step,
                        int iterations, int inner, int restarts, double innerTolerance, List<DualSolver.Check> checks,
                        double secondsBefore, boolean finished, double[] power, double etaMax, double[] xLogits, double[] yLogits) {}

    /**
     * Where states go: asked at every iteration boundary (and round end) whether one is due; the final state (the
     * solve is over, a resume only repeats its last full check) goes to {@link #saveFinal}.
     */
    public interface Checkpoints {
        boolean due();

        void save(State s);

        default void saveFinal(State s) { save(s); }
    }

    /**
     * The certified result: the reduced features (centred H, dimension r) on which the recovery works, the working
     * set U to lift from them, the reduced iterate, and the full program's feasible dual p̃. {@code rounded}: H was
     * held in float, so a primal computed on it is not exact; {@code primal} and {@code accuracy} (train accuracy of
     * the iterate, NaN when not rounded) were then computed on the features themselves.
     */
    public record Result(FeatureSource reduced, double[] u, int rank, double[] centre, double[] x, double[] bias, double[] dual,
                         double primal, double dualObjective, double constraintRatio, double balanceResidual, int iterations,
                         int rounds, int restarts, List<DualSolver.Check> checks, boolean converged, boolean rounded, double accuracy) {
        public double gap() { return primal - dualObjective; }

        /** A reduced W-layout matrix (Q·r × c1) in the full W layout (Q·m × c1): U·B. */
        public double[] lift(double[] wReduced, int m, int Q, int c1) {
            return liftW(u, rank, wReduced, m, Q, c1);
        }

        /** Reduced left factors (r × k) as filters (m × k): U·u. */
        public double[] liftFilters(double[] uReduced, int m, int k) {
            double[] out = new double[m * k];
            if (k > 0) dev.convexcnn.linalg.Gemm.dgemm(false, false, m, k, rank, 1, u, uReduced, 0, out);
            return out;
        }

        public CcnnModel.Factors lift(CcnnModel.Factors f, int m) {
            int k = f.s().length;
            return new CcnnModel.Factors(liftFilters(f.u(), m, k), f.s(), f.vt(), m, f.positions(), f.outputs(), f.rank());
        }
    }

    /** Solves from the start (see {@link #solve(FeatureSource, Start, double, int, Options, DualSolver.Listener, Checkpoints, State)}). */
    public static Result solve(FeatureSource raw, Start start, double lambda, int iterations, Options o, DualSolver.Listener listener) {
        return solve(raw, start, lambda, iterations, o, listener, null, null);
    }

    /**
     * At most {@code iterations} reduced FISTA iterations in all; stops at the first full check whose certified gap
     * is within tolerance, or when the gap is due to directions outside a full working set (maxRank). {@code from} (null: a fresh solve) continues a saved state to the same result.
     */
    public static Result solve(FeatureSource raw, Start start, double lambda, int iterations, Options o, DualSolver.Listener listener,
                               Checkpoints sink, State from) {
        if (!(lambda > 0)) throw new IllegalArgumentException("lambda must be > 0, got " + lambda);
        long t0 = System.nanoTime();
        int n = raw.size(), m = raw.dim(), Q = raw.positions(), C = raw.classes(), c1 = C - 1;
        int[] labels = raw.labels();
        FeatureSource fs = DualSolver.centred(raw, start.centre());
        boolean single = o.tolerance() >= SINGLE_TOLERANCE;
        double[] u;
        List<Integer> blocks = new ArrayList<>();
        FilterOutputs h = FilterOutputs.empty(fs, single, o.heldBytes(), o.spillDir());
        int r;
        double[] x, xb, y, yb;
        double t, eta;
        int it, inner, restarts, round;
        double innerTol;
        List<DualSolver.Check> checks;
        double before;
        if (from == null) {
            u = new double[0];
            r = 0;
            double[] dirs = newDirections(ProjectedSgd.toA(start.g0(), m, Q, c1), u, 0, m, Q * c1, lambda, o);
            int k = dirs.length / m;
            if (k == 0) dirs = firstColumn(m);
            k = dirs.length / m;
            u = dirs;
            blocks.add(k);
            h = h.with(fs, u, k);
            r = k;
            x = new double[Q * r * c1];
            xb = new double[c1];
            y = x.clone();
            yb = xb.clone();
            t = 1;
            eta = 0;
            it = 0;
            inner = 0;
            restarts = 0;
            round = 1;
            innerTol = Math.max(o.tolerance() / 4, 1e-2);
            checks = new ArrayList<>();
            before = 0;
        } else {
            u = from.u().clone();
            r = u.length / m;
            for (int b : from.blocks()) blocks.add(b);
            int done = 0;
            for (int b : from.blocks()) {
                double[] ub = new double[m * b];
                for (int i = 0; i < m; i++) System.arraycopy(u, i * r + done, ub, i * b, b);
                h = h.with(fs, ub, b);
                done += b;
            }
            x = from.x().clone();
            xb = from.xb().clone();
            y = from.y().clone();
            yb = from.yb().clone();
            t = from.t();
            eta = from.step();
            it = from.iterations();
            inner = from.inner();
            restarts = from.restarts();
            round = from.round();
            innerTol = from.innerTolerance();
            checks = new ArrayList<>(from.checks());
            before = from.secondsBefore();
        }
        boolean finished = from != null && from.finished();
        // The power iteration's last vector (reduced layout, Q·r) and the round's step bound: a resumed round keeps its own.
        double[] power = from == null || from.power().length == 0 ? null : from.power().clone();
        double etaKept = from == null ? 0 : from.etaMax();
        // The reduced solver's logits at x and y when the state kept them (a boundary inside a round): its next passes as uninterrupted.
        double[][] logits = from == null ? null : new double[][] {from.xLogits(), from.yLogits()};
        if (finished) checks.remove(checks.size() - 1); // the last full check is repeated below
        if (listener != null) for (DualSolver.Check c : checks) listener.onCheck(c); // a resumed solve replays its checks
        while (true) {
            FeatureSource red = h;
            double etaMax;
            if (etaKept > 0) {
                etaMax = etaKept;
                etaKept = 0;
            } else {
                // ‖H‖₂ by power iteration: from a seeded start in the first round, then from the last round's vector
                // (zeros on the new directions, plus a little of the seeded start), which is most of the way there.
                double[] v0 = PenalizedProgram.seededStart(Q * r, o.seed());
                int its = POWER_ITERATIONS;
                if (power != null) {
                    double[] warm = widen(power, power.length / Q, r - power.length / Q, Q, 1);
                    for (int i = 0; i < v0.length; i++) v0[i] = warm[i] + 1e-3 * v0[i] / Math.sqrt(v0.length);
                    its = WARM_POWER_ITERATIONS;
                }
                PenalizedProgram.Norm nm = PenalizedProgram.featureNorm(red, its, v0);
                power = nm.vector();
                etaMax = 2.0 * n / Math.max(sq(nm.value() * 1.05), n);
            }
            final double etaRound = etaMax;
            final double[] powerRound = power;
            if (eta <= 0) eta = etaMax;
            // Reduced FISTA until its own gap is within innerTol (checked every checkEvery iterations).
            if (it < iterations && !finished) {
                final int itBefore = it - inner, restartsBefore = restarts, roundNow = round;
                final double[] uNow = u;
                final double tol = innerTol;
                Saver save = sink == null ? null : (st, step, restartsNow) -> sink.save(snapshot(roundNow, uNow, blocks, st.x(),
                        st.xImages()[0], st.y(), st.yImages()[0], st.t(), step, itBefore + st.iteration(), st.iteration(),
                        restartsBefore + restartsNow, tol, checks, before, t0, false, powerRound, etaRound, st.xImages()[1], st.yImages()[1]));
                Reduced run = reduced(red, lambda, etaMax, o, tol, iterations - itBefore, x, xb, y, yb, t, inner, eta, sink, save, logits);
                logits = null;
                x = run.oracle.x();
                xb = run.oracle.bias();
                y = run.oracle.y();
                yb = run.oracle.yBias();
                it = itBefore + run.oracle.iteration();
                inner = run.oracle.iteration();
                restarts += run.oracle.restarts();
                t = run.t;
                eta = run.step;
            }
            // The full check: one pass over the features for G(q); from float outputs, P's loss in the same pass (exact).
            Point pt = point(red, x, xb, lambda, r, Q, c1);
            double[] g;
            double exactAccuracy = Double.NaN;
            if (single) {
                PenalizedProgram.DualAndLoss dl = PenalizedProgram.dualMatrixAndLoss(fs, pt.q, liftW(u, r, x, m, Q, c1), xb);
                g = dl.g();
                pt = new Point(dl.loss() + lambda * nuclearNorm(x, r, Q, c1), pt.q, pt.residual);
                exactAccuracy = dl.accuracy();
            } else {
                g = PenalizedProgram.dualMatrix(fs, pt.q);
            }
            double[] ga = ProjectedSgd.toA(g, m, Q, c1);
            double spec = NuclearNorm.spectralNorm(ga, m, Q * c1);
            double[] dual = PenalizedProgram.feasible(pt.q, n, C, labels, spec, lambda);
            double dObj = PenalizedProgram.meanEntropy(dual, n, C);
            DualSolver.Check ch = new DualSolver.Check(it, pt.primal, dObj, spec / lambda, before + (System.nanoTime() - t0) / 1e9);
            checks.add(ch);
            if (listener != null) listener.onCheck(ch);
            boolean converged = ch.gap() <= o.tolerance() * Math.abs(pt.primal);
            // Whose fault is ‖G‖₂ > λ: the reduced solve (‖UᵀG‖₂ > λ too) or the directions outside U?
            double[] utg = new double[r * Q * c1];
            dev.convexcnn.linalg.Gemm.dgemm(true, false, r, Q * c1, m, 1, u, ga, 0, utg);
            double specRed = NuclearNorm.spectralNorm(utg, r, Q * c1);
            boolean outside = spec > lambda && spec - specRed >= 0.5 * (spec - lambda);
            double[] dirs = converged || it >= iterations || !outside ? new double[0]
                    : newDirections(ga, u, r, m, Q * c1, lambda, o);
            int k = dirs.length / m;
            boolean full = outside && k == 0 && r >= Math.min(o.maxRank(), m);
            if (converged || it >= iterations || full) {
                if (sink != null) {
                    sink.saveFinal(snapshot(round, u, blocks, x, xb, y, yb, t, eta, it, inner, restarts, innerTol, checks, before, t0, true,
                            power, etaMax, new double[0], new double[0]));
                }
                return new Result(red, u, r, start.centre(), x, xb, dual, pt.primal, dObj, spec / lambda, pt.residual, it, round,
                        restarts, List.copyOf(checks), converged, single, exactAccuracy);
            }
            // The next reduced solve to a tenth of this gap (geometric rounds), never looser than before.
            double rel = ch.gap() / Math.abs(pt.primal);
            innerTol = Math.max(o.tolerance() / 4, Math.min(innerTol, 0.1 * rel));
            if (k == 0) {
                // The gap is the reduced program's: ask it for more.
                innerTol = Math.max(o.tolerance() / 4, innerTol / 4);
            } else {
                double[] nu = new double[m * (r + k)];
                for (int i = 0; i < m; i++) {
                    System.arraycopy(u, i * r, nu, i * (r + k), r);
                    System.arraycopy(dirs, i * k, nu, i * (r + k) + r, k);
                }
                h = h.with(fs, dirs, k);
                x = widen(x, r, k, Q, c1);
                y = x.clone();
                yb = xb.clone();
                u = nu;
                r += k;
                blocks.add(k);
            }
            t = 1;
            eta = 0;
            inner = 0;
            round++;
            if (sink != null && sink.due()) {
                // A new round: its step bound is computed again, from this vector.
                sink.save(snapshot(round, u, blocks, x, xb, y, yb, t, eta, it, inner, restarts, innerTol, checks, before, t0, false, power, 0, new double[0], new double[0]));
            }
        }
    }

    /** A round's reduced FISTA after it ran: the oracle (x, y and their biases, the iterations), and t and the last step. */
    private record Reduced(PrimalOracle oracle, double t, double step) {}

    /** Saves the solver's state at a boundary of the loop (its state, the step it took, the restarts so far). */
    @FunctionalInterface
    private interface Saver {
        void save(AcceleratedProximalGradient.State state, double step, int restarts);
    }

    /**
     * The shared loop on (B, bias) over the reduced features, from this round's iteration inner at x, y, t (at least
     * one iteration, at most cap in the round): step 1/L or longer by backtracking (the step eta grown ×1.25 per
     * iteration up to 64/L, halved on failure, 1/L taken untested), gradient restarts, the reduced relative gap
     * within innerTol checked every checkEvery iterations, and the solver's state saved at the loop's boundaries
     * when due (not after the iteration that stops it).
     */
    private static Reduced reduced(FeatureSource red, double lambda, double etaMax, Options o, double innerTol, int cap,
                                   double[] x, double[] xb, double[] y, double[] yb, double t, int inner, double eta,
                                   Checkpoints sink, Saver save, double[][] logits) {
        int n = red.size(), r = red.dim(), Q = red.positions(), C = red.classes(), c1 = C - 1;
        int[] labels = red.labels();
        PrimalOracle oracle = new PrimalOracle(red, lambda, true, null);
        int[] heldAt = {-1};
        AcceleratedProximalGradient.GapEvery gap = new AcceleratedProximalGradient.GapEvery(o.checkEvery(), innerTol, at -> {
            Point pt = point(red, oracle.x(), oracle.bias(), lambda, r, Q, c1);
            double gRed = PenalizedProgram.spectralNorm(PenalizedProgram.dualMatrix(red, pt.q), r, Q, c1);
            double dRed = PenalizedProgram.feasibleEntropy(pt.q, n, C, labels, gRed, lambda);
            AcceleratedProximalGradient.Gap g = new AcceleratedProximalGradient.Gap(pt.primal, dRed);
            heldAt[0] = g.within(innerTol) ? oracle.iteration() : -1;
            return g;
        });
        AcceleratedProximalGradient.StepPolicy steps = new AcceleratedProximalGradient.BoundedBacktracking(etaMax,
                o.backtrack() ? 64 * etaMax : etaMax, 0.5, 1.25);
        // No certificate of its own (+∞ passes): the every-k reduced gap and the iteration cap end the run.
        AcceleratedProximalGradient apg = new AcceleratedProximalGradient(steps,
                o.restart() ? AcceleratedProximalGradient.Restart.GRADIENT : AcceleratedProximalGradient.Restart.NONE,
                new AcceleratedProximalGradient.Stopping(Double.POSITIVE_INFINITY, cap, 0, gap));
        double first = steps.grow(eta);
        double[] none = new double[0];
        AcceleratedProximalGradient.State from = new AcceleratedProximalGradient.State(inner, x, y,
                new double[][] {xb, logits == null ? none : logits[0]}, new double[][] {yb, logits == null ? none : logits[1]}, first, t,
                Double.NaN, Double.NaN, Double.NaN, Double.POSITIVE_INFINITY, false, 0,
                Double.POSITIVE_INFINITY, 0);
        double[] last = {t, eta};
        try {
            apg.run(oracle, null, first, false, from, (k, objective, certificate, step, seconds) -> last[1] = step, st -> {
                last[0] = st.t();
                if (sink != null && heldAt[0] != st.iteration() && sink.due()) save.save(st, last[1], oracle.restarts());
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the sink throws none
        }
        return new Reduced(oracle, last[0], last[1]);
    }

    /** A copy of the state (the iterate arrays are updated in place later). */
    private static State snapshot(int round, double[] u, List<Integer> blocks, double[] x, double[] xb, double[] y, double[] yb,
                                  double t, double eta, int it, int inner, int restarts, double innerTol, List<DualSolver.Check> checks,
                                  double before, long t0, boolean finished, double[] power, double etaMax, double[] xLogits, double[] yLogits) {
        return new State(round, u.clone(), ints(blocks), x.clone(), xb.clone(), y.clone(), yb.clone(), t, eta, it, inner, restarts,
                innerTol, List.copyOf(checks), before + (System.nanoTime() - t0) / 1e9, finished, power == null ? new double[0] : power.clone(),
                etaMax, xLogits.clone(), yLogits.clone());
    }


    private record Point(double primal, double[] q, double residual) {}

    /** P at (x, xb) and the balanced softmax point q there. */
    private static Point point(FeatureSource red, double[] x, double[] xb, double lambda, int r, int Q, int c1) {
        int n = red.size(), C = c1 + 1;
        // The logits into q's array, then the softmax in place: one n × C array at a check, not two.
        double[] q = new double[n * C];
        PenalizedProgram.Pass ps = PenalizedProgram.pass(red, x, xb, false, q);
        double primal = ps.loss() + lambda * nuclearNorm(x, r, Q, c1);
        PenalizedProgram.softmaxInPlace(q, n, C);
        double residual = DualSolver.balance(q, n, C, red.labels());
        return new Point(primal, q, residual);
    }

    /**
     * ‖A‖_* of a W-layout matrix by LAPACK's SVD (values only): the Gram-matrix route squares the singular values, and the zero ones
     * come back as ~1e-8·σ_max each, which shows in a certificate asked for 1e-9.
     */
    static double nuclearNorm(double[] w, int m, int Q, int c1) {
        double sum = 0;
        for (double v : new DoubleMatrix(m, Q * c1, ProjectedSgd.toA(w, m, Q, c1)).singularValues()) sum += v;
        return sum;
    }

    /**
     * Up to o.directions() left singular vectors of (I − UUᵀ)G (G m × cols) with σ ≥ threshold·σ_max, orthonormalised
     * against U (m × r); m × k row-major, k = 0 when none qualifies or the working set is full.
     */
    static double[] newDirections(double[] ga, double[] u, int r, int m, int cols, double lambda, Options o) {
        int room = Math.min(o.directions(), Math.min(o.maxRank(), m) - r);
        if (room <= 0) return new double[0];
        double[] res = project(ga, u, r, m, cols);
        DoubleMatrix.Svd svd = new DoubleMatrix(m, cols, res).leftSingularVectors();
        int kk = svd.s().length, k = 0;
        // Relative to the largest: a residual well under λ can still matter, since ‖G‖₂ mixes it with UᵀG's top part.
        while (k < room && k < kk && svd.s()[k] >= o.threshold() * svd.s()[0] && svd.s()[k] > 1e-9 * lambda) k++;
        double[] out = new double[m * k];
        for (int i = 0; i < m; i++) System.arraycopy(svd.u().data(), i * kk, out, i * k, k);
        // Rounding: re-orthogonalise against U and among themselves (twice is enough).
        for (int pass = 0; pass < 2; pass++) {
            for (int j = 0; j < k; j++) {
                for (int b = 0; b < r + j; b++) {
                    double d = 0;
                    for (int i = 0; i < m; i++) d += out[i * k + j] * (b < r ? u[i * r + b] : out[i * k + b - r]);
                    for (int i = 0; i < m; i++) out[i * k + j] -= d * (b < r ? u[i * r + b] : out[i * k + b - r]);
                }
                double nn = 0;
                for (int i = 0; i < m; i++) nn += out[i * k + j] * out[i * k + j];
                nn = Math.sqrt(nn);
                for (int i = 0; i < m; i++) out[i * k + j] /= nn;
            }
        }
        return out;
    }

    /** (I − UUᵀ)G. */
    private static double[] project(double[] ga, double[] u, int r, int m, int cols) {
        double[] out = ga.clone();
        if (r == 0) return out;
        double[] utg = new double[r * cols];
        dev.convexcnn.linalg.Gemm.dgemm(true, false, r, cols, m, 1, u, ga, 0, utg);
        dev.convexcnn.linalg.Gemm.dgemm(false, false, m, cols, r, -1, u, utg, 1, out);
        return out;
    }

    private static double[] firstColumn(int m) {
        double[] e = new double[m];
        e[0] = 1;
        return e;
    }

    /** U·B in the full W layout (Q·m × c1) for a reduced W-layout B (Q·r × c1). */
    static double[] liftW(double[] u, int r, double[] wReduced, int m, int Q, int c1) {
        double[] a = ProjectedSgd.toA(wReduced, r, Q, c1), full = new double[m * Q * c1];
        if (r > 0) dev.convexcnn.linalg.Gemm.dgemm(false, false, m, Q * c1, r, 1, u, a, 0, full);
        double[] w = new double[full.length];
        ProjectedSgd.fromA(full, m, Q, c1, w);
        return w;
    }

    /** A reduced W-layout matrix with k zero directions appended: (Q·r × c1) → (Q·(r+k) × c1). */
    private static double[] widen(double[] w, int r, int k, int Q, int c1) {
        double[] out = new double[Q * (r + k) * c1];
        for (int q = 0; q < Q; q++) System.arraycopy(w, q * r * c1, out, q * (r + k) * c1, r * c1);
        return out;
    }

    private static int[] ints(List<Integer> l) {
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }

    private static double sq(double v) { return v * v; }
}
