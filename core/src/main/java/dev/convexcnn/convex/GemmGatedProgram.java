package dev.convexcnn.convex;

import dev.convexcnn.optim.GroupLasso;

/**
 * The gated-ReLU program with its products as GEMMs over the patches ({@link PatchProducts}): Φ·W is Z_b times all
 * patterns' and outputs' weights (h × p·c) per block of samples, masked and summed over positions, and Φᵀ·R the
 * transpose. Φ (n × p·h) is never formed, so memory is the patches of one block, and the hot loop is sgemm (or
 * dgemm) of shape n_b·P × h × (p·c). Same program as {@link GatedReluProgram} and {@link GramGatedProgram}
 * (tested against both); with the squared loss it is a {@link FactoredQuadratic} (M = Φ), which the quadratic
 * R-FISTA runs with one product with Φ per trial step and one with Φᵀ per iteration. The product with Φ multiplies
 * only the groups that are not zero, which the group lasso makes most of them.
 */
public final class GemmGatedProgram implements FactoredQuadratic, GroupLassoProgram {
    private final PatchProducts products;
    private final int[] labels;
    private final int classes, totalSamples;
    private final Loss loss;
    private final GroupLasso penalty;
    private double[] cross;
    // Work buffers: the adjoint's weights as h × (p·c) and dense column maps, predictions.
    private final double[] gAll, z, dz;
    private final int[] allPattern, allOut;
    private int[] colPattern, colOut;

    public GemmGatedProgram(PatchProducts products, int[] labels, int classes, Loss loss, double lambda) {
        this(products, labels, classes, loss, lambda, products.samples());
    }

    /** A shard of a program over totalSamples samples (the loss scaled for all of them), as {@link GatedReluProgram}'s. */
    public GemmGatedProgram(PatchProducts products, int[] labels, int classes, Loss loss, double lambda, int totalSamples) {
        if (labels.length != products.samples()) throw new IllegalArgumentException("one label per sample");
        if (totalSamples < products.samples() || totalSamples <= 0) {
            throw new IllegalArgumentException("total samples " + totalSamples + " must be > 0 and at least this shard's " + products.samples());
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) throw new IllegalArgumentException("label " + labels[i] + " of sample " + i + " is not in [0, " + classes + ")");
        }
        this.products = products;
        this.labels = labels;
        this.classes = classes;
        this.loss = loss;
        this.totalSamples = totalSamples;
        int p = products.patterns(), h = products.patchSize(), pc = p * classes;
        this.penalty = new GroupLasso(1, p, h, classes, lambda);
        this.gAll = new double[h * pc];
        this.allPattern = new int[pc];
        this.allOut = new int[pc];
        for (int a = 0; a < pc; a++) {
            allPattern[a] = a / classes;
            allOut[a] = a % classes;
        }
        this.colPattern = new int[pc];
        this.colOut = new int[pc];
        this.z = new double[products.samples() * classes];
        this.dz = new double[z.length];
    }

    /** The same products with another λ (the work buffers are not shared). */
    public GemmGatedProgram withLambda(double lambda) {
        GemmGatedProgram g = new GemmGatedProgram(products, labels, classes, loss, lambda, totalSamples);
        g.cross = cross;
        return g;
    }

    public PatchProducts patchProducts() { return products; }
    public GroupLasso penalty() { return penalty; }
    public int classes() { return classes; }
    public Loss loss() { return loss; }
    @Override public GroupLasso groupLasso() { return loss == Loss.SQUARED ? penalty : null; }

    @Override public int dimension() { return products.patterns() * products.patchSize() * classes; }
    @Override public int rows() { return products.samples() * classes; }

    /** Φ·x (samples × c): only the groups of x that are not zero are multiplied. */
    @Override
    public void forward(double[] x, double[] mx, boolean single) {
        products.forwardGroups(x, classes, single, mx);
    }

    /** Φᵀ·u for u (samples × c): one product with every (pattern, output) column. */
    @Override
    public void adjoint(double[] u, double[] out, boolean single) {
        int p = products.patterns(), h = products.patchSize(), c = classes, pc = p * c;
        products.adjoint(u, c, pc, allPattern, allOut, single, gAll);
        for (int t = 0; t < h; t++) {
            for (int j = 0; j < p; j++) System.arraycopy(gAll, t * pc + j * c, out, (j * h + t) * c, c);
        }
    }

    /** The group lasso, for a solver that screens groups (squared loss only: then the program is a quadratic). */
    @Override public GroupLasso screenedGroups() { return loss == Loss.SQUARED ? penalty : null; }

    /** (Φᵀ·u)_g for the listed groups only: one product with their (pattern, output) columns. */
    @Override
    public void adjointOn(double[] u, int[] groups, int count, double[] out, boolean single) {
        int h = products.patchSize(), c = classes;
        for (int a = 0; a < count; a++) {
            colPattern[a] = groups[a] / c;
            colOut[a] = groups[a] % c;
        }
        products.adjoint(u, c, count, colPattern, colOut, single, gAll);
        for (int t = 0; t < h; t++) {
            int row = t * count;
            for (int a = 0; a < count; a++) out[(colPattern[a] * h + t) * c + colOut[a]] = gAll[row + a];
        }
    }

    /** Loss and gradient from one product with Φ and one with Φᵀ, in double (any loss). */
    @Override
    public double smooth(double[] x, double[] grad) {
        forward(x, z, false);
        double f = loss.value(z, labels, 0, products.samples(), totalSamples, classes, grad == null ? null : dz);
        if (grad != null) adjoint(dz, grad, false);
        return f;
    }

    @Override public double scale() { return 1.0 / ((double) totalSamples * classes); }

    /** b = ΦᵀY (Y one-hot), made once. */
    @Override
    public synchronized double[] linearTerm() {
        requireSquared();
        if (cross == null) {
            double[] y = new double[rows()], b = new double[dimension()];
            for (int i = 0; i < labels.length; i++) y[i * classes + labels[i]] = 1;
            adjoint(y, b, false);
            cross = b;
        }
        return cross;
    }

    /**
     * λ_max = max_g ‖∇_g f(0)‖; with the squared loss ∇f(0) = −scale·b, so the product with Φᵀ that b needs anyway
     * serves both.
     */
    @Override
    public double lambdaMax() {
        if (loss != Loss.SQUARED) return GroupLassoProgram.super.lambdaMax();
        return scale() * penalty.maxGroupNorm(linearTerm());
    }

    @Override public double constant() { requireSquared(); return products.samples() * scale() / 2; }

    private void requireSquared() {
        if (loss != Loss.SQUARED) throw new IllegalStateException("only the squared loss is a quadratic");
    }

}
