package dev.convexcnn.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.Objects;

/**
 * Input normalisation: pixels/255, then per-channel standardisation with the mean and std of the training
 * split; the values are stored in the model file so eval applies the same.
 *
 * <p>The /255 step happens in the readers ({@link Dataset} pixels are already in [0, 1]); this class holds
 * the per-channel {@code mean} and {@code std} and maps a value x of channel c to (x − mean[c]) / std[c].
 * The std is the population std (divided by N). A channel whose std is below {@value #MIN_STD} (a constant
 * channel) gets std 1, so it is only shifted.
 */
public record Normalization(float[] mean, float[] std) {
    /** Below this a channel counts as constant. */
    public static final double MIN_STD = 1e-6;

    public Normalization {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("mean and std need the same, positive number of channels, got "
                    + mean.length + " and " + std.length);
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Float.isFinite(mean[c]) || !Float.isFinite(std[c]) || !(std[c] > 0)) {
                throw new IllegalArgumentException("channel " + c + ": mean " + mean[c] + " and std " + std[c]
                        + " must be finite with std > 0");
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Per-channel mean and population std over every pixel of {@code train}, summed in double. */
    public static Normalization fit(Dataset train) {
        int ch = train.channels();
        float[] px = train.pixels();
        if (px.length == 0) {
            throw new IllegalArgumentException("cannot fit a normalisation on the empty " + train.name());
        }
        long perChannel = px.length / ch;
        double[] sum = new double[ch];
        for (int i = 0; i < px.length; i += ch) {
            for (int c = 0; c < ch; c++) sum[c] += px[i + c];
        }
        double[] mu = new double[ch];
        for (int c = 0; c < ch; c++) mu[c] = sum[c] / perChannel;
        // Second pass around the mean: no cancellation, unlike E[x²] − E[x]².
        double[] sq = new double[ch];
        for (int i = 0; i < px.length; i += ch) {
            for (int c = 0; c < ch; c++) {
                double d = px[i + c] - mu[c];
                sq[c] += d * d;
            }
        }
        float[] mean = new float[ch];
        float[] std = new float[ch];
        for (int c = 0; c < ch; c++) {
            double s = Math.sqrt(sq[c] / perChannel);
            mean[c] = (float) mu[c];
            std[c] = s < MIN_STD ? 1f : (float) s;
        }
        return new Normalization(mean, std);
    }

    /** Mean 0 and std 1 for every channel: leaves values unchanged. */
    public static Normalization identity(int channels) {
        if (channels <= 0) throw new IllegalArgumentException("channels must be positive, got " + channels);
        float[] mean = new float[channels];
        float[] std = new float[channels];
        Arrays.fill(std, 1f);
        return new Normalization(mean, std);
    }

    public int channels() {
        return mean.length;
    }

    /** A copy of the per-channel means. */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** A copy of the per-channel standard deviations. */
    @Override
    public float[] std() {
        return std.clone();
    }

    /**
     * Writes (x − mean[c]) / std[c] for {@code count} channels-last values starting at {@code src[srcOff]}
     * into {@code dst} from {@code dstOff}. The offsets must fall on a pixel boundary and {@code count} must be a
     * multiple of {@code channels}; {@code src} and {@code dst} may be the same array (in place).
     *
     * @param count number of float values (not samples)
     * @param channels must equal {@link #channels()}; passed so a caller's mismatch fails loudly
     */
    public void apply(float[] src, int srcOff, float[] dst, int dstOff, int count, int channels) {
        if (channels != mean.length) {
            throw new IllegalArgumentException("normalisation has " + mean.length + " channels, data has " + channels);
        }
        if (count % channels != 0) {
            throw new IllegalArgumentException(count + " values are not whole pixels of " + channels + " channels");
        }
        Objects.checkFromIndexSize(srcOff, count, src.length);
        Objects.checkFromIndexSize(dstOff, count, dst.length);
        if (channels == 1) {
            float m = mean[0];
            float s = std[0];
            for (int i = 0; i < count; i++) dst[dstOff + i] = (src[srcOff + i] - m) / s;
            return;
        }
        for (int i = 0; i < count; i += channels) {
            for (int c = 0; c < channels; c++) dst[dstOff + i + c] = (src[srcOff + i + c] - mean[c]) / std[c];
        }
    }

    /** All pixels of {@code d}, normalised, as a new array. */
    public float[] apply(Dataset d) {
        float[] out = new float[d.pixels().length];
        apply(d.pixels(), 0, out, 0, out.length, d.channels());
        return out;
    }

    /** {@code {"mean": [...], "std": [...]}}; floats are written so that they read back exactly. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.add("mean", array(mean));
        o.add("std", array(std));
        return o;
    }

    /** Reads what {@link #toJson()} wrote. */
    public static Normalization fromJson(JsonObject o) {
        return new Normalization(floats(o, "mean"), floats(o, "std"));
    }

    private static JsonArray array(float[] v) {
        JsonArray a = new JsonArray(v.length);
        for (float x : v) a.add(x);
        return a;
    }

    private static float[] floats(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonArray()) {
            throw new IllegalArgumentException("normalisation JSON needs an array \"" + key + "\", got " + e);
        }
        JsonArray a = e.getAsJsonArray();
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            JsonElement x = a.get(i);
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                throw new IllegalArgumentException("normalisation JSON \"" + key + "\"[" + i + "] is not a number: "
                        + x);
            }
            v[i] = x.getAsFloat();
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
