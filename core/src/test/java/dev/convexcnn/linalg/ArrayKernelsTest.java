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
    void windowMaxRouteMaxAndWindowSelectMatchTheirDefinitionAndThePlainLoops() {
        Random r = new Random(2);
        for (int n : new int[] {1, 15, 16, 17, 64, 129}) {
            int[] offsets = {0, n + 1, 2 * n + 5, 3 * n + 8};    // a window's four positions, apart as rows of n samples are
            // Values from {-2, ..., 2}: ties (the first maximal position wins) and windows whose max is not positive.
            float[] in = new float[4 * n + 20];
            for (int j = 0; j < in.length; j++) in[j] = r.nextInt(5) - 2;
            for (boolean relu : new boolean[] {false, true}) {
                float[] best1 = data(r, n + 4), best2 = best1.clone(), where1 = data(r, n + 4), where2 = where1.clone();
                ArrayKernels.windowMax(in, 7, offsets, best1, where1, 2, n, relu);
                scalar.windowMax(in, 7, offsets, best2, where2, 2, n, relu);
                assertArrayEquals(best2, best1, "best n=" + n);
                assertArrayEquals(where2, where1, "where n=" + n);
                for (int i = 0; i < n; i++) {
                    float max = Float.NEGATIVE_INFINITY;
                    int first = -1;
                    for (int q = 0; q < offsets.length; q++) {
                        if (in[7 + offsets[q] + i] > max) {
                            max = in[7 + offsets[q] + i];
                            first = q;
                        }
                    }
                    if (relu && max <= 0) first = -1;
                    assertEquals(relu ? Math.max(0f, max) : max, best1[2 + i], "max n=" + n + " i=" + i);
                    assertEquals(first, where1[2 + i], "position n=" + n + " i=" + i);
                }
                float[] grad = data(r, n + 4), d1 = data(r, n + 6), d2 = d1.clone();
                for (int pos = -1; pos <= 3; pos++) {
                    ArrayKernels.routeMax(grad, 2, where1, pos, d1, 3, n);
                    scalar.routeMax(grad, 2, where1, pos, d2, 3, n);
                }
                assertArrayEquals(d2, d1, "route n=" + n);
                float[] s1 = data(r, 4 * n + 20), s2 = s1.clone();
                ArrayKernels.windowSelect(grad, 2, where1, s1, 5, offsets, n);
                scalar.windowSelect(grad, 2, where1, s2, 5, offsets, n);
                assertArrayEquals(s2, s1, "select n=" + n);
                for (int q = 0; q < offsets.length; q++) {
                    for (int i = 0; i < n; i++) {
                        assertEquals(where1[2 + i] == q ? grad[2 + i] : 0f, s1[5 + offsets[q] + i], "select n=" + n + " q=" + q + " i=" + i);
                    }
                }
                assertEquals(s2[0], s1[0]);
            }
        }
    }

    @Test
    void scaledCosMatchesThePlainLoopBitForBit() {
        Random r = new Random(3);
        for (int n : new int[] {0, 1, 7, 8, 9, 31, 500, 1003}) {
            double[] shift = new double[n + 3];
            for (int j = 0; j < shift.length; j++) shift[j] = 2 * Math.PI * r.nextDouble();
            double[] a = new double[n + 11];
            for (int j = 0; j < a.length; j++) {
                // wide arguments, exact multiples of π/2 and half-periods (the rounding ties of the reduction)
                int kind = r.nextInt(4);
                a[j] = kind == 0 ? (r.nextDouble() - 0.5) * 2e4 : kind == 1 ? r.nextGaussian() * 3
                        : kind == 2 ? r.nextInt(40) * Math.PI / 2 : (r.nextInt(40) + 0.5) * 2 * Math.PI;
            }
            double[] b = a.clone();
            ArrayKernels.scaledCos(a, 5, shift, 0.063, n);
            scalar.scaledCos(b, 5, shift, 0.063, n);
            assertArrayEquals(b, a, "n=" + n);
        }
    }

    @Test
    void fastCosineMatchesMathCos() {
        Random r = new Random(9);
        double[] shift = new double[1000];
        double[] v = new double[1000];
        for (int round = 0; round < 200; round++) {
            double[] x = new double[1000];
            for (int j = 0; j < x.length; j++) x[j] = (r.nextDouble() - 0.5) * 2000;
            System.arraycopy(x, 0, v, 0, x.length);
            ArrayKernels.scaledCos(v, 0, shift, 1, v.length);
            for (int j = 0; j < x.length; j++) {
                assertEquals(Math.cos(x[j]), FastCos.cos(x[j]), 1e-11, "x=" + x[j]);
                assertEquals(Math.cos(x[j]), v[j], 1e-11, "x=" + x[j]);
            }
        }
    }

    @Test
    void bothCosineFormsGiveTheirScalarBitsAndMathCos() {
        // The form a run uses follows the CPU (FastCos.FUSED); both are checked here whatever this CPU has.
        org.junit.jupiter.api.Assumptions.assumeTrue(ArrayKernels.vectorized(), "needs the Vector API module");
        Random r = new Random(11);
        for (boolean fused : new boolean[] {true, false}) {
            for (int n : new int[] {1, 4, 15, 16, 17, 500, 1003}) {
                double[] shift = new double[n];
                for (int j = 0; j < n; j++) shift[j] = 2 * Math.PI * r.nextDouble();
                double[] a = new double[n + 7];
                for (int j = 0; j < a.length; j++) {
                    int kind = r.nextInt(3);
                    a[j] = kind == 0 ? (r.nextDouble() - 0.5) * 2e4 : kind == 1 ? r.nextGaussian() * 3 : r.nextInt(40) * Math.PI / 2;
                }
                double[] x = a.clone(), b = a.clone();
                if (fused) VectorArrayKernels.scaledCosFused(a, 3, shift, 0.063, n);
                else VectorArrayKernels.scaledCosPlain(a, 3, shift, 0.063, n);
                for (int j = 0; j < n; j++) {
                    double arg = b[3 + j] + shift[j];
                    b[3 + j] = 0.063 * (fused ? FastCos.cosFused(arg) : FastCos.cosPlain(arg));
                    assertEquals(Math.cos(arg), fused ? FastCos.cosFused(arg) : FastCos.cosPlain(arg), 1e-11, "x=" + arg);
                }
                assertArrayEquals(b, a, "fused=" + fused + " n=" + n);
                assertEquals(x[0], a[0]);
                assertEquals(x[n + 6], a[n + 6]);
            }
        }
    }

    @Test
    void averageMatchesThePlainLoopAndItsDefinition() {
        Random r = new Random(5);
        for (int n : new int[] {1, 7, 8, 9, 100, 501}) {
            for (int count : new int[] {1, 4, 9}) {
                double[] src = new double[count * (n + 3) + 5];
                for (int i = 0; i < src.length; i++) src[i] = r.nextGaussian();
                int[] from = new int[count];
                for (int k = 0; k < count; k++) from[k] = 5 + k * (n + 3);
                double[] a = new double[n + 4], b = new double[n + 4];
                ArrayKernels.average(src, from, count, 1.0 / count, a, 2, n);
                scalar.average(src, from, count, 1.0 / count, b, 2, n);
                assertArrayEquals(b, a, "n=" + n + " count=" + count);
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int k = 0; k < count; k++) sum += src[from[k] + j];
                    assertEquals(sum / count, a[2 + j], 1e-15 * count * (1 + Math.abs(sum)), "n=" + n + " j=" + j);
                }
            }
        }
    }

    @Test
    void doubleSubtractMatchesThePlainLoop() {
        Random r = new Random(6);
        for (int n : new int[] {0, 1, 7, 8, 9, 100, 1001}) {
            double[] src = new double[n + 5], a = new double[n + 4];
            for (int i = 0; i < src.length; i++) src[i] = r.nextGaussian();
            for (int i = 0; i < a.length; i++) a[i] = r.nextGaussian();
            double[] b = a.clone();
            ArrayKernels.subtract(src, 3, a, 1, n);
            scalar.subtract(src, 3, b, 1, n);
            assertArrayEquals(b, a, "n=" + n);
        }
    }

    /** Widening rows of floats into strided doubles is exact: every width around the lane count, with strides and offsets. */
    @Test
    void widenRowsIsTheExactCopy() {
        Random r = new Random(13);
        for (int width : new int[] {0, 1, 3, 4, 7, 8, 9, 16, 17, 33}) {
            int rows = 1 + r.nextInt(6), srcStride = width + r.nextInt(3), dstStride = width + r.nextInt(4), from = r.nextInt(5), to = r.nextInt(5);
            float[] src = new float[from + rows * srcStride + 1];
            for (int i = 0; i < src.length; i++) src[i] = (float) r.nextGaussian();
            double[] a = new double[to + rows * dstStride + 2], b = new double[a.length];
            java.util.Arrays.fill(a, -7);
            java.util.Arrays.fill(b, -7);
            ArrayKernels.widenRows(src, from, srcStride, a, to, dstStride, rows, width);
            scalar.widenRows(src, from, srcStride, b, to, dstStride, rows, width);
            assertArrayEquals(b, a, "width " + width);
            for (int t = 0; t < rows; t++) for (int j = 0; j < width; j++) assertEquals(src[from + t * srcStride + j], a[to + t * dstStride + j], 0);
        }
    }

    /** The skinny products against their definition, within rounding of the sum of the terms' magnitudes. */
    @Test
    void skinnyProductsMatchTheirDefinition() {
        Random r = new Random(7);
        for (int c : new int[] {1, 2, 3, 4, 5, 8, 9, 13, 18}) {
            for (int d : new int[] {1, 7, 8, 17, 100}) {
                // More rows than one of addTransposedProduct's row chunks (64) once per c.
                int rows = d == 17 ? 130 : 1 + r.nextInt(6), lda = d + r.nextInt(3), aOff = r.nextInt(4), outOff = r.nextInt(3);
                double[] a = gaussian(r, aOff + rows * lda), bt = gaussian(r, c * d), out = new double[outOff + rows * c + 2];
                ArrayKernels.rowsTimesTransposed(copyRows(a, aOff, lda, rows, d), 0, rows, d, bt, c, out, outOff);
                for (int i = 0; i < rows; i++) {
                    for (int k = 0; k < c; k++) {
                        double want = 0, scale = 0;
                        for (int j = 0; j < d; j++) {
                            want += a[aOff + i * lda + j] * bt[k * d + j];
                            scale += Math.abs(a[aOff + i * lda + j] * bt[k * d + j]);
                        }
                        assertEquals(want, out[outOff + i * c + k], 1e-14 * scale, "c=" + c + " d=" + d);
                    }
                }
                int dOff = r.nextInt(3), gOff = r.nextInt(4), ldg = d + r.nextInt(3);
                double[] delta = gaussian(r, dOff + rows * c), gt = gaussian(r, gOff + c * ldg), before = gt.clone();
                ArrayKernels.addTransposedProduct(a, aOff, lda, rows, d, delta, dOff, c, gt, gOff, ldg);
                for (int k = 0; k < c; k++) {
                    for (int j = 0; j < d; j++) {
                        double want = before[gOff + k * ldg + j], scale = Math.abs(want);
                        for (int i = 0; i < rows; i++) {
                            want += a[aOff + i * lda + j] * delta[dOff + i * c + k];
                            scale += Math.abs(a[aOff + i * lda + j] * delta[dOff + i * c + k]);
                        }
                        assertEquals(want, gt[gOff + k * ldg + j], 1e-14 * scale, "c=" + c + " d=" + d);
                    }
                    // The padding between rows of gt is left alone.
                    for (int j = d; j < ldg && gOff + k * ldg + j < gt.length; j++) {
                        assertEquals(before[gOff + k * ldg + j], gt[gOff + k * ldg + j], 0.0);
                    }
                }
            }
        }
    }

    /**
     * The double product against its definition within rounding of the terms' magnitudes, for column counts that
     * use the paired-row 8-column block, the smaller blocks and an odd row left over; a row computed alone has the
     * same bits as in the whole call.
     */
    @Test
    void doubleProductMatchesItsDefinitionAndDoesNotDependOnThePairing() {
        Random r = new Random(12);
        for (int c : new int[] {1, 8, 9, 10, 17}) {
            for (int d : new int[] {1, 7, 8, 17, 100, 1037}) {
                for (int rows : new int[] {1, 2, 5, 8}) {
                    int aOff = r.nextInt(4), outOff = r.nextInt(3);
                    double[] a = new double[aOff + rows * d], bt = new double[c * d];
                    for (int i = 0; i < a.length; i++) a[i] = r.nextGaussian();
                    for (int i = 0; i < bt.length; i++) bt[i] = r.nextGaussian();
                    double[] out = new double[outOff + rows * c + 2];
                    ArrayKernels.rowsTimesTransposed(a, aOff, rows, d, bt, c, out, outOff);
                    for (int i = 0; i < rows; i++) {
                        double[] alone = new double[c];
                        ArrayKernels.rowsTimesTransposed(a, aOff + i * d, 1, d, bt, c, alone, 0);
                        for (int k = 0; k < c; k++) {
                            double want = 0, scale = 0;
                            for (int j = 0; j < d; j++) {
                                want += a[aOff + i * d + j] * bt[k * d + j];
                                scale += Math.abs(a[aOff + i * d + j] * bt[k * d + j]);
                            }
                            String at = "c=" + c + " d=" + d + " rows=" + rows + " row " + i;
                            assertEquals(want, out[outOff + i * c + k], (d + 2) * 0x1p-53 * scale, at);
                            assertEquals(out[outOff + i * c + k], alone[k], 0, at + " alone");
                        }
                    }
                }
            }
        }
    }

    /**
     * The float-row products with double sums (a working set's float filter outputs): against their definitions in
     * double, accumulating into what out and gt hold, with row strides, offsets, every column count of the 4- and
     * 8-column blocks and lane tails; a row computed alone has the same bits as in a paired call.
     */
    @Test
    void floatRowsTimesDoubleColumnsMatchTheirDefinitionsInDouble() {
        Random r = new Random(13);
        for (int c : new int[] {1, 3, 4, 5, 8, 9, 10, 17}) {
            for (int d : new int[] {1, 7, 8, 9, 16, 17, 33, 100, 257}) {
                for (int rows : new int[] {1, 2, 3, 5, 8}) {
                    int lda = d + r.nextInt(5), ldb = d + r.nextInt(3), aOff = r.nextInt(4), bOff = r.nextInt(3), outOff = r.nextInt(3);
                    float[] a = new float[aOff + rows * lda];
                    double[] bt = new double[bOff + c * ldb], delta = new double[2 + rows * c];
                    for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
                    for (int i = 0; i < bt.length; i++) bt[i] = r.nextGaussian();
                    for (int i = 0; i < delta.length; i++) delta[i] = r.nextGaussian();
                    double[] out = new double[outOff + rows * c + 2];
                    for (int i = 0; i < out.length; i++) out[i] = r.nextGaussian();
                    double[] before = out.clone();
                    ArrayKernels.addRowsTimesTransposed(a, aOff, lda, rows, d, bt, bOff, ldb, c, out, outOff);
                    String shape = "c=" + c + " d=" + d + " rows=" + rows;
                    for (int i = 0; i < rows; i++) {
                        double[] alone = new double[c];
                        ArrayKernels.addRowsTimesTransposed(a, aOff + i * lda, lda, 1, d, bt, bOff, ldb, c, alone, 0);
                        for (int k = 0; k < c; k++) {
                            double want = 0, scale = 0;
                            for (int j = 0; j < d; j++) {
                                double t = (double) a[aOff + i * lda + j] * bt[bOff + k * ldb + j];
                                want += t;
                                scale += Math.abs(t);
                            }
                            double o = out[outOff + i * c + k];
                            assertEquals(before[outOff + i * c + k] + want, o, (d + 4) * 0x1p-53 * (scale + Math.abs(o)), shape + " row " + i);
                            assertEquals(o - before[outOff + i * c + k], alone[k], (d + 4) * 0x1p-53 * (scale + Math.abs(o)), shape + " alone");
                        }
                    }
                    for (int i = 0; i < outOff; i++) assertEquals(before[i], out[i], 0, shape + " before the offset");
                    for (int i = outOff + rows * c; i < out.length; i++) assertEquals(before[i], out[i], 0, shape + " after the rows");

                    int ldg = d + r.nextInt(3), gOff = r.nextInt(3), dOff = r.nextInt(2);
                    double[] gt = new double[gOff + c * ldg + 1];
                    for (int i = 0; i < gt.length; i++) gt[i] = r.nextGaussian();
                    double[] g0 = gt.clone();
                    ArrayKernels.addTransposedProduct(a, aOff, lda, rows, d, delta, dOff, c, gt, gOff, ldg);
                    for (int k = 0; k < c; k++) {
                        for (int j = 0; j < d; j++) {
                            double want = g0[gOff + k * ldg + j], scale = Math.abs(want);
                            for (int i = 0; i < rows; i++) {
                                double t = (double) a[aOff + i * lda + j] * delta[dOff + i * c + k];
                                want += t;
                                scale += Math.abs(t);
                            }
                            assertEquals(want, gt[gOff + k * ldg + j], (rows + 2) * 0x1p-53 * scale, shape + " gradient " + k + "," + j);
                        }
                        for (int j = d; j < ldg && gOff + k * ldg + j < gt.length; j++) {
                            assertEquals(g0[gOff + k * ldg + j], gt[gOff + k * ldg + j], 0, shape + " gradient outside the columns");
                        }
                    }
                }
            }
        }
    }

    /**
     * The float product against its definition summed in double: within float rounding of the sum of the terms'
     * magnitudes, for every block shape (3 × 4, 3 × 2, 3 × 1 and the single rows left over) and lane tail; and a row
     * computed alone, or in another row split over the threads, has the same bits as in the whole call.
     */
    @Test
    void floatProductMatchesItsDefinitionAndDoesNotDependOnTheBlock() {
        Random r = new Random(11);
        for (int c : new int[] {1, 2, 3, 4, 5, 6, 7, 10, 20}) {
            for (int d : new int[] {1, 7, 8, 17, 100, 1037}) {
                int rows = 1 + r.nextInt(11), aOff = r.nextInt(4), outOff = r.nextInt(3);
                float[] a = gaussianFloats(r, aOff + rows * d), bt = gaussianFloats(r, c * d);
                float[] out = new float[outOff + rows * c + 2];
                ArrayKernels.rowsTimesTransposed(a, aOff, rows, d, bt, c, out, outOff);
                for (int i = 0; i < rows; i++) {
                    for (int k = 0; k < c; k++) {
                        double want = 0, scale = 0;
                        for (int j = 0; j < d; j++) {
                            want += (double) a[aOff + i * d + j] * bt[k * d + j];
                            scale += Math.abs((double) a[aOff + i * d + j] * bt[k * d + j]);
                        }
                        assertEquals(want, out[outOff + i * c + k], (d + 2) * 0x1p-24 * scale, "c=" + c + " d=" + d + " rows=" + rows);
                    }
                    float[] alone = new float[c];
                    ArrayKernels.rowsTimesTransposed(a, aOff + i * d, 1, d, bt, c, alone, 0);
                    for (int k = 0; k < c; k++) {
                        assertEquals(out[outOff + i * c + k], alone[k], 0f, "row " + i + " alone, c=" + c + " d=" + d);
                    }
                }
                float[] split = new float[out.length];
                ArrayKernels.rowsTimesTransposedInParallel(a, aOff, rows, d, bt, c, split, outOff, 1);
                for (int i = outOff; i < outOff + rows * c; i++) assertEquals(out[i], split[i], 0f, "split, c=" + c + " d=" + d);
            }
        }
    }

    private static float[] gaussianFloats(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    private static double[] gaussian(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return v;
    }

    private static double[] copyRows(double[] a, int off, int lda, int rows, int d) {
        double[] out = new double[rows * d];
        for (int i = 0; i < rows; i++) System.arraycopy(a, off + i * lda, out, i * d, d);
        return out;
    }

    /**
     * The parallel forms of the skinny products give the one-call results bit for bit: rows split over threads, and
     * column ranges of a multiple of 8 (so every column is summed the same way, lane or tail, whatever the split).
     */
    @Test
    void parallelSkinnyProductsEqualOneCallBitForBit() {
        Random r = new Random(21);
        for (int[] shape : new int[][] {{301, 1037, 9}, {64, 600, 10}, {5, 17, 3}, {1, 8, 1}}) {
            int rows = shape[0], d = shape[1], c = shape[2];
            double[] a = new double[rows * d + 3], bt = new double[c * d], delta = new double[rows * c];
            for (int i = 0; i < a.length; i++) a[i] = r.nextGaussian();
            for (int i = 0; i < bt.length; i++) bt[i] = r.nextGaussian();
            for (int i = 0; i < delta.length; i++) delta[i] = r.nextGaussian();
            double[] one = new double[rows * c + 2], split = new double[rows * c + 2];
            ArrayKernels.rowsTimesTransposed(a, 3, rows, d, bt, c, one, 2);
            ArrayKernels.rowsTimesTransposedInParallel(a, 3, rows, d, bt, c, split, 2, 4);
            assertArrayEquals(one, split, 0.0, "rows split, shape " + java.util.Arrays.toString(shape));
            for (int columns : new int[] {8, 256, 2048}) {
                double[] g1 = new double[c * d], g2 = new double[c * d];
                java.util.Arrays.fill(g1, 0.5);
                java.util.Arrays.fill(g2, 0.5);
                ArrayKernels.addTransposedProduct(a, 3, d, rows, d, delta, 0, c, g1, 0, d);
                ArrayKernels.addTransposedProductByColumns(a, 3, rows, d, delta, c, g2, columns);
                assertArrayEquals(g1, g2, 0.0, "column ranges of " + columns + ", shape " + java.util.Arrays.toString(shape));
            }
        }
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ArrayKernels.addTransposedProductByColumns(new double[8], 0, 1, 8, new double[1], 1, new double[8], 12));
        assertTrue(e.getMessage().contains("multiple of 8"), e.getMessage());
    }
}
