package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.optim.WeightedGroups;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The circular CNN program: the Fourier basis against the naive DFT, the recovered circular CNN against the
 * direct convolution, and global optimality on an instance where every activation pattern is enumerated.
 */
class CircularProgramTest {

    /** Naive unnormalised 2-D DFT, (re, im) interleaved. */
    static double[] naiveDft(double[] x, int h, int w) {
        double[] a = new double[2 * h * w];
        for (int k1 = 0; k1 < h; k1++) for (int k2 = 0; k2 < w; k2++) {
            double re = 0, im = 0;
            for (int r1 = 0; r1 < h; r1++) for (int r2 = 0; r2 < w; r2++) {
                double th = -2 * Math.PI * ((double) k1 * r1 / h + (double) k2 * r2 / w);
                re += x[r1 * w + r2] * Math.cos(th);
                im += x[r1 * w + r2] * Math.sin(th);
            }
            a[2 * (k1 * w + k2)] = re;
            a[2 * (k1 * w + k2) + 1] = im;
        }
        return a;
    }

    static double spectralL1(double[] z, int h, int w) {
        double[] a = naiveDft(z, h, w);
        double s = 0;
        for (int k = 0; k < h * w; k++) s += Math.hypot(a[2 * k], a[2 * k + 1]);
        return s / (h * w);
    }

    @Test
    void fourierCoordinatesAreOrthonormalAndGiveTheSpectralL1Norm() {
        Random r = new Random(1);
        for (int[] hw : new int[][] {{1, 3}, {4, 4}, {3, 5}, {6, 4}}) {
            int h = hw[0], w = hw[1], d = h * w;
            RealFourier2d f = new RealFourier2d(h, w);
            double[] x = new double[d], y = new double[d];
            for (int i = 0; i < d; i++) { x[i] = r.nextGaussian(); y[i] = r.nextGaussian(); }
            assertArrayEquals(naiveDft(x, h, w), f.dft(x, 0), 1e-9);
            double[] qx = new double[d], qy = new double[d];
            f.forward(x, 0, qx, 0);
            f.forward(y, 0, qy, 0);
            double dot = 0, dotq = 0;
            for (int i = 0; i < d; i++) { dot += x[i] * y[i]; dotq += qx[i] * qy[i]; }
            assertEquals(dot, dotq, 1e-9, "inner products are kept");
            assertArrayEquals(x, f.inverse(qx, 0), 1e-9);
            WeightedGroups wg = new WeightedGroups(d, groupStarts(f), identity(d), groupWeights(f), 1);
            assertEquals(spectralL1(x, h, w), wg.value(qx), 1e-9);
        }
    }

    static int[] groupStarts(RealFourier2d f) {
        int[] s = new int[f.groups() + 1];
        for (int g = 0; g <= f.groups(); g++) s[g] = f.groupStart(g);
        return s;
    }

    static double[] groupWeights(RealFourier2d f) {
        double[] w = new double[f.groups()];
        for (int g = 0; g < f.groups(); g++) w[g] = f.groupWeight(g);
        return w;
    }

    static int[] identity(int d) {
        int[] a = new int[d];
        for (int i = 0; i < d; i++) a[i] = i;
        return a;
    }

    @Test
    void theCheapestUnitHasTheProgramsPenaltyAndComputesTheSameFunction() {
        Random r = new Random(2);
        int h = 4, w = 5, d = h * w, n = 7;
        RealFourier2d f = new RealFourier2d(h, w);
        double[] z = new double[d], px = new double[n * d];
        for (int i = 0; i < d; i++) z[i] = r.nextGaussian();
        for (int i = 0; i < n * d; i++) px[i] = r.nextGaussian();
        CircularCnn.Unit u = CircularCnn.unitFor(f, z, 0, -1);
        CircularCnn net = new CircularCnn(h, w, 1, Normalization.identity(1), List.of(u));
        double norm = 0;
        for (double v : u.filter()) norm += v * v;
        assertEquals(1, Math.sqrt(norm), 1e-9);
        assertEquals(spectralL1(z, h, w), net.weightDecay(), 1e-9);
        double[] fast = net.predict(px, n), direct = net.predictDirect(px, n);
        for (int i = 0; i < n; i++) {
            double xz = 0;
            for (int t = 0; t < d; t++) xz += px[i * d + t] * z[t];
            assertEquals(-Math.max(0, xz), direct[i], 1e-9);
            assertEquals(direct[i], fast[i], 1e-9);
        }
    }

    @Test
    void gatedSolverReachesItsCertificate() {
        Random r = new Random(4);
        int n = 40, h = 4, w = 4, c = 3;
        Dataset data = randomData(r, n, h, w, c);
        Gates gates = Gates.sample(h * w, 12, 5);
        CircularProgram p = CircularProgram.build(data, Normalization.identity(1), gates, Loss.SQUARED, 1, false);
        double lambda = 0.05 * p.lambdaMax();
        p = CircularProgram.build(data, Normalization.identity(1), gates, Loss.SQUARED, lambda, false);
        RFista.Result res = RFista.solve(p.unconstrained(), new double[p.dimension()], new RFista.Settings(1e-12, 20_000, 10), null);
        assertTrue(res.converged(), "certificate " + res.certificate());
        // No random nearby point is better.
        for (int a = 0; a < 50; a++) {
            double[] y = res.x().clone();
            for (int i = 0; i < y.length; i++) y[i] += 1e-4 * r.nextGaussian();
            assertTrue(p.objective(y) >= res.objective() - 1e-12);
        }
    }

