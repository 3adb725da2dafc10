package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import org.junit.jupiter.api.Test;

/**
 * The augmented Lagrangian on a real-shaped instance (5×5 patches, stride 3, λ = 0.01·λ_max, the settings of the
 * MNIST experiment, on small synthetic images): the penalty scale against a naive reference, and the 1e-8
 * certificate within a fixed budget of inner iterations (5,247 measured; a regression guard).
 */
class ExactAugmentedLagrangianTest {

    record Instance(ExactReluProgram exact, GatedFeatures features, PatchPatterns patterns, int n, int c) {}

    static Instance instance() {
        int n = 40, c = 3;
        Dataset d = ConvexProgramTest.quadrants(n, 12, c, 11);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 5, 3, true);
        Gates gates = Gates.sample(geom.patchSize(), 6, 5);
        GatedFeatures f = GatedFeatures.build(d, norm, geom, gates);
        double lmax = GatedReluProgram.lambdaMax(f, d.labels(), c, Loss.SQUARED);
        GatedReluProgram gated = new GatedReluProgram(f, d.labels(), c, Loss.SQUARED, 0.01 * lmax);
        PatchPatterns pp = PatchPatterns.build(d, norm, geom, gates);
        return new Instance(new ExactReluProgram(gated, pp), f, pp, n, c);
    }

    /** The constraint rows and the AL objective by the GEMM form's blocked products equal those of the held Z. */
    @Test
    void blockedPatchProductsGiveTheSameConstraintsAndObjective() {
        int n = 13, c = 3;
        Dataset d = ConvexProgramTest.quadrants(n, 12, c, 17);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 5, 3, true);
        Gates gates = Gates.sample(geom.patchSize(), 6, 7);
        GatedFeatures f = GatedFeatures.build(d, norm, geom, gates);
        GatedReluProgram gated = new GatedReluProgram(f, d.labels(), c, Loss.SQUARED, 0.003);
        PatchPatterns pp = PatchPatterns.build(d, norm, geom, gates);
        ExactReluProgram held = new ExactReluProgram(gated, pp);
        ExactReluProgram blocked = new ExactReluProgram(gated, pp, new PatchProducts(d, norm, geom, gates));
        int dim = held.dimension(), m = (int) held.constraintCount();
        java.util.Random r = new java.util.Random(3);
        double[] x = new double[dim], gamma = new double[m], h1 = new double[m], h2 = new double[m];
        for (int i = 0; i < dim; i++) x[i] = 0.05 * r.nextGaussian();
        for (int i = 0; i < m; i++) gamma[i] = i % 3 == 0 ? 0 : 0.02 * r.nextDouble();
        held.constraints(x, h1);
        blocked.constraints(x, h2);
        double scale = 0;
        for (double v : h1) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < m; i++) assertEquals(h1[i], h2[i], 1e-12 * scale, "constraint " + i);
        double[] g1 = new double[dim], g2 = new double[dim];
        // Blocks of 1 and 5 samples (9 rows each here), and the default.
        for (int block : new int[] {1, 45, ExactReluProgram.ROWS_PER_BLOCK}) {
            double v1 = held.withMultipliers(gamma, 0.7, block).smooth(x, g1), v2 = blocked.withMultipliers(gamma, 0.7, block).smooth(x, g2);
            assertEquals(v1, v2, 1e-12 * Math.abs(v1), "value, block " + block);
            for (int i = 0; i < dim; i++) assertEquals(g1[i], g2[i], 1e-11 * (1 + Math.abs(g1[i])), "gradient " + i + ", block " + block);
        }
    }

    /** Top eigenvalue of a symmetric k × k matrix by plain power iteration. */
    static double topEigenvalue(double[] a, int k) {
        double[] u = new double[k];
        java.util.Arrays.fill(u, 1);
        double lambda = 0;
        for (int it = 0; it < 2000; it++) {
            double[] next = new double[k];
            for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) next[i] += a[i * k + j] * u[j];
            double nrm = 0;
            for (double v : next) nrm += v * v;
            lambda = Math.sqrt(nrm);
            for (int i = 0; i < k; i++) u[i] = next[i] / lambda;
        }
        return lambda;
    }

    @Test
    void penaltyScaleIsTwiceTheLossCurvatureOverThePatchGramsTopEigenvalue() {
        Instance in = instance();
        int rows = in.patterns().rows(), h = in.patterns().patchSize(), cols = in.features().columns();
        double[] z = in.patterns().patches(), phi = in.features().matrix();
        double[] zz = new double[h * h], pp = new double[cols * cols];
        for (int r = 0; r < rows; r++) for (int a = 0; a < h; a++) for (int b = 0; b < h; b++) zz[a * h + b] += z[r * h + a] * z[r * h + b];
        // Squared loss 1/(2nc) Σ (ΦW − Y)²: the Hessian is ΦᵀΦ/(nc) for every class.
        for (int i = 0; i < in.n(); i++) for (int a = 0; a < cols; a++) for (int b = 0; b < cols; b++) pp[a * cols + b] += phi[i * cols + a] * phi[i * cols + b] / (in.n() * in.c());
        double expected = 2 * topEigenvalue(pp, cols) / topEigenvalue(zz, h);
        assertEquals(expected, in.exact().penaltyScale(), 1e-3 * expected);
    }

    /**
     * The augmented Lagrangian's smooth part, evaluated a block of constraint rows at a time: its value against the
     * definition f(V − V′) + (ρ/2)Σ max(0, γ/ρ − h)² − ‖γ‖²/(2ρ) with h from {@link ExactReluProgram#constraints},
     * the same whatever the block size, and its gradient against central finite differences.
     */
    @Test
    void augmentedLagrangianValueAndGradientWhateverTheBlocks() {
        Instance in = instance();
        ExactReluProgram exact = in.exact();
        int d = exact.dimension(), m = (int) exact.constraintCount();
        java.util.Random r = new java.util.Random(12);
        double[] x = new double[d], gamma = new double[m], h = new double[m];
        for (int i = 0; i < d; i++) x[i] = 0.05 * r.nextGaussian();
        for (int i = 0; i < m; i++) gamma[i] = i % 3 == 0 ? 0 : 0.02 * r.nextDouble();
        double rho = 0.7;
        exact.constraints(x, h);
        double penalty = 0, g2 = 0;
        for (int i = 0; i < m; i++) {
            double v = Math.max(0, gamma[i] / rho - h[i]);
            penalty += v * v;
            g2 += gamma[i] * gamma[i];
        }
        double expected = exact.gated().smooth(ExactReluProgram.difference(x), null) + rho / 2 * penalty - g2 / (2 * rho);
        double[] grad = new double[d];
        double value = exact.withMultipliers(gamma, rho).smooth(x, grad);
        assertEquals(expected, value, 1e-12 * Math.abs(expected));
        for (int block : new int[] {1, 7, 100, in.patterns().rows()}) {
            double[] g = new double[d];
            assertEquals(value, exact.withMultipliers(gamma, rho, block).smooth(x, g), 1e-12 * Math.abs(value), "block " + block);
            for (int i = 0; i < d; i++) assertEquals(grad[i], g[i], 1e-12 * (1 + Math.abs(grad[i])), "block " + block + ", coordinate " + i);
        }
        CompositeObjective al = exact.withMultipliers(gamma, rho);
        double eps = 1e-6;
        for (int trial = 0; trial < 25; trial++) {
            int i = r.nextInt(d);
            double keep = x[i];
            x[i] = keep + eps;
            double up = al.smooth(x, null);
            x[i] = keep - eps;
            double down = al.smooth(x, null);
            x[i] = keep;
            assertEquals((up - down) / (2 * eps), grad[i], 1e-6 * (1 + Math.abs(grad[i])), "coordinate " + i);
        }
    }

    @Test
    void realShapedInstanceReachesTheCertificateWithinItsBudget() {
        Instance in = instance();
        ExactReluProgram exact = in.exact();
        double scale = exact.penaltyScale();
        assertTrue(scale < 0.2, "the instance must be one where ρ = 1 is far above the scale, got " + scale);
        RFista.Settings inner = new RFista.Settings(1e-8, 4_000, 10);
        var scaled = AugmentedLagrangian.solve(exact, new double[exact.dimension()],
                new AugmentedLagrangian.Settings(1e-8, BUDGET_OUTER, inner, ConvexTrainer.INITIAL_RHO), null);
        assertTrue(scaled.converged(), "stationarity " + scaled.stationarity() + ", violation " + scaled.violation());
        assertTrue(scaled.innerIterations() <= BUDGET_INNER, "inner iterations " + scaled.innerIterations());
        // The KKT residual at the certified point: complementary slackness is small too.
        assertTrue(scaled.slackness() <= 1e-8, "slackness " + scaled.slackness());

        // The first inner solves stop early (their tolerance starts 1000× looser), the last one at the tolerance.
        assertTrue(scaled.log().get(0).stationarity() > 10 * 1e-8, "first step " + scaled.log().get(0));
        assertTrue(scaled.log().get(0).innerIterations() < scaled.innerIterations() / 4);
    }

    static final int BUDGET_OUTER = 40, BUDGET_INNER = 8_000;
}
