package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.testing.Tolerances;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** R-FISTA on a quadratic smooth part: the wide products, and the one-product iteration against the plain solver. */
class QuadraticRFistaTest {

    private static GramGatedProgram program(int n, int patterns, double fraction, long seed) {
        Dataset d = ConvexProgramTest.quadrants(n, 6, 3, seed);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        GramGatedProgram p = GramGatedProgram.build(d, norm, geom, Gates.sample(geom.patchSize(), patterns, seed));
        return p.withLambda(fraction * p.lambdaMax());
    }

    /** Products as the program's objective but through {@code products}; everything else is p's. */
    interface Products { void of(double[][] xs, int count, double[][] out, boolean single); }

    private static QuadraticObjective withProducts(GramGatedProgram p, Products products) {
        return new QuadraticObjective() {
            @Override public void products(double[][] xs, int count, double[][] out, boolean single) { products.of(xs, count, out, single); }
            @Override public double scale() { return p.scale(); }
            @Override public double[] linearTerm() { return p.linearTerm(); }
            @Override public double constant() { return p.constant(); }
            @Override public int dimension() { return p.dimension(); }
            @Override public double regularizer(double[] x) { return p.regularizer(x); }
            @Override public void prox(double[] v, double step, double[] out) { p.prox(v, step, out); }
            @Override public double minNormSubgradientSquared(double[] x, double[] g) { return p.minNormSubgradientSquared(x, g); }
        };
    }

    private static double[] gaussian(int d, Random r) {
        double[] x = new double[d];
        for (int i = 0; i < d; i++) x[i] = r.nextGaussian();
        return x;
    }

    @Test
    void wideProductsEqualOneAtATimeAndFloatIsCloseToDouble() {
        GramGatedProgram p = program(30, 5, 0.05, 2);
        Random r = new Random(5);
        double[] x1 = gaussian(p.dimension(), r), x2 = gaussian(p.dimension(), r);
        double[][] out = {new double[x1.length], new double[x1.length]};
        p.products(new double[][] {x1, x2}, 2, out, false);
        double[][] single = {new double[x1.length], new double[x1.length]};
        p.products(new double[][] {x1, x2}, 2, single, true);
        double[][] xs = {x1, x2};
        int g = p.columns();
        for (int j = 0; j < 2; j++) {
            double[][] alone = {new double[x1.length]};
            p.products(new double[][] {xs[j]}, 1, alone, false);
            // The BLAS may sum a two-column product in another order than a one-column one: equal to the rounding
            // bound of g-term sums, relative to |G|·|x|.
            Tolerances.assertProductsClose(alone[0], out[j], Tolerances.absProduct(p.gram(), g, g, xs[j], p.classes()), g,
                    "point " + j + " in a wide product");
            // ∇f = scale·(Ax − b) against the program's own gradient.
            double[] grad = new double[x1.length], grad2 = new double[x1.length];
            double f = p.smooth(xs[j], grad), f2 = p.smoothFromProduct(xs[j], alone[0], grad2);
            Tolerances.assertClose(f, f2, Tolerances.ROUNDED, "value from the product");
            Tolerances.assertArrayClose(grad, grad2, Tolerances.ROUNDED, "gradient from the product");
            double max = 0;
            for (double v : out[j]) max = Math.max(max, Math.abs(v));
            assertArrayEquals(out[j], single[j], 1e-5 * max, "float product of point " + j);
        }
        // f(x2) − f(x1) from the products equals the difference of the values.
        double diff = p.smoothDifference(x1, out[0], x2, out[1]);
        double f1 = p.smooth(x1, null), f2 = p.smooth(x2, null);
        Tolerances.assertClose(f2 - f1, diff, 0, Tolerances.ROUNDED * (Math.abs(f1) + Math.abs(f2)), "f(x2) − f(x1) from the products");
        // Flops counted: the four wide and two single products, and four smooth() calls, above.
        assertEquals(p.productFlops(), 2L * p.columns() * p.columns() * p.classes() * (2 + 2 + 1 + 1 + 4));
    }

    @Test
    void doublePrecisionFollowsThePlainSolversIterates() {
        GramGatedProgram p = program(40, 6, 0.02, 3);
        RFista.Settings s = new RFista.Settings(1e-12, 60, 10);
        List<RFista.Iteration> plain = new ArrayList<>(), quadratic = new ArrayList<>();
        RFista.solve(p, new double[p.dimension()], s, plain::add);
        RFista.solveQuadratic(p, new double[p.dimension()], s, RFista.Precision.DOUBLE, quadratic::add);
        assertEquals(plain.size(), quadratic.size());
        for (int k = 0; k < plain.size(); k++) {
            RFista.Iteration a = plain.get(k), b = quadratic.get(k);
            assertEquals(a.step(), b.step(), 1e-12 * a.step(), "step at iteration " + (k + 1));
            assertEquals(a.objective(), b.objective(), 1e-10 * Math.abs(a.objective()), "objective at iteration " + (k + 1));
            assertEquals(a.certificate(), b.certificate(), 1e-6 * a.certificate() + 1e-18, "certificate at iteration " + (k + 1));
        }
    }