    static Dataset randomData(Random r, int n, int h, int w, int c) {
        float[] px = new float[n * h * w];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % c;
            for (int t = 0; t < h * w; t++) px[i * h * w + t] = (float) r.nextGaussian();
        }
        return new Dataset("tiny", h, w, 1, c, px, y);
    }

    /**
     * Images of 1×3 pixels: every activation pattern of a central arrangement in R³ is found next to a vertex
     * ±(x_a × x_b), with the four sign choices of samples a and b. The exact program over all of them must be the
     * global optimum of the circular CNN of any width: the dual constraint max_{‖ẑ‖₁/d = 1} |Σ_i ν_i (x_i·z)₊| ≤ β,
     * swept over a fine grid of the sphere and refined locally, and projected gradient descent on the non-convex
     * network from random starts never below it.
     */
    @Test
    void exactProgramOverAllPatternsIsTheGlobalOptimumOfTheCircularCnn() {
        Random r = new Random(7);
        int n = 6, c = 2, d = 3;
        Dataset data = randomData(r, n, 1, d, c);
        double[] px = new double[n * d];
        for (int i = 0; i < n * d; i++) px[i] = data.pixels()[i];
        Gates all = allPatterns(px, n, d);
        double lambda = 0.02;
        CircularProgram p = CircularProgram.build(data, Normalization.identity(1), all, Loss.SQUARED, lambda, true);
        var opt = AugmentedLagrangian.solve(p, new double[p.dimension()],
                new AugmentedLagrangian.Settings(1e-12, 80, new RFista.Settings(1e-12, 20_000, 10), 1), null);
        assertTrue(opt.converged(), "stationarity " + opt.stationarity() + ", violation " + opt.violation());
        double convex = opt.objective();

        CircularCnn net = p.recover(opt.x(), Normalization.identity(1));
        double[] pred = net.predictDirect(px, n);
        assertArrayEquals(p.predict(opt.x()), pred, 1e-5);
        assertTrue(net.maxFilterNorm() <= 1 + 1e-9);
        assertEquals(convex, Loss.SQUARED.value(pred, data.labels(), n, c, null) + lambda * net.weightDecay(), 1e-5 * convex);

        double maxDual = 0;
        double[] best = null;
        int steps = 400;
        for (int a = 0; a <= steps; a++) {
            for (int b = 0; b < 2 * steps; b++) {
                double th = Math.PI * a / steps, ph = Math.PI * b / steps;
                double[] z = {Math.sin(th) * Math.cos(ph), Math.sin(th) * Math.sin(ph), Math.cos(th)};
                double v = dualValue(z, px, pred, data.labels(), n, c, d);
                if (v > maxDual) { maxDual = v; best = z; }
            }
        }
        maxDual = refine(best, px, pred, data.labels(), n, c, d);
        assertTrue(maxDual <= lambda * (1 + 1e-4), "dual constraint max " + maxDual + " > β = " + lambda);
        assertTrue(maxDual >= lambda * (1 - 1e-4), "active units sit on the dual constraint: " + maxDual);

        Random init = new Random(11);
        for (int restart = 0; restart < 6; restart++) {
            double obj = descend(px, data.labels(), n, c, d, 4, lambda, init, 15_000, 0.1);
            assertTrue(obj >= convex - 1e-7, "a circular CNN beat the convex optimum: " + obj + " < " + convex);
        }
    }

    /** max_k |Σ_i ν_ik (x_i·z)₊| / (‖ẑ‖₁/d), ν = (y − f)/(nc). */
    static double dualValue(double[] z, double[] px, double[] pred, int[] y, int n, int c, int d) {
        double best = 0;
        for (int k = 0; k < c; k++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                double xz = 0;
                for (int t = 0; t < d; t++) xz += px[i * d + t] * z[t];
                s += ((y[i] == k ? 1 : 0) - pred[i * c + k]) / (n * c) * Math.max(0, xz);
            }
            best = Math.max(best, Math.abs(s));
        }
        return best / spectralL1(z, 1, d);
    }

    static double refine(double[] z, double[] px, double[] pred, int[] y, int n, int c, int d) {
        double[] cur = z.clone();
        double val = dualValue(cur, px, pred, y, n, c, d);
        for (double step = 1e-2; step > 1e-9; step /= 2) {
            boolean moved = true;
            while (moved) {
                moved = false;
                for (int t = 0; t < d; t++) for (int s = -1; s <= 1; s += 2) {
                    double[] tr = cur.clone();
                    tr[t] += s * step;
                    double v = dualValue(tr, px, pred, y, n, c, d);
                    if (v > val) { val = v; cur = tr; moved = true; }
                }
            }
        }
        return val;
    }

    /** Gates, one per cell of the arrangement {x_i·g = 0}, found next to the vertices ±(x_a × x_b). */
    static Gates allPatterns(double[] px, int n, int d) {
        Set<String> seen = new HashSet<>();
        List<double[]> gs = new ArrayList<>();
        for (int a = 0; a < n; a++) for (int b = a + 1; b < n; b++) {
            double[] xa = java.util.Arrays.copyOfRange(px, a * d, a * d + d), xb = java.util.Arrays.copyOfRange(px, b * d, b * d + d);
            double[] v = {xa[1] * xb[2] - xa[2] * xb[1], xa[2] * xb[0] - xa[0] * xb[2], xa[0] * xb[1] - xa[1] * xb[0]};
            double aa = dot(xa, xa), ab = dot(xa, xb), bb = dot(xb, xb), det = aa * bb - ab * ab;
            for (int sv = -1; sv <= 1; sv += 2) for (int sa = -1; sa <= 1; sa += 2) for (int sb = -1; sb <= 1; sb += 2) {
                double al = (sa * bb - sb * ab) / det, be = (sb * aa - sa * ab) / det;
                for (double eps = 1e-2; ; eps /= 2) {
                    double[] g = new double[d];
                    for (int t = 0; t < d; t++) g[t] = sv * v[t] + eps * (al * xa[t] + be * xb[t]);
                    boolean ok = true;
                    StringBuilder key = new StringBuilder();
                    for (int i = 0; i < n; i++) {
                        double m = dot(g, java.util.Arrays.copyOfRange(px, i * d, i * d + d));
                        double atV = sv * dot(v, java.util.Arrays.copyOfRange(px, i * d, i * d + d));
                        if (i != a && i != b && Math.signum(m) != Math.signum(atV)) ok = false;
                        key.append(m > 0 ? '1' : '0');
                    }
                    if (!ok) continue;
                    if (seen.add(key.toString())) gs.add(g);
                    break;
                }
            }
        }
        int p = gs.size();
        double[] f = new double[d * p];
        for (int j = 0; j < p; j++) for (int t = 0; t < d; t++) f[t * p + j] = gs.get(j)[t];
        return new Gates(d, p, f);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** Projected gradient descent on the circular CNN (units feed one class each), from a random start. */
    static double descend(double[] px, int[] y, int n, int c, int d, int m, double lambda, Random r, int steps, double lr) {
        int units = c * m;
        double[][] u = new double[units][d], w = new double[units][d];
        double[] v = new double[units];
        for (int a = 0; a < units; a++) {
            for (int t = 0; t < d; t++) { u[a][t] = r.nextGaussian() / Math.sqrt(d); w[a][t] = r.nextGaussian(); }
            v[a] = r.nextGaussian() * 0.5;
            project(u[a]);
        }
        double obj = 0;
        for (int step = 0; step <= steps; step++) {
            double[] pred = new double[n * c];
            double[][] conv = new double[units * n][];
            double[][] act = new double[units][n];
            for (int a = 0; a < units; a++) for (int i = 0; i < n; i++) {
                conv[a * n + i] = CircularCnn.circularConvolution(u[a], px, i * d, 1, d);
                act[a][i] = dot(conv[a * n + i], w[a]);
                pred[i * c + a / m] += Math.max(0, act[a][i]) * v[a];
            }
            double[] res = new double[n * c];
            double loss = 0;
            for (int i = 0; i < n; i++) for (int k = 0; k < c; k++) {
                res[i * c + k] = pred[i * c + k] - (y[i] == k ? 1 : 0);
                loss += res[i * c + k] * res[i * c + k];
            }
            double wd = 0;
            for (int a = 0; a < units; a++) wd += dot(w[a], w[a]) + v[a] * v[a];
            obj = loss / (2.0 * n * c) + lambda / 2 * wd;
            if (step == steps) break;
            for (int a = 0; a < units; a++) {
                int k = a / m;
                double gv = lambda * v[a];
                double[] gw = new double[d], gu = new double[d];
                for (int t = 0; t < d; t++) gw[t] = lambda * w[a][t];
                for (int i = 0; i < n; i++) {
                    if (act[a][i] <= 0) continue;
                    double e = res[i * c + k] / (n * c);
                    gv += e * act[a][i];
                    for (int t = 0; t < d; t++) gw[t] += e * v[a] * conv[a * n + i][t];
                    // d⟨u ⊛ x, w⟩/du[s] = Σ_t w[t] x[t − s].
                    for (int s = 0; s < d; s++) {
                        double g = 0;
                        for (int t = 0; t < d; t++) g += w[a][t] * px[i * d + Math.floorMod(t - s, d)];
                        gu[s] += e * v[a] * g;
                    }
                }
                v[a] -= lr * gv;
                for (int t = 0; t < d; t++) { w[a][t] -= lr * gw[t]; u[a][t] -= lr * gu[t]; }
                project(u[a]);
            }
        }
        return obj;
    }

    static void project(double[] u) {
        double s = Math.sqrt(dot(u, u));
        if (s > 1) for (int t = 0; t < u.length; t++) u[t] /= s;
    }
}
