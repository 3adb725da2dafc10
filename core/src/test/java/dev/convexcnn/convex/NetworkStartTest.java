package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.model.ModelStore;
import dev.convexcnn.model.NetworkModel;
import dev.convexcnn.nn.Batches;
import dev.convexcnn.nn.Initializer;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A saved two-layer CNN as the start of the convex programs: same predictions, and the optimum below it. */
class NetworkStartTest {
    @TempDir Path dir;

    /** conv3k2s2-relu-avgpool2-linear2 on 4×4 images, random weights and biases, its own normalisation. */
    private Path network(Dataset d, String spec, Normalization norm) throws Exception {
        Sequential net = Sequential.of(spec, new Shape(d.height(), d.width(), d.channels()), d.classes())
                .initialize(Initializer.parse("he"), 5);
        SplittableRandom r = new SplittableRandom(9);
        for (var layer : net.layers()) {
            for (var p : layer.params()) {
                float[] v = p.value();
                for (int i = 0; i < v.length; i++) v[i] = (float) (0.8 * r.nextGaussian());
            }
        }
        Path file = dir.resolve(spec + ".cnn");
        ModelStore.save(file, new NetworkModel(net, norm), new JsonObject());
        return file;
    }

    private static Normalization other(Dataset d) {
        Normalization fit = Normalization.fit(d);
        return new Normalization(new float[] {fit.mean()[0] + 0.1f}, new float[] {fit.std()[0] * 1.7f});
    }

    @Test
    void theStartPointPredictsWhatTheNetworkPredictsAndBoundsTheExactOptimum() throws Exception {
        Dataset d = ConvexProgramTest.quadrants(24, 4, 2, 6);
        Normalization own = other(d);
        Path model = network(d, "conv3k2s2-relu-avgpool2-linear2", own);

        ConvexSettings s = new ConvexSettings("convex-relu", 2, 2, true, 4, 0.05, 0, Loss.SQUARED, 1e-9, 5_000, 7)
                .withPatternsFrom(model.toString());
        ConvexTrainer.Run run = new ConvexTrainer(s).fit(d, null);
        JsonObject p = run.provenance();
        assertTrue(run.converged(), "certificate " + run.certificate() + ", violation " + run.violation());
        assertEquals(3, p.get("startNeurons").getAsInt());
        // The start is feasible: its patterns are its own neurons'.
        assertTrue(p.get("startViolation").getAsDouble() < 1e-20, "start violation " + p.get("startViolation"));

        // Its loss is the network's own squared loss on the same data (scnn's 1/(2nc) scaling).
        Sequential net = ((NetworkModel) ModelStore.load(model).model()).net();
        float[] x = new float[d.size() * d.features()];
        Batches.gather(d, null, 0, d.size(), own, x, null);
        float[] logits = net.forward(x, d.size());
        double[] z = new double[logits.length];
        for (int i = 0; i < z.length; i++) z[i] = logits[i];
        double netLoss = Loss.SQUARED.value(z, d.labels(), d.size(), d.classes(), null);
        double startObjective = p.get("startObjective").getAsDouble();
        double lossAtStart = p.get("startOwnDecayObjective").getAsDouble();
        assertTrue(startObjective > netLoss, "the penalty is positive");
        NetworkStart st = NetworkStart.load(model, PatchGeometry.of(d, 2, 2, true), Normalization.fit(d), 2);
        assertEquals(netLoss, lossAtStart - run.lambda() * st.ownWeightDecay(), 1e-5 * netLoss, "same predictions, same loss");

        // The certified optimum is at most the network's objective in the program's terms.
        assertTrue(run.objective() <= startObjective + 1e-9 * Math.abs(startObjective),
                run.objective() + " above the start " + startObjective);
        assertTrue(run.objective() < startObjective, "random weights are not optimal");
    }

    @Test
    void theGatedProgramStartsThereToo() throws Exception {
        Dataset d = ConvexProgramTest.quadrants(30, 4, 2, 8);
        Path model = network(d, "conv4k2s2-relu-avgpool2-linear2", Normalization.fit(d));
        ConvexSettings s = new ConvexSettings("gated-relu", 2, 2, true, 3, 0.05, 0, Loss.SQUARED, 1e-10, 5_000, 3)
                .withPatternsFrom(model.toString()).withPrecision(RFista.Precision.DOUBLE);
        double first = Double.NaN;
        for (ProductForm form : ProductForm.values()) {
            ConvexTrainer.Run run = new ConvexTrainer(s.withProducts(form)).fit(d, null);
            assertTrue(run.converged(), form.toString());
            double start = run.provenance().get("startObjective").getAsDouble();
            assertTrue(run.objective() < start, form + ": " + run.objective() + " not below " + start);
            // Every form reads the start point the same way.
            if (Double.isNaN(first)) first = start;
            assertEquals(first, start, 1e-10 * first, form + " prices the start differently");
        }
    }

    @Test
    void aNetworkOfAnotherShapeIsRefusedNamingTheMismatch() throws Exception {
        Dataset d = ConvexProgramTest.quadrants(12, 4, 2, 6);
        Path deep = network(d, "conv3k2s2-relu-conv2k1-relu-avgpool2-linear2", Normalization.fit(d));
        ConvexSettings s = new ConvexSettings("convex-relu", 2, 2, true, 4, 0.05, 0, Loss.SQUARED, 1e-6, 100, 7);
        var e = assertThrows(IllegalArgumentException.class, () -> new ConvexTrainer(s.withPatternsFrom(deep.toString())).fit(d, null));
        assertTrue(e.getMessage().startsWith("--patterns-from " + deep) && e.getMessage().contains("is not conv<m>"), e.getMessage());

        Path strided = network(d, "conv3k2s1-relu-avgpool3-linear2", Normalization.fit(d));
        var e2 = assertThrows(IllegalArgumentException.class, () -> new ConvexTrainer(s.withPatternsFrom(strided.toString())).fit(d, null));
        assertTrue(e2.getMessage().contains("stride 1") && e2.getMessage().contains("--kernel 2 --stride 1"), e2.getMessage());

        Path maxPool = network(d, "conv3k2s2-relu-maxpool2-linear2", Normalization.fit(d));
        var e3 = assertThrows(IllegalArgumentException.class, () -> new ConvexTrainer(s.withPatternsFrom(maxPool.toString())).fit(d, null));
        assertTrue(e3.getMessage().contains("the pool must average the whole"), e3.getMessage());
    }
}