    @Test
    void bothPrecisionsReachTheDoubleCertifiedOptimum() {
        GramGatedProgram p = program(50, 6, 0.05, 4);
        RFista.Settings s = new RFista.Settings(1e-10, 20_000, 10);
        RFista.Result plain = RFista.solve(p, new double[p.dimension()], s, null);
        for (RFista.Precision precision : RFista.Precision.values()) {
            RFista.Result r = RFista.solveQuadratic(p, new double[p.dimension()], s, precision, null);
            assertTrue(r.converged(), precision + " converges");
            // The reported certificate is the double one, recomputed here from the program itself.
            double[] grad = new double[p.dimension()];
            p.smooth(r.x(), grad);
            double cert = p.minNormSubgradientSquared(r.x(), grad);
            // The solver's double product may be a wide one (another summation order); the certificate is a small
            // difference of gradient and penalty terms, so its relative rounding is larger than the gradient's.
            Tolerances.assertClose(cert, r.certificate(), 1e-9, precision + ": the certificate reported");
            assertTrue(cert <= 1e-10, precision + ": certificate " + cert);
            assertEquals(plain.objective(), r.objective(), 1e-8 * plain.objective(), precision + ": objective");
        }
    }

    /**
     * G·X against the plain loop over G (double within the rounding bound of g-term sums, float within float's), for
     * one and two points; then a mixed-precision solve to a tight tolerance: float moves from kept double products
     * (most products in float), stopped where the double certificate holds, at the double solve's optimum.
     */
    @Test
    void productsMatchTheirDefinitionAndMixedSolvesStayInFloat() {
        GramGatedProgram p = program(60, 7, 0.03, 8);
        int g = p.columns(), c = p.classes();
        double[] gram = p.gram();
        Random r = new Random(9);
        double[][] xs = {gaussian(p.dimension(), r), gaussian(p.dimension(), r)};
        for (int count = 1; count <= 2; count++) {
            double[][] out = {new double[p.dimension()], new double[p.dimension()]};
            double[][] single = {new double[p.dimension()], new double[p.dimension()]};
            p.products(xs, count, out, false);
            p.products(xs, count, single, true);
            for (int j = 0; j < count; j++) {
                double[] want = new double[p.dimension()];
                for (int i = 0; i < g; i++) {
                    for (int t = 0; t < g; t++) {
                        for (int k = 0; k < c; k++) want[i * c + k] += gram[i * g + t] * xs[j][t * c + k];
                    }
                }
                double[] scale = Tolerances.absProduct(gram, g, g, xs[j], c);
                Tolerances.assertProductsClose(want, out[j], scale, g, "double product, " + count + " points, point " + j);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], single[j][i], 4 * (g + 2) * 0x1p-24 * scale[i], "float product at " + i);
                }
            }
        }
        long[] counts = new long[2];
        QuadraticObjective counted = withProducts(p, (xs1, count, out, single) -> {
            counts[single ? 1 : 0] += count;
            p.products(xs1, count, out, single);
        });
        RFista.Settings s = new RFista.Settings(1e-13, 20_000, 10);
        RFista.Result exact = RFista.solveQuadratic(p, new double[p.dimension()], s, RFista.Precision.DOUBLE, null);
        RFista.Result mixed = RFista.solveQuadratic(counted, new double[p.dimension()], s, RFista.Precision.MIXED, null);
        assertTrue(exact.converged(), "double: certificate " + exact.certificate());
        assertTrue(mixed.converged(), "mixed: certificate " + mixed.certificate() + " after " + mixed.iterations() + " iterations");
        assertTrue(counts[1] > 0.8 * (counts[0] + counts[1]), counts[1] + " float products of " + (counts[0] + counts[1]));
        double[] grad = new double[p.dimension()];
        p.smooth(mixed.x(), grad);
        assertTrue(p.minNormSubgradientSquared(mixed.x(), grad) <= 1e-13, "the double certificate holds");
        assertEquals(exact.objective(), mixed.objective(), 1e-9 * Math.abs(exact.objective()), "same optimum");
    }

    /** The float products of a program made wrong on purpose: the double check must catch it and go on in double. */
    @Test
    void mixedPrecisionStopsOnlyOnTheDoubleCertificate() {
        GramGatedProgram p = program(50, 6, 0.05, 6);
        QuadraticObjective skewed = withProducts(p, (xs, count, out, single) -> {
            p.products(xs, count, out, single);
            if (single) for (int j = 0; j < count; j++) for (int i = 0; i < out[j].length; i++) out[j][i] *= 1.01;
        });
        RFista.Settings s = new RFista.Settings(1e-12, 20_000, 10);
        List<RFista.Iteration> log = new ArrayList<>();
        RFista.Result r = RFista.solveQuadratic(skewed, new double[p.dimension()], s, RFista.Precision.MIXED, log::add);
        assertTrue(r.converged());
        double[] grad = new double[p.dimension()];
        p.smooth(r.x(), grad);
        assertTrue(p.minNormSubgradientSquared(r.x(), grad) <= 1e-12, "certified on the true program");
        // Somewhere the skewed float iterations said "done" and the double certificate did not agree.
        boolean floatSaidDone = false;
        for (RFista.Iteration it : log) floatSaidDone |= it.certificate() <= 1e-12 && it != log.get(log.size() - 1);
        assertTrue(floatSaidDone, "the float iterations reached the tolerance before the end");
        RFista.Result capped = RFista.solveQuadratic(skewed, new double[p.dimension()], new RFista.Settings(1e-12, 5, 10),
                RFista.Precision.MIXED, null);
        assertFalse(capped.converged());
        p.smooth(capped.x(), grad);
        Tolerances.assertClose(p.minNormSubgradientSquared(capped.x(), grad), capped.certificate(), 1e-9,
                "a capped mixed run reports the double certificate");
    }

    @Test
    void precisionParsesAndNamesBadValues() {
        assertEquals(RFista.Precision.MIXED, RFista.Precision.parse(" Mixed"));
        assertEquals(RFista.Precision.DOUBLE, RFista.Precision.parse("double"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RFista.Precision.parse("half"));
        assertTrue(e.getMessage().contains("'half'"), e.getMessage());
    }
}
