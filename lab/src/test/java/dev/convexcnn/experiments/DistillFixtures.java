package dev.convexcnn.experiments;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.distill.CellSettings;
import dev.convexcnn.distill.Fixtures;
import dev.convexcnn.distill.StudentFamily;
import dev.convexcnn.distill.Teacher;
import java.util.List;

/** The distillation tests' small problems (core's), and a study over them. */
final class DistillFixtures {
    private DistillFixtures() {}

    static Dataset bars(int n, long seed, String name) {
        return Fixtures.bars(n, seed, name);
    }

    static Teacher.Settings tinyTeacher() {
        return Fixtures.tinyTeacher();
    }

    static DistillStudy.Settings tinyStudy() {
        CellSettings c = new CellSettings(2, 2, 16, 1e-3, 1e-2, 0.5, 2, 0.05, "l2", 4, 5);
        return new DistillStudy.Settings(List.of(StudentFamily.parse("conv1"), StudentFamily.parse("conv2"),
                StudentFamily.parse("mlp1"), StudentFamily.parse("mlp2")), List.of(1500L, 3000L), true, c, 0.25, 1, 1);
    }
}
