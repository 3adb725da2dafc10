package dev.convexcnn.sgd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import org.junit.jupiter.api.Test;

class KernelWarmupTest {
    private static Sequential net(TrainSettings s, Dataset d) {
        return Sequential.of(s.architecture(), new Shape(d.height(), d.width(), d.channels()), d.classes())
                .initialize(s.initializer(), s.seed());
    }

    @Test
    void itWritesNoWeightAndTrainingAfterItGivesTheSameBits() throws Exception {
        Dataset train = SgdTrainerTest.bars(200, 4);
        TrainSettings s = SgdTrainerTest.small().withArchitecture("conv4k3-relu-maxpool2-conv6k3-relu-linear3");
        Sequential warmed = net(s, train);
        float[] before = warmed.flatParameters();
        try (KernelWarmup w = KernelWarmup.start(warmed, train, s.batchSize(), train.classes())) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (w.passes() < 50 && System.nanoTime() < deadline) Thread.sleep(5);
            assertTrue(w.passes() >= 50, "the warm-up ran " + w.passes() + " passes");
        }
        assertArrayEquals(before, warmed.flatParameters(), "the warm-up changed a weight");

        float[] afterWarmup = new SgdTrainer(s).fit(warmed, train, null, null, false, TrainingListener.NONE).net().flatParameters();
        String old = System.getProperty("convexcnn.warmup");
        System.setProperty("convexcnn.warmup", "false");
        try {
            float[] without = new SgdTrainer(s).fit(net(s, train), train, null, null, false, TrainingListener.NONE).net().flatParameters();
            assertArrayEquals(without, afterWarmup);
        } finally {
            if (old == null) System.clearProperty("convexcnn.warmup");
            else System.setProperty("convexcnn.warmup", old);
        }
    }
}
