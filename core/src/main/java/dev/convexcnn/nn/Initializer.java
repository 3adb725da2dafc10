package dev.convexcnn.nn;

import java.util.Locale;
import java.util.SplittableRandom;

/** Weight initialisation schemes, by a weight tensor's fan-in and fan-out. */
public enum Initializer {
    /** He/Kaiming normal: N(0, 2/fanIn), for ReLU nets; biases 0. */
    HE,
    /** Glorot/Xavier uniform: U(±√(6/(fanIn+fanOut))); biases 0. */
    GLOROT,
    /** PyTorch's default for Conv2d and Linear: weights and biases U(±1/√fanIn). */
    UNIFORM_FAN_IN;

    public static Initializer parse(String s) {
        switch (s.toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "he": case "kaiming": return HE;
            case "glorot": case "xavier": return GLOROT;
            case "uniform-fan-in": case "pytorch": return UNIFORM_FAN_IN;
            default: throw new IllegalArgumentException("unknown initialiser '" + s + "': use he, glorot or uniform-fan-in");
        }
    }

    public String id() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

    public void initWeights(float[] w, int fanIn, int fanOut, SplittableRandom r) {
        switch (this) {
            case HE: {
                double std = Math.sqrt(2.0 / fanIn);
                for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextGaussian() * std);
                break;
            }
            case GLOROT: uniform(w, Math.sqrt(6.0 / (fanIn + fanOut)), r); break;
            default: uniform(w, 1.0 / Math.sqrt(fanIn), r);
        }
    }

    public void initBias(float[] b, int fanIn, SplittableRandom r) {
        if (this == UNIFORM_FAN_IN) uniform(b, 1.0 / Math.sqrt(fanIn), r);
        else java.util.Arrays.fill(b, 0f);
    }

    private static void uniform(float[] w, double bound, SplittableRandom r) {
        for (int i = 0; i < w.length; i++) w[i] = (float) ((2 * r.nextDouble() - 1) * bound);
    }
}
