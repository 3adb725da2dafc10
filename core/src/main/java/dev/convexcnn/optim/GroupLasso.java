package dev.convexcnn.optim;

/**
 * λ Σ_g ‖x_g‖₂ over groups of equal size laid out with a stride: group g = (block b, pattern j, class k) holds
 * x[b·p·h·c + (j·h + t)·c + k] for t < h. That is the weight layout W (p·h × c, row-major) of the programs,
 * with one block for W and two for the pair (V, V′) of the exact ReLU program.
 */
public final class GroupLasso implements RelativeGap {
    private final int blocks, gates, size, classes;
    private final double lambda;

    public GroupLasso(int blocks, int gates, int size, int classes, double lambda) {
        if (lambda < 0) throw new IllegalArgumentException("lambda must be >= 0, got " + lambda);
        this.blocks = blocks;
        this.gates = gates;
        this.size = size;
        this.classes = classes;
        this.lambda = lambda;
    }

    public double lambda() { return lambda; }
    public int groups() { return blocks * gates * classes; }
    /** Entries per group. */
    public int size() { return size; }
    /** The stride between a group's consecutive entries (its entries are index(g, 0) + t·stride). */
    public int stride() { return classes; }
    public int dimension() { return blocks * gates * size * classes; }

    /** Index of element t of group g. */
    public int index(int g, int t) {
        int b = g / (gates * classes), rest = g % (gates * classes), j = rest / classes, k = rest % classes;
        return b * gates * size * classes + (j * size + t) * classes + k;
    }

    public double norm(double[] x, int g) {
        double s = 0;
        for (int t = 0; t < size; t++) {
            double v = x[index(g, t)];
            s += v * v;
        }
        return Math.sqrt(s);
    }

    // The solvers' per-iteration work besides the products: a pass over one (block, pattern) slab of size × classes
    // values at a time, row by row, so the c groups of the slab are summed together from contiguous memory (no
    // index arithmetic per element). Each group's sum runs over t in the same order as norm(), so the results are
    // the same to the last bit.

    /** squares[k] = ‖x_g‖² for the c groups of slab s (s = b·gates + j). */
    private void slabSquares(double[] x, int s, double[] squares) {
        int c = classes, base = s * size * c;
        java.util.Arrays.fill(squares, 0, c, 0);
        for (int t = 0; t < size; t++) {
            int row = base + t * c;
            for (int k = 0; k < c; k++) {
                double v = x[row + k];
                squares[k] += v * v;
            }
        }
    }

    private int slabs() { return blocks * gates; }

    public double value(double[] x) {
        double[] sq = new double[classes];
        double s = 0;
        for (int slab = 0; slab < slabs(); slab++) {
            slabSquares(x, slab, sq);
            for (int k = 0; k < classes; k++) s += Math.sqrt(sq[k]);
        }
        return lambda * s;
    }

    /** Group soft-thresholding: out_g = max(0, 1 − step·λ/‖v_g‖) v_g. */
    public void prox(double[] v, double step, double[] out) {
        double thr = step * lambda;
        int c = classes;
        double[] scale = new double[c];
        for (int slab = 0; slab < slabs(); slab++) {
            slabSquares(v, slab, scale);
            for (int k = 0; k < c; k++) {
                double nrm = Math.sqrt(scale[k]);
                scale[k] = nrm > thr ? 1 - thr / nrm : 0;
            }
            int base = slab * size * c;
            for (int t = 0; t < size; t++) {
                int row = base + t * c;
                for (int k = 0; k < c; k++) out[row + k] = scale[k] * v[row + k];
            }
        }
    }

