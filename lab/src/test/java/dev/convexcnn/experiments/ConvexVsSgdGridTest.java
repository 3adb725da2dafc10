package dev.convexcnn.experiments;

import dev.convexcnn.convex.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.convexcnn.data.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The learning-rate grid of the convex-vs-SGD comparison: parsing, validation, and one row per run. */
class ConvexVsSgdGridTest {

    @Test
    void ratesParseFromOneValueOrACommaList() {
        assertEquals(List.of(0.001), ConvexVsSgd.parseRates("--sgd-lr", "0.001"));
        assertEquals(List.of(1e-4, 3e-5, 0.01), ConvexVsSgd.parseRates("--sgd-lr", "1e-4, 3e-5,0.01"));
    }

    @Test
    void badRatesAreRejectedNamingTheFlagAndTheValue() {
        for (String bad : new String[] {"abc", "0", "-1e-3", "NaN", "Infinity", "", "1e-3,,1e-4", "1e-3,x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ConvexVsSgd.parseRates("--adam-lr", bad), bad);
            assertTrue(e.getMessage().startsWith("--adam-lr"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConvexVsSgd.parseRates("--sgd-lr", "1e-3,-2"));
        assertTrue(e.getMessage().contains("'-2'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvexVsSgd.parseRates("--sgd-lr", "0.001,1e-3"));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void startsParseAndBaselinesValidate() {
        assertEquals(List.of(ConvexVsSgd.Start.PLAIN, ConvexVsSgd.Start.BALANCED),
                ConvexVsSgd.Start.parseList("--start", "plain, balanced"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConvexVsSgd.Start.parseList("--start", "plain,warm"))
                .getMessage().contains("'warm'"));
        assertThrows(IllegalArgumentException.class, () -> ConvexVsSgd.Start.parseList("--start", "plain,plain"));
        assertThrows(IllegalArgumentException.class, () -> ConvexVsSgd.Baselines.of(0, 5, 0.1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> ConvexVsSgd.Baselines.of(1, 0, 0.1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> ConvexVsSgd.Baselines.of(1, 5, Double.NaN, 0.1));
        assertThrows(IllegalArgumentException.class, () -> ConvexVsSgd.Baselines.of(1, 5, 0.1, -0.1));
        assertThrows(IllegalArgumentException.class, () -> new ConvexVsSgd.Baselines(1, 5, List.of(), List.of(0.1),
                List.of(ConvexVsSgd.Start.PLAIN)));
        assertEquals("0.00003", ConvexVsSgd.rate(3e-5));
        assertEquals("0.001", ConvexVsSgd.rate(1e-3));
    }

    @Test
    void aTinyGridGivesOneRowPerOptimiserRateStartAndRestart(@TempDir Path out) throws Exception {
        Dataset train = ConvexProgramTest.quadrants(12, 6, 2, 1), test = ConvexProgramTest.quadrants(8, 6, 2, 2);
        ConvexSettings s = new ConvexSettings("convex-relu", 3, 1, true, 2, 0.05, 0, Loss.SQUARED, 1e-5, 300, 3);
        // 1e3 is far past any stable step of SGD with momentum: that run must be marked diverged.
        ConvexVsSgd.Baselines b = new ConvexVsSgd.Baselines(2, 3, List.of(0.01, 1e3), List.of(0.01),
                List.of(ConvexVsSgd.Start.PLAIN, ConvexVsSgd.Start.BALANCED));
        List<ConvexVsSgd.Row> rows = ConvexVsSgd.run(train, test, s, b, out, line -> {});
        assertEquals(1 + 3 * 2 * 2, rows.size());
        assertEquals("convex-relu", rows.get(0).method());
        Set<String> seen = new HashSet<>();
        for (ConvexVsSgd.Row r : rows.subList(1, rows.size())) {
            assertTrue(seen.add(r.method() + "/" + r.lr() + "/" + r.start() + "/" + r.seed()), "twice: " + r);
            assertEquals(r.method().equals("sgd") && r.lr() == 1e3, r.diverged(), r.toString());
            if (r.diverged()) assertTrue(r.note().contains("diverged at epoch"), r.note());
        }
        assertEquals(12, seen.size());

        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
        JsonArray curves = json.getAsJsonArray("curves");
        assertEquals(12, curves.size());
        // Every rate starts from the same networks: the first objective depends on the seed and the start only.
        Map<String, Double> first = new HashMap<>();
        List<Double> plain = new ArrayList<>(), balanced = new ArrayList<>();
        for (var e : curves) {
            JsonObject c = e.getAsJsonObject();
            double f0 = c.getAsJsonArray("curve").get(0).getAsJsonObject().get("objective").getAsDouble();
            String key = c.get("seed").getAsLong() + "/" + c.get("start").getAsString();
            Double prev = first.putIfAbsent(key, f0);
            if (prev != null) assertEquals(prev, f0, 0.0, key);
            (c.get("start").getAsString().equals("plain") ? plain : balanced).add(f0);
        }
        assertEquals(4, first.size());
        // The balanced start is the same function with less weight decay.
        for (int i = 0; i < plain.size(); i++) assertTrue(balanced.get(i) < plain.get(i));
        String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("| sgd | 1000 | plain |"), md);
        assertTrue(md.contains("| adam | 0.01 | balanced |"), md);
        assertTrue(Files.size(out.resolve("objective-vs-time.png")) > 0);
        assertFalse(json.getAsJsonObject("baselines").getAsJsonArray("sgdRates").isEmpty());
        Files.delete(out.resolve("objective-vs-time.png"));
        ConvexVsSgd.replot(out);
        assertTrue(Files.size(out.resolve("objective-vs-time.png")) > 0);
    }

    /**
     * The paper's claim made true by construction: solved again with the best baseline network's patterns and started
     * at its point, the certified optimum is at most that network's objective, at the same β.
     */
    @Test
    void fromTheBestBaselineTheCertifiedOptimumIsAtMostItsObjective(@TempDir Path out) throws Exception {
        Dataset train = ConvexProgramTest.quadrants(12, 6, 2, 1), test = ConvexProgramTest.quadrants(8, 6, 2, 2);
        ConvexSettings s = new ConvexSettings("convex-relu", 3, 1, true, 2, 0.05, 0, Loss.SQUARED, 1e-6, 300, 3);
        ConvexVsSgd.Baselines b = new ConvexVsSgd.Baselines(2, 40, List.of(0.01), List.of(0.01), List.of(ConvexVsSgd.Start.BALANCED));
        List<ConvexVsSgd.Row> rows = ConvexVsSgd.run(train, test, s, b, out, true, line -> {});
        assertEquals(1 + 2 * 2 + 1, rows.size());
        ConvexVsSgd.Row last = rows.get(rows.size() - 1);
        assertEquals(ConvexVsSgd.FROM_BEST, last.method());
        double best = rows.subList(1, rows.size() - 1).stream().filter(r -> !r.diverged())
                .mapToDouble(ConvexVsSgd.Row::objective).min().orElseThrow();
        // With only two sampled patterns the first optimum is above the best baseline here; the second is not.
        assertTrue(rows.get(0).objective() > best, rows.get(0) + " vs " + best);
        assertTrue(last.objective() <= best * (1 + 1e-6), last.objective() + " vs " + best);
        assertFalse(last.note().contains("not converged"), last.note());
        JsonObject fb = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject().getAsJsonObject("fromBest");
        assertEquals(best, fb.get("baselineObjective").getAsDouble(), 0.0);
        // The network's point in the program: its loss plus λ·Σ‖u‖|v| ≤ its own weight decay (AM-GM), to rounding.
        assertTrue(fb.get("startObjective").getAsDouble() <= best * (1 + 1e-6), fb.toString());
        assertTrue(fb.get("objective").getAsDouble() <= fb.get("startObjective").getAsDouble() * (1 + 1e-6), fb.toString());
        assertTrue(fb.get("converged").getAsBoolean());
        assertTrue(Files.size(out.resolve("best-baseline.cnn")) > 0);
    }

    @Test
    void eachSettingIsDrawnByItsBestRunThatDidNotDiverge() {
        assertEquals(2, ConvexVsSgd.shownRun(new double[] {0.5, 0.1, 0.3}, new boolean[] {false, true, false}));
        assertEquals(0, ConvexVsSgd.shownRun(new double[] {Double.NaN, 0.1}, new boolean[] {true, true}));
        assertEquals(1, ConvexVsSgd.shownRun(new double[] {Double.NaN, 0.4}, new boolean[] {true, false}));
    }
}
