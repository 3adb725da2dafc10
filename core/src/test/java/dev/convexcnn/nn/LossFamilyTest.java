package dev.convexcnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The double-precision forms of nn's losses (those the convex programs and their non-convex twin take): their
 * gradients against central differences, and their scaling against the float losses.
 */
class LossFamilyTest {
    private static final int N = 5, C = 4;
    private static final int[] LABELS = {0, 3, 2, 1, 3};

    private interface PartLoss {
        double value(double[] z, int[] labels, int from, int to, int n, int c, double[] dz);
    }

    private static double[] logits(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] z = new double[N * C];
        for (int i = 0; i < z.length; i++) z[i] = 2 * r.nextGaussian();
        return z;
    }

    private static void checkGradient(PartLoss loss) {
        double[] z = logits(3), dz = new double[z.length];
        loss.value(z, LABELS, 0, N, N, C, dz);
        double eps = 1e-6;
        for (int i = 0; i < z.length; i++) {
            double keep = z[i];
            z[i] = keep + eps;
            double fp = loss.value(z, LABELS, 0, N, N, C, null);
            z[i] = keep - eps;
            double fm = loss.value(z, LABELS, 0, N, N, C, null);
            z[i] = keep;
            assertEquals((fp - fm) / (2 * eps), dz[i], 1e-8, "entry " + i);
        }
    }

    @Test void crossEntropyGradient() { checkGradient(SoftmaxCrossEntropy::meanOverSamples); }
    @Test void oneHotSquaredGradient() { checkGradient(SquaredLogitError::oneHotHalfMeanOverEntries); }

    /** The parts from [0, s) and [s, N) add up to the whole, value and gradient. */
    @Test
    void partsAddUp() {
        for (PartLoss loss : new PartLoss[] {SoftmaxCrossEntropy::meanOverSamples, SquaredLogitError::oneHotHalfMeanOverEntries}) {
            double[] z = logits(4), whole = new double[z.length], parts = new double[z.length];
            double f = loss.value(z, LABELS, 0, N, N, C, whole);
            double f1 = loss.value(z, LABELS, 0, 2, N, C, parts), f2 = loss.value(z, LABELS, 2, N, N, C, parts);
            assertEquals(f, f1 + f2, 1e-14);
            for (int i = 0; i < z.length; i++) assertEquals(whole[i], parts[i], 0);
        }
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    /** Same cross-entropy as the float loss; the programs' squared loss is 1/c of the squared-logit loss. */
    @Test
    void doubleFormsAgreeWithTheFloatLossesAndTheirScaling() {
        double[] z = logits(5);
        float[] zf = toFloat(z), oneHot = new float[N * C];
        for (int i = 0; i < N; i++) oneHot[i * C + LABELS[i]] = 1;
        double xent = new SoftmaxCrossEntropy().evaluate(zf, N, C, LABELS, null, null);
        assertEquals(xent, SoftmaxCrossEntropy.meanOverSamples(z, LABELS, 0, N, N, C, null), 1e-6 * xent);
        double sq = new SquaredLogitError().evaluate(zf, N, C, null, oneHot, null);
        assertEquals(sq / C, SquaredLogitError.oneHotHalfMeanOverEntries(z, LABELS, 0, N, N, C, null), 1e-6 * sq);
    }
}
