package dev.convexcnn.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** A line chart of named series written as a PNG, headless. */
public final class LinePlot {
    private final String title, xLabel, yLabel;
    private final boolean logY;
    private boolean logX, legendOutside;
    private final List<Object[]> series = new ArrayList<>();

    public LinePlot(String title, String xLabel, String yLabel, boolean logY) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logY = logY;
    }

    /** A logarithmic x axis (x values must be positive). */
    public LinePlot logX() {
        this.logX = true;
        return this;
    }

    /** The legend to the right of the plot area, so that it hides no point. */
    public LinePlot legendOutside() {
        this.legendOutside = true;
        return this;
    }

    public LinePlot add(String name, double[] x, double[] y, boolean dashed) {
        if (x.length != y.length || x.length == 0) throw new IllegalArgumentException("series '" + name + "' needs equal, non-empty x and y");
        series.add(new Object[] {name, x, y, dashed, false});
        return this;
    }

    /** Points with markers and no line. */
    public LinePlot scatter(String name, double[] x, double[] y) {
        if (x.length != y.length || x.length == 0) throw new IllegalArgumentException("series '" + name + "' needs equal, non-empty x and y");
        series.add(new Object[] {name, x, y, false, true});
        return this;
    }

    /** Writes the chart to path (a .png), through a temporary file and a rename. */
    public void write(Path path) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setLegendPosition(legendOutside ? org.knowm.xchart.style.Styler.LegendPosition.OutsideE
                : org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(9);
        for (Object[] s : series) {
            XYSeries xy = chart.addSeries((String) s[0], (double[]) s[1], (double[]) s[2]);
            if ((Boolean) s[4]) {
                xy.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                continue;
            }
            xy.setMarker(SeriesMarkers.NONE);
            if ((Boolean) s[3]) xy.setLineStyle(new java.awt.BasicStroke(2f, java.awt.BasicStroke.CAP_BUTT,
                    java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        }
        Path abs = path.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), ".plot", ".png");
        try {
            BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
            Files.move(tmp, abs, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
