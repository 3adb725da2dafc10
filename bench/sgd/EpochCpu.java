import dev.convexcnn.data.*;
import dev.convexcnn.sgd.*;
import java.lang.management.*;
/**
 * SGD epochs of the reference net (the CLI's defaults) on the first N MNIST training images, each from a fresh
 * start in one JVM: wall and process CPU seconds of each fit(). The first includes the JIT's warm-up.
 *
 *   OPENBLAS_NUM_THREADS=2 java --add-modules=jdk.incubator.vector,jdk.incubator.foreign \
 *       --enable-native-access=ALL-UNNAMED -cp cli/target/convexcnn.jar bench/sgd/EpochCpu.java 20000 2
 */
public class EpochCpu {
    public static void main(String[] a) throws Exception {
        int limit = Integer.parseInt(a[0]);
        Dataset full = Datasets.train("mnist", Datasets.Options.defaults());
        Dataset d = full.head(limit);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int rep = 0; rep < Integer.parseInt(a[1]); rep++) {
            TrainSettings s = TrainSettings.defaults().withEpochs(1).withSeed(1);
            long c0 = os.getProcessCpuTime(), w0 = System.nanoTime();
            SgdTrainer.Result r = new SgdTrainer(s).fit(d, null, null, false, TrainingListener.NONE);
            System.out.printf("epoch of %d: wall %.2f s, process cpu %.2f s, loss %.6f%n", limit, (System.nanoTime() - w0) / 1e9,
                    (os.getProcessCpuTime() - c0) / 1e9, r.log().get(0).trainLoss());
        }
    }
}
