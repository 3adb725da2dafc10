package dev.convexcnn.experiments;

import dev.convexcnn.alternation.AlternatingTrainer;
import dev.convexcnn.alternation.AlternationSettings;
import dev.convexcnn.alternation.SweepRecord;
import dev.convexcnn.data.DataCache;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Datasets;
import dev.convexcnn.sgd.EpochRecord;
import dev.convexcnn.sgd.SgdTrainer;
import dev.convexcnn.sgd.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * A small real-data comparison, run by hand (after {@code mvn -o -q install -pl core -DskipTests}):
 * {@code CONVEXCNN_ALT_SMOKE=1 mvn -o -pl lab test -Dtest=MnistSmokeManualTest -Dsurefire.failIfNoSpecifiedTests=false}.
 * 5000 MNIST training images, 2000 test images, the default all-convolutional net, alternation against SGD from
 * the same initial weights.
 */
@EnabledIfEnvironmentVariable(named = "CONVEXCNN_ALT_SMOKE", matches = "1")
class MnistSmokeManualTest {
    @Test
    void compare() throws Exception {
        Dataset train = Datasets.load("mnist", true, DataCache.resolve(null), false, System.err::println).head(5000);
        Dataset test = Datasets.load("mnist", false, DataCache.resolve(null), false, System.err::println).head(2000);
        int sweeps = Integer.parseInt(System.getenv().getOrDefault("SWEEPS", "5"));
        int cg = Integer.parseInt(System.getenv().getOrDefault("CG", "5"));
        AlternationSettings s = AlternationSettings.defaults().withMaxSweeps(sweeps).withCgIterations(cg);
        System.out.println("settings " + s.toJson());
        AlternatingTrainer.Result r = AlternatingTrainer.fit(train, test, s, new TrainingListener() {
            @Override public void onMessage(String m) { System.out.println(m); }
        });
        System.out.println("sweep objective trainAcc testAcc supportChanges passes rejected trainSec");
        for (SweepRecord x : r.log()) {
            System.out.printf("ALT %d %.5f %.4f %.4f %d %d %d %.2f%n", x.sweep(), x.objective(), x.trainAccuracy(),
                    x.validationAccuracy(), x.supportChanges(), x.dataPasses(), x.rejectedSteps(), x.trainSeconds());
        }
        for (String opt : new String[] {"sgd", "adam"}) {
            double lr = opt.equals("sgd") ? 0.05 : 1e-3;
            SgdTrainer.Result g = new SgdTrainer(AlternatingTrainer.sgdSettings(s, opt, lr, 128, 5)).fit(train, test, null, false, TrainingListener.NONE);
            for (EpochRecord e : g.log()) {
                System.out.printf("%s epoch %d xent %.5f trainAcc %.4f testAcc %.4f trainSec %.2f%n", opt.toUpperCase(), e.epoch(),
                        e.trainLoss(), e.trainAccuracy(), e.validationAccuracy(), e.elapsedSeconds());
            }
        }
    }
}
