package dev.convexcnn.linalg;

/**
 * The rates this process gets from its BLAS, measured once on first use (about 0.2 s): sgemm and dgemm on
 * 1024 × 1024 matrices, and a streaming read of 64 MiB. Solvers set their products' rates against these ("52 % of
 * sgemm"), and choose between forms of a product by them; measured in the same run, so a loaded machine loads both.
 */
public final class GemmProbe {
    private static volatile double sgemm, dgemm, stream;

    private GemmProbe() {}

    /** sgemm GFLOP/s. */
    public static double sgemm() {
        if (sgemm == 0) {
            synchronized (GemmProbe.class) {
                if (sgemm == 0) sgemm = measure(true);
            }
        }
        return sgemm;
    }

    /**
     * sgemm GFLOP/s measured again, and the best of this and the earlier figures kept: a probe taken while the JIT
     * compiles on the other core (the first seconds of a run) can read half the rate; a rate set against it then
     * reads over 100 %. For a figure reported after the work it rates.
     */
    public static double sgemmRemeasured() {
        synchronized (GemmProbe.class) {
            sgemm = Math.max(sgemm, measure(true));
            return sgemm;
        }
    }

    /** dgemm GFLOP/s. */
    public static double dgemm() {
        if (dgemm == 0) {
            synchronized (GemmProbe.class) {
                if (dgemm == 0) dgemm = measure(false);
            }
        }
        return dgemm;
    }

    /** GB/s of one thread summing a 64 MiB double array: what a memory-bound product can hope for. */
    public static double streamGBps() {
        if (stream == 0) {
            synchronized (GemmProbe.class) {
                if (stream == 0) {
                    double[] a = new double[1 << 23];
                    java.util.Arrays.fill(a, 1e-3);
                    double best = Double.POSITIVE_INFINITY, sink = 0;
                    for (int r = 0; r < 3; r++) {
                        long t = System.nanoTime();
                        double s = 0;
                        for (double v : a) s += v;
                        sink += s;
                        best = Math.min(best, (System.nanoTime() - t) / 1e9);
                    }
                    stream = sink > 0 ? 8.0 * a.length / best / 1e9 : 1;
                }
            }
        }
        return stream;
    }

    /** Best of three timed products after one warm-up: the rate the BLAS can give, not an average under noise. */
    private static double measure(boolean single) {
        int n = 1024, len = n * n;
        double best = Double.POSITIVE_INFINITY;
        if (single) {
            float[] a = new float[len], b = new float[len], c = new float[len];
            for (int i = 0; i < len; i++) { a[i] = (i % 7) * 0.1f; b[i] = (i % 5) * 0.1f; }
            for (int r = 0; r < 4; r++) {
                long t = System.nanoTime();
                Gemm.sgemm(false, false, n, n, n, 1, a, b, 0, c);
                if (r > 0) best = Math.min(best, (System.nanoTime() - t) / 1e9);
            }
        } else {
            double[] a = new double[len], b = new double[len], c = new double[len];
            for (int i = 0; i < len; i++) { a[i] = (i % 7) * 0.1; b[i] = (i % 5) * 0.1; }
            for (int r = 0; r < 4; r++) {
                long t = System.nanoTime();
                Gemm.dgemm(false, false, n, n, n, 1, a, b, 0, c);
                if (r > 0) best = Math.min(best, (System.nanoTime() - t) / 1e9);
            }
        }
        return 2.0 * n * n * n / best / 1e9;
    }
}
