package dev.convexcnn.optim;

import dev.convexcnn.optim.AcceleratedProximalGradient.Oracle;
import dev.convexcnn.optim.AcceleratedProximalGradient.State;
import dev.convexcnn.optim.AcceleratedProximalGradient.StepPolicy;

/**
 * The ways {@link AcceleratedProximalGradient} prices its trial points: by function values of any composite, or
 * for a quadratic from products it keeps (A·y is the combination of the last two iterates' products), two trial
 * steps per wide product, or for A = MᵀM one product with M per trial and one with Mᵀ per accepted point.
 */
public final class ProximalOracles {
    private ProximalOracles() {}

    /** f and ∇f evaluated at every trial point. */
    public static Oracle values(Composite obj) { return new Values(obj); }

    /**
     * A·y from the products of the last two iterates, and each evaluation pricing two steps, t and shrink·t, with
     * one product of twice the width, which costs about as much as one (the narrow product is memory-bound): one
     * product per iteration instead of about three. The sufficient-decrease test uses the exact identity
     * f(x) − f(y) − ⟨∇f(y), x − y⟩ = (scale/2)⟨d, A·d⟩, d = x − y, and the restart test a difference of f computed
     * as such, so neither loses precision to cancellation.
     */
    public static Oracle products(Quadratic obj) { return new Products(obj); }

    /**
     * For A = MᵀM: each trial costs one product with M (⟨d, A d⟩ = ‖M d‖², M·y a combination of kept products), the
     * accepted point one with Mᵀ. When M·x is far cheaper than Mᵀ·u an iteration costs little more than one Mᵀ
     * product. One trial per evaluation: the product with M is compute-bound, so a second would be waste.
     */
    public static Oracle factored(Factored obj) { return new FactoredProducts(obj, null); }

    /**
     * {@link #factored} with the accepted point's product with Mᵀ taken over a working set of groups
     * ({@link Screening}) where the program computes its adjoint by groups ({@link Factored#screenedGroups}); the
     * whole product otherwise.
     */
    public static Oracle factored(Factored obj, Screening screening) {
        return new FactoredProducts(obj, obj.screenedGroups() == null ? null : screening);
    }

    /**
     * A working set of groups for a group lasso: the groups that are not zero in x or y and those whose gradient
     * is at least margin·λ. Between checks the iterations run on the set's groups alone (the others held at zero,
     * their gradient taken as zero): the accepted point's product with Mᵀ costs the set's share of a whole one. A
     * check (every {@code every} iterations, and whenever the set's certificate is at most {@code tolerance})
     * computes the whole product, so the certificate over every group, and renews the set. The run stops only on
     * a whole certificate, so the set changes the iterates, not what the stopping rule proves.
     */
    public record Screening(double tolerance, int every, double margin) {
        public Screening {
            if (!(tolerance > 0)) throw new IllegalArgumentException("screening tolerance must be > 0, got " + tolerance);
            if (every < 1) throw new IllegalArgumentException("checks every k iterations need k >= 1, got " + every);
            if (!(margin > 0 && margin <= 1)) throw new IllegalArgumentException("margin must be in (0, 1], got " + margin);
        }

        /** Checks every 10 iterations; groups within 10 % of λ join. */
        public static Screening of(double tolerance) { return new Screening(tolerance, 10, 0.9); }
    }

    /**
     * For F = q + p + r with q quadratic ({@link QuadraticPlus}): q's products kept as {@link #products} keeps them (two
     * trial steps per wide product, A·y a combination of the last two iterates' products), p and ∇p evaluated at y and
     * at each trial priced: about one product per iteration where {@link #values} evaluates f and ∇f two or more
     * times (two trial steps per product only where two points cost about one, {@link Quadratic#widensCheaply}); the
     * same steps, restarts and stopping rule. On the pooled exact program at 2,000 MNIST images the same iterations
     * took 85 ms against 121 ms (the held Φ's product of two points takes nearly twice one's time).
     */
    public static Oracle quadraticPlus(QuadraticPlus obj) {
        if (obj.quadraticPart() == null) throw new IllegalArgumentException("this objective has no quadratic part");
        return new QuadraticPlusProducts(obj);
    }

    /** y = xNew + β(xNew − x) over n entries, or y = xNew exactly after a restart. */
    private static void extrapolate(boolean restart, double beta, double[] xNew, double[] x, double[] y, int n) {
        if (restart) {
            System.arraycopy(xNew, 0, y, 0, n);
            return;
        }
        for (int i = 0; i < n; i++) y[i] = xNew[i] + beta * (xNew[i] - x[i]);
    }

