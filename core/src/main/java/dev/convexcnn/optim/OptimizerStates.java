package dev.convexcnn.optim;

import java.util.Map;

final class OptimizerStates {
    private OptimizerStates() {}

    /** Copies saved buffers into live ones, insisting on the same names and sizes. */
    static void copyInto(Map<String, float[]> saved, Map<String, float[]> live) {
        if (!saved.keySet().equals(live.keySet())) {
            throw new IllegalArgumentException("optimizer state has buffers " + saved.keySet() + ", expected " + live.keySet());
        }
        for (Map.Entry<String, float[]> e : live.entrySet()) {
            float[] src = saved.get(e.getKey());
            if (src.length != e.getValue().length) {
                throw new IllegalArgumentException("optimizer buffer " + e.getKey() + " has " + src.length + " values, expected " + e.getValue().length);
            }
            System.arraycopy(src, 0, e.getValue(), 0, src.length);
        }
    }
}
