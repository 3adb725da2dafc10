package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.nn.Sequential;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The three-layer (two ReLU layers) CNN program: recovery, and global optimality over every enumerated cell. */
class ThreeLayerProgramTest {

    static Dataset randomImages(Random r, int n, int h, int w, int c) {
        float[] px = new float[n * h * w];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % c;
            for (int t = 0; t < h * w; t++) px[i * h * w + t] = (float) (r.nextDouble() + (y[i] == 1 && t < h * w / 2 ? 0.5 : 0));
        }
        return new Dataset("tiny", h, w, 1, c, px, y);
    }

    @Test
    void exactProgramRecoversAThreeLayerCnnWithTheConvexObjective() {
        Random r = new Random(5);
        Dataset d = randomImages(r, 16, 5, 5, 2);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 2, true);
        Gates gates = Gates.sample(geom.patchSize(), 6, 3);
        PatchPatterns pp = PatchPatterns.build(d, norm, geom, gates);
        ThreeLayerProgram.Cells cells = ThreeLayerProgram.Cells.sample(pp, gates, d.size(), 2, 12, 9);
        ThreeLayerProgram probe = new ThreeLayerProgram(pp, d.size(), cells, d.labels(), 2, Loss.SQUARED, 1, false);
        double lambda = 0.05 * probe.lambdaMax();
        ThreeLayerProgram exact = new ThreeLayerProgram(pp, d.size(), cells, d.labels(), 2, Loss.SQUARED, lambda, true);
        var res = AugmentedLagrangian.solve(exact, new double[exact.dimension()],
                new AugmentedLagrangian.Settings(1e-10, 80, new RFista.Settings(1e-10, 10_000, 10), 1), null);
        assertTrue(res.converged(), "stationarity " + res.stationarity() + ", violation " + res.violation());
        ThreeLayerCnn net = exact.recover(res.x(), geom);
        assertTrue(net.units().size() > 0);
        assertTrue(net.maxFilterNorm() <= 1 + 1e-9);
        double[] preds = net.predict(pp.patches(), d.size());
        double[] convexPreds = exact.predict(res.x());
        for (int i = 0; i < preds.length; i++) assertEquals(convexPreds[i], preds[i], 1e-5);
        double recovered = Loss.SQUARED.value(preds, d.labels(), d.size(), 2, null) + lambda * net.weightDecay();
        assertEquals(res.objective(), recovered, 1e-5 * res.objective());

        Sequential seq = net.toSequential();
        float[] x = new float[d.size() * d.features()];
        dev.convexcnn.nn.Batches.gather(d, null, 0, d.size(), norm, x, null);
        float[] logits = seq.forward(x, d.size());
        for (int i = 0; i < preds.length; i++) assertEquals(preds[i], logits[i], 1e-4 * (1 + Math.abs(preds[i])));

        ThreeLayerProgram gated = new ThreeLayerProgram(pp, d.size(), cells, d.labels(), 2, Loss.SQUARED, lambda, false);
        RFista.Result g = RFista.solve(gated.unconstrained(), new double[gated.dimension()], new RFista.Settings(1e-10, 20_000, 10), null);
        assertTrue(g.converged());
        assertTrue(g.objective() <= res.objective() + 1e-7, "the gated relaxation is no higher");
    }

    /**
     * Images of 1×2 pixels, 1×1 patches with a bias (h = 2), units of m₁ = 2 filters: every first-layer pattern
     * (thresholds between sorted pixel values), every pair of them with every pair of signs, and every
     * second-layer pattern (all 2ⁿ − 1 nonzero ones) are enumerated. The exact program is then the global optimum
     * over such three-layer CNNs of any width: checked by the dual constraint over all units with ‖u_l‖ = ‖w‖ = 1
     * (three angles, a grid refined locally) and by projected gradient descent never going below it.
     */
    @Test
    void fusedAugmentedLagrangianPassesEqualTheGenericPath() {
        Random r = new Random(11);
        // 40 samples: more than one chunk of the fused passes when two threads are available.
        Dataset d = randomImages(r, 40, 6, 6, 3);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        Gates gates = Gates.sample(geom.patchSize(), 5, 4);
        PatchPatterns pp = PatchPatterns.build(d, norm, geom, gates);
        ThreeLayerProgram.Cells cells = ThreeLayerProgram.Cells.sample(pp, gates, d.size(), 2, 6, 2);
        ThreeLayerProgram p = new ThreeLayerProgram(pp, d.size(), cells, d.labels(), 3, Loss.SQUARED, 0.1, true);
        int m = (int) p.constraintCount(), dim = p.dimension();
        double rho = 0.7;
        double[] x = new double[dim], gamma = new double[m];
        for (int i = 0; i < dim; i++) x[i] = r.nextGaussian() * 0.3;
        for (int i = 0; i < m; i++) gamma[i] = r.nextDouble() < 0.5 ? 0 : r.nextDouble();
        // The generic path: forward, constraint values, the penalty's multiplier q, backward.
        double[] z = new double[d.size() * 3], dz = new double[z.length], hv = new double[m], q = new double[m];
        p.forward(x, z);
        double f = Loss.SQUARED.value(z, d.labels(), d.size(), 3, dz);
        p.constraintValues(hv);
        double sum = 0;
        int active = 0;
        for (int i = 0; i < m; i++) {
            double mm = Math.max(gamma[i] / rho - hv[i], 0.0);
            sum += mm * mm;
            q[i] = -rho * mm;
            if (mm > 0) active++;
        }
        double[] want = new double[dim];
        p.backward(dz, q, want);
        assertTrue(active > m / 10 && active < m, "the test exercises both sides of the penalty: " + active + " of " + m);
        double[] got = new double[dim];
        // The value is summed per row first (rounding only); the gradient is the same to the last bit.
        double value = f + rho / 2 * sum;
        assertEquals(value, p.penalisedLoss(x, gamma, rho, got), 1e-13 * value);
        assertEquals(value, p.penalisedLoss(x, gamma, rho, null), 1e-13 * value);
        for (int i = 0; i < dim; i++) assertEquals(want[i], got[i], 0.0, "gradient " + i);
    }

    @Test
    void exactProgramOverAllCellsIsTheGlobalOptimum() {
        Random r = new Random(21);
        int n = 3, c = 2, pix = 2;
        Dataset d = randomImages(r, n, 1, pix, c);
        Normalization norm = Normalization.identity(1);
        PatchGeometry geom = PatchGeometry.of(d, 1, 1, true);
        TreeSet<Double> values = new TreeSet<>();
        for (float v : d.pixels()) values.add((double) v);
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
        // Distinct first-layer patterns (the all-off one included: a filter may be off everywhere).
        Gates all = new Gates(2, p, filters);
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        java.util.List<Integer> keep = new java.util.ArrayList<>();
        double[] px = new double[n * pix];
        for (int i = 0; i < px.length; i++) px[i] = d.pixels()[i];
        for (int j = 0; j < p; j++) {
            String key = firstPattern(px, all.filter(0, j), all.filter(1, j));
            if (!index.containsKey(key)) { index.put(key, keep.size()); keep.add(j); }
        }
        Gates kept = all.select(keep.stream().mapToInt(Integer::intValue).toArray());
        PatchPatterns pp = PatchPatterns.build(d, norm, geom, kept);
        // Every cell that a unit with ‖u_l‖ = ‖w‖ = 1 realises on a fine grid of its three angles. Leaving a cell
        // out could only raise the convex optimum; the dual check below covers every unit, so it certifies the
        // optimum whatever cells were found.
        java.util.LinkedHashMap<String, int[]> found = new java.util.LinkedHashMap<>();
        int grid = 60;
        for (int a = 0; a < 2 * grid; a++) for (int b = 0; b < 2 * grid; b++) for (int e = 0; e < 2 * grid; e++) {
            double[] ang = {Math.PI * a / grid, Math.PI * b / grid, Math.PI * e / grid};
            double[][] u = {{Math.cos(ang[0]), Math.sin(ang[0])}, {Math.cos(ang[1]), Math.sin(ang[1])}};
            double[] w = {Math.cos(ang[2]), Math.sin(ang[2])};
            int o = 0;
            for (int i = 0; i < n; i++) {
                double pre = 0;
                for (int l = 0; l < 2; l++) for (int q = 0; q < pix; q++) pre += w[l] * Math.max(0, u[l][0] * px[i * pix + q] + u[l][1]);
                if (pre > 0) o |= 1 << i;
            }
            if (o == 0) continue;
            Integer j1 = index.get(firstPattern(px, u[0][0], u[0][1])), j2 = index.get(firstPattern(px, u[1][0], u[1][1]));
            if (j1 == null || j2 == null) continue;
            int s = (w[0] > 0 ? 0 : 1) | (w[1] > 0 ? 0 : 2);
            found.putIfAbsent(j1 + "," + j2 + "," + s + "," + o, new int[] {j1, j2, s, o});
        }
        java.util.List<int[]> cl = new java.util.ArrayList<>(found.values());
        int Q = cl.size();
        int[] pat = new int[2 * Q];
        double[] sg = new double[2 * Q], outer = new double[Q * n];
        for (int a = 0; a < Q; a++) {
            int[] e = cl.get(a);
            pat[2 * a] = e[0];
            pat[2 * a + 1] = e[1];
            sg[2 * a] = (e[2] & 1) == 0 ? 1 : -1;
            sg[2 * a + 1] = (e[2] & 2) == 0 ? 1 : -1;
            for (int i = 0; i < n; i++) outer[a * n + i] = (e[3] >> i) & 1;
        }
        ThreeLayerProgram.Cells cells = new ThreeLayerProgram.Cells(2, Q, pat, sg, outer);
        double lambda = 0.01;
        ThreeLayerProgram exact = new ThreeLayerProgram(pp, n, cells, d.labels(), c, Loss.SQUARED, lambda, true);
        var res = AugmentedLagrangian.solve(exact, new double[exact.dimension()],
                new AugmentedLagrangian.Settings(1e-10, 100, new RFista.Settings(1e-10, 20_000, 10), 1), null);
        assertTrue(res.converged(), "stationarity " + res.stationarity() + ", violation " + res.violation());
        assertTrue(Q > 20, "cells found: " + Q);
        ThreeLayerCnn net = exact.recover(res.x(), geom);
        double[] pred = net.predict(pp.patches(), n);
        double convex = Loss.SQUARED.value(pred, d.labels(), n, c, null) + lambda * net.weightDecay();
        // The recovered network's own objective (the constraints hold to 1e-5, so it is within 1e-4 of the program's).
        assertEquals(res.objective(), convex, 1e-4 * convex);
        System.out.printf("three-layer brute force: %d cells, %d units, objective %.8f, %d inner iterations%n", Q,
                net.units().size(), convex, res.innerIterations());

        double best = 0;
        double[] arg = null;
        int steps = 60;
        for (int a = 0; a < 2 * steps; a++) for (int b = 0; b < 2 * steps; b++) for (int e = 0; e < 2 * steps; e++) {
            double[] ang = {Math.PI * a / steps, Math.PI * b / steps, Math.PI * e / steps};
            double v = dualValue(ang, px, pred, d.labels(), n, c, pix);
            if (v > best) { best = v; arg = ang; }
        }
        for (double step = 1e-2; step > 1e-10; step /= 2) {
            boolean moved = true;
            while (moved) {
                moved = false;
                for (int t = 0; t < 3; t++) for (int s = -1; s <= 1; s += 2) {
                    double[] tr = arg.clone();
                    tr[t] += s * step;
                    double v = dualValue(tr, px, pred, d.labels(), n, c, pix);
                    if (v > best) { best = v; arg = tr; moved = true; }
                }
            }
        }
        assertTrue(best <= lambda * (1 + 1e-4), "dual constraint max " + best + " > β = " + lambda);
        assertTrue(best >= lambda * (1 - 1e-4), "active units sit on the dual constraint: " + best);

        Random init = new Random(12);
        for (int restart = 0; restart < 6; restart++) {
            double obj = descend(px, d.labels(), n, c, pix, 3, lambda, init, 20_000, 0.2);
            assertTrue(obj >= convex - 1e-7, "a three-layer CNN beat the convex optimum: " + obj + " < " + convex);
        }
    }

    static String firstPattern(double[] px, double u0, double u1) {
        StringBuilder b = new StringBuilder();
        for (double x : px) b.append(u0 * x + u1 > 0 ? '1' : '0');
        return b.toString();
    }

    /** Unit (u₁, u₂, w) at angles (θ₁, θ₂, ψ): max_k |Σ_i ν_ik (Σ_l w_l Σ_p (u_l·(x_ip, 1))₊)₊|. */
    static double dualValue(double[] ang, double[] px, double[] pred, int[] y, int n, int c, int pix) {
        double[][] u = {{Math.cos(ang[0]), Math.sin(ang[0])}, {Math.cos(ang[1]), Math.sin(ang[1])}};
        double[] w = {Math.cos(ang[2]), Math.sin(ang[2])};
        double best = 0;
        for (int k = 0; k < c; k++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                double pre = 0;
                for (int l = 0; l < 2; l++) {
                    double a = 0;
                    for (int p = 0; p < pix; p++) a += Math.max(0, u[l][0] * px[i * pix + p] + u[l][1]);
                    pre += w[l] * a;
                }
                s += ((y[i] == k ? 1 : 0) - pred[i * c + k]) / (n * c) * Math.max(0, pre);
            }
            best = Math.max(best, Math.abs(s));
        }
        return best;
    }

    /** Projected gradient descent on units (Σ_l w_l Σ_p (u_l·z_p)₊)₊ v (m per class, ‖u_l‖ ≤ 1). */
    static double descend(double[] px, int[] y, int n, int c, int pix, int m, double lambda, Random r, int steps, double lr) {
        int units = c * m;
        double[][][] u = new double[units][2][2];
        double[][] w = new double[units][2];
        double[] v = new double[units];
        for (int a = 0; a < units; a++) {
            for (int l = 0; l < 2; l++) {
                u[a][l][0] = r.nextGaussian();
                u[a][l][1] = r.nextGaussian();
                project(u[a][l]);
                w[a][l] = r.nextGaussian();
            }
            v[a] = r.nextGaussian() * 0.5;
        }
        double obj = 0;
        for (int step = 0; step <= steps; step++) {
            double[] pred = new double[n * c];
            double[][] pre = new double[units][n];
            double[][][] pooled = new double[units][n][2];
            for (int a = 0; a < units; a++) for (int i = 0; i < n; i++) {
                for (int l = 0; l < 2; l++) {
                    for (int p = 0; p < pix; p++) pooled[a][i][l] += Math.max(0, u[a][l][0] * px[i * pix + p] + u[a][l][1]);
                    pre[a][i] += w[a][l] * pooled[a][i][l];
                }
                pred[i * c + a / m] += Math.max(0, pre[a][i]) * v[a];
            }
            double[] res = new double[n * c];
            double loss = 0;
            for (int i = 0; i < n; i++) for (int k = 0; k < c; k++) {
                res[i * c + k] = pred[i * c + k] - (y[i] == k ? 1 : 0);
                loss += res[i * c + k] * res[i * c + k];
            }
            double wd = 0;
            for (int a = 0; a < units; a++) wd += w[a][0] * w[a][0] + w[a][1] * w[a][1] + v[a] * v[a];
            obj = loss / (2.0 * n * c) + lambda / 2 * wd;
            if (step == steps) break;
            for (int a = 0; a < units; a++) {
                int k = a / m;
                double gv = lambda * v[a];
                double[] gw = {lambda * w[a][0], lambda * w[a][1]};
                double[][] gu = new double[2][2];
                for (int i = 0; i < n; i++) {
                    if (pre[a][i] <= 0) continue;
                    double e = res[i * c + k] / (n * c);
                    gv += e * pre[a][i];
                    for (int l = 0; l < 2; l++) {
                        gw[l] += e * v[a] * pooled[a][i][l];
                        for (int p = 0; p < pix; p++) {
                            if (u[a][l][0] * px[i * pix + p] + u[a][l][1] > 0) {
                                gu[l][0] += e * v[a] * w[a][l] * px[i * pix + p];
                                gu[l][1] += e * v[a] * w[a][l];
                            }
                        }
                    }
                }
                v[a] -= lr * gv;
                for (int l = 0; l < 2; l++) {
                    w[a][l] -= lr * gw[l];
                    u[a][l][0] -= lr * gu[l][0];
                    u[a][l][1] -= lr * gu[l][1];
                    project(u[a][l]);
                }
            }
        }
        return obj;
    }

    static void project(double[] u) {
        double s = Math.hypot(u[0], u[1]);
        if (s > 1) { u[0] /= s; u[1] /= s; }
    }
}
