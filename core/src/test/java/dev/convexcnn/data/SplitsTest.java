package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SplitsTest {
    /** n samples of one pixel whose value is the sample index, labels i mod classes over an uneven pattern. */
    static Dataset indexed(int n, int classes) {
        float[] px = new float[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            px[i] = i;
            // Uneven class sizes: class c gets weight c + 1.
            int r = i % (classes * (classes + 1) / 2);
            int c = 0;
            while (r > c) {
                r -= c + 1;
                c++;
            }
            y[i] = c;
        }
        return new Dataset("idx", 1, 1, 1, classes, px, y);
    }

    private static int[] ids(Dataset d) {
        int[] out = new int[d.size()];
        for (int i = 0; i < out.length; i++) out[i] = (int) d.pixels()[i];
        return out;
    }

    @Test
    void preservesClassProportions() {
        Dataset d = indexed(10_000, 4);
        Splits.Split s = Splits.stratified(d, 0.2, 42);
        int[] all = d.classCounts();
        int[] val = s.validation().classCounts();
        int[] train = s.train().classCounts();
        for (int c = 0; c < 4; c++) {
            assertEquals(Math.round(0.2 * all[c]), val[c]);
            assertEquals(all[c], val[c] + train[c]);
        }
    }

    @Test
    void unionIsAllAndPartsAreDisjointAndOrdered() {
        Dataset d = indexed(1000, 3);
        Splits.Split s = Splits.stratified(d, 0.3, 7);
        int[] t = ids(s.train());
        int[] v = ids(s.validation());
        int[] both = new int[t.length + v.length];
        System.arraycopy(t, 0, both, 0, t.length);
        System.arraycopy(v, 0, both, t.length, v.length);
        Arrays.sort(both);
        for (int i = 0; i < both.length; i++) assertEquals(i, both[i]);
        assertArrayEquals(Arrays.stream(t).sorted().toArray(), t);
        assertArrayEquals(Arrays.stream(v).sorted().toArray(), v);
        // Labels travel with their samples.
        for (int k = 0; k < v.length; k++) assertEquals(d.label(v[k]), s.validation().label(k));
    }

    @Test
    void seedDeterministicAndSeedDependent() {
        Dataset d = indexed(500, 5);
        int[] a = ids(Splits.stratified(d, 0.25, 1).validation());
        int[] b = ids(Splits.stratified(d, 0.25, 1).validation());
        int[] c = ids(Splits.stratified(d, 0.25, 2).validation());
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    void zeroFractionGivesEmptyValidation() {
        Dataset d = indexed(50, 2);
        Splits.Split s = Splits.stratified(d, 0, 3);
        assertEquals(0, s.validation().size());
        assertEquals(50, s.train().size());
        assertArrayEquals(d.pixels(), s.train().pixels());
    }

    @Test
    void rejectsBadFractions() {
        Dataset d = indexed(10, 2);
        assertThrows(IllegalArgumentException.class, () -> Splits.stratified(d, 1.0, 0));
        assertThrows(IllegalArgumentException.class, () -> Splits.stratified(d, -0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> Splits.stratified(d, Double.NaN, 0));
    }

    @Test
    void namesTheParts() {
        Splits.Split s = Splits.stratified(indexed(10, 2), 0.5, 0);
        assertEquals("idx/train", s.train().name());
        assertEquals("idx/validation", s.validation().name());
    }
}
