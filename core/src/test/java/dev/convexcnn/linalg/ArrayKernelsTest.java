package dev.convexcnn.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The SIMD kernels against their plain-loop twins, bit for bit, at odd offsets and lengths. */
class ArrayKernelsTest {
    private final ArrayKernels.Impl scalar = new ArrayKernels.Scalar();

    @Test
    void testsRunWithTheVectorModule() {
        // Surefire passes --add-modules jdk.incubator.vector, so the fast path is the one under test here.
        assertTrue(ArrayKernels.vectorized());
    }

    private static float[] data(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = r.nextInt(5) == 0 ? (float) r.nextInt(3) : (float) r.nextGaussian();
        return v;
    }

    @Test
    void addMatchesThePlainLoop() {
        Random r = new Random(1);
        for (int n : new int[] {0, 1, 7, 16, 33, 130, 1000}) {
            float[] src = data(r, n + 9), a = data(r, n + 5), b = a.clone();
            ArrayKernels.add(src, 3, a, 2, n);
            scalar.add(src, 3, b, 2, n);
            assertArrayEquals(b, a, "n=" + n);
        }
    }

    @Test
    void maxStepAndRouteMaxMatchThePlainLoops() {
        Random r = new Random(2);
        for (int n : new int[] {1, 15, 16, 17, 64, 129}) {
            float[] best1 = data(r, n + 4), best2 = best1.clone();
            float[] where1 = new float[n + 4], where2 = new float[n + 4];
            for (int pos = 1; pos <= 4; pos++) {
                float[] in = data(r, n + 7);
                ArrayKernels.maxStep(in, 5, best1, where1, 2, n, pos);
                scalar.maxStep(in, 5, best2, where2, 2, n, pos);
            }
            assertArrayEquals(best2, best1, "best n=" + n);
            assertArrayEquals(where2, where1, "where n=" + n);
            float[] grad = data(r, n + 4), d1 = data(r, n + 6), d2 = d1.clone();
            for (int pos = 0; pos <= 4; pos++) {
                ArrayKernels.routeMax(grad, 2, where1, pos, d1, 3, n);
                scalar.routeMax(grad, 2, where1, pos, d2, 3, n);
            }
            assertArrayEquals(d2, d1, "route n=" + n);
            for (int pos = 0; pos <= 4; pos++) {
                float[] s1 = data(r, n + 6), s2 = s1.clone();
                ArrayKernels.selectMax(grad, 2, where1, pos, s1, 3, n);
                scalar.selectMax(grad, 2, where1, pos, s2, 3, n);
                assertArrayEquals(s2, s1, "select n=" + n);
                for (int i = 0; i < n; i++) {
                    assertEquals(where1[2 + i] == pos ? grad[2 + i] : 0f, s1[3 + i], "select n=" + n + " i=" + i);
                }
                assertEquals(s2[0], s1[0]);
            }
        }
    }
}
