package dev.convexcnn.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.model.ModelStore;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.testing.Tolerances;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every registered method keeps, checked through the generic path only: it trains on a tiny data set
 * with its smoke plan, its model saves and reloads into the same predictions, its provenance names the method, the
 * data and the seed, and its certificate (where it has one) is reported the same way.
 */
public class MethodContractTest {
    @TempDir Path dir;

    /** Three classes of 28×28 one-channel images: a bright band at a class-dependent height, and noise. */
    public static Dataset bands(int n, long seed) {
        Random r = new Random(seed);
        int s = 28;
        float[] px = new float[n * s * s];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int p = 0; p < s * s; p++) {
                int row = p / s;
                px[i * s * s + p] = (row >= 4 + 8 * y[i] && row < 8 + 8 * y[i]) ? 0.7f + 0.3f * r.nextFloat() : 0.2f * r.nextFloat();
            }
        }
        return new Dataset("bands", s, s, 1, 3, px, y);
    }

    static Stream<String> ids() {
        return Methods.ids().stream();
    }

    @Test
    void everyVariantIsRegisteredOnceWithItsLabel() {
        assertEquals(Set.of("sgd", "adam", "gated-relu", "convex-relu", "convex-relu-pool", "convex-circular", "convex-3layer",
                "alternation", "ccnn", "dccnn", "ridge"), Set.copyOf(Methods.ids()));
        for (Method<?> m : Methods.all()) {
            assertFalse(m.info().summary().isBlank(), m.id());
            assertFalse(m.info().description().isBlank(), m.id());
            assertNotNull(m.info().fidelity().label(), m.id());
            if (m.info().fidelity().kind() != MethodInfo.Kind.BASELINE) assertNotNull(m.info().paper(), m.id() + " names its paper");
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Methods.get("magic"));
        assertTrue(e.getMessage().contains("'magic'") && e.getMessage().contains("gated-relu"), e.getMessage());
        assertEquals(Methods.ids(), Methods.parse(List.of("all")));
    }

    @ParameterizedTest
    @MethodSource("ids")
    void trainsSavesReloadsAndPredictsTheSame(String id) throws Exception {
        check(Methods.get(id));
    }

    private <S> void check(Method<S> m) throws Exception {
        Dataset train = bands(60, 1), test = bands(30, 2);
        DataInfo info = DataInfo.of(train);
        assertNull(m.unsupported(info), m.id());
        Plan<S> plan = m.plan(Budget.smoke(), info);
        S settings = m.withSeed(plan.settings(), 5);
        assertEquals(5, m.seed(settings));
        List<String> messages = new java.util.ArrayList<>();
        Training.Result r = Training.run(m, settings, train, test, TrainContext.of(new Progress() {
            @Override public void message(String line) { messages.add(line); }
        }));
        Trained t = r.trained();
        assertEquals(m.id(), r.method().id());
        assertTrue(t.model().parameterCount() > 0, m.id());
        assertFalse(t.model().architecture().isBlank(), m.id());
        assertEquals(train.classes(), t.model().classes());
        assertNull(t.model().mismatch(test));
        assertFalse(t.trace().points().isEmpty(), m.id() + " records a trace");
        for (int i = 1; i < t.trace().points().size(); i++) {
            assertTrue(t.trace().points().get(i).seconds() >= t.trace().points().get(i - 1).seconds(), m.id() + ": time goes forward");
        }
        if (t.certificate() != null) {
            assertTrue(Double.isFinite(t.certificate().value()), m.id());
            assertFalse(t.certificate().summary().isBlank());
            assertTrue(r.provenance().getAsJsonObject("certificate").has("reached"));
        }
        // Provenance built by the framework, the same keys for every method.
        JsonObject p = r.provenance();
        assertEquals(m.id(), p.getAsJsonObject("method").get("id").getAsString());
        assertEquals(m.info().fidelity().label(), p.getAsJsonObject("method").get("fidelity").getAsString());
        assertEquals(train.sha256(), p.getAsJsonObject("data").get("sha256").getAsString());
        assertEquals(60, p.getAsJsonObject("data").get("samples").getAsInt());
        assertEquals(5, p.get("seed").getAsLong());
        assertTrue(p.has("convexcnnVersion") && p.has("backend") && p.has("settings"));

        // Saved, reloaded through the generic store, the same predictions.
        Path file = dir.resolve(m.id() + ".cnn");
        ModelStore.save(file, t.model(), p);
        ModelStore.Stored back = ModelStore.load(file);
        assertEquals(t.model().kind(), back.kind());
        assertEquals(m.id(), back.provenance().getAsJsonObject("method").get("id").getAsString());
        Evaluation a = r.evaluation(), b = back.model().evaluate(test);
        assertEquals(a.samples(), b.samples());
        assertArrayEquals(flat(a.confusion()), flat(b.confusion()), m.id() + ": the reloaded model predicts the same classes");
        // Some kinds store weights as float: the loss to float rounding.
        Tolerances.assertClose(a.loss(), b.loss(), 1e-5, m.id() + ": loss after reload");
        assertEquals(t.model().parameterCount(), back.model().parameterCount(), m.id());
    }

    /** Every method lets the training set go once trained: none of its objects holds it while the held-out set is read. */
    @ParameterizedTest
    @MethodSource("ids")
    void letsTheTrainingSetGoBeforeTheHeldOutSetIsRead(String id) throws Exception {
        checkLetGo(Methods.get(id));
    }

    private <S> void checkLetGo(Method<S> m) throws Exception {
        // Only the handover and a weak reference point at the training set from here.
        AtomicReference<Dataset> handover = new AtomicReference<>(bands(60, 1));
        WeakReference<Dataset> weak = new WeakReference<>(handover.get());
        DataInfo info = DataInfo.of(handover.get());
        S settings = m.withSeed(m.plan(Budget.smoke(), info).settings(), 5);
        Dataset test = bands(30, 2);
        boolean[] gone = {false};
        Training.HeldOut later = new Training.HeldOut() {
            public Dataset shape() { return test; }
            public Dataset load() {
                for (int i = 0; i < 20 && weak.get() != null; i++) System.gc();
                gone[0] = weak.get() == null;
                return test;
            }
        };
        Training.Result r = Training.runReleasing(m, settings, handover, later, TrainContext.of(Progress.NONE));
        assertNull(handover.get(), "the run took the training set");
        assertTrue(gone[0], m.id() + ": something still holds the training set after training");
        assertEquals(60, r.provenance().getAsJsonObject("data").get("samples").getAsInt());
        assertEquals(30, r.evaluation().samples());
    }

    private static int[] flat(int[][] m) {
        return java.util.Arrays.stream(m).flatMapToInt(java.util.Arrays::stream).toArray();
    }
}
