package dev.convexcnn.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.model.NetworkModel;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.nn.Initializer;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The held-out evaluation in parts (for its progress lines) equals one evaluation of the whole set. */
class TrainingEvaluationTest {
    @Test
    void evaluationInTenthsEqualsTheWholeEvaluation() {
        Dataset d = MethodContractTest.bands(1_237, 4);
        Sequential net = Sequential.of("conv4k5s3-relu-maxpool2-linear3", new Shape(28, 28, 1), 3).initialize(Initializer.parse("he"), 3);
        NetworkModel model = new NetworkModel(net, Normalization.fit(d));
        Evaluation whole = model.evaluate(d);
        List<String> lines = new ArrayList<>();
        Evaluation parts = Training.evaluate(model, d, new Progress() {
            @Override public void message(String line) { lines.add(line); }
        });
        assertEquals(whole.samples(), parts.samples());
        assertEquals(whole.accuracy(), parts.accuracy(), 1e-15);
        // Float logits from other batch sizes: the BLAS may round differently.
        assertEquals(whole.loss(), parts.loss(), 1e-6 * whole.loss());
        assertArrayEquals(Arrays.stream(whole.confusion()).flatMapToInt(Arrays::stream).toArray(),
                Arrays.stream(parts.confusion()).flatMapToInt(Arrays::stream).toArray());
        assertTrue(lines.size() <= 9, "at most a line per tenth: " + lines);
    }

    @Test
    void evaluationsOnDisjointSamplesAddUp() {
        Evaluation a = new Evaluation(2, 0.5, 1.0, new int[][] {{1, 1}, {0, 0}});
        Evaluation b = new Evaluation(3, 1.0, 0.5, new int[][] {{1, 0}, {0, 2}});
        Evaluation s = a.plus(b);
        assertEquals(5, s.samples());
        assertEquals(0.8, s.accuracy(), 1e-15);
        assertEquals((2 * 1.0 + 3 * 0.5) / 5, s.loss(), 1e-15);
        assertArrayEquals(new int[] {2, 1}, s.confusion()[0]);
        assertArrayEquals(new int[] {0, 2}, s.confusion()[1]);
    }

    /** Held-out data given lazily: checked by its shape before training, read once after, the same result as eager. */
    @Test
    @SuppressWarnings("unchecked")
    void heldOutDataReadAfterTrainingGivesTheEagerResult() throws Exception {
        Dataset train = MethodContractTest.bands(300, 5), test = MethodContractTest.bands(200, 6);
        Method<Object> m = (Method<Object>) Methods.get("ridge");
        Object settings = m.withSeed(m.defaults(DataInfo.of(train)), 1);
        int[] loads = {0};
        Dataset shapeOnly = test.subset(new int[0], test.name());
        Training.HeldOut later = new Training.HeldOut() {
            public Dataset shape() { return shapeOnly; }
            public Dataset load() { loads[0]++; return test; }
        };
        Training.Result lazy = Training.run(m, settings, train, later, TrainContext.of(Progress.NONE));
        Training.Result eager = Training.run(m, settings, train, test, TrainContext.of(Progress.NONE));
        assertEquals(1, loads[0]);
        assertEquals(test.size(), lazy.evaluation().samples());
        assertEquals(eager.evaluation().accuracy(), lazy.evaluation().accuracy(), 0);
        assertEquals(eager.evaluation().loss(), lazy.evaluation().loss(), 0);
        assertEquals(test.name(), lazy.evaluatedOn());
        // Another image shape is refused before training, without reading the data.
        Dataset other = new Dataset("other", 14, 14, 1, train.classes(), new float[0], new int[0]);
        Training.HeldOut wrong = new Training.HeldOut() {
            public Dataset shape() { return other; }
            public Dataset load() { loads[0]++; return other; }
        };
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Training.run(m, settings, train, wrong, TrainContext.of(Progress.NONE)));
        assertTrue(e.getMessage().contains("other"), e.getMessage());
        assertEquals(1, loads[0]);
    }
}
