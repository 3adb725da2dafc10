package dev.convexcnn.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.testing.Tolerances;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GemmTest {

    static double[] naive(boolean ta, boolean tb, int m, int n, int k, double[] a, double[] b) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int l = 0; l < k; l++) s += (ta ? a[l * m + i] : a[i * k + l]) * (tb ? b[j * k + l] : b[l * n + j]);
                c[i * n + j] = s;
            }
        return c;
    }

    @Test
    void sgemmMatchesNaiveForEveryTransposeAndBeta() {
        Random r = new Random(3);
        int m = 7, n = 5, k = 9;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                double[] a = new double[m * k], b = new double[k * n], c0 = new double[m * n];
                for (int i = 0; i < a.length; i++) a[i] = r.nextGaussian();
                for (int i = 0; i < b.length; i++) b[i] = r.nextGaussian();
                for (int i = 0; i < c0.length; i++) c0[i] = r.nextGaussian();
                float[] af = toFloat(a), bf = toFloat(b), cf = toFloat(c0);
                Gemm.sgemm(ta, tb, m, n, k, 2f, af, bf, 0.5f, cf);
                double[] cd = c0.clone();
                Gemm.dgemm(ta, tb, m, n, k, 2, a, b, 0.5, cd);
                double[] ref = naive(ta, tb, m, n, k, a, b), abs = naive(ta, tb, m, n, k, absolute(a), absolute(b));
                // The float product of the float-rounded inputs, summed exactly enough in double.
                double[] refF = naive(ta, tb, m, n, k, toDouble(af), toDouble(bf));
                for (int i = 0; i < ref.length; i++) {
                    double scale = 2 * abs[i] + 0.5 * Math.abs(c0[i]);
                    // k products summed, then α and β applied: k + 2 roundings per term at most.
                    assertTrue(Math.abs(2 * ref[i] + 0.5 * c0[i] - cd[i]) <= 2 * Tolerances.gamma(k + 2) * scale,
                            "dgemm ta=" + ta + " tb=" + tb + " at " + i);
                    assertTrue(Math.abs(2 * refF[i] + 0.5 * (float) c0[i] - cf[i]) <= 2 * Tolerances.gammaFloat(k + 2) * scale,
                            "sgemm ta=" + ta + " tb=" + tb + " at " + i);
                }
            }
        }
    }

    @Test
    void offsetsAndLeadingDimensions() {
        // A 2x3 block inside a 4x6 buffer starting at (1, 2).
        float[] big = new float[4 * 6];
        for (int i = 0; i < big.length; i++) big[i] = i;
        float[] b = {1, 0, 0, 1, 1, 1};   // 3x2
        float[] c = new float[2 * 2];
        Gemm.sgemm(false, false, 2, 2, 3, 1f, big, 1 * 6 + 2, 6, b, 0, 2, 0f, c, 0, 2);
        // rows of A: [8 9 10] and [14 15 16]
        assertEquals(8 + 10, c[0]);
        assertEquals(9 + 10, c[1]);
        assertEquals(14 + 16, c[2]);
        assertEquals(15 + 16, c[3]);
    }

    @Test
    void thinSvdReconstructsAndIsOrthonormal() {
        Random r = new Random(5);
        for (int[] shape : new int[][] {{7, 4}, {4, 7}, {6, 6}, {37, 90}, {90, 37}}) {
            int m = shape[0], n = shape[1];
            DoubleMatrix a = new DoubleMatrix(m, n);
            for (int i = 0; i < m * n; i++) a.data()[i] = r.nextGaussian();
            // dgesdd, and dgesvd: svd()'s fallback where dgesdd does not converge (the same factorisation).
            DoubleMatrix.Svd byDc = a.svd(), byQr = a.svdByQrIteration();
            for (int i = 0; i < byDc.s().length; i++) assertEquals(byDc.s()[i], byQr.s()[i], 1e-12 * byDc.s()[0]);
            for (DoubleMatrix.Svd svd : new DoubleMatrix.Svd[] {byDc, byQr}) checkSvd(a, svd, m, n);
            // The values alone (no vectors): the same values, and their squares sum to ‖A‖_F².
            double[] values = a.singularValues();
            assertEquals(byDc.s().length, values.length);
            double sq = 0;
            for (int i = 0; i < values.length; i++) {
                assertEquals(byDc.s()[i], values[i], 1e-12 * byDc.s()[0]);
                sq += values[i] * values[i];
            }
            assertEquals(a.frobeniusNorm() * a.frobeniusNorm(), sq, 1e-12 * sq);
            // The left side alone: the same values, orthonormal U with A·Aᵀ·U = U·diag(s²).
            DoubleMatrix.Svd left = a.leftSingularVectors();
            int k = Math.min(m, n);
            assertEquals(k, left.s().length);
            for (int i = 0; i < k; i++) assertEquals(byDc.s()[i], left.s()[i], 1e-12 * byDc.s()[0]);
            DoubleMatrix u = left.u(), aatu = a.times(a.transpose()).times(u), utu = u.transposeTimes(u);
            double s0 = left.s()[0] * left.s()[0];
            for (int i = 0; i < m; i++) for (int j = 0; j < k; j++) {
                assertEquals(u.get(i, j) * left.s()[j] * left.s()[j], aatu.get(i, j), 1e-11 * s0);
            }
            for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) assertEquals(i == j ? 1 : 0, utu.get(i, j), 1e-10);
        }
        assertEquals(0, new DoubleMatrix(3, 0).singularValues().length);
        assertEquals(0, new DoubleMatrix(3, 0).leftSingularVectors().s().length);
    }

    private static void checkSvd(DoubleMatrix a, DoubleMatrix.Svd svd, int m, int n) {
        int k = Math.min(m, n);
        assertEquals(k, svd.s().length);
        for (int i = 1; i < k; i++) assertTrue(svd.s()[i - 1] >= svd.s()[i]);
        DoubleMatrix us = new DoubleMatrix(m, k);
        for (int i = 0; i < m; i++) for (int j = 0; j < k; j++) us.set(i, j, svd.u().get(i, j) * svd.s()[j]);
        DoubleMatrix rec = us.times(svd.vt());
        for (int i = 0; i < m * n; i++) assertEquals(a.data()[i], rec.data()[i], 1e-10);
        DoubleMatrix utu = svd.u().transposeTimes(svd.u());
        DoubleMatrix vvt = svd.vt().times(svd.vt().transpose());
        for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) {
            assertEquals(i == j ? 1 : 0, utu.get(i, j), 1e-10);
            assertEquals(i == j ? 1 : 0, vvt.get(i, j), 1e-10);
        }
    }

    @Test
    void backendIsReported() {
        String d = Backend.get().description();
        assertTrue(d.contains("BLAS") || d.contains("Java"), d);
        assertTrue(java.util.Set.of("native", "vector", "java").contains(Backend.get().kind()));
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private static double[] absolute(double[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) o[i] = Math.abs(v[i]);
        return o;
    }

    private static double[] toDouble(float[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) o[i] = v[i];
        return o;
    }
}
