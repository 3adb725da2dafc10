package dev.convexcnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LayerTimesTest {
    @Test
    void drainSumsEachStepOverCallsInKeyOrderWithATotalAndForgetsThem() {
        LayerTimes.clear();
        LayerTimes.add("2.01 backward linear10", 250_000_000L);
        LayerTimes.add("1.01 forward conv16k5", 1_000_000_000L);
        LayerTimes.add("1.01 forward conv16k5", 500_000_000L);
        String[] lines = LayerTimes.drain().split("\\R");
        assertEquals(4, lines.length, String.join("\n", lines));
        assertTrue(lines[1].matches("\\s+1\\.01 forward conv16k5\\s+1\\.500"), lines[1]);
        assertTrue(lines[2].matches("\\s+2\\.01 backward linear10\\s+0\\.250"), lines[2]);
        assertTrue(lines[3].matches("\\s+total\\s+1\\.750"), lines[3]);
        assertTrue(LayerTimes.drain().split("\\R")[1].matches("\\s+total\\s+0\\.000"), "cleared");
    }
}
