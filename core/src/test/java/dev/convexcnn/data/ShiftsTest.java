package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ShiftsTest {
    /** out(r, c, ch) = in(r − dy, c − dx, ch), or 0 outside. */
    static float[] naive(float[] in, int h, int w, int ch, int dy, int dx) {
        float[] out = new float[in.length];
        for (int r = 0; r < h; r++) for (int c = 0; c < w; c++) for (int k = 0; k < ch; k++) {
            int sr = r - dy, sc = c - dx;
            out[(r * w + c) * ch + k] = sr >= 0 && sr < h && sc >= 0 && sc < w ? in[(sr * w + sc) * ch + k] : 0f;
        }
        return out;
    }

    @Test
    void shiftMatchesTheNaiveReference() {
        Random rnd = new Random(1);
        for (int ch : new int[] {1, 3}) {
            int h = 5, w = 7;
            float[] img = new float[h * w * ch];
            for (int i = 0; i < img.length; i++) img[i] = rnd.nextFloat() + 0.1f;
            for (int dy = -6; dy <= 6; dy++) for (int dx = -8; dx <= 8; dx++) {
                float[] out = new float[img.length + 4];
                java.util.Arrays.fill(out, 9f);
                Shifts.shift(img, 0, h, w, ch, dy, dx, out, 2);
                float[] got = java.util.Arrays.copyOfRange(out, 2, 2 + img.length);
                assertArrayEquals(naive(img, h, w, ch, dy, dx), got, "dy " + dy + " dx " + dx);
                assertEquals(9f, out[0]);
                assertEquals(9f, out[out.length - 1]);
            }
        }
    }

    @Test
    void randomShiftsAreSeededAndKeepLabels() {
        float[] px = new float[4 * 36];
        for (int i = 0; i < px.length; i++) px[i] = (i % 7) / 7f;
        Dataset d = new Dataset("d", 6, 6, 1, 3, px, new int[] {0, 1, 2, 1});
        Dataset a = Shifts.random(d, 2, 5, "a"), b = Shifts.random(d, 2, 5, "b"), c = Shifts.random(d, 2, 6, "c");
        assertArrayEquals(a.pixels(), b.pixels());
        assertArrayEquals(d.labels(), a.labels());
        assertEquals(false, java.util.Arrays.equals(a.pixels(), c.pixels()));
        assertArrayEquals(d.pixels(), Shifts.random(d, 0, 5, "z").pixels());
        assertThrows(IllegalArgumentException.class, () -> Shifts.random(d, 6, 1, "x"));
        Dataset joined = Shifts.concat("j", d, a);
        assertEquals(8, joined.size());
        assertEquals(a.pixels()[36 * 2 + 5], joined.pixels()[36 * 6 + 5]);
    }
}
