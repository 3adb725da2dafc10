package dev.convexcnn.ccnn;

import dev.convexcnn.optim.NuclearNorm;

/**
 * The nuclear-norm operators under their old name, for the callers not yet moved to {@link NuclearNorm} (which
 * holds them, with their tests): each method delegates, so the arithmetic is that of {@link NuclearNorm}.
 */
public final class NuclearBall {
    private NuclearBall() {}

    /** {@link NuclearNorm#shrink}: the proximal map of θ‖·‖_*, in place; returns the rank after. */
    public static int shrink(double[] a, int m, int n, double theta) { return NuclearNorm.shrink(a, m, n, theta); }

    /** {@link NuclearNorm#nuclearNorm}. */
    public static double nuclearNorm(double[] a, int m, int n) { return NuclearNorm.nuclearNorm(a, m, n); }

    /** {@link NuclearNorm#spectralNorm}. */
    public static double spectralNorm(double[] a, int m, int n) { return NuclearNorm.spectralNorm(a, m, n); }
}
