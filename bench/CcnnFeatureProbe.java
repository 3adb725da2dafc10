import dev.convexcnn.ccnn.CcnnLayer;
import dev.convexcnn.ccnn.CcnnSettings;
import dev.convexcnn.ccnn.CcnnTrainer;
import java.util.Locale;
import java.util.Random;

/**
 * One feature pass of a CCNN layer with the default settings, as the DCCNN solver streams it (64 images per call,
 * the layer's own workers): layer 1 on 28×28×1 inputs (5×5 patches, 500 random Fourier features, 144 pooled
 * positions) or layer 2 on 12×12×4 inputs (5×5×4 patches, 1,000 features, 16 positions). Inputs are random (half
 * zeros), whitening fitted on them; five passes, each timed.
 *
 * java --add-modules=jdk.incubator.vector,jdk.incubator.foreign --enable-native-access=ALL-UNNAMED \
 *      -cp cli/target/convexcnn.jar bench/CcnnFeatureProbe.java [images, default 3000] [layer 1|2, default 1]
 */
public class CcnnFeatureProbe {
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int layerNo = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        if (layerNo != 1 && layerNo != 2) throw new IllegalArgumentException("layer must be 1 or 2, got " + layerNo);
        int side = layerNo == 1 ? 28 : 12, channels = layerNo == 1 ? 1 : 4;
        Random rnd = new Random(3);
        float[] data = new float[n * side * side * channels];
        for (int i = 0; i < data.length; i++) data[i] = rnd.nextBoolean() ? 0f : rnd.nextFloat();
        CcnnLayer layer = CcnnTrainer.prepareLayer(layerNo - 1, data, n, side, side, channels, CcnnSettings.defaults());
        int chunk = 64;
        double[] out = new double[chunk * layer.positions() * layer.featureDim()];
        for (int pass = 1; pass <= 5; pass++) {
            long t0 = System.nanoTime();
            for (int from = 0; from < n; from += chunk) layer.pooledFeatures(data, null, from, Math.min(chunk, n - from), out, 0);
            System.out.printf(Locale.ROOT, "layer %d (%d features, %d positions), pass %d: %.3f s for %d images%n",
                    layerNo, layer.featureDim(), layer.positions(), pass, (System.nanoTime() - t0) / 1e9, n);
        }
    }
}
