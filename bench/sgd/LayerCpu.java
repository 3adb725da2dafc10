import dev.convexcnn.nn.*;
import java.lang.management.*;
import java.util.*;
/**
 * Thread CPU time of each layer's forward and backward on one thread, the reference net, random inputs: where a
 * shard of the SGD epoch spends its time. CPU time, not wall time, so a loaded machine changes it less.
 *
 *   OPENBLAS_NUM_THREADS=1 java --add-modules=jdk.incubator.vector -Dconvexcnn.threads=1 \
 *       -cp cli/target/convexcnn.jar bench/sgd/LayerCpu.java 64 200        (batch, repetitions)
 */
public class LayerCpu {
    public static void main(String[] a) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int b = Integer.parseInt(a[0]);
        Sequential net = Sequential.of("reference", new Shape(28, 28, 1), 10).initialize(Initializer.HE, 1);
        List<Layer> ex = net.executionOrder();
        float[] x = new float[784 * b]; Random r = new Random(1); for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        long[] f = new long[ex.size()], bw = new long[ex.size()];
        float[][] ins = new float[ex.size()][];
        int reps = Integer.parseInt(a[1]);
        for (int rep = -50; rep < reps; rep++) {
            float[] cur = x;
            for (int i = 0; i < ex.size(); i++) { ins[i] = cur; long t = mx.getCurrentThreadCpuTime(); cur = ex.get(i).forward(cur, b); if (rep >= 0) f[i] += mx.getCurrentThreadCpuTime() - t; }
            float[] g = new float[cur.length]; for (int i = 0; i < g.length; i++) g[i] = 0.01f * (i % 7 - 3);
            for (int i = ex.size() - 1; i >= 0; i--) { long t = mx.getCurrentThreadCpuTime(); g = ex.get(i).backward(g, b, i > 0); if (rep >= 0) bw[i] += mx.getCurrentThreadCpuTime() - t; }
        }
        long tot = 0; for (int i = 0; i < ex.size(); i++) tot += f[i] + bw[i];
        for (int i = 0; i < ex.size(); i++)
            System.out.printf("%-12s forward %7.3f ms  backward %7.3f ms  (%4.1f%%)%n", ex.get(i).spec(), f[i] / 1e6 / reps, bw[i] / 1e6 / reps, 100.0 * (f[i] + bw[i]) / tot);
        System.out.printf("total %.3f ms per %d samples%n", tot / 1e6 / reps, b);
    }
}