    /** ⟨y − c, c − x⟩: positive when the step from y to the candidate c points back against the last move. */
    static double uphill(double[] y, double[] c, double[] x) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) sum += (y[i] - c[i]) * (c[i] - x[i]);
        return sum;
    }

    /** trial = y − step·g. */
    private static void gradientStep(double[] y, double step, double[] g, double[] trial) {
        for (int i = 0; i < y.length; i++) trial[i] = y[i] - step * g[i];
    }

    static final class Values implements Oracle {
        private final Composite obj;
        private final int d;
        private double[] x, y, xNew, gy, gx, trial;
        private double fy, fNew, objNew, objective;

        Values(Composite obj) {
            this.obj = obj;
            this.d = obj.dimension();
            this.xNew = new double[d];
            this.gy = new double[d];
            this.gx = new double[d];
            this.trial = new double[d];
        }

        @Override
        public double start(double[] x0, boolean single) {
            x = x0.clone();
            y = x0.clone();
            double fx = obj.smooth(x, gx);
            objective = fx + obj.regularizer(x);
            return obj.minNormSubgradientSquared(x, gx);
        }

        @Override
        public void resume(State s) {
            x = s.x().clone();
            y = s.y().clone();
            objective = s.objective();
        }

        @Override public void gradientAtY() { fy = obj.smooth(y, gy); }

        @Override
        public void price(double[] steps, int count, boolean single) {
            gradientStep(y, steps[0], gy, trial);
            obj.prox(trial, steps[0], xNew);
            fNew = obj.smooth(xNew, gx);
        }

        @Override
        public boolean accepts(int j, double step, StepPolicy policy) {
            double lin = 0, sq = 0;
            for (int i = 0; i < d; i++) {
                double diff = xNew[i] - y[i];
                lin += gy[i] * diff;
                sq += diff * diff;
            }
            return policy.accepts(fNew, fy + lin, sq, step);
        }

        @Override
        public double take(int j, boolean single) {
            objNew = fNew + obj.regularizer(xNew);
            return objNew - objective;
        }

        @Override public double uphill() { return ProximalOracles.uphill(y, xNew, x); }

        @Override
        public void advance(boolean restart, double beta) {
            extrapolate(restart, beta, xNew, x, y, d);
            double[] swap = x;
            x = xNew;
            xNew = swap;
            objective = objNew;
        }

        @Override public double certificate() { return obj.minNormSubgradientSquared(x, gx); }
        @Override public void restartAtX() { System.arraycopy(x, 0, y, 0, d); }
        @Override public double[] x() { return x; }
        @Override public double[] y() { return y; }
        @Override public double[][] xImages() { return new double[0][]; }
        @Override public double[][] yImages() { return new double[0][]; }
        @Override public double[] gradient() { return gx; }
        @Override public double objective() { return objective; }
        @Override public double smooth() { return Double.NaN; }
        @Override public double regularizer() { return Double.NaN; }
    }

    /** What the two quadratic oracles share: x and y with their products A·x and A·y, f and r at x apart. */
    private abstract static class Kept implements Oracle {
        final Quadratic obj;
        final int d;
        final double scale;
        double[] x, ax, y, ay;
        final double[] gy, gx, trial;
        double fx, rx, rNew;

        Kept(Quadratic obj) {
            this.obj = obj;
            this.d = obj.dimension();
            this.scale = obj.scale();
            this.gy = new double[d];
            this.gx = new double[d];
            this.trial = new double[d];
        }

        /** Computes x's products (A·x, and M·x where kept), in float with single. */
        abstract void productsOfX(boolean single);

        @Override
        public double start(double[] x0, boolean single) {
            x = x0.clone();
            ax = new double[d];
            y = new double[d];
            ay = new double[d];
            productsOfX(single);
            fx = obj.smoothFromProduct(x, ax, gx);
            rx = obj.regularizer(x);
            double cert = obj.minNormSubgradientSquared(x, gx);
            restartAtX();
            return cert;
        }

        /** x, y, their images (A·x last) and f, r from a saved state; the gradient at x for the stopping rules. */
        @Override
        public void resume(State s) {
            x = s.x().clone();
            y = s.y().clone();
            double[][] xi = s.xImages(), yi = s.yImages();
            ax = xi[xi.length - 1].clone();
            ay = yi[yi.length - 1].clone();
            fx = s.smooth();
            obj.smoothFromProduct(x, ax, gx);
            rx = s.regularizer();
        }

        /** The candidate's F change, from its point and product. */
        double change(double[] xNew, double[] axNew) {
            rNew = obj.regularizer(xNew);
            return obj.smoothDifference(x, ax, xNew, axNew) + rNew - rx;
        }

        @Override public void gradientAtY() { obj.smoothFromProduct(y, ay, gy); }

        /** The point {@link #take} made the candidate. */
        abstract double[] candidate();

        @Override public double uphill() { return ProximalOracles.uphill(y, candidate(), x); }

        @Override
        public double exact() {
            productsOfX(false);
            return certificate();
        }

        @Override
        public double certificate() {
            fx = obj.smoothFromProduct(x, ax, gx);
            return obj.minNormSubgradientSquared(x, gx);
        }

        @Override public double[] x() { return x; }
        @Override public double[] y() { return y; }
        @Override public double[] gradient() { return gx; }
        @Override public double objective() { return fx + rx; }
        @Override public double smooth() { return fx; }
        @Override public double regularizer() { return rx; }
        @Override public RelativeGap dualityGap() { return obj.dualityGap(); }
    }

    /**
     * A·c for the trial points c: in double, directly; in float, only the moves, A·c = A·y + A·(c − y) with A·y kept
     * in double, so the rounding is the move's, not the point's, and shrinks as the iterates settle (whole points in
     * float put a floor under the certificate).
     */
    private static void candidateProducts(Quadratic q, double[][] cand, int count, double[] y, double[] ay, double[][] move,
                                          double[][] out, boolean single) {
        if (!single) {
            q.products(cand, count, out, false);
            return;
        }
        int d = y.length;
        for (int j = 0; j < count; j++) {
            for (int i = 0; i < d; i++) move[j][i] = cand[j][i] - y[i];
        }
        q.products(move, count, out, true);
        for (int j = 0; j < count; j++) {
            for (int i = 0; i < d; i++) out[j][i] += ay[i];
        }
    }

    private static final class Products extends Kept {
        private final double[][] cand, candProduct, move, one = new double[1][], oneOut = new double[1][];
        private int taken;

        Products(Quadratic obj) {
            super(obj);
            cand = new double[][] {new double[d], new double[d]};
            candProduct = new double[][] {new double[d], new double[d]};
            move = new double[][] {new double[d], new double[d]};
        }

        @Override public int width() { return 2; }

        @Override double[] candidate() { return cand[taken]; }

        @Override
        void productsOfX(boolean single) {
            one[0] = x;
            oneOut[0] = ax;
            obj.products(one, 1, oneOut, single);
        }

        @Override
        public void price(double[] steps, int count, boolean single) {
            for (int j = 0; j < count; j++) {
                gradientStep(y, steps[j], gy, trial);
                obj.prox(trial, steps[j], cand[j]);
            }
            candidateProducts(obj, cand, count, y, ay, move, candProduct, single);
        }

        @Override public boolean refreshes() { return true; }

        @Override
        public double refresh() {
            obj.products(new double[][] {x, y}, 2, new double[][] {ax, ay}, false);
            return certificate();
        }

        @Override
        public boolean accepts(int j, double step, StepPolicy policy) {
            double curvature = 0, sq = 0;
            for (int i = 0; i < d; i++) {
                double diff = cand[j][i] - y[i];
                curvature += diff * (candProduct[j][i] - ay[i]);
                sq += diff * diff;
            }
            return policy.accepts(scale * curvature / 2, 0, sq, step);
        }

        @Override
        public double take(int j, boolean single) {
            taken = j;
            return change(cand[j], candProduct[j]);
        }

        @Override
        public void advance(boolean restart, double beta) {
            double[] xNew = cand[taken], axNew = candProduct[taken];
            extrapolate(restart, beta, xNew, x, y, d);
            extrapolate(restart, beta, axNew, ax, ay, d);
            // The accepted candidate becomes x; x's old arrays become the candidate's buffers.
            cand[taken] = x;
            candProduct[taken] = ax;
            x = xNew;
            ax = axNew;
            rx = rNew;
        }

        @Override
        public void restartAtX() {
            System.arraycopy(x, 0, y, 0, d);
            System.arraycopy(ax, 0, ay, 0, d);
        }

        @Override public double[][] xImages() { return new double[][] {ax}; }
        @Override public double[][] yImages() { return new double[][] {ay}; }
    }

    private static final class FactoredProducts extends Kept {
        private final Factored f;
        private final int m;
        private double[] mx, my, cand, mc, ac;
        // The working set (null screening: none). Outside it x = y = 0 and A·x, A·y are held at b, so the gradient
        // there is exactly 0: the iterations see a program over the set's groups. That also marks the set in a saved
        // state (resume rebuilds it from x, y and A·x).
        private final Screening screening;
        private final GroupLasso lasso;
        private boolean[] inSet;
        private int[] set, rest, joined;
        private int setSize, restSize;
        private double[] xNorms, yNorms, gNorms;
        private boolean whole, lastSingle;
        private int iteration;
        private double lastCurvature, lastSquaredMove;  // of the last trial tested: scale·‖M d‖² and ‖d‖²

        FactoredProducts(Factored f, Screening screening) {
            super(f);
            this.f = f;
            this.m = f.rows();
            cand = new double[d];
            mx = new double[m];
            my = new double[m];
            mc = new double[m];
            ac = new double[d];
            this.screening = screening;
            this.lasso = screening == null ? null : f.screenedGroups();
            if (lasso != null) {
                int g = lasso.groups();
                if (lasso.dimension() != d) throw new IllegalArgumentException("the screened groups cover " + lasso.dimension() + " variables, the program " + d);
                inSet = new boolean[g];
                set = new int[g];
                rest = new int[g];
                joined = new int[g];
                xNorms = new double[g];
                yNorms = new double[g];
                gNorms = new double[g];
            }
        }

        @Override double[] candidate() { return cand; }

        @Override
        void productsOfX(boolean single) {
            f.forward(x, mx, single);
            f.adjoint(mx, ax, single);
            whole = true;
            lastSingle = single;
        }

        @Override
        public double start(double[] x0, boolean single) {
            double cert = super.start(x0, single);
            if (lasso != null) {
                renewSet(false);
                restartAtX();
            }
            return cert;
        }

        @Override
        public void resume(State s) {
            super.resume(s);
            mx = s.xImages()[0].clone();
            my = s.yImages()[0].clone();
            if (lasso != null) {
                double[] b = f.linearTerm();
                int size = lasso.size(), stride = lasso.stride();
                partition(g -> {
                    int base = lasso.index(g, 0);
                    for (int t = 0; t < size; t++) {
                        int i = base + t * stride;
                        if (x[i] != 0 || y[i] != 0 || ax[i] != b[i]) return true;
                    }
                    return false;
                });
                whole = false;
            }
        }

        @Override public void iteration(int it) { iteration = it; }

        @Override public boolean partial() { return lasso != null && !whole; }

        @Override
        public void price(double[] steps, int count, boolean single) {
            gradientStep(y, steps[0], gy, trial);
            f.prox(trial, steps[0], cand);
            f.forward(cand, mc, single);
        }

        @Override
        public boolean accepts(int j, double step, StepPolicy policy) {
            double curvature = 0, sq = 0;
            for (int i = 0; i < m; i++) {
                double e = mc[i] - my[i];
                curvature += e * e;
            }
            for (int i = 0; i < d; i++) {
                double diff = cand[i] - y[i];
                sq += diff * diff;
            }
            lastCurvature = scale * curvature;
            lastSquaredMove = sq;
            return policy.accepts(scale * curvature / 2, 0, sq, step);
        }

        /**
         * From y = 0 with a homogeneous regulariser every trial is t·v for one v, and f is quadratic: a trial of step
         * t passes exactly when t ≤ ‖d‖² / (scale·‖M d‖²), the same for every t.
         */
        /** The last trial tested is the one taken (one trial per evaluation). */
        @Override public double acceptedCurvature() { return lastCurvature / lastSquaredMove; }

        @Override
        public double failedStepCeiling(int j, double step) {
            if (!f.homogeneousRegularizer() || !(lastCurvature > 0)) return Double.POSITIVE_INFINITY;
            for (double v : y) if (v != 0) return Double.POSITIVE_INFINITY;
            return lastSquaredMove / lastCurvature;
        }

        @Override
        public double take(int j, boolean single) {
            lastSingle = single;
            if (lasso == null || iteration % screening.every() == 0) {
                f.adjoint(mc, ac, single);
                whole = true;
            } else {
                f.adjointOn(mc, set, setSize, ac, single);
                holdOutside(ac, rest, restSize);
                whole = false;
            }
            return change(cand, ac);
        }

        @Override
        public void advance(boolean restart, double beta) {
            extrapolate(restart, beta, cand, x, y, d);
            extrapolate(restart, beta, mc, mx, my, m);
            extrapolate(restart, beta, ac, ax, ay, d);
            double[] swap = x; x = cand; cand = swap;
            swap = mx; mx = mc; mc = swap;
            swap = ax; ax = ac; ac = swap;
            rx = rNew;
        }

        @Override
        public double certificate() {
            if (lasso == null) return super.certificate();
            if (!whole) {
                double cert = super.certificate();
                if (cert > screening.tolerance()) return cert;
                // The set's certificate holds: price the groups outside it too, to the same precision.
                f.adjointOn(mx, rest, restSize, ax, lastSingle);
                whole = true;
            }
            double cert = super.certificate();
            renewSet(true);
            return cert;
        }

        /**
         * The set from x, y and the whole gradient at x: groups that join get A·y from M·y when fixY (y is not x's
         * copy), groups outside have A·x and A·y held at b. The gradient at x stays whole.
         */
        private void renewSet(boolean fixY) {
            lasso.groupNorms(x, xNorms);
            lasso.groupNorms(y, yNorms);
            lasso.groupNorms(gx, gNorms);
            double bar = screening.margin() * lasso.lambda();
            int joinedCount = partition(g -> xNorms[g] > 0 || yNorms[g] > 0 || gNorms[g] >= bar);
            // A·y was extrapolated from A·x's held values outside the old set: the groups that join get theirs.
            if (fixY && joinedCount > 0) f.adjointOn(my, joined, joinedCount, ay, lastSingle);
            holdOutside(ax, rest, restSize);
            holdOutside(ay, rest, restSize);
        }

        /** inSet, set and rest from in(g); returns how many groups joined the set (listed first in joined). */
        private int partition(java.util.function.IntPredicate in) {
            int joinedCount = 0;
            setSize = 0;
            restSize = 0;
            for (int g = 0; g < inSet.length; g++) {
                boolean member = in.test(g);
                if (member && !inSet[g]) joined[joinedCount++] = g;
                inSet[g] = member;
                if (member) set[setSize++] = g;
                else rest[restSize++] = g;
            }
            return joinedCount;
        }

        /** a_g = b_g for the listed groups: the gradient there is exactly zero. */
        private void holdOutside(double[] a, int[] groups, int count) {
            double[] b = f.linearTerm();
            int size = lasso.size(), stride = lasso.stride();
            for (int q = 0; q < count; q++) {
                int base = lasso.index(groups[q], 0);
                for (int t = 0; t < size; t++) {
                    int i = base + t * stride;
                    a[i] = b[i];
                }
            }
        }

        @Override
        public void restartAtX() {
            System.arraycopy(x, 0, y, 0, d);
            System.arraycopy(mx, 0, my, 0, m);
            System.arraycopy(ax, 0, ay, 0, d);
        }

        @Override public double[][] xImages() { return new double[][] {mx, ax}; }
        @Override public double[][] yImages() { return new double[][] {my, ay}; }
    }

    /** x and y with q's products A·x and A·y; p and ∇p at x, y and the trials; r at x. */
    private static final class QuadraticPlusProducts implements Oracle {
        private final QuadraticPlus obj;
        private final Quadratic q;
        private final int d;
        private final double scale;
        private double[] x, ax, y, ay, gpx;
        private final double[] gx, gy, gpy, trial;
        private final double[][] cand, candProduct, candGp, move;
        private final double[] candP = new double[2];
        private final boolean[] priced = new boolean[2];
        private double qx, px, rx, qy, py, rNew;
        private int taken;

        QuadraticPlusProducts(QuadraticPlus obj) {
            this.obj = obj;
            this.q = obj.quadraticPart();
            this.d = obj.dimension();
            if (q.dimension() != d) throw new IllegalArgumentException("the quadratic part has " + q.dimension() + " variables, the objective " + d);
            this.scale = q.scale();
            gx = new double[d];
            gy = new double[d];
            gpy = new double[d];
            gpx = new double[d];
            trial = new double[d];
            cand = new double[][] {new double[d], new double[d]};
            candProduct = new double[][] {new double[d], new double[d]};
            candGp = new double[][] {new double[d], new double[d]};
            move = new double[][] {new double[d], new double[d]};
        }

        @Override public int width() { return q.widensCheaply() ? 2 : 1; }

        @Override
        public double start(double[] x0, boolean single) {
            x = x0.clone();
            y = x0.clone();
            ax = new double[d];
            q.products(new double[][] {x}, 1, new double[][] {ax}, false);
            ay = ax.clone();
            px = obj.otherPart(x, gpx);
            rx = obj.regularizer(x);
            return certificate();
        }

        /** x, y and their products from a saved state; a state saved without products (another oracle's) gets them computed. */
        @Override
        public void resume(State s) {
            x = s.x().clone();
            y = s.y().clone();
            double[][] xi = s.xImages(), yi = s.yImages();
            if (xi.length > 0 && xi[0] != null && yi.length > 0 && yi[0] != null) {
                ax = xi[0].clone();
                ay = yi[0].clone();
            } else {
                ax = new double[d];
                ay = new double[d];
                q.products(new double[][] {x, y}, 2, new double[][] {ax, ay}, false);
            }
            px = obj.otherPart(x, gpx);
            rx = obj.regularizer(x);
            certificate();
        }

        @Override
        public void gradientAtY() {
            qy = q.smoothFromProduct(y, ay, gy);
            py = obj.otherPart(y, gpy);
            for (int i = 0; i < d; i++) gy[i] += gpy[i];
        }

        @Override
        public void price(double[] steps, int count, boolean single) {
            for (int j = 0; j < count; j++) {
                gradientStep(y, steps[j], gy, trial);
                obj.prox(trial, steps[j], cand[j]);
                priced[j] = false;
            }
            candidateProducts(q, cand, count, y, ay, move, candProduct, single);
        }

        @Override public boolean refreshes() { return true; }

        @Override
        public double refresh() {
            q.products(new double[][] {x, y}, 2, new double[][] {ax, ay}, false);
            return certificate();
        }

        /** p and ∇p at trial j, once. */
        private void other(int j) {
            if (priced[j]) return;
            candP[j] = obj.otherPart(cand[j], candGp[j]);
            priced[j] = true;
        }

        @Override
        public boolean accepts(int j, double step, StepPolicy policy) {
            other(j);
            // q's part by the exact identity q(c) − q(y) − ⟨∇q(y), d⟩ = (scale/2)⟨d, A d⟩; p's directly.
            double curvature = 0, lin = 0, sq = 0;
            for (int i = 0; i < d; i++) {
                double diff = cand[j][i] - y[i];
                curvature += diff * (candProduct[j][i] - ay[i]);
                lin += gpy[i] * diff;
                sq += diff * diff;
            }
            return policy.accepts(scale * curvature / 2 + (candP[j] - py - lin), 0, sq, step);
        }

        @Override
        public double take(int j, boolean single) {
            taken = j;
            other(j);
            rNew = obj.regularizer(cand[j]);
            return q.smoothDifference(x, ax, cand[j], candProduct[j]) + (candP[j] - px) + (rNew - rx);
        }

        @Override public double uphill() { return ProximalOracles.uphill(y, cand[taken], x); }

        @Override
        public void advance(boolean restart, double beta) {
            double[] xNew = cand[taken], axNew = candProduct[taken], gNew = candGp[taken];
            extrapolate(restart, beta, xNew, x, y, d);
            extrapolate(restart, beta, axNew, ax, ay, d);
            cand[taken] = x;
            candProduct[taken] = ax;
            candGp[taken] = gpx;
            x = xNew;
            ax = axNew;
            gpx = gNew;
            px = candP[taken];
            rx = rNew;
        }

        @Override
        public double certificate() {
            qx = q.smoothFromProduct(x, ax, gx);
            for (int i = 0; i < d; i++) gx[i] += gpx[i];
            return obj.minNormSubgradientSquared(x, gx);
        }

        @Override
        public double exact() {
            q.products(new double[][] {x}, 1, new double[][] {ax}, false);
            return certificate();
        }

        @Override
        public void restartAtX() {
            System.arraycopy(x, 0, y, 0, d);
            System.arraycopy(ax, 0, ay, 0, d);
        }

        @Override public double[] x() { return x; }
        @Override public double[] y() { return y; }
        @Override public double[][] xImages() { return new double[][] {ax}; }
        @Override public double[][] yImages() { return new double[][] {ay}; }
        @Override public double[] gradient() { return gx; }
        @Override public double objective() { return qx + px + rx; }
        @Override public double smooth() { return qx + px; }
        @Override public double regularizer() { return rx; }
    }
}
