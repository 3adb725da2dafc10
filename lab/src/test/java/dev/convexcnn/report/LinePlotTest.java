package dev.convexcnn.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

/** What a plot shows: the legend outside, tick labels with the decimals the range needs, one point visible. */
class LinePlotTest {
    @TempDir Path dir;

    @Test
    void tickPatternsCarryTheDecimalsTheRangeNeeds() {
        assertEquals("#,##0", LinePlot.pattern(0, 100, false));
        assertEquals("#,##0.0", LinePlot.pattern(0, 5, false));
        assertEquals("#,##0.0000", LinePlot.pattern(0.036, 0.044, false), "a zoomed objective axis");
        assertEquals("#,##0", LinePlot.pattern(10, 1e4, true));
        assertEquals("#,##0.####", LinePlot.pattern(1e-3, 10, true));
    }

    @Test
    void aSinglePointGetsARangeAroundItAndTheLegendSitsOutside() throws Exception {
        LinePlot p = new LinePlot("t", "seconds", "objective", false).add("seed 1", new double[] {121.60105019100001},
                new double[] {0.753311285513307}, false);
        XYChart c = p.build();
        var s = c.getStyler();
        assertEquals(Styler.LegendPosition.OutsideE, s.getLegendPosition());
        assertTrue(s.getXAxisMin() < 121.6 && s.getXAxisMax() > 121.6, "padded around the one x");
        assertTrue(s.getYAxisMin() < 0.7533 && s.getYAxisMax() > 0.7533);
        assertTrue(c.getSeriesMap().get("seed 1").getMarker() != null, "one point is drawn as a marker");
        Path png = dir.resolve("one.png");
        p.write(png);
        assertTrue(Files.size(png) > 500);
    }

    @Test
    void aZoomedAxisKeepsItsRange() {
        XYChart c = new LinePlot("t", "x", "y", false).add("a", new double[] {1, 2, 3}, new double[] {5, 0.04, 0.039}, false)
                .yRange(0.035, 0.045).build();
        assertEquals(0.035, c.getStyler().getYAxisMin());
        assertEquals(0.045, c.getStyler().getYAxisMax());
    }
}
