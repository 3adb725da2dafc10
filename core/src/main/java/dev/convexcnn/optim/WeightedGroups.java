package dev.convexcnn.optim;

/**
 * λ Σ_g w_g ‖x_g‖₂ over disjoint groups of any size and layout, each with its own weight: the ℓ2 group norm of
 * the two-layer programs (w = 1), the Frobenius norm of the three-layer one, and the Fourier-domain ℓ1 norm of
 * the circular program (groups of one or two real coordinates per frequency, with their weights).
 */
public final class WeightedGroups {
    private final int dimension;
    private final int[] start, members;
    private final double[] weights;
    private final double lambda;

    /**
     * @param start   group g holds members[start[g] .. start[g+1]); length groups + 1
     * @param members indices into x
     * @param weights w_g > 0, one per group
     */
    public WeightedGroups(int dimension, int[] start, int[] members, double[] weights, double lambda) {
        if (lambda < 0) throw new IllegalArgumentException("lambda must be >= 0, got " + lambda);
        if (start.length != weights.length + 1 || start[weights.length] != members.length) {
            throw new IllegalArgumentException("groups: start must have one entry per group plus one, ending at members.length");
        }
        for (double w : weights) if (!(w > 0)) throw new IllegalArgumentException("group weights must be > 0, got " + w);
        this.dimension = dimension;
        this.start = start;
        this.members = members;
        this.weights = weights;
        this.lambda = lambda;
    }

    /** Consecutive groups of `size` entries each, weight 1: blocks of a flat vector. */
    public static WeightedGroups blocks(int groups, int size, double lambda) {
        int[] st = new int[groups + 1], mem = new int[groups * size];
        for (int g = 0; g <= groups; g++) st[g] = g * size;
        for (int i = 0; i < mem.length; i++) mem[i] = i;
        double[] w = new double[groups];
        java.util.Arrays.fill(w, 1);
        return new WeightedGroups(groups * size, st, mem, w, lambda);
    }

    public WeightedGroups withLambda(double l) { return new WeightedGroups(dimension, start, members, weights, l); }
    public double lambda() { return lambda; }
    public int groups() { return weights.length; }
    public int dimension() { return dimension; }
    public double weight(int g) { return weights[g]; }

    public double norm(double[] x, int g) {
        double s = 0;
        for (int a = start[g]; a < start[g + 1]; a++) s += x[members[a]] * x[members[a]];
        return Math.sqrt(s);
    }

    public double value(double[] x) {
        double s = 0;
        for (int g = 0; g < groups(); g++) s += weights[g] * norm(x, g);
        return lambda * s;
    }

    /** Group soft-thresholding with threshold step·λ·w_g; entries in no group pass unchanged. */
    public void prox(double[] v, double step, double[] out) {
        if (out != v) System.arraycopy(v, 0, out, 0, v.length);
        for (int g = 0; g < groups(); g++) {
            double thr = step * lambda * weights[g], nrm = norm(v, g);
            double scale = nrm > thr ? 1 - thr / nrm : 0;
            for (int a = start[g]; a < start[g + 1]; a++) out[members[a]] = scale * v[members[a]];
        }
    }

    /**
     * ‖min-norm element of grad + ∂(λΣ w_g‖x_g‖)‖² (entries in no group count with their gradient): for x_g ≠ 0
     * the group's part is grad_g + λw_g x_g/‖x_g‖, for x_g = 0 it has length max(0, ‖grad_g‖ − λw_g).
     */
    public double minNormSubgradientSquared(double[] x, double[] grad) {
        double total = 0;
        boolean[] seen = new boolean[x.length];
        for (int g = 0; g < groups(); g++) {
            double nx = norm(x, g), lw = lambda * weights[g];
            if (nx > 0) {
                for (int a = start[g]; a < start[g + 1]; a++) {
                    double s = grad[members[a]] + lw * x[members[a]] / nx;
                    total += s * s;
                }
            } else {
                double r = Math.max(0, norm(grad, g) - lw);
                total += r * r;
            }
            for (int a = start[g]; a < start[g + 1]; a++) seen[members[a]] = true;
        }
        for (int i = 0; i < x.length; i++) if (!seen[i]) total += grad[i] * grad[i];
        return total;
    }

    /** max_g ‖grad_g‖/w_g: with grad = ∇f(0), the smallest λ at which x = 0 is optimal. */
    public double lambdaMax(double[] grad) {
        double m = 0;
        for (int g = 0; g < groups(); g++) m = Math.max(m, norm(grad, g) / weights[g]);
        return m;
    }

    public int active(double[] x) {
        int a = 0;
        for (int g = 0; g < groups(); g++) if (norm(x, g) > 0) a++;
        return a;
    }
}
