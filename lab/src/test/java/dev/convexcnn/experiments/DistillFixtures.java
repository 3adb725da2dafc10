package dev.convexcnn.experiments;

import dev.convexcnn.distill.*;
import dev.convexcnn.data.Dataset;
import java.util.List;
import java.util.SplittableRandom;

/** Small synthetic problems for the distillation tests. */
final class DistillFixtures {
    private DistillFixtures() {}

    /** 8×8 images of 3 classes: class c has a bright 2-pixel-thick bar at rows 1+2c, plus noise. */
    static Dataset bars(int n, long seed, String name) {
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

    static Teacher.Settings tinyTeacher() {
        return new Teacher.Settings("conv6k3p1-relu-maxpool2-linear16-relu", 2, 3, 3e-3, 16, 1, 11);
    }

    static DistillStudy.Settings tinyStudy() {
        CellSettings c = new CellSettings(2, 2, 16, 1e-3, 1e-2, 0.5, 2, 0.05, "l2", 4, 5);
        return new DistillStudy.Settings(List.of(StudentFamily.parse("conv1"), StudentFamily.parse("conv2"),
                StudentFamily.parse("mlp1"), StudentFamily.parse("mlp2")), List.of(1500L, 3000L), true, c, 0.25, 1, 1);
    }
}
