import dev.convexcnn.linalg.Backend;
import dev.convexcnn.linalg.BlasThreads;
import dev.convexcnn.linalg.Gemm;
import java.util.Locale;
import java.util.Random;

/**
 * The reference CNN's convolution products alone, on one thread, as {@code Conv2d} calls them for half a batch
 * of 128 (64 images, one output row of patches per call), by the BLAS's sgemm, against a 1024³ sgemm on one
 * thread measured in the same run: the rate these shapes can have with their operands in cache, beside the rate
 * they get inside an epoch ({@code -Dconvexcnn.layerTimes=true}, docs/sgd.md). Best of five one-second windows.
 *
 * java --add-modules=jdk.incubator.vector,jdk.incubator.foreign --enable-native-access=ALL-UNNAMED \
 *      -cp cli/target/convexcnn.jar bench/ConvProductProbe.java
 */
public class ConvProductProbe {
    public static void main(String[] args) {
        BlasThreads.Scope one = BlasThreads.singleThreaded();
        Random rnd = new Random(1);
        float[] big = gaussian(rnd, 1024 * 1024), bigOut = new float[1024 * 1024];
        double sgemm = best(2.0 * 1024 * 1024 * 1024, () -> Gemm.sgemm(false, false, 1024, 1024, 1024, 1, big, big, 0, bigOut));
        System.out.printf(Locale.ROOT, "backend %s; one thread; sgemm 1024^3: %.1f GFLOP/s%n", Backend.get().description(), sgemm);
        // filters, patch size + 1, block width: conv1 (16 filters, 5x5x1) and conv2 (32 filters, 5x5x16), 64 images
        int[][] shapes = {{16, 26, 24 * 64}, {32, 401, 8 * 64}};
        for (int[] sh : shapes) {
            int f = sh[0], k1 = sh[1], w = sh[2], k = k1 - 1;
            float[] wb = gaussian(rnd, f * k1), cols = gaussian(rnd, k1 * w), g = gaussian(rnd, f * w);
            float[] out = new float[f * w], gw = new float[f * k1], dc = new float[k * w];
            double fl = 2.0 * f * k1 * w;
            report(String.format(Locale.ROOT, "conv %d x %d x %d forward", f, k1, w), sgemm,
                    best(fl, () -> Gemm.sgemm(false, false, f, w, k1, 1f, wb, 0, k1, cols, 0, w, 0f, out, 0, w)));
            report("  weight gradient", sgemm,
                    best(fl, () -> Gemm.sgemm(false, true, f, k1, w, 1f, g, 0, w, cols, 0, w, 1f, gw, 0, k1)));
            if (f == 16) continue;    // the first layer needs no gradient for its input
            double fp = 2.0 * f * k * w;
            report("  patch gradient", sgemm,
                    best(fp, () -> Gemm.sgemm(true, false, k, w, f, 1f, wb, 0, k1, g, 0, w, 0f, dc, 0, w)));
        }
    }

    static void report(String what, double sgemm, double blas) {
        System.out.printf(Locale.ROOT, "%-34s %6.1f GFLOP/s (%3.0f %% of the 1024^3 sgemm)%n", what, blas, 100 * blas / sgemm);
    }

    static double best(double flops, Runnable r) {
        double best = 0;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime(), n = 0;
            while (System.nanoTime() - t0 < 1_000_000_000L) {
                r.run();
                n++;
            }
            best = Math.max(best, flops * n / (System.nanoTime() - t0));
        }
        return best;
    }

    static float[] gaussian(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }
}
