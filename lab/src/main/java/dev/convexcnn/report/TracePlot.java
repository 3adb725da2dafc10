package dev.convexcnn.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The certificate of one or more runs against wall-clock seconds, from the summary files that
 * {@code train --summary-json} writes (their "trace": one point per check, with "seconds" and "certificate").
 */
public final class TracePlot {
    private TracePlot() {}

    /** One run's curve: its label (dataset and method of the file) and the points that carry a certificate. */
    public record Curve(String label, String certificateName, double[] seconds, double[] certificate) {}

    /** Reads the trace of a summary file; a file without a certificate trace is an error naming the file. */
    public static Curve read(Path summary) throws IOException {
        JsonObject s;
        try {
            s = JsonParser.parseString(Files.readString(summary)).getAsJsonObject();
        } catch (java.nio.charset.CharacterCodingException | RuntimeException e) {
            throw new IOException(summary + ": not a summary file written by 'train --summary-json' (" + e.getMessage() + ")", e);
        }
        JsonElement t = s.get("trace");
        if (t == null || !t.isJsonArray()) throw new IOException(summary + ": no \"trace\" array (write it with 'train --summary-json')");
        List<double[]> pts = new ArrayList<>();
        for (JsonElement e : (JsonArray) t) {
            JsonObject p = e.getAsJsonObject();
            if (p.has("certificate") && p.has("seconds")) pts.add(new double[] {p.get("seconds").getAsDouble(), p.get("certificate").getAsDouble()});
        }
        if (pts.isEmpty()) throw new IOException(summary + ": its trace has no certificate values");
        double[] x = new double[pts.size()], y = new double[pts.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = pts.get(i)[0];
            y[i] = pts.get(i)[1];
        }
        String name = s.has("certificate") && s.getAsJsonObject("certificate").has("name")
                ? s.getAsJsonObject("certificate").get("name").getAsString() : "certificate";
        String label = text(s, "dataset") + " " + text(s, "method") + ", n = " + text(s, "trainSamples");
        return new Curve(label, name, x, y);
    }

    /** Writes the curves of the given summary files to png (log certificate axis), with the tolerance as a dashed line when given. */
    public static void write(List<Path> summaries, Path png, Double tolerance) throws IOException {
        List<Curve> curves = new ArrayList<>();
        for (Path p : summaries) curves.add(read(p));
        String yName = curves.get(0).certificateName();
        LinePlot plot = new LinePlot(yName + " against time", "seconds", yName, true);
        double maxX = 0;
        for (Curve c : curves) {
            plot.add(c.label(), c.seconds(), positive(c.certificate()), false);
            maxX = Math.max(maxX, c.seconds()[c.seconds().length - 1]);
        }
        if (tolerance != null) plot.add("tolerance " + tolerance, new double[] {0, Math.max(maxX, 1)}, new double[] {tolerance, tolerance}, true);
        plot.write(png);
    }

    private static double[] positive(double[] v) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) out[i] = Math.max(out[i], 1e-16);
        return out;
    }

    private static String text(JsonObject s, String key) {
        return s.has(key) && !s.get(key).isJsonNull() ? s.get(key).getAsString() : "?";
    }
}
