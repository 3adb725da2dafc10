package dev.convexcnn.linalg;

/**
 * cos(x) by reduction to [−π, π] and a degree-22 Taylor polynomial in x²: absolute error below 1e-11 for
 * |x| &lt; 1e4, about four times faster than {@link Math#cos}; random Fourier features spend most of their time
 * here. {@link #scaledCos} is the array form, SIMD through {@link ArrayKernels} and bit-identical to the scalar
 * {@link #cos} (the same operations in the same order) for |x| &lt; 2^51·2π. Where the CPU has fused multiply-add
 * ({@link #FUSED}: HotSpot's UseFMA) the polynomial's steps are fused, in both forms: half the operations on a
 * latency-bound chain. Without it they stay a multiply and an add (a software fma would be far slower), so the
 * features differ in the last bits between such machines, as BLAS results do.
 */
public final class FastCos {
    static final double INV_TWO_PI = 1 / (2 * Math.PI);
    static final double TWO_PI_HI = 6.283185307179586;
    static final double TWO_PI_LO = 2.4492935982947064e-16;
    static final double[] C = new double[12];

    static {
        double f = 1;
        for (int i = 0; i < C.length; i++) {
            if (i > 0) f *= -1.0 / ((2 * i - 1) * (2 * i));
            C[i] = f;
        }
    }

    private static final double C0 = C[0], C1 = C[1], C2 = C[2], C3 = C[3], C4 = C[4], C5 = C[5], C6 = C[6],
            C7 = C[7], C8 = C[8], C9 = C[9], C10 = C[10], C11 = C[11];

    /** Whether the polynomial's steps are fused multiply-adds (the CPU has them, as HotSpot reports). */
    public static final boolean FUSED = hardwareFma();

    private FastCos() {}

    public static double cos(double x) {
        return FUSED ? cosFused(x) : cosPlain(x);
    }

    /** r² for x reduced to [−π, π]. */
    private static double reducedSquare(double x) {
        double k = Math.rint(x * INV_TWO_PI);
        double r = (x - k * TWO_PI_HI) - k * TWO_PI_LO;
        return r * r;
    }

    static double cosFused(double x) {
        double r2 = reducedSquare(x);
        double p = Math.fma(r2, C11, C10);
        p = Math.fma(r2, p, C9);
        p = Math.fma(r2, p, C8);
        p = Math.fma(r2, p, C7);
        p = Math.fma(r2, p, C6);
        p = Math.fma(r2, p, C5);
        p = Math.fma(r2, p, C4);
        p = Math.fma(r2, p, C3);
        p = Math.fma(r2, p, C2);
        p = Math.fma(r2, p, C1);
        return Math.fma(r2, p, C0);
    }

    static double cosPlain(double x) {
        double r2 = reducedSquare(x);
        return C0 + r2 * (C1 + r2 * (C2 + r2 * (C3 + r2 * (C4 + r2 * (C5 + r2 * (C6 + r2 * (C7 + r2 * (C8
                + r2 * (C9 + r2 * (C10 + r2 * C11))))))))));
    }

    /** HotSpot's UseFMA: true only where fma is one instruction; false when it cannot be read. */
    private static boolean hardwareFma() {
        if ("false".equals(System.getProperty("convexcnn.fma"))) return false;
        try {
            com.sun.management.HotSpotDiagnosticMXBean bean = java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean != null && "true".equals(bean.getVMOption("UseFMA").getValue());
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** v[off + j] = scale·cos(v[off + j] + shift[j]) for j &lt; n: one row of random Fourier features. */
    public static void scaledCos(double[] v, int off, double[] shift, double scale, int n) {
        ArrayKernels.scaledCos(v, off, shift, scale, n);
    }
}
