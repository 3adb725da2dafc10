package dev.convexcnn.ccnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convexcnn.linalg.DoubleMatrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The penalised program's passes (held in place and streamed in blocks, both on the skinny SIMD products) against
 * their definitions: logits and loss by plain loops, the gradient by finite differences, G(p) by its sum, the
 * feature norm by an SVD.
 */
class PenalizedProgramTest {
    private static final int N = 101, Q = 3, M = 7, C = 4, D = Q * M, C1 = C - 1;

    private static double[] gaussian(SplittableRandom r, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * r.nextGaussian();
        return v;
    }

    private static int[] labels(SplittableRandom r) {
        int[] y = new int[N];
        for (int i = 0; i < N; i++) y[i] = r.nextInt(C);
        return y;
    }

    /** The same matrix without held(): every pass reads it block by block. */
    private static FeatureSource streamed(FeatureSource held) {
        return new FeatureSource() {
            public int size() { return held.size(); }
            public int positions() { return held.positions(); }
            public int dim() { return held.dim(); }
            public int classes() { return held.classes(); }
            public int[] labels() { return held.labels(); }
            public void block(int from, int count, double[] out) { held.block(from, count, out); }
        };
    }

    private static double relative(double a, double b) {
        return Math.abs(a - b) / Math.max(1e-300, Math.max(Math.abs(a), Math.abs(b)));
    }

    /** Mean multinomial loss (last logit pinned at 0) by plain loops. */
    private static double loss(double[] f, double[] w, double[] b, int[] y) {
        double total = 0;
        for (int i = 0; i < N; i++) {
            double[] z = new double[C];
            for (int k = 0; k < C1; k++) {
                double s = b[k];
                for (int j = 0; j < D; j++) s += f[i * D + j] * w[j * C1 + k];
                z[k] = s;
            }
            double max = 0, sum = 0;
            for (double v : z) max = Math.max(max, v);
            for (double v : z) sum += Math.exp(v - max);
            total += max + Math.log(sum) - z[y[i]];
        }
        return total / N;
    }

    @Test
    void heldAndStreamedPassesMatchTheDefinitionAndEachOther() {
        SplittableRandom r = new SplittableRandom(3);
        double[] f = gaussian(r, N * D, 1), w = gaussian(r, D * C1, 0.2), b = gaussian(r, C1, 0.3);
        int[] y = labels(r);
        FeatureSource held = FeatureSource.ofMatrix(f, N, Q, M, y, C), stream = streamed(held);
        PenalizedProgram.Pass ph = PenalizedProgram.pass(held, w, b, true), ps = PenalizedProgram.pass(stream, w, b, true);
        double want = loss(f, w, b, y);
        assertEquals(0, relative(want, ph.loss()), 1e-13);
        assertEquals(0, relative(want, ps.loss()), 1e-13);
        for (int i = 0; i < N * C1; i++) {
            double z = b[i % C1];
            for (int j = 0; j < D; j++) z += f[(i / C1) * D + j] * w[j * C1 + i % C1];
            assertEquals(z, ph.logits()[i], 1e-13 * (1 + Math.abs(z)));
            assertEquals(z, ps.logits()[i], 1e-13 * (1 + Math.abs(z)));
        }
        // The gradient by central differences, and the two paths agree to rounding.
        double h = 1e-5, gmax = 0;
        for (double g : ph.gradient()) gmax = Math.max(gmax, Math.abs(g));
        for (int idx = 0; idx < w.length; idx++) {
            double[] wp = w.clone(), wm = w.clone();
            wp[idx] += h;
            wm[idx] -= h;
            double fd = (loss(f, wp, b, y) - loss(f, wm, b, y)) / (2 * h);
            assertEquals(fd, ph.gradient()[idx], 1e-7 * gmax, "gradient " + idx);
            assertEquals(ph.gradient()[idx], ps.gradient()[idx], 1e-13 * gmax, "held vs streamed " + idx);
        }
        // Forward-only passes give the same loss.
        assertEquals(ph.loss(), PenalizedProgram.pass(held, w, b, false).loss(), 0.0);
        assertEquals(ps.loss(), PenalizedProgram.pass(stream, w, b, false).loss(), 0.0);
    }

    /**
     * The check's one-array forms give the same bits as the two-array ones: the softmax in place over the logits, and
     * the feasible point's entropy without the feasible point (scales where exp over- or underflows included).
     */
    @Test
    void inPlaceSoftmaxAndFeasibleEntropyEqualTheirArrayFormsBitForBit() {
        SplittableRandom r = new SplittableRandom(17);
        int[] y = labels(r);
        for (double scale : new double[] {0, 1e-3, 1, 30, 800}) {
            for (int classes : new int[] {2, C, 10}) {
                int c1 = classes - 1;
                double[] logits = gaussian(r, N * c1, scale);
                int[] lab = new int[N];
                for (int i = 0; i < N; i++) lab[i] = y[i] % classes;
                double[] want = PenalizedProgram.softmax(logits, N, classes);
                double[] a = java.util.Arrays.copyOf(logits, N * classes);
                assertArrayEquals(want, PenalizedProgram.softmaxInPlace(a, N, classes), 0, "scale " + scale + ", C " + classes);
                for (double spectral : new double[] {0.5, 1, 3.7}) {
                    double viaArray = PenalizedProgram.meanEntropy(PenalizedProgram.feasible(want, N, classes, lab, spectral, 1), N, classes);
                    assertEquals(viaArray, PenalizedProgram.feasibleEntropy(want, N, classes, lab, spectral, 1), 0);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> PenalizedProgram.softmaxInPlace(new double[N * C1], N, C));
    }

    @Test
    void dualMatrixIsItsSumOnBothPaths() {
        SplittableRandom r = new SplittableRandom(4);
        double[] f = gaussian(r, N * D, 1);
        int[] y = labels(r);
        double[] p = new double[N * C];
        for (int i = 0; i < N; i++) {
            double z = 0;
            for (int k = 0; k < C; k++) z += p[i * C + k] = r.nextDouble();
            for (int k = 0; k < C; k++) p[i * C + k] /= z;
        }
        FeatureSource held = FeatureSource.ofMatrix(f, N, Q, M, y, C);
        double[] gh = PenalizedProgram.dualMatrix(held, p), gs = PenalizedProgram.dualMatrix(streamed(held), p);
        for (int j = 0; j < D; j++) {
            for (int k = 0; k < C1; k++) {
                double want = 0, scale = 0;
                for (int i = 0; i < N; i++) {
                    double t = f[i * D + j] * (p[i * C + k] - (y[i] == k ? 1 : 0)) / N;
                    want += t;
                    scale += Math.abs(t);
                }
                assertEquals(want, gh[j * C1 + k], 1e-13 * scale);
                assertEquals(want, gs[j * C1 + k], 1e-13 * scale);
            }
        }
    }

    @Test
    void featureNormIsTheLargestSingularValueOnBothPaths() {
        SplittableRandom r = new SplittableRandom(5);
        double[] f = gaussian(r, N * D, 1);
        for (int i = 0; i < N; i++) f[i * D] += 3; // a dominant direction, so 200 power steps converge
        FeatureSource held = FeatureSource.ofMatrix(f, N, Q, M, labels(r), C);
        double want = new DoubleMatrix(N, D, f).svd().s()[0];
        assertEquals(0, relative(want, PenalizedProgram.featureNorm(held, 200, 1)), 1e-10);
        assertEquals(0, relative(want, PenalizedProgram.featureNorm(streamed(held), 200, 1)), 1e-10);
    }
}
