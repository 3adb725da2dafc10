package dev.convexcnn.alternation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import dev.convexcnn.sgd.SgdTrainer;
import dev.convexcnn.sgd.TrainSettings;
import dev.convexcnn.sgd.TrainingListener;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlternatingTrainerTest {
    private static final AlternationSettings SMALL = AlternationSettings.defaults()
            .withArchitecture("conv4k3s2-relu-linear3").withMaxSweeps(3).withChunkSize(50).withSeed(5);

    @Test
    void sameSeedOnTheSameBackendAndThreadsGivesBitIdenticalWeightsAndLog() {
        Dataset train = Fixtures.images(120, 8, 8, 1, 3, 1), val = Fixtures.images(40, 8, 8, 1, 3, 2);
        AlternatingTrainer.Result a = AlternatingTrainer.fit(train, val, SMALL, TrainingListener.NONE);
        AlternatingTrainer.Result b = AlternatingTrainer.fit(train, val, SMALL, TrainingListener.NONE);
        assertArrayEquals(a.net().flatParameters(), b.net().flatParameters());
        assertEquals(a.log().size(), b.log().size());
        for (int i = 0; i < a.log().size(); i++) {
            assertEquals(a.log().get(i).objective(), b.log().get(i).objective());
            assertEquals(a.log().get(i).supportChanges(), b.log().get(i).supportChanges());
        }
        List<SweepRecord> log = a.log();
        for (int i = 1; i < log.size(); i++) assertTrue(log.get(i).objective() <= log.get(i - 1).objective());
        Evaluation e = Evaluation.of(a.net(), val, a.normalization(), 64);
        assertEquals(log.get(log.size() - 1).validationAccuracy(), e.accuracy(), 1e-12);
    }

    /** With τ = 0 the SGD baseline starts from the same weights and computes the same function. */
    @Test
    void sgdBaselineStartsFromTheSameNetwork() throws Exception {
        Dataset train = Fixtures.images(64, 8, 8, 1, 3, 3);
        Shape shape = new Shape(8, 8, 1);
        Sequential alt = AlternatingTrainer.network(SMALL, shape, 3);
        TrainSettings t = AlternatingTrainer.sgdSettings(SMALL, "sgd", 0.05, 16, 1);
        Sequential sgd = Sequential.of(t.architecture(), shape, 3).initialize(t.initializer(), t.seed());
        assertArrayEquals(alt.flatParameters(), sgd.flatParameters());
        assertEquals(alt.spec(), sgd.spec());
        float[] x = train.pixels().clone();
        assertArrayEquals(sgd.forward(x, 64).clone(), alt.forward(x, 64).clone());
        // and the thresholding net trains through the same backward pass as the ReLU net
        float[] grad = new float[64 * 3];
        for (int i = 0; i < grad.length; i++) grad[i] = (i % 7) - 3;
        alt.zeroGrad();
        sgd.zeroGrad();
        alt.forward(x, 64);
        alt.backward(grad, 64);
        sgd.forward(x, 64);
        sgd.backward(grad, 64);
        for (int i = 0; i < alt.params().size(); i++) {
            assertArrayEquals(sgd.params().get(i).grad(), alt.params().get(i).grad(), 1e-6f);
        }
        SgdTrainer.Result r = new SgdTrainer(t).fit(train, null, null, false, TrainingListener.NONE);
        assertEquals(1, r.log().size());
    }

    @Test
    void settingsAreValidated() {
        AlternationSettings d = AlternationSettings.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withArchitecture("reference"));
        assertThrows(IllegalArgumentException.class, () -> d.withThreshold(-0.1f));
        assertThrows(IllegalArgumentException.class, () -> d.withRidge(-1));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxSweeps(0));
        assertThrows(IllegalArgumentException.class, () -> d.withCgIterations(0));
        assertThrows(IllegalArgumentException.class, () -> d.withChunkSize(0));
        assertEquals("alternation", d.toJson().get("method").getAsString());
    }
}
