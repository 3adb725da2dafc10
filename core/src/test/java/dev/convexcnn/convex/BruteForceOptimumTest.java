package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * An independent check of the exact program on an instance small enough to enumerate every activation pattern.
 * Images of 2×2 pixels, 1×1 patches with a bias: a patch is (x, 1), so a pattern is a threshold on the pixel
 * value, in one of two directions, and all of them are found by thresholds between sorted pixel values. The
 * convex optimum over all patterns must be the global optimum of the ReLU CNN with weight decay, of any width:
 * checked by the dual constraint swept over every unit filter (a circle here), and by local training from
 * random starts never going below it.
 */
class BruteForceOptimumTest {

    @Test
    void convexOptimumIsTheGlobalOptimumOfTheReluCnn() {
        Random r = new Random(3);
        int n = 6, c = 2;
        float[] px = new float[n * 4];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % c;
            for (int p = 0; p < 4; p++) px[i * 4 + p] = (float) r.nextDouble();
        }
        Dataset d = new Dataset("tiny", 2, 2, 1, c, px, y);
        Normalization norm = Normalization.identity(1);
        PatchGeometry geom = PatchGeometry.of(d, 1, 1, true);

        // Every pattern: gate (s, −s·τ) with τ between consecutive distinct pixel values, s = ±1.
        TreeSet<Double> values = new TreeSet<>();
        for (float v : px) values.add((double) v);
        Double[] sorted = values.toArray(new Double[0]);
        double[] taus = new double[sorted.length + 1];
        taus[0] = sorted[0] - 1;
        for (int i = 1; i < sorted.length; i++) taus[i] = (sorted[i - 1] + sorted[i]) / 2;
        taus[sorted.length] = sorted[sorted.length - 1] + 1;
        int p = 2 * taus.length;
        double[] filters = new double[2 * p];
        for (int i = 0; i < taus.length; i++) {
            for (int s = 0; s < 2; s++) {
                int j = 2 * i + s;
                double sign = s == 0 ? 1 : -1;
                filters[j] = sign;                 // row 0: the pixel
                filters[p + j] = -sign * taus[i];  // row 1: the bias entry
            }
        }
        Gates gates = new Gates(2, p, filters);
        GatedFeatures f = GatedFeatures.build(d, norm, geom, gates);
        Gates kept = gates.select(f.informativeGates());
        f = GatedFeatures.build(d, norm, geom, kept);
        double lambda = 0.01;
        GatedReluProgram gated = new GatedReluProgram(f, y, c, Loss.SQUARED, lambda);
        ExactReluProgram exact = new ExactReluProgram(gated, PatchPatterns.build(d, norm, geom, kept));
        var opt = AugmentedLagrangian.solve(exact, new double[exact.dimension()],
                new AugmentedLagrangian.Settings(1e-11, 80, new RFista.Settings(1e-11, 20_000, 10), 1), null);
        assertTrue(opt.converged());
        double convex = opt.objective();
        ReluNetwork relu = ReluNetwork.recover(opt.x(), kept.count(), 2, c, geom);
        PatchPatterns pp = PatchPatterns.build(d, norm, geom, kept);
        double[] pred = relu.predict(pp.patches(), n);
        assertEquals(convex, Loss.SQUARED.value(pred, y, n, c, null) + lambda * relu.weightDecay(), 1e-5 * convex);

        // Global optimality over ReLU networks of any width (Pilanci and Ergen): with the dual vector
        // ν_k = (y_k − f_k)/(nc), no unit filter u may have |Σ_i ν_ik Σ_p (u·z_ip)₊| > λ. Here u is a point of the
        // circle, so a fine sweep of angles checks it by brute force.
        double maxDual = 0;
        for (int a = 0; a < 200_000; a++) {
            double th = 2 * Math.PI * a / 200_000, u0 = Math.cos(th), u1 = Math.sin(th);
            for (int k = 0; k < c; k++) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    double nu = ((y[i] == k ? 1 : 0) - pred[i * c + k]) / (n * c);
                    double act = 0;
                    for (int q = 0; q < 4; q++) act += Math.max(0, u0 * px[i * 4 + q] + u1);
                    sum += nu * act;
                }
                maxDual = Math.max(maxDual, Math.abs(sum));
            }
        }
        assertTrue(maxDual <= lambda * (1 + 1e-3), "dual constraint max " + maxDual + " > λ = " + lambda);
        assertTrue(maxDual >= lambda * (1 - 1e-3), "active neurons sit on the dual constraint: " + maxDual);

        // And no locally trained ReLU network gets below the convex optimum.
        Random init = new Random(10);
        for (int restart = 0; restart < 8; restart++) {
            double obj = descend(px, y, n, c, 8, lambda, init, 20_000, 0.2);
            assertTrue(obj >= convex - 1e-7, "a ReLU network beat the convex optimum: " + obj + " < " + convex);
        }
    }

    private static double descend(float[] px, int[] y, int n, int c, int m, double lambda, Random r, int steps, double lr) {
        double[][] u = new double[c * m][2];
        double[] v = new double[c * m];
        for (int a = 0; a < c * m; a++) {
            u[a][0] = r.nextGaussian();
            u[a][1] = r.nextGaussian();
            v[a] = r.nextGaussian() * 0.5;
        }
        double obj = 0;
        for (int step = 0; step <= steps; step++) {
            double[] pred = new double[n * c];
            double[][] act = new double[c * m][n];
            for (int a = 0; a < c * m; a++) {
                int k = a / m;
                for (int i = 0; i < n; i++) {
                    double s = 0;
                    for (int q = 0; q < 4; q++) s += Math.max(0, u[a][0] * px[i * 4 + q] + u[a][1]);
                    act[a][i] = s;
                    pred[i * c + k] += v[a] * s;
                }
            }
            double loss = 0;
            double[] res = new double[n * c];
            for (int i = 0; i < n; i++) for (int k = 0; k < c; k++) {
                res[i * c + k] = pred[i * c + k] - (y[i] == k ? 1 : 0);
                loss += res[i * c + k] * res[i * c + k];
            }
            loss /= 2.0 * n * c;
            double wd = 0;
            for (int a = 0; a < c * m; a++) wd += u[a][0] * u[a][0] + u[a][1] * u[a][1] + v[a] * v[a];
            obj = loss + lambda / 2 * wd;
            if (step == steps) break;
            for (int a = 0; a < c * m; a++) {
                int k = a / m;
                double gv = lambda * v[a], g0 = lambda * u[a][0], g1 = lambda * u[a][1];
                for (int i = 0; i < n; i++) {
                    double e = res[i * c + k] / (n * c);
                    gv += e * act[a][i];
                    for (int q = 0; q < 4; q++) {
                        double x = px[i * 4 + q];
                        if (u[a][0] * x + u[a][1] > 0) {
                            g0 += e * v[a] * x;
                            g1 += e * v[a];
                        }
                    }
                }
                v[a] -= lr * gv;
                u[a][0] -= lr * g0;
                u[a][1] -= lr * g1;
            }
        }
        return obj;
    }
}
