package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

class NormalizationTest {
    @Test
    void fitsPerChannelMeanAndPopulationStd() {
        // Two samples of 1×2 pixels, 2 channels: channel 0 = {0, 1, 1, 0}... laid out channels-last.
        float[] px = {0f, 0.2f, 1f, 0.2f, 1f, 0.2f, 0f, 0.2f};
        Dataset d = new Dataset("n", 1, 2, 2, 2, px, new int[] {0, 1});
        Normalization n = Normalization.fit(d);
        assertArrayEquals(new float[] {0.5f, 0.2f}, n.mean(), 1e-7f);
        // Channel 1 is constant: std 1 instead of 0.
        assertArrayEquals(new float[] {0.5f, 1f}, n.std(), 1e-7f);
        float[] out = n.apply(d);
        assertArrayEquals(new float[] {-1f, 0f, 1f, 0f, 1f, 0f, -1f, 0f}, out, 1e-6f);
    }

    @Test
    void fitsKnownSingleChannelValues() {
        float[] px = {0.1f, 0.2f, 0.3f, 0.4f};
        Normalization n = Normalization.fit(new Dataset("n", 2, 2, 1, 1, px, new int[] {0}));
        assertEquals(0.25f, n.mean()[0], 1e-7f);
        assertEquals((float) Math.sqrt(0.0125), n.std()[0], 1e-7f);
    }

    @Test
    void applyWithOffsetsAndInPlace() {
        Normalization n = new Normalization(new float[] {1f, 2f, 3f}, new float[] {1f, 2f, 4f});
        float[] src = {9, 9, 3, 4, 7, 1, 2, 3};
        float[] dst = new float[5];
        n.apply(src, 2, dst, 1, 3, 3);
        assertArrayEquals(new float[] {0, 2f, 1f, 1f, 0}, dst);
        float[] in = {1, 2, 3, 2, 4, 11};
        n.apply(in, 0, in, 0, 6, 3);
        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 2}, in);
        assertThrows(IllegalArgumentException.class, () -> n.apply(in, 0, in, 0, 6, 1));
        assertThrows(IllegalArgumentException.class, () -> n.apply(in, 0, in, 0, 4, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> n.apply(in, 3, in, 0, 6, 3));
    }

    @Test
    void identityLeavesValuesAlone() {
        Normalization id = Normalization.identity(2);
        float[] v = {0.3f, 0.7f, 0.1f, 0.9f};
        float[] out = new float[4];
        id.apply(v, 0, out, 0, 4, 2);
        assertArrayEquals(v, out);
    }

    @Test
    void jsonRoundTripIsExact() {
        Normalization n = new Normalization(new float[] {0.13066062f, 1e-7f, 123.456f}, new float[] {0.30810776f, 3f, 0.1f});
        String text = n.toJson().toString();
        JsonObject back = JsonParser.parseString(text).getAsJsonObject();
        Normalization m = Normalization.fromJson(back);
        assertEquals(n, m);
        assertEquals(n.hashCode(), m.hashCode());
        assertArrayEquals(n.mean(), m.mean());
        assertArrayEquals(n.std(), m.std());
    }

    @Test
    void rejectsBadValuesAndJson() {
        assertThrows(IllegalArgumentException.class, () -> new Normalization(new float[] {0}, new float[] {0}));
        assertThrows(IllegalArgumentException.class, () -> new Normalization(new float[] {0, 0}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new Normalization(new float[] {Float.NaN}, new float[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> Normalization.fromJson(JsonParser.parseString("{\"mean\":[0]}").getAsJsonObject()));
        assertThrows(IllegalArgumentException.class,
                () -> Normalization.fromJson(JsonParser.parseString("{\"mean\":[\"a\"],\"std\":[1]}").getAsJsonObject()));
        assertThrows(IllegalArgumentException.class,
                () -> Normalization.fit(new Dataset("e", 1, 1, 1, 1, new float[0], new int[0])));
    }

    @Test
    void arraysAreCopied() {
        float[] mean = {0.5f};
        Normalization n = new Normalization(mean, new float[] {1f});
        mean[0] = 9f;
        n.mean()[0] = 7f;
        assertEquals(0.5f, n.mean()[0]);
    }
}
