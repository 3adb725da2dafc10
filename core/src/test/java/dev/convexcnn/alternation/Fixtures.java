package dev.convexcnn.alternation;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.nn.Sequential;
import java.util.Random;

/** Small seeded data for the alternation tests. */
final class Fixtures {
    private Fixtures() {}

    /** n random h×w×c images with labels from a fixed random linear rule over classes. */
    static Dataset images(int n, int h, int w, int c, int classes, long seed) {
        Random r = new Random(seed);
        int f = h * w * c;
        float[] px = new float[n * f];
        for (int i = 0; i < px.length; i++) px[i] = r.nextFloat();
        float[][] rule = new float[classes][f];
        for (float[] row : rule) for (int j = 0; j < f; j++) row[j] = (float) r.nextGaussian();
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            double bv = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                double s = 0;
                for (int j = 0; j < f; j++) s += rule[k][j] * (px[i * f + j] - 0.5);
                if (s > bv) { bv = s; best = k; }
            }
            y[i] = best;
        }
        return new Dataset("synthetic", h, w, c, classes, px, y);
    }

    /** Copies all parameters of a into b (same architecture). */
    static void copyWeights(Sequential a, Sequential b) {
        for (int i = 0; i < a.params().size(); i++) {
            float[] src = a.params().get(i).value();
            System.arraycopy(src, 0, b.params().get(i).value(), 0, src.length);
        }
    }
}
