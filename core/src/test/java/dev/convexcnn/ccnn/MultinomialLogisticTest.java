package dev.convexcnn.ccnn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convexcnn.nn.SoftmaxCrossEntropy;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MultinomialLogisticTest {

    /** CCNN's loss on C − 1 free logits is nn's cross-entropy on those logits with a last one of 0. */
    @Test
    void isCrossEntropyWithTheLastLogitPinnedAtZero() {
        int n = 6, c = 4;
        int[] labels = {0, 3, 2, 1, 3, 3};
        SplittableRandom r = new SplittableRandom(6);
        double[] z = new double[n * c], free = new double[n * (c - 1)];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c - 1; k++) z[i * c + k] = free[i * (c - 1) + k] = 2 * r.nextGaussian();
        }
        double[] dz = new double[z.length], delta = new double[free.length];
        int[] correct = new int[1];
        double mean = SoftmaxCrossEntropy.meanOverSamples(z, labels, 0, n, n, c, dz);
        double sum = MultinomialLogistic.evaluate(free, n, c, labels, 0, 1.0 / n, delta, correct);
        assertEquals(mean, sum / n, 1e-13);
        int right = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c - 1; k++) assertEquals(dz[i * c + k], delta[i * (c - 1) + k], 1e-15);
            if (MultinomialLogistic.argmax(free, i * (c - 1), c) == labels[i]) right++;
        }
        assertEquals(right, correct[0]);
    }
}
