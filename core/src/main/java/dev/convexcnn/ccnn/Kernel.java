package dev.convexcnn.ccnn;

import java.util.Locale;

/**
 * The patch kernels of the CCNN paper.
 * <ul>
 *   <li>{@link #GAUSSIAN}: K(z, z') = exp(−γ‖z − z'‖²).</li>
 *   <li>{@link #INVERSE_POLYNOMIAL}: K(z, z') = 1 / (2 − ⟨z, z'⟩), defined on the unit ball ‖z‖ ≤ 1. Inputs
 *       outside the ball are first scaled onto it (z / max(1, ‖z‖)); γ is ignored.</li>
 * </ul>
 */
public enum Kernel {
    GAUSSIAN("gaussian"),
    INVERSE_POLYNOMIAL("inverse-polynomial");

    private final String id;

    Kernel(String id) { this.id = id; }

    public String id() { return id; }

    /** Parses {@code gaussian}/{@code rbf} or {@code inverse-polynomial}/{@code invpoly}. */
    public static Kernel parse(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "gaussian": case "rbf": return GAUSSIAN;
            case "inverse-polynomial": case "invpoly": case "inverse_polynomial": return INVERSE_POLYNOMIAL;
            default: throw new IllegalArgumentException("kernel must be gaussian or inverse-polynomial, got '" + s + "'");
        }
    }

    /** The exact kernel value between a[aOff..aOff+d) and b[bOff..bOff+d): the slow, obvious twin of the features. */
    public double value(double[] a, int aOff, double[] b, int bOff, int d, double gamma) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < d; i++) {
            double x = a[aOff + i], y = b[bOff + i];
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        return fromInnerProducts(dot, na, nb, gamma);
    }

    /** The kernel value from ⟨z, z'⟩, ‖z‖² and ‖z'‖². */
    double fromInnerProducts(double dot, double normSqA, double normSqB, double gamma) {
        if (this == GAUSSIAN) {
            return Math.exp(-gamma * Math.max(0, normSqA + normSqB - 2 * dot));
        }
        double sa = normSqA > 1 ? 1 / Math.sqrt(normSqA) : 1;
        double sb = normSqB > 1 ? 1 / Math.sqrt(normSqB) : 1;
        return 1 / (2 - dot * sa * sb);
    }

    @Override
    public String toString() { return id; }
}
