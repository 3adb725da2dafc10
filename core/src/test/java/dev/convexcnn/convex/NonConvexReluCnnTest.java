package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import java.util.List;
import org.junit.jupiter.api.Test;

class NonConvexReluCnnTest {

    @Test
    void gradientMatchesFiniteDifferences() {
        Dataset d = ConvexProgramTest.quadrants(6, 4, 2, 1);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 2, 1, true);
        PatchPatterns pp = PatchPatterns.build(d, norm, geom, Gates.sample(geom.patchSize(), 1, 1));
        for (Loss loss : Loss.values()) {
            NonConvexReluCnn net = new NonConvexReluCnn(2, 3, geom.patchSize(), geom.patches(), 4);
            double beta = 0.03;
            double[] gu = new double[net.filters().length], gv = new double[net.neurons()];
            net.gradient(pp.patches(), d.labels(), 0, d.size(), loss, beta, gu, gv);
            double eps = 1e-6;
            for (double[][] pair : new double[][][] {{net.filters(), gu}, {net.outputWeights(), gv}}) {
                for (int i = 0; i < pair[0].length; i++) {
                    double keep = pair[0][i];
                    pair[0][i] = keep + eps;
                    double fp = net.objective(pp.patches(), d.labels(), d.size(), loss, beta);
                    pair[0][i] = keep - eps;
                    double fm = net.objective(pp.patches(), d.labels(), d.size(), loss, beta);
                    pair[0][i] = keep;
                    assertEquals((fp - fm) / (2 * eps), pair[1][i], 1e-6, loss + " entry " + i);
                }
            }
        }
    }

    @Test
    void trainingLowersTheObjective() {
        Dataset d = ConvexProgramTest.quadrants(40, 4, 2, 2);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 2, 1, true);
        PatchPatterns pp = PatchPatterns.build(d, norm, geom, Gates.sample(geom.patchSize(), 1, 1));
        NonConvexReluCnn net = new NonConvexReluCnn(2, 4, geom.patchSize(), geom.patches(), 5);
        List<NonConvexReluCnn.Point> curve = net.train(pp.patches(), d.labels(), d.size(), Loss.SQUARED, 0.01, "adam", 0.01, 30, 8, 6);
        assertEquals(31, curve.size());
        assertTrue(curve.get(30).objective() < 0.5 * curve.get(0).objective());
    }

    @Test
    void balancingKeepsTheFunctionAndLeavesTheLeastWeightDecay() {
        Dataset d = ConvexProgramTest.quadrants(10, 4, 2, 3);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 2, 1, true);
        double[] z = PatchPatterns.patchMatrix(d, norm, geom);
        NonConvexReluCnn net = new NonConvexReluCnn(2, 3, geom.patchSize(), geom.patches(), 7);
        double[] before = net.predict(z, d.size());
        double[] u = net.filters().clone(), v = net.outputWeights().clone();
        double beta = 0.1, least = 0;
        int h = geom.patchSize();
        for (int a = 0; a < v.length; a++) {
            double nu = 0;
            for (int j = 0; j < h; j++) nu += u[a * h + j] * u[a * h + j];
            least += Math.sqrt(nu) * Math.abs(v[a]);
        }
        double loss = net.objective(z, d.labels(), d.size(), Loss.SQUARED, 0);
        net.balance();
        double[] after = net.predict(z, d.size());
        for (int i = 0; i < before.length; i++) assertEquals(before[i], after[i], 1e-12 * (1 + Math.abs(before[i])));
        for (int a = 0; a < v.length; a++) {
            double nu = 0;
            for (int j = 0; j < h; j++) nu += net.filters()[a * h + j] * net.filters()[a * h + j];
            assertEquals(Math.sqrt(nu), Math.abs(net.outputWeights()[a]), 1e-12);
        }
        // (β/2)Σ(‖u‖² + v²) at balance is β Σ ‖u‖|v|, the AM–GM minimum over rescalings.
        assertEquals(loss + beta * least, net.objective(z, d.labels(), d.size(), Loss.SQUARED, beta), 1e-12);
    }

    /** As a ReluNetwork (the model file's form) the network computes the same function and has the same weight decay. */
    @Test
    void asAReluNetworkItIsTheSameNetwork() {
        Dataset d = ConvexProgramTest.quadrants(9, 5, 3, 4);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        double[] z = PatchPatterns.patchMatrix(d, norm, geom);
        NonConvexReluCnn net = new NonConvexReluCnn(3, 2, geom.patchSize(), geom.patches(), 8);
        ReluNetwork relu = net.asReluNetwork(geom);
        double[] want = net.predict(z, d.size()), got = relu.predict(z, d.size());
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-12 * (1 + Math.abs(want[i])));
        assertEquals(net.objective(z, d.labels(), d.size(), Loss.SQUARED, 0.2) - net.objective(z, d.labels(), d.size(), Loss.SQUARED, 0),
                0.2 * relu.weightDecay(), 1e-12);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> net.asReluNetwork(PatchGeometry.of(d, 2, 1, true)));
    }
}
