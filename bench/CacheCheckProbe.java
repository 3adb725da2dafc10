import dev.convexcnn.data.DataCache;
import dev.convexcnn.data.Datasets;
import dev.convexcnn.data.IdxReader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What the data cache's check on load costs: MNIST's training split read straight from its IDX files (no check)
 * against Datasets.load (the sha256 of the two stored files checked first), alternating, several times; medians.
 *
 *   java --add-modules=jdk.incubator.vector -cp cli/target/convexcnn.jar bench/CacheCheckProbe.java [DATA_DIR] [REPS]
 */
public class CacheCheckProbe {
    public static void main(String[] args) throws Exception {
        DataCache cache = DataCache.resolve(args.length > 0 ? Path.of(args[0]) : null);
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        Path dir = cache.dir().resolve("mnist");
        double[] plain = new double[reps], checked = new double[reps];
        Datasets.load("mnist", true, cache, false, s -> { }); // warm up, and record stored sums if an older marker lacks them
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            IdxReader.read(dir.resolve("train-images-idx3-ubyte"), dir.resolve("train-labels-idx1-ubyte"), "mnist-train", 10);
            plain[r] = (System.nanoTime() - t0) / 1e6;
            t0 = System.nanoTime();
            Datasets.load("mnist", true, cache, false, s -> { });
            checked[r] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(plain);
        Arrays.sort(checked);
        System.out.printf("MNIST train (47 MB of images): read %.0f ms, load with the sha256 check %.0f ms, check ~%.0f ms (medians of %d)%n",
                plain[reps / 2], checked[reps / 2], checked[reps / 2] - plain[reps / 2], reps);
    }
}
