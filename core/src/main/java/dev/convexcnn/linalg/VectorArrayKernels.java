package dev.convexcnn.linalg;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link ArrayKernels} with the Vector API. Loaded only when the module is present. */
final class VectorArrayKernels implements ArrayKernels.Impl {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

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
}
