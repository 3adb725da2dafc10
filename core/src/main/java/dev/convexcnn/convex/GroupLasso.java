package dev.convexcnn.convex;

/**
 * λ Σ_g ‖x_g‖₂ over groups of equal size laid out with a stride: group g = (block b, pattern j, class k) holds
 * x[b·p·h·c + (j·h + t)·c + k] for t < h. That is the weight layout W (p·h × c, row-major) of the programs,
 * with one block for W and two for the pair (V, V′) of the exact ReLU program.
 */
public final class GroupLasso {
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
    public int dimension() { return blocks * gates * size * classes; }

    /** Index of element t of group g. */
    int index(int g, int t) {
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

    public double value(double[] x) {
        double s = 0;
        for (int g = 0; g < groups(); g++) s += norm(x, g);
        return lambda * s;
    }

    /** Group soft-thresholding: out_g = max(0, 1 − step·λ/‖v_g‖) v_g. */
    public void prox(double[] v, double step, double[] out) {
        double thr = step * lambda;
        for (int g = 0; g < groups(); g++) {
            double nrm = norm(v, g);
            double scale = nrm > thr ? 1 - thr / nrm : 0;
            for (int t = 0; t < size; t++) {
                int i = index(g, t);
                out[i] = scale * v[i];
            }
        }
    }

    /**
     * ‖min-norm element of grad + λ∂Σ‖x_g‖‖²: for x_g ≠ 0 the group's part is grad_g + λ x_g/‖x_g‖; for x_g = 0
     * it is the shortest vector of grad_g + λ·(unit ball), of length max(0, ‖grad_g‖ − λ).
     */
    public double minNormSubgradientSquared(double[] x, double[] grad) {
        double total = 0;
        for (int g = 0; g < groups(); g++) {
            double nx = norm(x, g);
            if (nx > 0) {
                for (int t = 0; t < size; t++) {
                    int i = index(g, t);
                    double s = grad[i] + lambda * x[i] / nx;
                    total += s * s;
                }
            } else {
                double ng = norm(grad, g);
                double r = Math.max(0, ng - lambda);
                total += r * r;
            }
        }
        return total;
    }

    /** Number of groups that are not zero. */
    public int active(double[] x) {
        int a = 0;
        for (int g = 0; g < groups(); g++) if (norm(x, g) > 0) a++;
        return a;
    }

    /** The largest group norm of grad: the smallest λ for which x = 0 is optimal, when grad = ∇f(0). */
    public double maxGroupNorm(double[] grad) {
        double m = 0;
        for (int g = 0; g < groups(); g++) m = Math.max(m, norm(grad, g));
        return m;
    }
}
