package dev.convexcnn.optim;

/**
 * The primal–dual hybrid gradient method (Chambolle &amp; Pock 2011) on a saddle problem
 * min_x max_y ⟨Kx, y⟩ + G(x) − F*(y), in either of its two forms, with or without restarts, stopping on a
 * certified duality gap.
 *
 * <p>The loop holds the primal point x and the dual iterate's image Kᵀy; the {@link Problem} holds y itself and
 * takes the two proximal steps. Its dual step receives a primal point and returns Kᵀy⁺, so that a problem whose
 * K is a pass over streamed data computes Kx, y⁺ and Kᵀy⁺ in one pass. Every {@code checkEvery} iterations the
 * problem certifies the current point (and, with restarts, the running average since the last restart): the
 * stopping rule is gap ≤ tolerance·max(1, |P|) on the answer.
 */
public final class Pdhg {

    /** Which iterate is extrapolated. */
    public enum Extrapolation {
        /** y⁺ = prox_σF*(y + σK x̄), x⁺ = prox_τG(x − τKᵀy⁺), x̄ = 2x⁺ − x (Chambolle and Pock's form). */
        PRIMAL,
        /** x⁺ = prox_τG(x − τKᵀȳ), y⁺ = prox_σF*(y + σK x⁺), Kᵀȳ = 2Kᵀy⁺ − Kᵀy (ȳ only through its image). */
        DUAL
    }

    /** When the loop restarts. */
    public enum Restart {
        NONE,
        /**
         * PDLP's adaptive restarts (Applegate et al. 2021): at each check the better of the current point and the
         * average since the last restart becomes the restart point when its gap is ≤ 0.2× the gap at the last
         * restart, or ≤ 0.8× and larger than at the previous check, or after 36 % of the iterations without one.
         */
        ADAPTIVE
    }

    /** A certified point: the primal value P(x) and the dual value D(y) of a feasible dual point, P − D ≥ 0. */
    public interface Candidate {
        double primal();

        double dual();

        default double gap() { return primal() - dual(); }
    }

    /** The two proximal steps of a saddle problem, its dual iterate y and its certificate. */
    public interface Problem<C extends Candidate> {
        /** prox_τG(x − τ·image) as a new array; x is left unchanged. */
        double[] primalStep(double[] x, double[] image);

        /** y ← prox_σF*(y + σK·x), kept by the problem; returns Kᵀy⁺ as a new array. */
        double[] dualStep(double[] x);

        /** Kᵀy at the current y, as a new array (the start of the dual form, and after a restart to the average). */
        double[] dualImage();

        /** The current y (read only; the loop copies what it keeps). */
        double[] dual();

        /** Sets y (a restart to the average). */
        void restartDual(double[] y);

        /**
         * Certifies (x, y). {@code image} is Kᵀy when the loop has it (the current point), null for an average;
         * the problem may keep x (a copy) but not y.
         */
        C certify(double[] x, double[] y, double[] image);
    }

    public interface Listener<C> {
        /** After each check: the candidate chosen there (the better of current and average). */
        void onCheck(int iteration, C candidate);
    }

    /**
     * @param x          the last primal iterate
     * @param answer     the candidate returned: the best certified one, or the last with {@code keepBest} off
     * @param iterations iterations taken
     * @param restarts   restarts taken
     * @param reached    whether the answer reached the tolerance
     */
    public record Outcome<C>(double[] x, C answer, int iterations, int restarts, boolean reached) {}

    private final Extrapolation extrapolation;
    private final Restart restart;
    private final boolean keepBest;
    private final int checkEvery;
    private final double tolerance;

    /**
     * @param keepBest   answer with the candidate of the smallest certified gap so far (else with the last one)
     * @param checkEvery iterations between checks (and the last iteration)
     * @param tolerance  stop when the answer's gap ≤ tolerance·max(1, |P|)
     */
    public Pdhg(Extrapolation extrapolation, Restart restart, boolean keepBest, int checkEvery, double tolerance) {
        if (checkEvery <= 0) throw new IllegalArgumentException("checkEvery must be > 0, got " + checkEvery);
        if (!(tolerance >= 0)) throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
        this.extrapolation = extrapolation;
        this.restart = restart;
        this.keepBest = keepBest;
        this.checkEvery = checkEvery;
        this.tolerance = tolerance;
    }

    /** Runs at most {@code iterations} iterations from x0 and the problem's current y. */
    public <C extends Candidate> Outcome<C> run(Problem<C> problem, double[] x0, int iterations, Listener<C> listener) {
        boolean dualForm = extrapolation == Extrapolation.DUAL, restarting = restart == Restart.ADAPTIVE;
        double[] x = x0.clone();
        double[] image = dualForm ? problem.dualImage() : null;
        // The extrapolated point: Kᵀȳ in the dual form, x̄ in the primal form.
        double[] bar = dualForm ? image.clone() : x.clone();
        double[] sx = null, sy = null;
        int count = 0, sinceRestart = 0, restarts = 0;
        double gapAtRestart = Double.POSITIVE_INFINITY, lastGap = Double.POSITIVE_INFINITY;
        C answer = null;
        boolean reached = false;
        int it = 0;
        while (it < iterations) {
            it++;
            sinceRestart++;
            if (dualForm) {
                x = problem.primalStep(x, bar);
                double[] next = problem.dualStep(x);
                for (int i = 0; i < bar.length; i++) bar[i] = 2 * next[i] - image[i];
                image = next;
            } else {
                image = problem.dualStep(bar);
                double[] next = problem.primalStep(x, image);
                for (int i = 0; i < bar.length; i++) bar[i] = 2 * next[i] - x[i];
                x = next;
            }
            if (restarting) {
                double[] y = problem.dual();
                if (sx == null) {
                    sx = new double[x.length];
                    sy = new double[y.length];
                }
                for (int i = 0; i < x.length; i++) sx[i] += x[i];
                for (int i = 0; i < y.length; i++) sy[i] += y[i];
                count++;
            }
            if (it % checkEvery != 0 && it != iterations) continue;
            C cand = problem.certify(x.clone(), problem.dual(), image);
            double[] ax = null, ay = null;
            if (restarting && count > 1) {
                ax = new double[x.length];
                ay = new double[sy.length];
                for (int i = 0; i < ax.length; i++) ax[i] = sx[i] / count;
                for (int i = 0; i < ay.length; i++) ay[i] = sy[i] / count;
                C avg = problem.certify(ax, ay, null);
                if (avg.gap() < cand.gap()) cand = avg;
                else ax = null;
            }
            if (answer == null || !keepBest || cand.gap() < answer.gap()) answer = cand;
            if (listener != null) listener.onCheck(it, cand);
            if (answer.gap() <= tolerance * Math.max(1, Math.abs(answer.primal()))) {
                reached = true;
                break;
            }
            if (!restarting) continue;
            double gc = cand.gap();
            boolean now = gc <= 0.2 * gapAtRestart || (gc <= 0.8 * gapAtRestart && gc > lastGap)
                    || sinceRestart >= 0.36 * iterations;
            lastGap = gc;
            if (!now) continue;
            restarts++;
            if (ax != null) {
                x = ax;
                problem.restartDual(ay);
                image = problem.dualImage();
            }
            bar = dualForm ? image.clone() : x.clone();
            java.util.Arrays.fill(sx, 0);
            java.util.Arrays.fill(sy, 0);
            count = 0;
            sinceRestart = 0;
            gapAtRestart = gc;
            lastGap = Double.POSITIVE_INFINITY;
        }
        return new Outcome<>(x, answer, it, restarts, reached);
    }
}
