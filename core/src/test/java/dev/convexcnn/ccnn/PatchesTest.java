package dev.convexcnn.ccnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convexcnn.linalg.ConvGeometry;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Patch extraction and pooling against their definitions, index by index. */
class PatchesTest {
    private static float pixel(float[] img, int off, int h, int w, int c, int y, int x, int ch) {
        return y < 0 || y >= h || x < 0 || x >= w ? 0 : img[off + (y * w + x) * c + ch];
    }

    @Test
    void patchesFollowTheirDefinitionWithAndWithoutPadding() {
        Random r = new Random(4);
        for (int[] geo : new int[][] {{9, 8, 1, 3, 1, 0}, {9, 8, 1, 3, 1, 1}, {10, 7, 3, 2, 2, 0}, {10, 7, 2, 3, 2, 1}, {6, 6, 1, 5, 1, 0}}) {
            int h = geo[0], w = geo[1], c = geo[2], k = geo[3], s = geo[4], pad = geo[5];
            ConvGeometry g = new ConvGeometry(h, w, c, k, k, s, pad);
            float[] img = new float[3 + h * w * c];
            for (int i = 0; i < img.length; i++) img[i] = r.nextFloat();
            double[] all = new double[g.patches() * g.patchSize()];
            Patches.extract(img, 3, g, all);
            for (int p = 0; p < g.patches(); p++) {
                double[] one = new double[g.patchSize() + 2];
                Patches.extractOne(img, 3, g, p, one, 2);
                int oy = p / g.outWidth(), ox = p % g.outWidth(), j = 0;
                for (int ky = 0; ky < k; ky++) for (int kx = 0; kx < k; kx++) for (int ch = 0; ch < c; ch++, j++) {
                    double want = pixel(img, 3, h, w, c, oy * s + ky - pad, ox * s + kx - pad, ch);
                    assertEquals(want, one[2 + j], 0, "patch " + p + " entry " + j);
                    assertEquals(want, all[p * g.patchSize() + j], 0, "patch " + p + " entry " + j);
                }
            }
        }
    }
}
