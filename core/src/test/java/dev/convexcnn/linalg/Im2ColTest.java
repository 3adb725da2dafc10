package dev.convexcnn.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class Im2ColTest {

    /** The obvious definition: patch (oy, ox) value (ky, kx, c) is x[oy·s − p + ky][ox·s − p + kx][c], or 0. */
    static float[] naiveIm2col(float[] x, ConvGeometry g) {
        float[] cols = new float[g.patches() * g.patchSize()];
        int row = 0;
        for (int oy = 0; oy < g.outHeight(); oy++) {
            for (int ox = 0; ox < g.outWidth(); ox++) {
                int col = 0;
                for (int ky = 0; ky < g.kernelH(); ky++) {
                    for (int kx = 0; kx < g.kernelW(); kx++) {
                        for (int c = 0; c < g.channels(); c++) {
                            int iy = oy * g.stride() - g.padding() + ky;
                            int ix = ox * g.stride() - g.padding() + kx;
                            boolean inside = iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width();
                            cols[row * g.patchSize() + col] = inside ? x[(iy * g.width() + ix) * g.channels() + c] : 0f;
                            col++;
                        }
                    }
                }
                row++;
            }
        }
        return cols;
    }

    static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    @Property(tries = 60)
    void im2colMatchesNaiveLoop(@ForAll @IntRange(min = 1, max = 9) int h, @ForAll @IntRange(min = 1, max = 9) int w,
                                @ForAll @IntRange(min = 1, max = 3) int c, @ForAll @IntRange(min = 1, max = 4) int k,
                                @ForAll @IntRange(min = 1, max = 3) int s, @ForAll @IntRange(min = 0, max = 2) int p) {
        if (h + 2 * p < k || w + 2 * p < k) return;
        ConvGeometry g = new ConvGeometry(h, w, c, k, k, s, p);
        float[] x = random(g.inputSize() + 5, h * 1000L + w * 100 + c * 10 + k);
        float[] cols = new float[g.patches() * g.patchSize() + 3];
        Im2Col.im2col(x, 5, g, cols, 3);
        float[] shifted = java.util.Arrays.copyOfRange(x, 5, x.length);
        assertArrayEquals(naiveIm2col(shifted, g), java.util.Arrays.copyOfRange(cols, 3, cols.length));
    }

    /** col2im is the adjoint of im2col: <im2col(x), y> = <x, col2im(y)>. */
    @Property(tries = 60)
    void col2imIsTheAdjoint(@ForAll @IntRange(min = 1, max = 8) int h, @ForAll @IntRange(min = 1, max = 8) int w,
                            @ForAll @IntRange(min = 1, max = 3) int c, @ForAll @IntRange(min = 1, max = 4) int k,
                            @ForAll @IntRange(min = 1, max = 3) int s, @ForAll @IntRange(min = 0, max = 2) int p) {
        if (h + 2 * p < k || w + 2 * p < k) return;
        ConvGeometry g = new ConvGeometry(h, w, c, k, k, s, p);
        float[] x = random(g.inputSize(), 7 + h);
        float[] y = random(g.patches() * g.patchSize(), 11 + w);
        float[] cols = new float[y.length];
        Im2Col.im2col(x, 0, g, cols, 0);
        float[] back = new float[x.length];
        Im2Col.col2im(y, 0, g, back, 0);
        double lhs = 0, rhs = 0;
        for (int i = 0; i < y.length; i++) lhs += cols[i] * (double) y[i];
        for (int i = 0; i < x.length; i++) rhs += x[i] * (double) back[i];
        assertEquals(lhs, rhs, 1e-4 * (1 + Math.abs(lhs)));
    }

    @Test
    void geometry() {
        ConvGeometry g = new ConvGeometry(28, 28, 1, 5, 5, 1, 0);
        assertEquals(24, g.outHeight());
        assertEquals(576, g.patches());
        assertEquals(25, g.patchSize());
        ConvGeometry strided = new ConvGeometry(7, 7, 3, 3, 3, 2, 1);
        assertEquals(4, strided.outHeight());
        assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(3, 3, 1, 5, 5, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(3, 3, 1, 1, 1, 0, 0));
    }
}