    /**
     * ‖min-norm element of grad + λ∂Σ‖x_g‖‖²: for x_g ≠ 0 the group's part is grad_g + λ x_g/‖x_g‖; for x_g = 0
     * it is the shortest vector of grad_g + λ·(unit ball), of length max(0, ‖grad_g‖ − λ).
     */
    public double minNormSubgradientSquared(double[] x, double[] grad) {
        int c = classes;
        double[] nx = new double[c], ng = new double[c], parts = new double[c];
        double total = 0;
        for (int slab = 0; slab < slabs(); slab++) {
            slabSquares(x, slab, nx);
            boolean anyZero = false;
            for (int k = 0; k < c; k++) {
                nx[k] = Math.sqrt(nx[k]);
                anyZero |= !(nx[k] > 0);
            }
            // ‖grad_g‖ is needed only for the zero groups.
            if (anyZero) slabSquares(grad, slab, ng);
            java.util.Arrays.fill(parts, 0);
            int base = slab * size * c;
            for (int t = 0; t < size; t++) {
                int row = base + t * c;
                for (int k = 0; k < c; k++) {
                    if (nx[k] > 0) {
                        double s = grad[row + k] + lambda * x[row + k] / nx[k];
                        parts[k] += s * s;
                    }
                }
            }
            for (int k = 0; k < c; k++) {
                if (nx[k] > 0) {
                    total += parts[k];
                } else {
                    double r = Math.max(0, Math.sqrt(ng[k]) - lambda);
                    total += r * r;
                }
            }
        }
        return total;
    }

    /** Number of groups that are not zero. */
    public int active(double[] x) {
        double[] sq = new double[classes];
        int a = 0;
        for (int slab = 0; slab < slabs(); slab++) {
            slabSquares(x, slab, sq);
            for (int k = 0; k < classes; k++) if (Math.sqrt(sq[k]) > 0) a++;
        }
        return a;
    }

    /** The largest group norm of grad: the smallest λ for which x = 0 is optimal, when grad = ∇f(0). */
    /** out[g] = ‖x_g‖ for every group g, in the order of {@link #index}. */
    public void groupNorms(double[] x, double[] out) {
        double[] sq = new double[classes];
        for (int slab = 0; slab < slabs(); slab++) {
            slabSquares(x, slab, sq);
            for (int k = 0; k < classes; k++) out[slab * classes + k] = Math.sqrt(sq[k]);
        }
    }

    public double maxGroupNorm(double[] grad) {
        double[] sq = new double[classes];
        double m = 0;
        for (int slab = 0; slab < slabs(); slab++) {
            slabSquares(grad, slab, sq);
            for (int k = 0; k < classes; k++) m = Math.max(m, Math.sqrt(sq[k]));
        }
        return m;
    }

    /**
     * The duality gap of min_x f(x) + λ Σ_g ‖x_g‖ for a squared loss f(x) = (s/2)‖Φx − Y‖², relative to the
     * primal value f + r. Its dual is max_U −⟨U, Y⟩ − ‖U‖²/(2s) s.t. ‖(ΦᵀU)_g‖ ≤ λ for every group; the residual
     * scaled to be feasible, U = θ·s(Φx − Y) with θ = min(1, λ / max_g ‖∇_g f(x)‖), is a dual point (ΦᵀU = θ∇f(x)),
     * and with f's own identities the gap P − D comes out as (1 − θ)²f + θ⟨x, ∇f(x)⟩ + r: no Φ or Y needed, and no
     * difference of two values of the size of f. At a minimiser θ = 1 and each group's ⟨x_g, ∇_g f⟩ + λ‖x_g‖ is 0.
     * Never below 0 up to rounding, so it bounds how far f + r is above the optimum.
     */
    @Override
    public double relativeGap(double[] x, double f, double r, double[] grad) {
        double maxNorm = maxGroupNorm(grad);
        double theta = maxNorm > lambda ? lambda / maxNorm : 1;
        double dot = 0;
        for (int i = 0; i < x.length; i++) dot += x[i] * grad[i];
        double gap = (1 - theta) * (1 - theta) * f + theta * dot + r;
        double primal = f + r;
        return primal > 0 ? Math.max(0, gap) / primal : 0;
    }
}
