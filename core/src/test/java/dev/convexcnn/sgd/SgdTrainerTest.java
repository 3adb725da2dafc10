package dev.convexcnn.sgd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.io.ModelFile;
import dev.convexcnn.nn.Evaluation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SgdTrainerTest {
    @TempDir Path dir;

    /** Three classes of 8×8 images: a bright bar at the top, in the middle, or at the bottom, plus noise. */
    static Dataset bars(int n, long seed) {
        Random r = new Random(seed);
        float[] px = new float[n * 64];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 64; j++) px[i * 64 + j] = (float) (0.2 * r.nextDouble());
            int row = 1 + 3 * y[i] + r.nextInt(2) - (y[i] == 2 ? 1 : 0);
            for (int c = 0; c < 8; c++) px[i * 64 + row * 8 + c] = 0.8f + 0.2f * (float) r.nextDouble();
        }
        return new Dataset("bars", 8, 8, 1, 3, px, y);
    }

    static TrainSettings small() {
        return TrainSettings.defaults().withArchitecture("conv4k3-relu-maxpool2-linear3").withBatchSize(16)
                .withLearningRate(0.05).withEpochs(3).withSeed(7);
    }

    @Test
    void learnsASimpleProblem() throws IOException {
        Dataset train = bars(300, 1), test = bars(90, 2);
        SgdTrainer.Result r = new SgdTrainer(small()).fit(train, test, null, false, TrainingListener.NONE);
        assertEquals(3, r.log().size());
        assertTrue(r.log().get(2).trainLoss() < r.log().get(0).trainLoss());
        Evaluation e = Evaluation.of(r.net(), test, r.normalization(), 32);
        assertTrue(e.accuracy() > 0.95, "accuracy " + e.accuracy());
        assertEquals(90, Arrays.stream(e.confusion()).flatMapToInt(Arrays::stream).sum());
        assertEquals(e.accuracy(), r.log().get(2).validationAccuracy(), 1e-12);
    }

    @Test
    void adamLearnsToo() throws IOException {
        Dataset train = bars(300, 1), test = bars(90, 2);
        TrainSettings s = small().withOptimizer("adam").withLearningRate(0.01);
        SgdTrainer.Result r = new SgdTrainer(s).fit(train, null, null, false, TrainingListener.NONE);
        assertTrue(Evaluation.of(r.net(), test, r.normalization(), 32).accuracy() > 0.95);
    }

    @Test
    void sameSeedOnTheSameBackendAndThreadsGivesBitIdenticalWeightsOtherSeedOtherWeights() throws IOException {
        Dataset train = bars(120, 1);
        float[] a = new SgdTrainer(small()).fit(train, null, null, false, TrainingListener.NONE).net().flatParameters();
        float[] b = new SgdTrainer(small()).fit(train, null, null, false, TrainingListener.NONE).net().flatParameters();
        float[] c = new SgdTrainer(small().withSeed(8)).fit(train, null, null, false, TrainingListener.NONE).net().flatParameters();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }

    /** A run killed after epoch 2 and resumed ends bit-for-bit where the uninterrupted run ends. */
    @Test
    void resumeEndsWithTheSameWeights() throws IOException {
        for (String opt : new String[] {"sgd", "adam"}) {
            Dataset train = bars(150, 3);
            TrainSettings four = small().withOptimizer(opt).withLearningRate(opt.equals("adam") ? 0.01 : 0.05).withEpochs(4);
            SgdTrainer.Result whole = new SgdTrainer(four).fit(train, null, null, false, TrainingListener.NONE);

            Path ckpt = dir.resolve(opt + ".ckpt");
            new SgdTrainer(four.withEpochs(2)).fit(train, null, ckpt, false, TrainingListener.NONE);
            String[] said = new String[1];
            TrainingListener l = new TrainingListener() {
                @Override public void onMessage(String m) { said[0] = m; }
            };
            SgdTrainer.Result resumed = new SgdTrainer(four).fit(train, null, ckpt, true, l);
            assertTrue(said[0].contains("after epoch 2"), said[0]);
            assertArrayEquals(whole.net().flatParameters(), resumed.net().flatParameters(), opt);
            assertEquals(4, resumed.log().size());
            assertEquals(whole.log().get(3).trainLoss(), resumed.log().get(3).trainLoss(), 0.0);
            assertEquals(4, Checkpoint.read(ckpt).epochsDone());
        }
    }

    @Test
    void resumeRefusesOtherSettingsOrData() throws IOException {
        Dataset train = bars(60, 3);
        Path ckpt = dir.resolve("c.ckpt");
        new SgdTrainer(small().withEpochs(1)).fit(train, null, ckpt, false, TrainingListener.NONE);
        var e = assertThrows(IllegalArgumentException.class,
                () -> new SgdTrainer(small().withLearningRate(0.2)).fit(train, null, ckpt, true, TrainingListener.NONE));
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> new SgdTrainer(small()).fit(bars(60, 4), null, ckpt, true, TrainingListener.NONE));
        assertTrue(e2.getMessage().contains("other data"), e2.getMessage());
    }

    @Test
    void savedModelPredictsLikeTheTrainedOne() throws IOException {
        Dataset train = bars(150, 1), test = bars(60, 2);
        SgdTrainer.Result r = new SgdTrainer(small()).fit(train, null, null, false, TrainingListener.NONE);
        Path f = dir.resolve("model.cnn");
        ModelFile.save(f, r.net(), r.normalization(), r.provenance());
        ModelFile.SavedModel m = ModelFile.load(f);
        Evaluation a = Evaluation.of(r.net(), test, r.normalization(), 64);
        Evaluation b = Evaluation.of(m.net(), test, m.normalization(), 64);
        assertEquals(a.loss(), b.loss(), 0.0);
        assertArrayEquals(a.confusion()[1], b.confusion()[1]);
        assertEquals(7, m.provenance().getAsJsonObject("settings").get("seed").getAsInt());
    }
}
