import dev.convexcnn.linalg.ArrayKernels;
import dev.convexcnn.linalg.Backend;
import dev.convexcnn.linalg.BlasThreads;
import dev.convexcnn.linalg.Gemm;
import java.util.Locale;
import java.util.Random;

/**
 * The Gram form's hot product alone: a symmetric g × g matrix times g × w (w = 10 classes per point, 20 for two
 * points), in float, by the BLAS's sgemm (its own threads, then one thread) and by the SIMD kernel the solver uses
 * (rows split over the cores), against a 1024³ sgemm measured in the same run. Each figure is the best of
 * five one-second windows. Used for the kernel choice in docs/convex.md ("The 5×5 CNN shape").
 *
 * java --add-modules=jdk.incubator.vector,jdk.incubator.foreign --enable-native-access=ALL-UNNAMED \
 *      -cp cli/target/convexcnn.jar bench/GramProductProbe.java [g w ...]     (default: 1664 20 1664 10 3328 20)
 */
public class GramProductProbe {
    public static void main(String[] a) {
        int[] shapes = a.length >= 2 ? java.util.Arrays.stream(a).mapToInt(Integer::parseInt).toArray() : new int[] {1664, 20, 1664, 10, 3328, 20};
        Random rnd = new Random(1);
        float[] big = gaussian(rnd, 1024 * 1024), bigOut = new float[1024 * 1024];
        double sgemm = best(2.0 * 1024 * 1024 * 1024, () -> Gemm.sgemm(false, false, 1024, 1024, 1024, 1, big, big, 0, bigOut));
        System.out.printf(Locale.ROOT, "backend %s; sgemm 1024^3: %.1f GFLOP/s; kernels %s%n", Backend.get().description(), sgemm,
                ArrayKernels.vectorized() ? "SIMD" : "plain loops");
        for (int s = 0; s + 1 < shapes.length; s += 2) {
            int g = shapes[s], w = shapes[s + 1];
            float[] gram = gaussian(rnd, g * g);
            for (int i = 0; i < g; i++) for (int j = 0; j < i; j++) gram[i * g + j] = gram[j * g + i];
            float[] x = gaussian(rnd, g * w), xt = new float[w * g], out = new float[g * w];
            for (int t = 0; t < g; t++) for (int k = 0; k < w; k++) xt[k * g + t] = x[t * w + k];
            double flops = 2.0 * g * g * w;
            double blas = best(flops, () -> Gemm.sgemm(false, false, g, w, g, 1, gram, x, 0, out));
            double blasOne;
            try (var one = BlasThreads.singleThreaded()) {
                blasOne = best(flops, () -> Gemm.sgemm(false, false, g, w, g, 1, gram, x, 0, out));
            }
            double kernel = best(flops, () -> ArrayKernels.rowsTimesTransposedInParallel(gram, 0, g, g, xt, w, out, 0, 48));
            System.out.printf(Locale.ROOT, "g %d, w %d: sgemm %.1f GFLOP/s (%.0f %%), sgemm on one thread %.1f (%.0f %%), kernel %.1f (%.0f %%)%n",
                    g, w, blas, 100 * blas / sgemm, blasOne, 100 * blasOne / sgemm, kernel, 100 * kernel / sgemm);
        }
    }

    private static double best(double flops, Runnable r) {
        double best = 0;
        for (int rep = 0; rep < 5; rep++) {
            long t0 = System.nanoTime();
            int it = 0;
            while (System.nanoTime() - t0 < 1_000_000_000L) {
                r.run();
                it++;
            }
            best = Math.max(best, flops * it / (System.nanoTime() - t0));
        }
        return best;
    }

    private static float[] gaussian(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }
}
