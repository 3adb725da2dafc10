package dev.convexcnn.distill;

import dev.convexcnn.data.Dataset;
import java.util.SplittableRandom;

/** Small synthetic problems for the distillation tests (the lab module's study tests use them too). */
public final class Fixtures {
    private Fixtures() {}

    /** 8×8 images of 3 classes: class c has a bright 2-pixel-thick bar at rows 1+2c, plus noise. */
    public static Dataset bars(int n, long seed, String name) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] px = new float[n * 64];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 64; j++) {
                int row = j / 8;
                boolean bar = row == 1 + 2 * y[i] || row == 2 + 2 * y[i];
                px[i * 64 + j] = (float) Math.min(1, (bar ? 0.6 : 0) + 0.4 * r.nextDouble());
            }
        }
        return new Dataset(name, 8, 8, 1, 3, px, y);
    }

    public static Teacher.Settings tinyTeacher() {
        return new Teacher.Settings("conv6k3p1-relu-maxpool2-linear16-relu", 2, 3, 3e-3, 16, 1, 11);
    }
}
