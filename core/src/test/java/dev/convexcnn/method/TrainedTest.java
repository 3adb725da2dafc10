package dev.convexcnn.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.convexcnn.model.Model;
import org.junit.jupiter.api.Test;

/** The summary lines and figures a method's result carries. */
class TrainedTest {
    private static Trained.Builder builder() {
        // A model is required but not looked at here.
        Model none = (Model) java.lang.reflect.Proxy.newProxyInstance(Model.class.getClassLoader(), new Class<?>[] {Model.class},
                (proxy, method, args) -> { throw new UnsupportedOperationException(method.getName()); });
        return Trained.of(none, Trace.empty("step", "objective"));
    }

    @Test
    void aResumedSolveReportsItsWholeClockAndThisRunsPart() {
        Trained t = builder().iterations(17_225, 0.7, 7616.4).build();
        assertEquals(7616.4, t.figures().get("secondsAcrossResumes").getAsDouble());
        assertEquals("17225 in 0.7 s of this run; the solve's clock, across the runs it resumed: 7616.4 s", t.lines().get(0).text());
    }

    @Test
    void aRunInOneGoHasOnlyItsOwnSeconds() {
        for (double solve : new double[] {Double.NaN, 12.0, 12.5}) {
            Trained t = builder().iterations(300, 12.3, solve).build();
            assertFalse(t.figures().has("secondsAcrossResumes"), "solve clock " + solve);
            assertEquals("300 in 12.3 s", t.lines().get(0).text());
        }
    }
}
