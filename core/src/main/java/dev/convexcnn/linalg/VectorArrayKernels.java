package dev.convexcnn.linalg;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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
    public void maxStep(float[] in, int from, float[] best, float[] where, int to, int n, float position) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, in, from + i), b = FloatVector.fromArray(S, best, to + i);
            VectorMask<Float> gt = v.compare(VectorOperators.GT, b);
            FloatVector.fromArray(S, where, to + i).blend(position, gt).intoArray(where, to + i);
            b.max(v).intoArray(best, to + i);
        }
        for (; i < n; i++) {
            float v = in[from + i], b = best[to + i];
            if (v > b) where[to + i] = position;
            best[to + i] = Math.max(b, v);
        }
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
    public void selectMax(float[] grad, int from, float[] where, float position, float[] dst, int to, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            VectorMask<Float> hit = FloatVector.fromArray(S, where, from + i).compare(VectorOperators.EQ, position);
            zero.blend(FloatVector.fromArray(S, grad, from + i), hit).intoArray(dst, to + i);
        }
        for (; i < n; i++) dst[to + i] = where[from + i] == position ? grad[from + i] : 0f;
    }

    @Override
    public void scaledCos(double[] v, int off, double[] shift, double scale, int n) {
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
        for (; j < n; j++) v[off + j] = scale * FastCos.cos(v[off + j] + shift[j]);
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

    @Override
    public void subtract(double[] src, int from, double[] dst, int to, int n) {
        int j = 0;
        for (int end = D.loopBound(n); j < end; j += D.length()) {
            DoubleVector.fromArray(D, dst, to + j).sub(DoubleVector.fromArray(D, src, from + j)).intoArray(dst, to + j);
        }
        for (; j < n; j++) dst[to + j] -= src[from + j];
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
