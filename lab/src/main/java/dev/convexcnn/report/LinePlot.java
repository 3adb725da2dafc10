package dev.convexcnn.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A line chart of named series written as a PNG, headless. The legend sits outside the plot area (to the right),
 * so it hides no point; tick labels carry as many decimals as the axis range needs, no more; a series of one point
 * is drawn as a marker; an axis whose data has a single value is padded around it.
 */
public final class LinePlot {
    private final String title, xLabel, yLabel;
    private final boolean logY;
    private boolean logX;
    private Double yMin, yMax, xMin, xMax;
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

    /** The legend to the right of the plot area: the default now, kept for callers that ask for it. */
    public LinePlot legendOutside() {
        return this;
    }

    /** Shows only this range of y (a zoom: what lies outside is cut at the plot's edge). */
    public LinePlot yRange(double min, double max) {
        if (!(min < max)) throw new IllegalArgumentException("y range needs min < max, got " + min + ", " + max);
        yMin = min;
        yMax = max;
        return this;
    }

    /** Shows only this range of x. */
    public LinePlot xRange(double min, double max) {
        if (!(min < max)) throw new IllegalArgumentException("x range needs min < max, got " + min + ", " + max);
        xMin = min;
        xMax = max;
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
        XYChart chart = build();
        // Atomic, with the umask's mode; a failure names the PNG and its cause (ImageIO alone says "I/O error writing PNG file!").
        dev.convexcnn.io.AtomicFiles.write(path, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }

    XYChart build() {
        XYChart chart = new XYChartBuilder().width(1000).height(560).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        Styler st = chart.getStyler();
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setXAxisLogarithmic(logX);
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(9);
        chart.getStyler().setPlotMargin(4);
        double[] xr = range(1, xMin, xMax, logX);
        double[] yr = range(2, yMin, yMax, logY);
        chart.getStyler().setXAxisMin(xr[0]);
        chart.getStyler().setXAxisMax(xr[1]);
        chart.getStyler().setYAxisMin(yr[0]);
        chart.getStyler().setYAxisMax(yr[1]);
        chart.getStyler().setXAxisDecimalPattern(pattern(xr[0], xr[1], logX));
        chart.getStyler().setYAxisDecimalPattern(pattern(yr[0], yr[1], logY));
        for (Object[] s : series) {
            double[] x = (double[]) s[1], y = (double[]) s[2];
            XYSeries xy = chart.addSeries((String) s[0], x, y);
            if ((Boolean) s[4]) {
                xy.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                continue;
            }
            xy.setMarker(x.length > 1 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            if ((Boolean) s[3]) xy.setLineStyle(new java.awt.BasicStroke(2f, java.awt.BasicStroke.CAP_BUTT,
                    java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        }
        return chart;
    }

    /** The axis range: the one given, else the data's finite range, padded when it is a single value. */
    private double[] range(int axis, Double min, Double max, boolean log) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Object[] s : series) {
            for (double v : (double[]) s[axis]) {
                if (Double.isFinite(v) && (!log || v > 0)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (min != null) lo = min;
        if (max != null) hi = max;
        if (!(lo <= hi)) return new double[] {log ? 0.1 : 0, 1};
        if (lo == hi) {
            if (log) return new double[] {lo / 2, hi * 2};
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.05;
            return new double[] {lo - pad, hi + pad};
        }
        if (min == null && max == null && !log) {
            double pad = 0.03 * (hi - lo);
            return new double[] {lo - pad, hi + pad};
        }
        return new double[] {lo, hi};
    }

    /** Enough decimals to tell ticks a tenth of the range apart; plain numbers on log axes. */
    static String pattern(double lo, double hi, boolean log) {
        if (log) return lo >= 1 ? "#,##0" : "#,##0." + "#".repeat(Math.min(8, (int) Math.ceil(-Math.log10(lo)) + 1));
        double step = (hi - lo) / 10;
        int decimals = step >= 1 ? 0 : Math.min(8, (int) Math.ceil(-Math.log10(step)));
        return decimals == 0 ? "#,##0" : "#,##0." + "0".repeat(decimals);
    }
}
