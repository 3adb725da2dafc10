package dev.convexcnn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The group-ℓ2 penalties against their definitions: the prox is the minimiser of ½‖x − v‖² + step·r(x) (its
 * optimality condition, and no random nearby point does better), value and certificate the naive group sums.
 */
class GroupLassoTest {

    /** ½‖x − v‖² + step·r(x). */
    private static double proxObjective(double[] x, double[] v, double step, double r) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += 0.5 * (x[i] - v[i]) * (x[i] - v[i]);
        return s + step * r;
    }

    @Test
    void proxIsTheMinimiserOfItsSubproblem() {
        Random r = new Random(2);
        GroupLasso gl = new GroupLasso(2, 3, 4, 2, 0.7);
        double[] v = new double[gl.dimension()], out = new double[v.length], g = new double[v.length];
        for (int g0 = 0; g0 < gl.groups(); g0++) {
            // Every third group is small enough to be zeroed by the threshold step·λ.
            for (int t = 0; t < 4; t++) v[gl.index(g0, t)] = r.nextGaussian() * (g0 % 3 == 0 ? 0.05 : 1);
        }
        double step = 0.5;
        gl.prox(v, step, out);
        // out minimises ‖x − v‖²/(2 step) + λΣ‖x_g‖: 0 ∈ (out − v)/step + λ∂Σ‖out_g‖.
        for (int i = 0; i < v.length; i++) g[i] = (out[i] - v[i]) / step;
        assertEquals(0, gl.minNormSubgradientSquared(out, g), 1e-20);
        assertTrue(gl.active(out) < gl.groups(), "some groups are zeroed");
    }

    /** The slab-at-a-time group sums against the group-at-a-time definitions, zero groups included. */
    @Test
    void groupLassoMatchesTheNaiveGroupSums() {
        Random r = new Random(8);
        GroupLasso gl = new GroupLasso(2, 3, 5, 4, 0.3);
        double[] x = new double[gl.dimension()], grad = new double[x.length], out = new double[x.length];
        for (int g0 = 0; g0 < gl.groups(); g0++) {
            for (int t = 0; t < 5; t++) {
                x[gl.index(g0, t)] = g0 % 4 == 1 ? 0 : r.nextGaussian();
                grad[gl.index(g0, t)] = r.nextGaussian() * (g0 % 5 == 0 ? 0.01 : 1);
            }
        }
        double value = 0, cert = 0, maxGrad = 0;
        int active = 0;
        for (int g0 = 0; g0 < gl.groups(); g0++) {
            double nx = 0, ng = 0;
            for (int t = 0; t < 5; t++) {
                nx += x[gl.index(g0, t)] * x[gl.index(g0, t)];
                ng += grad[gl.index(g0, t)] * grad[gl.index(g0, t)];
            }
            nx = Math.sqrt(nx);
            ng = Math.sqrt(ng);
            value += 0.3 * nx;
            maxGrad = Math.max(maxGrad, ng);
            if (nx > 0) {
                active++;
                for (int t = 0; t < 5; t++) {
                    double s = grad[gl.index(g0, t)] + 0.3 * x[gl.index(g0, t)] / nx;
                    cert += s * s;
                }
            } else {
                cert += Math.pow(Math.max(0, ng - 0.3), 2);
            }
        }
        assertEquals(value, gl.value(x), 1e-13);
        assertEquals(cert, gl.minNormSubgradientSquared(x, grad), 1e-12 * cert);
        assertEquals(maxGrad, gl.maxGroupNorm(grad), 0.0);
        assertEquals(active, gl.active(x));
        assertEquals(gl.groups() - 6, active, "the zero groups");
        double step = 0.8;
        gl.prox(grad, step, out);
        for (int g0 = 0; g0 < gl.groups(); g0++) {
            double n = gl.norm(grad, g0), scale = n > step * 0.3 ? 1 - step * 0.3 / n : 0;
            for (int t = 0; t < 5; t++) {
                assertEquals(scale * grad[gl.index(g0, t)], out[gl.index(g0, t)], 1e-15, "group " + g0);
            }
        }
    }

    @Test
    void proxBeatsEveryNearbyPoint() {
        Random r = new Random(4);
        GroupLasso gl = new GroupLasso(1, 2, 3, 2, 0.9);
        double[] v = new double[gl.dimension()], out = new double[v.length];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        v[gl.index(1, 0)] = 0.1; // one group well inside the threshold
        v[gl.index(1, 1)] = -0.2;
        v[gl.index(1, 2)] = 0.05;
        double step = 0.6;
        gl.prox(v, step, out);
        double best = proxObjective(out, v, step, gl.value(out));
        for (int t = 0; t < 20_000; t++) {
            double[] x = out.clone();
            double size = t % 2 == 0 ? 1e-3 : 0.3;
            for (int i = 0; i < x.length; i++) if (r.nextBoolean()) x[i] += size * r.nextGaussian();
            assertTrue(best <= proxObjective(x, v, step, gl.value(x)) + 1e-14, "trial " + t);
        }
    }

    /** Weighted groups of any layout, some entries in no group: the prox per group is the closed form. */
    @Test
    void weightedProxIsTheMinimiserOfItsSubproblem() {
        Random r = new Random(6);
        // Five groups over 14 entries, scattered; entries 3 and 11 are in no group.
        int[] start = {0, 3, 4, 7, 9, 12};
        int[] members = {0, 5, 13, 8, 1, 2, 12, 4, 6, 7, 9, 10};
        double[] w = {1, 0.5, 2, 0.8, 1.3};
        WeightedGroups wg = new WeightedGroups(14, start, members, w, 0.4);
        double[] v = new double[14], out = new double[14], g = new double[14];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        v[8] = 0.05; // group 1 (one entry, weight 0.5): |v| < step·λ·w, so zeroed
        double step = 0.7;
        wg.prox(v, step, out);
        assertEquals(v[3], out[3], 0.0);
        assertEquals(v[11], out[11], 0.0);
        assertEquals(0, out[8], 0.0);
        for (int k = 0; k < w.length; k++) {
            double thr = step * 0.4 * w[k], nv = wg.norm(v, k);
            for (int a = start[k]; a < start[k + 1]; a++) {
                int i = members[a];
                assertEquals(nv > thr ? (1 - thr / nv) * v[i] : 0, out[i], 1e-15, "group " + k);
            }
        }
        // 0 ∈ (out − v)/step + ∂r(out): the certificate of the subproblem is 0.
        for (int i = 0; i < v.length; i++) g[i] = (out[i] - v[i]) / step;
        assertEquals(0, wg.minNormSubgradientSquared(out, g), 1e-20);
        double best = proxObjective(out, v, step, wg.value(out));
        for (int t = 0; t < 20_000; t++) {
            double[] x = out.clone();
            for (int i = 0; i < x.length; i++) if (r.nextBoolean()) x[i] += (t % 2 == 0 ? 1e-3 : 0.3) * r.nextGaussian();
            assertTrue(best <= proxObjective(x, v, step, wg.value(x)) + 1e-14, "trial " + t);
        }
    }

    /** The strided group lasso and weighted groups of weight 1 over the same layout are the same penalty. */
    @Test
    void stridedGroupsAreWeightedGroupsOfWeightOne() {
        Random r = new Random(10);
        GroupLasso gl = new GroupLasso(2, 3, 4, 3, 0.5);
        int[] start = new int[gl.groups() + 1], members = new int[gl.dimension()];
        for (int g0 = 0; g0 < gl.groups(); g0++) {
            start[g0 + 1] = start[g0] + 4;
            for (int t = 0; t < 4; t++) members[start[g0] + t] = gl.index(g0, t);
        }
        double[] ones = new double[gl.groups()];
        java.util.Arrays.fill(ones, 1);
        WeightedGroups wg = new WeightedGroups(gl.dimension(), start, members, ones, 0.5);
        double[] v = new double[gl.dimension()], grad = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian() * (i % 7 == 0 ? 0.01 : 1);
            grad[i] = r.nextGaussian();
        }
        double[] a = new double[v.length], b = new double[v.length];
        gl.prox(v, 0.9, a);
        wg.prox(v, 0.9, b);
        assertArrayEquals(b, a, 1e-15);
        assertEquals(wg.value(v), gl.value(v), 1e-13);
        assertEquals(wg.minNormSubgradientSquared(a, grad), gl.minNormSubgradientSquared(a, grad), 1e-12);
        assertEquals(wg.lambdaMax(grad), gl.maxGroupNorm(grad), 1e-15);
    }
}
