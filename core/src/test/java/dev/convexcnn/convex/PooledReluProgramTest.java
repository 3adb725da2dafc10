package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.nn.Sequential;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The average-pooling two-layer program: recovery, the global-pooling special case, and brute-force optimality. */
class PooledReluProgramTest {

    @Test
    void recoveredNetworkAttainsTheConvexObjectiveAndMatchesTheNnNetwork() {
        Random r = new Random(8);
        Dataset d = ThreeLayerProgramTest.randomImages(r, 20, 6, 6, 2);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);   // 4×4 feature map, pools of 2×2
        Gates gates = Gates.sample(geom.patchSize(), 6, 4);
        PatchPatterns pp = PatchPatterns.build(d, norm, geom, gates);
        double lambda = 0.05 * new PooledReluProgram(pp, geom, 2, d.labels(), 2, Loss.SQUARED, 1, false).lambdaMax();
        PooledReluProgram exact = new PooledReluProgram(pp, geom, 2, d.labels(), 2, Loss.SQUARED, lambda, true);
        var res = AugmentedLagrangian.solve(exact, new double[exact.dimension()],
                new AugmentedLagrangian.Settings(1e-10, 80, new RFista.Settings(1e-10, 10_000, 10), 1), null);
        assertTrue(res.converged(), "stationarity " + res.stationarity() + ", violation " + res.violation());
        PooledReluNetwork net = exact.recover(res.x(), geom);
        assertTrue(net.neurons().size() > 0);
        double[] preds = net.predict(pp.patches(), d.size()), cp = exact.predict(res.x());
        for (int i = 0; i < preds.length; i++) assertEquals(cp[i], preds[i], 1e-5);
        assertEquals(res.objective(), Loss.SQUARED.value(preds, d.labels(), d.size(), 2, null) + lambda * net.weightDecay(),
                1e-5 * res.objective());
        Sequential seq = net.toSequential();
        float[] x = new float[d.size() * d.features()];
        dev.convexcnn.nn.Batches.gather(d, null, 0, d.size(), norm, x, null);
        float[] logits = seq.forward(x, d.size());
        for (int i = 0; i < preds.length; i++) assertEquals(preds[i], logits[i], 1e-4 * (1 + Math.abs(preds[i])));
    }

    @Test
    void globalPoolingIsTheTwoLayerProgramWithAveragedFeatures() {
        Random r = new Random(9);
        Dataset d = ThreeLayerProgramTest.randomImages(r, 12, 5, 5, 3);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 2, 1, true);   // 4×4 map, one pool
        Gates gates = Gates.sample(geom.patchSize(), 5, 2);
        PatchPatterns pp = PatchPatterns.build(d, norm, geom, gates);
        GatedFeatures f = GatedFeatures.build(d, norm, geom, gates);
        double[] w = new double[f.columns() * 3];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        // The pooled gated program's variable layout (t, pattern·class) vs the two-layer one's ((j·h + t)·c + k).
        PooledReluProgram pooled = new PooledReluProgram(pp, geom, 4, d.labels(), 3, Loss.SQUARED, 1, false);
        int h = geom.patchSize(), p = gates.count(), cols = 3 * p;
        double[] v = new double[h * cols];
        for (int j = 0; j < p; j++) for (int t = 0; t < h; t++) for (int k = 0; k < 3; k++) v[t * cols + k * p + j] = w[(j * h + t) * 3 + k];
        double[] a = pooled.predict(v);
        GatedReluProgram two = new GatedReluProgram(f, d.labels(), 3, Loss.SQUARED, 1);
        double[] b = new double[d.size() * 3];
        two.predict(w, b);
        for (int i = 0; i < a.length; i++) assertEquals(b[i] / geom.patches(), a[i], 1e-9);
    }

    /**
     * Images of 2×4 pixels, 1×1 patches with a bias, 2×2 windows: two pools of four positions. Every pattern is a
     * threshold between sorted pixel values (a direction and a bias on the line), so all are enumerated; the
     * exact program over all of them is the global optimum over pooled CNNs with the ℓ1 output regulariser:
     * the dual constraint max_{‖u‖=1} max_{m,k} |Σ_i ν_ik (1/|m|) Σ_{p∈m} (u·z_ip)₊| ≤ β over a fine circle, and
     * gradient descent from random starts never below it.
     */
    @Test
    void exactProgramOverAllPatternsIsTheGlobalOptimum() {
        Random r = new Random(13);
        int n = 5, c = 2, hgt = 2, wid = 4;
        float[] px = new float[n * hgt * wid];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % c;
            for (int t = 0; t < hgt * wid; t++) px[i * hgt * wid + t] = (float) r.nextDouble();
        }
        Dataset d = new Dataset("tiny", hgt, wid, 1, c, px, y);
        Normalization norm = Normalization.identity(1);
        PatchGeometry geom = PatchGeometry.of(d, 1, 1, true);
        TreeSet<Double> values = new TreeSet<>();
        for (float v : px) values.add((double) v);
        Double[] sorted = values.toArray(new Double[0]);
        double[] taus = new double[sorted.length + 1];
        taus[0] = sorted[0] - 1;
        for (int i = 1; i < sorted.length; i++) taus[i] = (sorted[i - 1] + sorted[i]) / 2;
        taus[sorted.length] = sorted[sorted.length - 1] + 1;
        int p = 2 * taus.length;
        double[] filters = new double[2 * p];
        for (int i = 0; i < taus.length; i++) for (int s = 0; s < 2; s++) {
            double sign = s == 0 ? 1 : -1;
            filters[2 * i + s] = sign;
            filters[p + 2 * i + s] = -sign * taus[i];
        }
        Gates all = new Gates(2, p, filters);
        Gates kept = all.select(GatedFeatures.build(d, norm, geom, all).informativeGates());
        PatchPatterns pp = PatchPatterns.build(d, norm, geom, kept);
        double lambda = 0.005;
        int window = 2;
        PooledReluProgram exact = new PooledReluProgram(pp, geom, window, y, c, Loss.SQUARED, lambda, true);
        assertEquals(2, exact.pools());
        var res = AugmentedLagrangian.solve(exact, new double[exact.dimension()],
                new AugmentedLagrangian.Settings(1e-11, 100, new RFista.Settings(1e-11, 20_000, 10), 1), null);
        assertTrue(res.converged(), "stationarity " + res.stationarity() + ", violation " + res.violation());
        PooledReluNetwork net = exact.recover(res.x(), geom);
        double[] pred = net.predict(pp.patches(), n);
        double convex = Loss.SQUARED.value(pred, y, n, c, null) + lambda * net.weightDecay();
        assertEquals(res.objective(), convex, 1e-5 * convex);

        double maxDual = 0;
        for (int a = 0; a < 400_000; a++) {
            double th = 2 * Math.PI * a / 400_000, u0 = Math.cos(th), u1 = Math.sin(th);
            for (int m = 0; m < 2; m++) for (int k = 0; k < c; k++) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    double act = 0;
                    for (int q : poolPixels(m)) act += Math.max(0, u0 * px[i * 8 + q] + u1);
                    sum += ((y[i] == k ? 1 : 0) - pred[i * c + k]) / (n * c) * act / 4;
                }
                maxDual = Math.max(maxDual, Math.abs(sum));
            }
        }
        assertTrue(maxDual <= lambda * (1 + 1e-3), "dual constraint max " + maxDual + " > β = " + lambda);
        assertTrue(maxDual >= lambda * (1 - 1e-3), "active neurons sit on the dual constraint: " + maxDual);

        Random init = new Random(14);
        for (int restart = 0; restart < 6; restart++) {
            double obj = descend(px, y, n, c, 4, lambda, init, 20_000, 0.3);
            assertTrue(obj >= convex - 1e-7, "a pooled CNN beat the convex optimum: " + obj + " < " + convex);
        }
    }

    /** Pixels (row-major in a 2×4 image) of pool m: columns 2m and 2m + 1 of both rows. */
    static int[] poolPixels(int m) {
        return new int[] {2 * m, 2 * m + 1, 4 + 2 * m, 4 + 2 * m + 1};
    }

    /**
     * Gradient descent on conv - relu - avgpool2 - linear with the regulariser (β/2)(‖u‖² + ‖v‖₁²) per neuron
     * (its minimum over rescaling is β‖u‖‖v‖₁), neurons feeding every pool and class.
     */
    static double descend(float[] px, int[] y, int n, int c, int m, double lambda, Random r, int steps, double lr) {
        double[][] u = new double[m][2], v = new double[m][2 * c];
        for (int a = 0; a < m; a++) {
            u[a][0] = r.nextGaussian();
            u[a][1] = r.nextGaussian();
            for (int o = 0; o < 2 * c; o++) v[a][o] = r.nextGaussian() * 0.3;
        }
        double obj = 0;
        for (int step = 0; step <= steps; step++) {
            double[][][] pooled = new double[m][n][2];
            double[] pred = new double[n * c];
            for (int a = 0; a < m; a++) for (int i = 0; i < n; i++) for (int q = 0; q < 2; q++) {
                for (int pix : poolPixels(q)) pooled[a][i][q] += Math.max(0, u[a][0] * px[i * 8 + pix] + u[a][1]) / 4;
                for (int k = 0; k < c; k++) pred[i * c + k] += v[a][q * c + k] * pooled[a][i][q];
            }
            double[] res = new double[n * c];
            double loss = 0;
            for (int i = 0; i < n; i++) for (int k = 0; k < c; k++) {
                res[i * c + k] = pred[i * c + k] - (y[i] == k ? 1 : 0);
                loss += res[i * c + k] * res[i * c + k];
            }
            double reg = 0;
            for (int a = 0; a < m; a++) {
                double l1 = 0;
                for (double vv : v[a]) l1 += Math.abs(vv);
                reg += u[a][0] * u[a][0] + u[a][1] * u[a][1] + l1 * l1;
            }
            obj = loss / (2.0 * n * c) + lambda / 2 * reg;
            if (step == steps) break;
            for (int a = 0; a < m; a++) {
                double l1 = 0;
                for (double vv : v[a]) l1 += Math.abs(vv);
                double[] gv = new double[2 * c];
                for (int o = 0; o < 2 * c; o++) gv[o] = lambda * l1 * Math.signum(v[a][o]);
                double g0 = lambda * u[a][0], g1 = lambda * u[a][1];
                for (int i = 0; i < n; i++) for (int q = 0; q < 2; q++) for (int k = 0; k < c; k++) {
                    double e = res[i * c + k] / (n * c);
                    gv[q * c + k] += e * pooled[a][i][q];
                    for (int pix : poolPixels(q)) {
                        double x = px[i * 8 + pix];
                        if (u[a][0] * x + u[a][1] > 0) {
                            g0 += e * v[a][q * c + k] * x / 4;
                            g1 += e * v[a][q * c + k] / 4;
                        }
                    }
                }
                for (int o = 0; o < 2 * c; o++) v[a][o] -= lr * gv[o];
                u[a][0] -= lr * g0;
                u[a][1] -= lr * g1;
            }
        }
        return obj;
    }
}
