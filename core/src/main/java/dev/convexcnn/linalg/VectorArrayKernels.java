package dev.convexcnn.linalg;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** {@link ArrayKernels} with the Vector API. Loaded only when the module is present. */
final class VectorArrayKernels implements ArrayKernels.Impl {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** 1.5·2^52: (t + R) − R rounds t to the nearest integer, ties to even, as Math.rint does for |t| &lt; 2^51. */
    private static final double ROUND = 6755399441055744.0;

    @Override
    public void add(float[] src, int from, float[] dst, int to, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector.fromArray(S, dst, to + i).add(FloatVector.fromArray(S, src, from + i)).intoArray(dst, to + i);
        }
        for (; i < n; i++) dst[to + i] += src[from + i];
    }

    @Override
    public void windowMax(float[] in, int first, int[] offsets, float[] best, float[] where, int to, int n, boolean relu) {
        int i = 0, count = offsets.length;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector b = FloatVector.fromArray(S, in, first + offsets[0] + i), w = FloatVector.zero(S);
            for (int q = 1; q < count; q++) {
                FloatVector v = FloatVector.fromArray(S, in, first + offsets[q] + i);
                w = w.blend(q, v.compare(VectorOperators.GT, b));
                b = b.max(v);
            }
            if (relu) {
                w = w.blend(-1f, b.compare(VectorOperators.LE, 0f));
                b = b.max(0f);
            }
            b.intoArray(best, to + i);
            w.intoArray(where, to + i);
        }
        ArrayKernels.Scalar.windowMaxFrom(in, first, offsets, best, where, to, i, n, relu);
    }


    @Override
    public void routeMax(float[] grad, int from, float[] where, float position, float[] dst, int to, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            VectorMask<Float> hit = FloatVector.fromArray(S, where, from + i).compare(VectorOperators.EQ, position);
            FloatVector g = zero.blend(FloatVector.fromArray(S, grad, from + i), hit);
            FloatVector.fromArray(S, dst, to + i).add(g).intoArray(dst, to + i);
        }
        for (; i < n; i++) {
            if (where[from + i] == position) dst[to + i] += grad[from + i];
        }
    }

    @Override
    public void windowSelect(float[] grad, int from, float[] where, float[] dst, int first, int[] offsets, int n) {
        int i = 0, count = offsets.length;
        FloatVector zero = FloatVector.zero(S);
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector g = FloatVector.fromArray(S, grad, from + i), w = FloatVector.fromArray(S, where, from + i);
            for (int q = 0; q < count; q++) zero.blend(g, w.compare(VectorOperators.EQ, q)).intoArray(dst, first + offsets[q] + i);
        }
        ArrayKernels.Scalar.windowSelectFrom(grad, from, where, dst, first, offsets, i, n);
    }


    @Override
    public void scaledCos(double[] v, int off, double[] shift, double scale, int n) {
        if (FastCos.FUSED) scaledCosFused(v, off, shift, scale, n);
        else scaledCosPlain(v, off, shift, scale, n);
    }

    /** {@link #scaledCos} by FastCos.cosPlain's steps. */
    static void scaledCosPlain(double[] v, int off, double[] shift, double scale, int n) {
        // FastCos.cos lane by lane: the same operations in the same order, so the same bits. Four independent
        // vectors per step, since one polynomial's chain of 22 dependent operations is latency-bound.
        int L = D.length(), j = 0;
        for (int end = n - 4 * L; j <= end; j += 4 * L) {
            DoubleVector a = reduce(v, off + j, shift, j), b = reduce(v, off + j + L, shift, j + L);
            DoubleVector c = reduce(v, off + j + 2 * L, shift, j + 2 * L), d = reduce(v, off + j + 3 * L, shift, j + 3 * L);
            DoubleVector pa = a.mul(C11).add(C10), pb = b.mul(C11).add(C10), pc = c.mul(C11).add(C10), pd = d.mul(C11).add(C10);
            pa = a.mul(pa).add(C9); pb = b.mul(pb).add(C9); pc = c.mul(pc).add(C9); pd = d.mul(pd).add(C9);
            pa = a.mul(pa).add(C8); pb = b.mul(pb).add(C8); pc = c.mul(pc).add(C8); pd = d.mul(pd).add(C8);
            pa = a.mul(pa).add(C7); pb = b.mul(pb).add(C7); pc = c.mul(pc).add(C7); pd = d.mul(pd).add(C7);
            pa = a.mul(pa).add(C6); pb = b.mul(pb).add(C6); pc = c.mul(pc).add(C6); pd = d.mul(pd).add(C6);
            pa = a.mul(pa).add(C5); pb = b.mul(pb).add(C5); pc = c.mul(pc).add(C5); pd = d.mul(pd).add(C5);
            pa = a.mul(pa).add(C4); pb = b.mul(pb).add(C4); pc = c.mul(pc).add(C4); pd = d.mul(pd).add(C4);
            pa = a.mul(pa).add(C3); pb = b.mul(pb).add(C3); pc = c.mul(pc).add(C3); pd = d.mul(pd).add(C3);
            pa = a.mul(pa).add(C2); pb = b.mul(pb).add(C2); pc = c.mul(pc).add(C2); pd = d.mul(pd).add(C2);
            pa = a.mul(pa).add(C1); pb = b.mul(pb).add(C1); pc = c.mul(pc).add(C1); pd = d.mul(pd).add(C1);
            a.mul(pa).add(C0).mul(scale).intoArray(v, off + j);
            b.mul(pb).add(C0).mul(scale).intoArray(v, off + j + L);
            c.mul(pc).add(C0).mul(scale).intoArray(v, off + j + 2 * L);
            d.mul(pd).add(C0).mul(scale).intoArray(v, off + j + 3 * L);
        }
        for (int end = n - L; j <= end; j += L) {
            DoubleVector a = reduce(v, off + j, shift, j);
            DoubleVector p = a.mul(C11).add(C10);
            p = a.mul(p).add(C9);
            p = a.mul(p).add(C8);
            p = a.mul(p).add(C7);
            p = a.mul(p).add(C6);
            p = a.mul(p).add(C5);
            p = a.mul(p).add(C4);
            p = a.mul(p).add(C3);
            p = a.mul(p).add(C2);
            p = a.mul(p).add(C1);
            a.mul(p).add(C0).mul(scale).intoArray(v, off + j);
        }
        for (; j < n; j++) v[off + j] = scale * FastCos.cosPlain(v[off + j] + shift[j]);
    }

    /** {@link #scaledCos} by FastCos.cosFused's steps, lane by lane (the same bits). */
    static void scaledCosFused(double[] v, int off, double[] shift, double scale, int n) {
        int L = D.length(), j = 0;
        for (int end = n - 4 * L; j <= end; j += 4 * L) {
            DoubleVector a = reduce(v, off + j, shift, j), b = reduce(v, off + j + L, shift, j + L);
            DoubleVector c = reduce(v, off + j + 2 * L, shift, j + 2 * L), d = reduce(v, off + j + 3 * L, shift, j + 3 * L);
            DoubleVector c11 = DoubleVector.broadcast(D, C11), c10 = DoubleVector.broadcast(D, C10);
            DoubleVector pa = a.fma(c11, c10), pb = b.fma(c11, c10), pc = c.fma(c11, c10), pd = d.fma(c11, c10);
            for (int q = 9; q >= 0; q--) {
                DoubleVector k = DoubleVector.broadcast(D, FastCos.C[q]);
                pa = a.fma(pa, k);
                pb = b.fma(pb, k);
                pc = c.fma(pc, k);
                pd = d.fma(pd, k);
            }
            pa.mul(scale).intoArray(v, off + j);
            pb.mul(scale).intoArray(v, off + j + L);
            pc.mul(scale).intoArray(v, off + j + 2 * L);
            pd.mul(scale).intoArray(v, off + j + 3 * L);
        }
        for (int end = n - L; j <= end; j += L) {
            DoubleVector a = reduce(v, off + j, shift, j);
            DoubleVector p = a.fma(DoubleVector.broadcast(D, C11), DoubleVector.broadcast(D, C10));
            for (int q = 9; q >= 0; q--) p = a.fma(p, DoubleVector.broadcast(D, FastCos.C[q]));
            p.mul(scale).intoArray(v, off + j);
        }
        for (; j < n; j++) v[off + j] = scale * FastCos.cosFused(v[off + j] + shift[j]);
    }

    @Override
    public void average(double[] src, int[] from, int count, double factor, double[] dst, int to, int n) {
        int L = D.length(), j = 0;
        for (int end = n - L; j <= end; j += L) {
            DoubleVector v = DoubleVector.fromArray(D, src, from[0] + j);
            for (int k = 1; k < count; k++) v = v.add(DoubleVector.fromArray(D, src, from[k] + j));
            v.mul(factor).intoArray(dst, to + j);
        }
        for (; j < n; j++) {
            double v = src[from[0] + j];
            for (int k = 1; k < count; k++) v += src[from[k] + j];
            dst[to + j] = v * factor;
        }
    }

    /** Floats as many as D's lanes: one load widens into one double vector. */
    private static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));

    @Override
    public void widenRows(float[] src, int from, int srcStride, double[] dst, int to, int dstStride, int rows, int width) {
        int L = D.length(), bound = D.loopBound(width);
        for (int t = 0; t < rows; t++) {
            int s = from + t * srcStride, d = to + t * dstStride, j = 0;
            for (; j < bound; j += L) {
                ((DoubleVector) FloatVector.fromArray(HALF, src, s + j).convertShape(VectorOperators.F2D, D, 0)).intoArray(dst, d + j);
            }
            for (; j < width; j++) dst[d + j] = src[s + j];
        }
    }

    @Override
    public void subtract(double[] src, int from, double[] dst, int to, int n) {
        int j = 0;
        for (int end = D.loopBound(n); j < end; j += D.length()) {
            DoubleVector.fromArray(D, dst, to + j).sub(DoubleVector.fromArray(D, src, from + j)).intoArray(dst, to + j);
        }
        for (; j < n; j++) dst[to + j] -= src[from + j];
    }

    @Override
    public void rowsTimesTransposed(double[] a, int aOff, int rows, int d, double[] bt, int c, double[] out, int outOff) {
        // Rows in chunks of about 256 KB, so that the kernels after the first (c = 10: 8 columns, then 2) find them in L2.
        int chunk = Math.max(4, (1 << 15) / Math.max(1, d));
        for (int i0 = 0; i0 < rows; i0 += chunk) {
            int m = Math.min(chunk, rows - i0), at = aOff + i0 * d, o = outOff + i0 * c;
            int k = 0;
            for (; k + 8 <= c; k += 8) rowsTimes8(a, at, m, d, bt, c, k, out, o);
            for (; k + 4 <= c; k += 4) rowsTimes4(a, at, m, d, bt, c, k, out, o);
            for (; k + 2 <= c; k += 2) rowsTimes2(a, at, m, d, bt, c, k, out, o);
            for (; k < c; k++) rowsTimes1(a, at, m, d, bt, c, k, out, o);
        }
    }

    @Override
    public void rowsTimesTransposed(float[] a, int aOff, int rows, int d, float[] bt, int c, float[] out, int outOff) {
        int i = 0;
        for (; i + 3 <= rows; i += 3) {
            int k = 0;
            for (; k + 4 <= c; k += 4) rows3Times4(a, aOff + i * d, d, bt, k, out, outOff + i * c + k, c);
            for (; k + 2 <= c; k += 2) rows3Times2(a, aOff + i * d, d, bt, k, out, outOff + i * c + k, c);
            if (k < c) rows3Times1(a, aOff + i * d, d, bt, k, out, outOff + i * c + k, c);
        }
        for (; i < rows; i++) {
            for (int k = 0; k < c; k++) out[outOff + i * c + k] = rowTimes1(a, aOff + i * d, d, bt, k * d);
        }
    }

    /** The lanes' sum plus the last d − j terms of a[row ..]·bt[b ..], in float. */
    private static float tail(float[] a, int row, float[] bt, int b, int j, int d, float s) {
        for (; j < d; j++) s += a[row + j] * bt[b + j];
        return s;
    }

    /** Rows r .. r+2 by columns k0 .. k0+3 of the float product: twelve sums, each row and column loaded once per step. */
    private static void rows3Times4(float[] a, int r, int d, float[] bt, int k0, float[] out, int o, int c) {
        int L = S.length(), bound = S.loopBound(d), r1 = r + d, r2 = r1 + d;
        int b0 = k0 * d, b1 = b0 + d, b2 = b1 + d, b3 = b2 + d, j = 0;
        FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S), s02 = FloatVector.zero(S), s03 = FloatVector.zero(S);
        FloatVector s10 = FloatVector.zero(S), s11 = FloatVector.zero(S), s12 = FloatVector.zero(S), s13 = FloatVector.zero(S);
        FloatVector s20 = FloatVector.zero(S), s21 = FloatVector.zero(S), s22 = FloatVector.zero(S), s23 = FloatVector.zero(S);
        for (; j < bound; j += L) {
            FloatVector w0 = FloatVector.fromArray(S, bt, b0 + j), w1 = FloatVector.fromArray(S, bt, b1 + j);
            FloatVector w2 = FloatVector.fromArray(S, bt, b2 + j), w3 = FloatVector.fromArray(S, bt, b3 + j);
            FloatVector v = FloatVector.fromArray(S, a, r + j);
            s00 = v.fma(w0, s00);
            s01 = v.fma(w1, s01);
            s02 = v.fma(w2, s02);
            s03 = v.fma(w3, s03);
            v = FloatVector.fromArray(S, a, r1 + j);
            s10 = v.fma(w0, s10);
            s11 = v.fma(w1, s11);
            s12 = v.fma(w2, s12);
            s13 = v.fma(w3, s13);
            v = FloatVector.fromArray(S, a, r2 + j);
            s20 = v.fma(w0, s20);
            s21 = v.fma(w1, s21);
            s22 = v.fma(w2, s22);
            s23 = v.fma(w3, s23);
        }
        out[o] = tail(a, r, bt, b0, j, d, s00.reduceLanes(VectorOperators.ADD));
        out[o + 1] = tail(a, r, bt, b1, j, d, s01.reduceLanes(VectorOperators.ADD));
        out[o + 2] = tail(a, r, bt, b2, j, d, s02.reduceLanes(VectorOperators.ADD));
        out[o + 3] = tail(a, r, bt, b3, j, d, s03.reduceLanes(VectorOperators.ADD));
        out[o + c] = tail(a, r1, bt, b0, j, d, s10.reduceLanes(VectorOperators.ADD));
        out[o + c + 1] = tail(a, r1, bt, b1, j, d, s11.reduceLanes(VectorOperators.ADD));
        out[o + c + 2] = tail(a, r1, bt, b2, j, d, s12.reduceLanes(VectorOperators.ADD));
        out[o + c + 3] = tail(a, r1, bt, b3, j, d, s13.reduceLanes(VectorOperators.ADD));
        out[o + 2 * c] = tail(a, r2, bt, b0, j, d, s20.reduceLanes(VectorOperators.ADD));
        out[o + 2 * c + 1] = tail(a, r2, bt, b1, j, d, s21.reduceLanes(VectorOperators.ADD));
        out[o + 2 * c + 2] = tail(a, r2, bt, b2, j, d, s22.reduceLanes(VectorOperators.ADD));
        out[o + 2 * c + 3] = tail(a, r2, bt, b3, j, d, s23.reduceLanes(VectorOperators.ADD));
    }

    /** Rows r .. r+2 by columns k0, k0+1 of the float product (six sums). */
    private static void rows3Times2(float[] a, int r, int d, float[] bt, int k0, float[] out, int o, int c) {
        int L = S.length(), bound = S.loopBound(d), r1 = r + d, r2 = r1 + d, b0 = k0 * d, b1 = b0 + d, j = 0;
        FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S), s10 = FloatVector.zero(S);
        FloatVector s11 = FloatVector.zero(S), s20 = FloatVector.zero(S), s21 = FloatVector.zero(S);
        for (; j < bound; j += L) {
            FloatVector w0 = FloatVector.fromArray(S, bt, b0 + j), w1 = FloatVector.fromArray(S, bt, b1 + j);
            FloatVector v = FloatVector.fromArray(S, a, r + j);
            s00 = v.fma(w0, s00);
            s01 = v.fma(w1, s01);
            v = FloatVector.fromArray(S, a, r1 + j);
            s10 = v.fma(w0, s10);
            s11 = v.fma(w1, s11);
            v = FloatVector.fromArray(S, a, r2 + j);
            s20 = v.fma(w0, s20);
            s21 = v.fma(w1, s21);
        }
        out[o] = tail(a, r, bt, b0, j, d, s00.reduceLanes(VectorOperators.ADD));
        out[o + 1] = tail(a, r, bt, b1, j, d, s01.reduceLanes(VectorOperators.ADD));
        out[o + c] = tail(a, r1, bt, b0, j, d, s10.reduceLanes(VectorOperators.ADD));
        out[o + c + 1] = tail(a, r1, bt, b1, j, d, s11.reduceLanes(VectorOperators.ADD));
        out[o + 2 * c] = tail(a, r2, bt, b0, j, d, s20.reduceLanes(VectorOperators.ADD));
        out[o + 2 * c + 1] = tail(a, r2, bt, b1, j, d, s21.reduceLanes(VectorOperators.ADD));
    }

    /** Rows r .. r+2 by column k0 of the float product (three sums, so no sum waits on its own last fma). */
    private static void rows3Times1(float[] a, int r, int d, float[] bt, int k0, float[] out, int o, int c) {
        int L = S.length(), bound = S.loopBound(d), r1 = r + d, r2 = r1 + d, b0 = k0 * d, j = 0;
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S);
        for (; j < bound; j += L) {
            FloatVector w0 = FloatVector.fromArray(S, bt, b0 + j);
            s0 = FloatVector.fromArray(S, a, r + j).fma(w0, s0);
            s1 = FloatVector.fromArray(S, a, r1 + j).fma(w0, s1);
            s2 = FloatVector.fromArray(S, a, r2 + j).fma(w0, s2);
        }
        out[o] = tail(a, r, bt, b0, j, d, s0.reduceLanes(VectorOperators.ADD));
        out[o + c] = tail(a, r1, bt, b0, j, d, s1.reduceLanes(VectorOperators.ADD));
        out[o + 2 * c] = tail(a, r2, bt, b0, j, d, s2.reduceLanes(VectorOperators.ADD));
    }

    /** One row by one column of the float product, summed as {@link #rows3Times4} sums each of its twelve. */
    private static float rowTimes1(float[] a, int r, int d, float[] bt, int b) {
        int L = S.length(), bound = S.loopBound(d), j = 0;
        FloatVector s = FloatVector.zero(S);
        for (; j < bound; j += L) s = FloatVector.fromArray(S, a, r + j).fma(FloatVector.fromArray(S, bt, b + j), s);
        return tail(a, r, bt, b, j, d, s.reduceLanes(VectorOperators.ADD));
    }

    /**
     * Rows of A per pass in {@link #addTransposedProduct}: a chunk of a column range stays in the L2 cache while the
     * kernels walk its columns lane block by lane block. Each entry still gets its terms in row order.
     */
    private static final int ROW_CHUNK = 64;

    @Override
    public void addTransposedProduct(double[] a, int aOff, int lda, int rows, int d, double[] delta, int dOff, int c, double[] gt,
                                     int gOff, int ldg) {
        for (int i0 = 0; i0 < rows; i0 += ROW_CHUNK) {
            int m = Math.min(ROW_CHUNK, rows - i0), at = aOff + i0 * lda, e = dOff + i0 * c;
            int k = 0;
            for (; k + 8 <= c; k += 8) addProduct8(a, at, lda, m, d, delta, e, c, k, gt, gOff, ldg);
            for (; k + 4 <= c; k += 4) addProduct4(a, at, lda, m, d, delta, e, c, k, gt, gOff, ldg);
            for (; k + 2 <= c; k += 2) addProduct2(a, at, lda, m, d, delta, e, c, k, gt, gOff, ldg);
            for (; k < c; k++) addProduct1(a, at, lda, m, d, delta, e, c, k, gt, gOff, ldg);
        }
    }

    @Override
    public void addRowsTimesTransposed(float[] a, int aOff, int lda, int rows, int d, double[] bt, int bOff, int ldb, int c,
                                       double[] out, int outOff) {
        int L = D.length(), bound = D.loopBound(d), i = 0;
        for (; i + 2 <= rows; i += 2) {
            int row = aOff + i * lda, o = outOff + i * c, k = 0;
            for (; k + 4 <= c; k += 4) {
                int b0 = bOff + k * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb, j = 0;
                DoubleVector a0 = DoubleVector.zero(D), a1 = DoubleVector.zero(D), a2 = DoubleVector.zero(D), a3 = DoubleVector.zero(D);
                DoubleVector e0 = DoubleVector.zero(D), e1 = DoubleVector.zero(D), e2 = DoubleVector.zero(D), e3 = DoubleVector.zero(D);
                for (; j < bound; j += L) {
                    DoubleVector v = widened(a, row + j), u = widened(a, row + lda + j), w;
                    w = DoubleVector.fromArray(D, bt, b0 + j);
                    a0 = v.fma(w, a0);
                    e0 = u.fma(w, e0);
                    w = DoubleVector.fromArray(D, bt, b1 + j);
                    a1 = v.fma(w, a1);
                    e1 = u.fma(w, e1);
                    w = DoubleVector.fromArray(D, bt, b2 + j);
                    a2 = v.fma(w, a2);
                    e2 = u.fma(w, e2);
                    w = DoubleVector.fromArray(D, bt, b3 + j);
                    a3 = v.fma(w, a3);
                    e3 = u.fma(w, e3);
                }
                out[o + k] += tail(a, row, bt, b0, j, d, a0.reduceLanes(VectorOperators.ADD));
                out[o + k + 1] += tail(a, row, bt, b1, j, d, a1.reduceLanes(VectorOperators.ADD));
                out[o + k + 2] += tail(a, row, bt, b2, j, d, a2.reduceLanes(VectorOperators.ADD));
                out[o + k + 3] += tail(a, row, bt, b3, j, d, a3.reduceLanes(VectorOperators.ADD));
                out[o + c + k] += tail(a, row + lda, bt, b0, j, d, e0.reduceLanes(VectorOperators.ADD));
                out[o + c + k + 1] += tail(a, row + lda, bt, b1, j, d, e1.reduceLanes(VectorOperators.ADD));
                out[o + c + k + 2] += tail(a, row + lda, bt, b2, j, d, e2.reduceLanes(VectorOperators.ADD));
                out[o + c + k + 3] += tail(a, row + lda, bt, b3, j, d, e3.reduceLanes(VectorOperators.ADD));
            }
            for (; k < c; k++) {
                int b0 = bOff + k * ldb, j = 0;
                DoubleVector a0 = DoubleVector.zero(D), e0 = DoubleVector.zero(D);
                for (; j < bound; j += L) {
                    DoubleVector w = DoubleVector.fromArray(D, bt, b0 + j);
                    a0 = widened(a, row + j).fma(w, a0);
                    e0 = widened(a, row + lda + j).fma(w, e0);
                }
                out[o + k] += tail(a, row, bt, b0, j, d, a0.reduceLanes(VectorOperators.ADD));
                out[o + c + k] += tail(a, row + lda, bt, b0, j, d, e0.reduceLanes(VectorOperators.ADD));
            }
        }
        for (; i < rows; i++) {
            int row = aOff + i * lda, o = outOff + i * c, k = 0;
            for (; k + 8 <= c; k += 8) {
                int b0 = bOff + k * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb, b4 = b3 + ldb, b5 = b4 + ldb, b6 = b5 + ldb, b7 = b6 + ldb;
                DoubleVector a0 = DoubleVector.zero(D), a1 = DoubleVector.zero(D), a2 = DoubleVector.zero(D), a3 = DoubleVector.zero(D);
                DoubleVector a4 = DoubleVector.zero(D), a5 = DoubleVector.zero(D), a6 = DoubleVector.zero(D), a7 = DoubleVector.zero(D);
                int j = 0;
                for (; j < bound; j += L) {
                    DoubleVector v = widened(a, row + j);
                    a0 = v.fma(DoubleVector.fromArray(D, bt, b0 + j), a0);
                    a1 = v.fma(DoubleVector.fromArray(D, bt, b1 + j), a1);
                    a2 = v.fma(DoubleVector.fromArray(D, bt, b2 + j), a2);
                    a3 = v.fma(DoubleVector.fromArray(D, bt, b3 + j), a3);
                    a4 = v.fma(DoubleVector.fromArray(D, bt, b4 + j), a4);
                    a5 = v.fma(DoubleVector.fromArray(D, bt, b5 + j), a5);
                    a6 = v.fma(DoubleVector.fromArray(D, bt, b6 + j), a6);
                    a7 = v.fma(DoubleVector.fromArray(D, bt, b7 + j), a7);
                }
                out[o + k] += tail(a, row, bt, b0, j, d, a0.reduceLanes(VectorOperators.ADD));
                out[o + k + 1] += tail(a, row, bt, b1, j, d, a1.reduceLanes(VectorOperators.ADD));
                out[o + k + 2] += tail(a, row, bt, b2, j, d, a2.reduceLanes(VectorOperators.ADD));
                out[o + k + 3] += tail(a, row, bt, b3, j, d, a3.reduceLanes(VectorOperators.ADD));
                out[o + k + 4] += tail(a, row, bt, b4, j, d, a4.reduceLanes(VectorOperators.ADD));
                out[o + k + 5] += tail(a, row, bt, b5, j, d, a5.reduceLanes(VectorOperators.ADD));
                out[o + k + 6] += tail(a, row, bt, b6, j, d, a6.reduceLanes(VectorOperators.ADD));
                out[o + k + 7] += tail(a, row, bt, b7, j, d, a7.reduceLanes(VectorOperators.ADD));
            }
            for (; k < c; k++) {
                int b0 = bOff + k * ldb, j = 0;
                DoubleVector a0 = DoubleVector.zero(D);
                for (; j < bound; j += L) a0 = widened(a, row + j).fma(DoubleVector.fromArray(D, bt, b0 + j), a0);
                out[o + k] += tail(a, row, bt, b0, j, d, a0.reduceLanes(VectorOperators.ADD));
            }
        }
    }

    @Override
    public void addTransposedProduct(float[] a, int aOff, int lda, int rows, int d, double[] delta, int dOff, int c, double[] gt,
                                     int gOff, int ldg) {
        int L = D.length(), bound = D.loopBound(d), j = 0;
        // Two vectors of columns at a time: each broadcast of δ serves both.
        for (; j + 2 * L <= bound; j += 2 * L) {
            int k = 0;
            for (; k + 4 <= c; k += 4) {
                int g0 = gOff + k * ldg + j, g1 = g0 + ldg, g2 = g1 + ldg, g3 = g2 + ldg;
                DoubleVector a0 = DoubleVector.fromArray(D, gt, g0), a1 = DoubleVector.fromArray(D, gt, g1);
                DoubleVector a2 = DoubleVector.fromArray(D, gt, g2), a3 = DoubleVector.fromArray(D, gt, g3);
                DoubleVector e0 = DoubleVector.fromArray(D, gt, g0 + L), e1 = DoubleVector.fromArray(D, gt, g1 + L);
                DoubleVector e2 = DoubleVector.fromArray(D, gt, g2 + L), e3 = DoubleVector.fromArray(D, gt, g3 + L);
                for (int i = 0; i < rows; i++) {
                    int at = aOff + i * lda + j, e = dOff + i * c + k;
                    DoubleVector v = widened(a, at), u = widened(a, at + L), w;
                    w = DoubleVector.broadcast(D, delta[e]);
                    a0 = v.fma(w, a0);
                    e0 = u.fma(w, e0);
                    w = DoubleVector.broadcast(D, delta[e + 1]);
                    a1 = v.fma(w, a1);
                    e1 = u.fma(w, e1);
                    w = DoubleVector.broadcast(D, delta[e + 2]);
                    a2 = v.fma(w, a2);
                    e2 = u.fma(w, e2);
                    w = DoubleVector.broadcast(D, delta[e + 3]);
                    a3 = v.fma(w, a3);
                    e3 = u.fma(w, e3);
                }
                a0.intoArray(gt, g0);
                a1.intoArray(gt, g1);
                a2.intoArray(gt, g2);
                a3.intoArray(gt, g3);
                e0.intoArray(gt, g0 + L);
                e1.intoArray(gt, g1 + L);
                e2.intoArray(gt, g2 + L);
                e3.intoArray(gt, g3 + L);
            }
            for (; k < c; k++) {
                int g0 = gOff + k * ldg + j;
                DoubleVector a0 = DoubleVector.fromArray(D, gt, g0), e0 = DoubleVector.fromArray(D, gt, g0 + L);
                for (int i = 0; i < rows; i++) {
                    int at = aOff + i * lda + j;
                    DoubleVector w = DoubleVector.broadcast(D, delta[dOff + i * c + k]);
                    a0 = widened(a, at).fma(w, a0);
                    e0 = widened(a, at + L).fma(w, e0);
                }
                a0.intoArray(gt, g0);
                e0.intoArray(gt, g0 + L);
            }
        }
        for (; j < bound; j += L) {
            int k = 0;
            for (; k + 8 <= c; k += 8) {
                int g0 = gOff + k * ldg + j, g1 = g0 + ldg, g2 = g1 + ldg, g3 = g2 + ldg, g4 = g3 + ldg, g5 = g4 + ldg, g6 = g5 + ldg, g7 = g6 + ldg;
                DoubleVector a0 = DoubleVector.fromArray(D, gt, g0), a1 = DoubleVector.fromArray(D, gt, g1);
                DoubleVector a2 = DoubleVector.fromArray(D, gt, g2), a3 = DoubleVector.fromArray(D, gt, g3);
                DoubleVector a4 = DoubleVector.fromArray(D, gt, g4), a5 = DoubleVector.fromArray(D, gt, g5);
                DoubleVector a6 = DoubleVector.fromArray(D, gt, g6), a7 = DoubleVector.fromArray(D, gt, g7);
                for (int i = 0; i < rows; i++) {
                    DoubleVector v = widened(a, aOff + i * lda + j);
                    int e = dOff + i * c + k;
                    a0 = v.fma(DoubleVector.broadcast(D, delta[e]), a0);
                    a1 = v.fma(DoubleVector.broadcast(D, delta[e + 1]), a1);
                    a2 = v.fma(DoubleVector.broadcast(D, delta[e + 2]), a2);
                    a3 = v.fma(DoubleVector.broadcast(D, delta[e + 3]), a3);
                    a4 = v.fma(DoubleVector.broadcast(D, delta[e + 4]), a4);
                    a5 = v.fma(DoubleVector.broadcast(D, delta[e + 5]), a5);
                    a6 = v.fma(DoubleVector.broadcast(D, delta[e + 6]), a6);
                    a7 = v.fma(DoubleVector.broadcast(D, delta[e + 7]), a7);
                }
                a0.intoArray(gt, g0);
                a1.intoArray(gt, g1);
                a2.intoArray(gt, g2);
                a3.intoArray(gt, g3);
                a4.intoArray(gt, g4);
                a5.intoArray(gt, g5);
                a6.intoArray(gt, g6);
                a7.intoArray(gt, g7);
            }
            for (; k < c; k++) {
                int g0 = gOff + k * ldg + j;
                DoubleVector a0 = DoubleVector.fromArray(D, gt, g0);
                for (int i = 0; i < rows; i++) a0 = widened(a, aOff + i * lda + j).fma(DoubleVector.broadcast(D, delta[dOff + i * c + k]), a0);
                a0.intoArray(gt, g0);
            }
        }
        for (; j < d; j++) {
            for (int i = 0; i < rows; i++) {
                double v = a[aOff + i * lda + j];
                for (int k = 0; k < c; k++) gt[gOff + k * ldg + j] += v * delta[dOff + i * c + k];
            }
        }
    }

    /** D.length() floats from a[at], widened to doubles. */
    private static DoubleVector widened(float[] a, int at) {
        return (DoubleVector) FloatVector.fromArray(HALF, a, at).convertShape(VectorOperators.F2D, D, 0);
    }

    /** The lanes' sum plus the last d − j terms of float row · bt[b ..]. */
    private static double tail(float[] a, int row, double[] bt, int b, int j, int d, double s) {
        for (; j < d; j++) s += a[row + j] * bt[b + j];
        return s;
    }

    /** The lanes' sum plus the last d − j terms of row · bt[b ..]. */
    private static double tail(double[] a, int row, double[] bt, int b, int j, int d, double s) {
        for (; j < d; j++) s += a[row + j] * bt[b + j];
        return s;
    }

    /**
     * Columns k0 .. k0+7 of {@link #rowsTimesTransposed}, two rows at a time: ten loads per sixteen fused
     * multiply-adds (one row alone: nine per eight, B's rows streamed from L2 for each row of A). Each output is
     * summed as the one-row loop sums it, so the pairing changes no bit.
     */
    private static void rowsTimes8(double[] a, int aOff, int rows, int d, double[] bt, int c, int k0, double[] out, int outOff) {
        int L = D.length(), bound = D.loopBound(d);
        int b0 = k0 * d, b1 = (k0 + 1) * d, b2 = (k0 + 2) * d, b3 = (k0 + 3) * d;
        int b4 = (k0 + 4) * d, b5 = (k0 + 5) * d, b6 = (k0 + 6) * d, b7 = (k0 + 7) * d;
        int i = 0;
        for (; i + 2 <= rows; i += 2) {
            int r0 = aOff + i * d, r1 = r0 + d, o = outOff + i * c + k0, j = 0;
            DoubleVector a0 = DoubleVector.zero(D), a1 = DoubleVector.zero(D), a2 = DoubleVector.zero(D), a3 = DoubleVector.zero(D);
            DoubleVector a4 = DoubleVector.zero(D), a5 = DoubleVector.zero(D), a6 = DoubleVector.zero(D), a7 = DoubleVector.zero(D);
            DoubleVector e0 = DoubleVector.zero(D), e1 = DoubleVector.zero(D), e2 = DoubleVector.zero(D), e3 = DoubleVector.zero(D);
            DoubleVector e4 = DoubleVector.zero(D), e5 = DoubleVector.zero(D), e6 = DoubleVector.zero(D), e7 = DoubleVector.zero(D);
            for (; j < bound; j += L) {
                DoubleVector v = DoubleVector.fromArray(D, a, r0 + j), u = DoubleVector.fromArray(D, a, r1 + j), w;
                w = DoubleVector.fromArray(D, bt, b0 + j);
                a0 = v.fma(w, a0);
                e0 = u.fma(w, e0);
                w = DoubleVector.fromArray(D, bt, b1 + j);
                a1 = v.fma(w, a1);
                e1 = u.fma(w, e1);
                w = DoubleVector.fromArray(D, bt, b2 + j);
                a2 = v.fma(w, a2);
                e2 = u.fma(w, e2);
                w = DoubleVector.fromArray(D, bt, b3 + j);
                a3 = v.fma(w, a3);
                e3 = u.fma(w, e3);
                w = DoubleVector.fromArray(D, bt, b4 + j);
                a4 = v.fma(w, a4);
                e4 = u.fma(w, e4);
                w = DoubleVector.fromArray(D, bt, b5 + j);
                a5 = v.fma(w, a5);
                e5 = u.fma(w, e5);
                w = DoubleVector.fromArray(D, bt, b6 + j);
                a6 = v.fma(w, a6);
                e6 = u.fma(w, e6);
                w = DoubleVector.fromArray(D, bt, b7 + j);
                a7 = v.fma(w, a7);
                e7 = u.fma(w, e7);
            }
            out[o] = tail(a, r0, bt, b0, j, d, a0.reduceLanes(VectorOperators.ADD));
            out[o + 1] = tail(a, r0, bt, b1, j, d, a1.reduceLanes(VectorOperators.ADD));
            out[o + 2] = tail(a, r0, bt, b2, j, d, a2.reduceLanes(VectorOperators.ADD));
            out[o + 3] = tail(a, r0, bt, b3, j, d, a3.reduceLanes(VectorOperators.ADD));
            out[o + 4] = tail(a, r0, bt, b4, j, d, a4.reduceLanes(VectorOperators.ADD));
            out[o + 5] = tail(a, r0, bt, b5, j, d, a5.reduceLanes(VectorOperators.ADD));
            out[o + 6] = tail(a, r0, bt, b6, j, d, a6.reduceLanes(VectorOperators.ADD));
            out[o + 7] = tail(a, r0, bt, b7, j, d, a7.reduceLanes(VectorOperators.ADD));
            out[o + c] = tail(a, r1, bt, b0, j, d, e0.reduceLanes(VectorOperators.ADD));
            out[o + c + 1] = tail(a, r1, bt, b1, j, d, e1.reduceLanes(VectorOperators.ADD));
            out[o + c + 2] = tail(a, r1, bt, b2, j, d, e2.reduceLanes(VectorOperators.ADD));
            out[o + c + 3] = tail(a, r1, bt, b3, j, d, e3.reduceLanes(VectorOperators.ADD));
            out[o + c + 4] = tail(a, r1, bt, b4, j, d, e4.reduceLanes(VectorOperators.ADD));
            out[o + c + 5] = tail(a, r1, bt, b5, j, d, e5.reduceLanes(VectorOperators.ADD));
            out[o + c + 6] = tail(a, r1, bt, b6, j, d, e6.reduceLanes(VectorOperators.ADD));
            out[o + c + 7] = tail(a, r1, bt, b7, j, d, e7.reduceLanes(VectorOperators.ADD));
        }
        if (i < rows) {
            // The odd row left: its eight sums as the four-column kernel makes them (the same steps, so the same bits).
            rowsTimes4(a, aOff + i * d, 1, d, bt, c, k0, out, outOff + i * c);
            rowsTimes4(a, aOff + i * d, 1, d, bt, c, k0 + 4, out, outOff + i * c);
        }
    }

    /** Columns k0 .. k0+3 of {@link #rowsTimesTransposed}: one load of A per 4 fused multiply-adds. */
    private static void rowsTimes4(double[] a, int aOff, int rows, int d, double[] bt, int c, int k0, double[] out, int outOff) {
        int L = D.length(), bound = D.loopBound(d), b0 = k0 * d, b1 = (k0 + 1) * d, b2 = (k0 + 2) * d, b3 = (k0 + 3) * d;
        for (int i = 0; i < rows; i++) {
            int row = aOff + i * d, o = outOff + i * c + k0, j = 0;
            DoubleVector a0 = DoubleVector.zero(D);
            DoubleVector a1 = DoubleVector.zero(D);
            DoubleVector a2 = DoubleVector.zero(D);
            DoubleVector a3 = DoubleVector.zero(D);
            for (; j < bound; j += L) {
                DoubleVector v = DoubleVector.fromArray(D, a, row + j);
                a0 = v.fma(DoubleVector.fromArray(D, bt, b0 + j), a0);
                a1 = v.fma(DoubleVector.fromArray(D, bt, b1 + j), a1);
                a2 = v.fma(DoubleVector.fromArray(D, bt, b2 + j), a2);
                a3 = v.fma(DoubleVector.fromArray(D, bt, b3 + j), a3);
            }
            out[o + 0] = tail(a, row, bt, b0, j, d, a0.reduceLanes(VectorOperators.ADD));
            out[o + 1] = tail(a, row, bt, b1, j, d, a1.reduceLanes(VectorOperators.ADD));
            out[o + 2] = tail(a, row, bt, b2, j, d, a2.reduceLanes(VectorOperators.ADD));
            out[o + 3] = tail(a, row, bt, b3, j, d, a3.reduceLanes(VectorOperators.ADD));
        }
    }

    /** Columns k0, k0+1 of {@link #rowsTimesTransposed}, two rows at a time (four independent sums). */
    private static void rowsTimes2(double[] a, int aOff, int rows, int d, double[] bt, int c, int k0, double[] out, int outOff) {
        int L = D.length(), bound = D.loopBound(d), b0 = k0 * d, b1 = (k0 + 1) * d, i = 0;
        for (; i + 2 <= rows; i += 2) {
            int r0 = aOff + i * d, r1 = r0 + d, o = outOff + i * c + k0, j = 0;
            DoubleVector a00 = DoubleVector.zero(D), a01 = DoubleVector.zero(D);
            DoubleVector a10 = DoubleVector.zero(D), a11 = DoubleVector.zero(D);
            for (; j < bound; j += L) {
                DoubleVector w0 = DoubleVector.fromArray(D, bt, b0 + j), w1 = DoubleVector.fromArray(D, bt, b1 + j);
                DoubleVector v0 = DoubleVector.fromArray(D, a, r0 + j), v1 = DoubleVector.fromArray(D, a, r1 + j);
                a00 = v0.fma(w0, a00);
                a01 = v0.fma(w1, a01);
                a10 = v1.fma(w0, a10);
                a11 = v1.fma(w1, a11);
            }
            out[o] = tail(a, r0, bt, b0, j, d, a00.reduceLanes(VectorOperators.ADD));
            out[o + 1] = tail(a, r0, bt, b1, j, d, a01.reduceLanes(VectorOperators.ADD));
            out[o + c] = tail(a, r1, bt, b0, j, d, a10.reduceLanes(VectorOperators.ADD));
            out[o + c + 1] = tail(a, r1, bt, b1, j, d, a11.reduceLanes(VectorOperators.ADD));
        }
        if (i < rows) {
            rowsTimes1(a, aOff + i * d, rows - i, d, bt, c, k0, out, outOff + i * c);
            rowsTimes1(a, aOff + i * d, rows - i, d, bt, c, k0 + 1, out, outOff + i * c);
        }
    }

    /** Column k0 of {@link #rowsTimesTransposed}, four rows at a time (one sum alone waits on each fma's latency). */
    private static void rowsTimes1(double[] a, int aOff, int rows, int d, double[] bt, int c, int k0, double[] out, int outOff) {
        int L = D.length(), bound = D.loopBound(d), b0 = k0 * d, i = 0;
        for (; i + 4 <= rows; i += 4) {
            int r0 = aOff + i * d, r1 = r0 + d, r2 = r1 + d, r3 = r2 + d, o = outOff + i * c + k0, j = 0;
            DoubleVector a0 = DoubleVector.zero(D), a1 = DoubleVector.zero(D), a2 = DoubleVector.zero(D), a3 = DoubleVector.zero(D);
            for (; j < bound; j += L) {
                DoubleVector w = DoubleVector.fromArray(D, bt, b0 + j);
                a0 = DoubleVector.fromArray(D, a, r0 + j).fma(w, a0);
                a1 = DoubleVector.fromArray(D, a, r1 + j).fma(w, a1);
                a2 = DoubleVector.fromArray(D, a, r2 + j).fma(w, a2);
                a3 = DoubleVector.fromArray(D, a, r3 + j).fma(w, a3);
            }
            out[o] = tail(a, r0, bt, b0, j, d, a0.reduceLanes(VectorOperators.ADD));
            out[o + c] = tail(a, r1, bt, b0, j, d, a1.reduceLanes(VectorOperators.ADD));
            out[o + 2 * c] = tail(a, r2, bt, b0, j, d, a2.reduceLanes(VectorOperators.ADD));
            out[o + 3 * c] = tail(a, r3, bt, b0, j, d, a3.reduceLanes(VectorOperators.ADD));
        }
        for (; i < rows; i++) {
            int row = aOff + i * d, o = outOff + i * c + k0, j = 0;
            DoubleVector a0 = DoubleVector.zero(D);
            for (; j < bound; j += L) a0 = DoubleVector.fromArray(D, a, row + j).fma(DoubleVector.fromArray(D, bt, b0 + j), a0);
            out[o] = tail(a, row, bt, b0, j, d, a0.reduceLanes(VectorOperators.ADD));
        }
    }

    /** Rows k0 .. k0+7 of {@link #addTransposedProduct}'s gt, held in registers over all rows of A. */
    private static void addProduct8(double[] a, int aOff, int lda, int rows, int d, double[] delta, int dOff, int c, int k0,
                                    double[] gt, int gOff, int ldg) {
        int L = D.length(), bound = D.loopBound(d);
        int g0 = gOff + k0 * ldg, g1 = gOff + (k0 + 1) * ldg, g2 = gOff + (k0 + 2) * ldg, g3 = gOff + (k0 + 3) * ldg;
        int g4 = gOff + (k0 + 4) * ldg, g5 = gOff + (k0 + 5) * ldg, g6 = gOff + (k0 + 6) * ldg, g7 = gOff + (k0 + 7) * ldg;
        int j = 0;
        for (; j < bound; j += L) {
            DoubleVector a0 = DoubleVector.fromArray(D, gt, g0 + j);
            DoubleVector a1 = DoubleVector.fromArray(D, gt, g1 + j);
            DoubleVector a2 = DoubleVector.fromArray(D, gt, g2 + j);
            DoubleVector a3 = DoubleVector.fromArray(D, gt, g3 + j);
            DoubleVector a4 = DoubleVector.fromArray(D, gt, g4 + j);
            DoubleVector a5 = DoubleVector.fromArray(D, gt, g5 + j);
            DoubleVector a6 = DoubleVector.fromArray(D, gt, g6 + j);
            DoubleVector a7 = DoubleVector.fromArray(D, gt, g7 + j);
            for (int i = 0; i < rows; i++) {
                DoubleVector v = DoubleVector.fromArray(D, a, aOff + i * lda + j);
                int e = dOff + i * c + k0;
                a0 = v.fma(DoubleVector.broadcast(D, delta[e]), a0);
                a1 = v.fma(DoubleVector.broadcast(D, delta[e + 1]), a1);
                a2 = v.fma(DoubleVector.broadcast(D, delta[e + 2]), a2);
                a3 = v.fma(DoubleVector.broadcast(D, delta[e + 3]), a3);
                a4 = v.fma(DoubleVector.broadcast(D, delta[e + 4]), a4);
                a5 = v.fma(DoubleVector.broadcast(D, delta[e + 5]), a5);
                a6 = v.fma(DoubleVector.broadcast(D, delta[e + 6]), a6);
                a7 = v.fma(DoubleVector.broadcast(D, delta[e + 7]), a7);
            }
            a0.intoArray(gt, g0 + j);
            a1.intoArray(gt, g1 + j);
            a2.intoArray(gt, g2 + j);
            a3.intoArray(gt, g3 + j);
            a4.intoArray(gt, g4 + j);
            a5.intoArray(gt, g5 + j);
            a6.intoArray(gt, g6 + j);
            a7.intoArray(gt, g7 + j);
        }
        plainColumns(a, aOff, lda, rows, j, d, delta, dOff, c, k0, 8, gt, gOff, ldg);
    }

    /** Rows k0 .. k0+3 of {@link #addTransposedProduct}'s gt, held in registers over all rows of A. */
    private static void addProduct4(double[] a, int aOff, int lda, int rows, int d, double[] delta, int dOff, int c, int k0,
                                    double[] gt, int gOff, int ldg) {
        int L = D.length(), bound = D.loopBound(d);
        int g0 = gOff + k0 * ldg, g1 = gOff + (k0 + 1) * ldg, g2 = gOff + (k0 + 2) * ldg, g3 = gOff + (k0 + 3) * ldg;
        int j = 0;
        for (; j < bound; j += L) {
            DoubleVector a0 = DoubleVector.fromArray(D, gt, g0 + j);
            DoubleVector a1 = DoubleVector.fromArray(D, gt, g1 + j);
            DoubleVector a2 = DoubleVector.fromArray(D, gt, g2 + j);
            DoubleVector a3 = DoubleVector.fromArray(D, gt, g3 + j);
            for (int i = 0; i < rows; i++) {
                DoubleVector v = DoubleVector.fromArray(D, a, aOff + i * lda + j);
                int e = dOff + i * c + k0;
                a0 = v.fma(DoubleVector.broadcast(D, delta[e]), a0);
                a1 = v.fma(DoubleVector.broadcast(D, delta[e + 1]), a1);
                a2 = v.fma(DoubleVector.broadcast(D, delta[e + 2]), a2);
                a3 = v.fma(DoubleVector.broadcast(D, delta[e + 3]), a3);
            }
            a0.intoArray(gt, g0 + j);
            a1.intoArray(gt, g1 + j);
            a2.intoArray(gt, g2 + j);
            a3.intoArray(gt, g3 + j);
        }
        plainColumns(a, aOff, lda, rows, j, d, delta, dOff, c, k0, 4, gt, gOff, ldg);
    }

    /** Rows k0, k0+1 of {@link #addTransposedProduct}'s gt, two lane blocks at a time (four independent sums). */
    private static void addProduct2(double[] a, int aOff, int lda, int rows, int d, double[] delta, int dOff, int c, int k0,
                                    double[] gt, int gOff, int ldg) {
        int L = D.length(), bound = D.loopBound(d), g0 = gOff + k0 * ldg, g1 = g0 + ldg, j = 0;
        for (; j + 2 * L <= bound; j += 2 * L) {
            DoubleVector a00 = DoubleVector.fromArray(D, gt, g0 + j), a01 = DoubleVector.fromArray(D, gt, g0 + j + L);
            DoubleVector a10 = DoubleVector.fromArray(D, gt, g1 + j), a11 = DoubleVector.fromArray(D, gt, g1 + j + L);
            for (int i = 0; i < rows; i++) {
                int at = aOff + i * lda + j, e = dOff + i * c + k0;
                DoubleVector v0 = DoubleVector.fromArray(D, a, at), v1 = DoubleVector.fromArray(D, a, at + L);
                DoubleVector s0 = DoubleVector.broadcast(D, delta[e]), s1 = DoubleVector.broadcast(D, delta[e + 1]);
                a00 = v0.fma(s0, a00);
                a01 = v1.fma(s0, a01);
                a10 = v0.fma(s1, a10);
                a11 = v1.fma(s1, a11);
            }
            a00.intoArray(gt, g0 + j);
            a01.intoArray(gt, g0 + j + L);
            a10.intoArray(gt, g1 + j);
            a11.intoArray(gt, g1 + j + L);
        }
        for (; j < bound; j += L) {
            DoubleVector a0 = DoubleVector.fromArray(D, gt, g0 + j), a1 = DoubleVector.fromArray(D, gt, g1 + j);
            for (int i = 0; i < rows; i++) {
                DoubleVector v = DoubleVector.fromArray(D, a, aOff + i * lda + j);
                int e = dOff + i * c + k0;
                a0 = v.fma(DoubleVector.broadcast(D, delta[e]), a0);
                a1 = v.fma(DoubleVector.broadcast(D, delta[e + 1]), a1);
            }
            a0.intoArray(gt, g0 + j);
            a1.intoArray(gt, g1 + j);
        }
        plainColumns(a, aOff, lda, rows, j, d, delta, dOff, c, k0, 2, gt, gOff, ldg);
    }

    /** Row k0 of {@link #addTransposedProduct}'s gt, four lane blocks at a time (one sum alone waits on each fma's latency). */
    private static void addProduct1(double[] a, int aOff, int lda, int rows, int d, double[] delta, int dOff, int c, int k0,
                                    double[] gt, int gOff, int ldg) {
        int L = D.length(), bound = D.loopBound(d), g0 = gOff + k0 * ldg, j = 0;
        for (; j + 4 * L <= bound; j += 4 * L) {
            DoubleVector a0 = DoubleVector.fromArray(D, gt, g0 + j), a1 = DoubleVector.fromArray(D, gt, g0 + j + L);
            DoubleVector a2 = DoubleVector.fromArray(D, gt, g0 + j + 2 * L), a3 = DoubleVector.fromArray(D, gt, g0 + j + 3 * L);
            for (int i = 0; i < rows; i++) {
                int at = aOff + i * lda + j;
                DoubleVector s = DoubleVector.broadcast(D, delta[dOff + i * c + k0]);
                a0 = DoubleVector.fromArray(D, a, at).fma(s, a0);
                a1 = DoubleVector.fromArray(D, a, at + L).fma(s, a1);
                a2 = DoubleVector.fromArray(D, a, at + 2 * L).fma(s, a2);
                a3 = DoubleVector.fromArray(D, a, at + 3 * L).fma(s, a3);
            }
            a0.intoArray(gt, g0 + j);
            a1.intoArray(gt, g0 + j + L);
            a2.intoArray(gt, g0 + j + 2 * L);
            a3.intoArray(gt, g0 + j + 3 * L);
        }
        for (; j < bound; j += L) {
            DoubleVector a0 = DoubleVector.fromArray(D, gt, g0 + j);
            for (int i = 0; i < rows; i++) {
                a0 = DoubleVector.fromArray(D, a, aOff + i * lda + j).fma(DoubleVector.broadcast(D, delta[dOff + i * c + k0]), a0);
            }
            a0.intoArray(gt, g0 + j);
        }
        plainColumns(a, aOff, lda, rows, j, d, delta, dOff, c, k0, 1, gt, gOff, ldg);
    }

    /** Columns j0 .. d−1 (past the last whole lane block) of rows k0 .. k0+w−1 of gt, plainly, in row order. */
    private static void plainColumns(double[] a, int aOff, int lda, int rows, int j0, int d, double[] delta, int dOff, int c, int k0,
                                     int w, double[] gt, int gOff, int ldg) {
        for (int j = j0; j < d; j++) {
            for (int i = 0; i < rows; i++) {
                double v = a[aOff + i * lda + j];
                for (int k = k0; k < k0 + w; k++) gt[gOff + k * ldg + j] += v * delta[dOff + i * c + k];
            }
        }
    }

    /** r² of FastCos's reduction of x = v[at..] + shift[s..], lane by lane. */
    private static DoubleVector reduce(double[] v, int at, double[] shift, int s) {
        DoubleVector x = DoubleVector.fromArray(D, v, at).add(DoubleVector.fromArray(D, shift, s));
        DoubleVector k = x.mul(FastCos.INV_TWO_PI).add(ROUND).sub(ROUND);
        DoubleVector r = x.sub(k.mul(FastCos.TWO_PI_HI)).sub(k.mul(FastCos.TWO_PI_LO));
        return r.mul(r);
    }

    private static final double C0 = FastCos.C[0], C1 = FastCos.C[1], C2 = FastCos.C[2], C3 = FastCos.C[3], C4 = FastCos.C[4],
            C5 = FastCos.C[5], C6 = FastCos.C[6], C7 = FastCos.C[7], C8 = FastCos.C[8], C9 = FastCos.C[9], C10 = FastCos.C[10],
            C11 = FastCos.C[11];
}
