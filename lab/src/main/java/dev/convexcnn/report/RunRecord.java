package dev.convexcnn.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one training run of a comparison leaves behind, as a JSON file a report is built from: the figures
 * of the table, the training curve, the test confusion matrix, the first-layer filters (when the method has
 * filters in pixel space) and the provenance. Methods fill what they have: certificate fields are null for
 * methods without one.
 *
 * @param certificateName what the certificate measures (e.g. "squared min-norm subgradient", "Frank-Wolfe gap"), or null
 * @param certified       whether the certificate reached the run's tolerance, or null without a certificate
 * @param peakHeapBytes   the peak heap in use after a garbage collection during the run (data loaded before it included;
 *                        see lab.PeakHeap), -1 if unknown
 * @param curve           the training objective (and accuracy where known) against wall-clock seconds
 * @param filters         first-layer filters, count × channels × height × width, or null
 */
public record RunRecord(String method, String dataset, long seed, int trainSamples, int testSamples,
                        double testAccuracy, double testLoss, double trainSeconds, long peakHeapBytes, long parameters,
                        String architecture, String objectiveName, String certificateName, Double certificate,
                        Boolean certified, String backend, JsonObject settings, JsonObject provenance,
                        List<CurvePoint> curve, int[][] confusion, Filters filters) {

    /** One point of a training curve; accuracy is NaN where the method does not measure it along the way. */
    public record CurvePoint(double seconds, double objective, double accuracy) {}

    /** Filters in PyTorch's layout (count × channels × height × width). */
    public record Filters(int count, int channels, int height, int width, float[] values) {
        public Filters {
            if ((long) count * channels * height * width != values.length) {
                throw new IllegalArgumentException("filters " + count + "x" + channels + "x" + height + "x" + width
                        + " need " + ((long) count * channels * height * width) + " values, got " + values.length);
            }
        }
    }

    public RunRecord {
        curve = List.copyOf(curve);
    }

    /** This record with the peak heap measured by whoever ran it. */
    public RunRecord withPeakHeapBytes(long bytes) {
        return new RunRecord(method, dataset, seed, trainSamples, testSamples, testAccuracy, testLoss, trainSeconds, bytes,
                parameters, architecture, objectiveName, certificateName, certificate, certified, backend, settings, provenance,
                curve, confusion, filters);
    }

    /** The file name of a run: method-seedN.json. */
    public static String fileName(String method, long seed) {
        return method + "-seed" + seed + ".json";
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("method", method);
        o.addProperty("dataset", dataset);
        o.addProperty("seed", seed);
        o.addProperty("trainSamples", trainSamples);
        o.addProperty("testSamples", testSamples);
        put(o, "testAccuracy", testAccuracy);
        put(o, "testLoss", testLoss);
        put(o, "trainSeconds", trainSeconds);
        o.addProperty("peakHeapBytes", peakHeapBytes);
        o.addProperty("parameters", parameters);
        o.addProperty("architecture", architecture);
        o.addProperty("objectiveName", objectiveName);
        if (certificateName != null) {
            o.addProperty("certificateName", certificateName);
            put(o, "certificate", certificate);
            o.addProperty("certified", certified);
        }
        o.addProperty("backend", backend);
        o.add("settings", settings);
        o.add("provenance", provenance);
        JsonArray c = new JsonArray();
        for (CurvePoint p : curve) {
            JsonArray a = new JsonArray();
            a.add(finite(p.seconds));
            a.add(finite(p.objective));
            a.add(finite(p.accuracy));
            c.add(a);
        }
        o.add("curve", c);
        JsonArray m = new JsonArray();
        for (int[] row : confusion) {
            JsonArray r = new JsonArray();
            for (int v : row) r.add(v);
            m.add(r);
        }
        o.add("confusion", m);
        if (filters != null) {
            JsonObject f = new JsonObject();
            f.addProperty("count", filters.count);
            f.addProperty("channels", filters.channels);
            f.addProperty("height", filters.height);
            f.addProperty("width", filters.width);
            JsonArray v = new JsonArray();
            for (float x : filters.values) v.add(x);
            f.add("values", v);
            o.add("filters", f);
        }
        return o;
    }

    public static RunRecord fromJson(JsonObject o) {
        List<CurvePoint> curve = new ArrayList<>();
        for (JsonElement e : o.getAsJsonArray("curve")) {
            JsonArray a = e.getAsJsonArray();
            curve.add(new CurvePoint(num(a.get(0)), num(a.get(1)), num(a.get(2))));
        }
        JsonArray m = o.getAsJsonArray("confusion");
        int[][] confusion = new int[m.size()][];
        for (int i = 0; i < m.size(); i++) {
            JsonArray r = m.get(i).getAsJsonArray();
            confusion[i] = new int[r.size()];
            for (int j = 0; j < r.size(); j++) confusion[i][j] = r.get(j).getAsInt();
        }
        Filters filters = null;
        if (o.has("filters")) {
            JsonObject f = o.getAsJsonObject("filters");
            JsonArray v = f.getAsJsonArray("values");
            float[] values = new float[v.size()];
            for (int i = 0; i < values.length; i++) values[i] = v.get(i).getAsFloat();
            filters = new Filters(f.get("count").getAsInt(), f.get("channels").getAsInt(), f.get("height").getAsInt(),
                    f.get("width").getAsInt(), values);
        }
        boolean hasCert = o.has("certificateName");
        return new RunRecord(o.get("method").getAsString(), o.get("dataset").getAsString(), o.get("seed").getAsLong(),
                o.get("trainSamples").getAsInt(), o.get("testSamples").getAsInt(), num(o, "testAccuracy"), num(o, "testLoss"),
                num(o, "trainSeconds"), o.get("peakHeapBytes").getAsLong(), o.get("parameters").getAsLong(),
                o.get("architecture").getAsString(), o.get("objectiveName").getAsString(),
                hasCert ? o.get("certificateName").getAsString() : null, hasCert ? num(o, "certificate") : null,
                hasCert && o.has("certified") && !o.get("certified").isJsonNull() ? o.get("certified").getAsBoolean() : null, o.get("backend").getAsString(),
                o.getAsJsonObject("settings"), o.getAsJsonObject("provenance"), curve, confusion, filters);
    }

    /** Reads a run file; a damaged, truncated or edited file is a FileFormatException that names it. */
    public static RunRecord read(Path file) throws IOException {
        JsonObject o = dev.convexcnn.io.ChecksummedJson.read(file, "run record");
        try {
            return fromJson(o);
        } catch (RuntimeException e) {
            throw new dev.convexcnn.io.FileFormatException(file, "not a run record (" + (e.getMessage() != null ? e.getMessage() : e) + ")");
        }
    }

    /** The record as one line of JSON (NaN and infinities written as null), with its checksum. */
    public String toJsonText() {
        return dev.convexcnn.io.ChecksummedJson.encode(toJson(), GSON);
    }

    private static final com.google.gson.Gson GSON = new com.google.gson.GsonBuilder().disableHtmlEscaping().create();

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static void put(JsonObject o, String k, double v) {
        o.addProperty(k, finite(v));
    }

    private static double num(JsonObject o, String k) {
        return num(o.get(k));
    }

    private static double num(JsonElement e) {
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }
}
