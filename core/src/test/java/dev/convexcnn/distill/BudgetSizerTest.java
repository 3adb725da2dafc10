package dev.convexcnn.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class BudgetSizerTest {
    static final List<Shape> SHAPES = List.of(new Shape(28, 28, 1), new Shape(32, 32, 3), new Shape(8, 8, 1));

    static List<StudentFamily> families() {
        return List.of(StudentFamily.parse("conv0"), StudentFamily.parse("conv1"), StudentFamily.parse("conv2"),
                StudentFamily.parse("conv3"), StudentFamily.parse("conv4"), StudentFamily.parse("mlp1"),
                StudentFamily.parse("mlp2"), StudentFamily.parse("mlp3"), StudentFamily.parse("mlp4"), StudentFamily.parse("mlp5"));
    }

    @Test
    void closedFormCountEqualsTheBuiltNetwork() {
        for (Shape in : SHAPES) {
            for (StudentFamily f : families()) {
                if (f.kind() == StudentFamily.Kind.CONV && f.depth() == 4 && in.height() == 8) continue;
                for (int[] wh : new int[][] {{1, 1}, {3, 7}, {16, 5}, {9, 40}}) {
                    String arch = f.architecture(wh[0], wh[1], 10);
                    long built = Sequential.of(arch, in, 10).parameterCount();
                    assertEquals(built, f.parameters(in, wh[0], wh[1], 10), f + " " + arch + " on " + in);
                }
            }
        }
    }

    @Test
    void landsWithinFivePercentOfManyBudgets() {
        int checked = 0;
        for (Shape in : List.of(SHAPES.get(0), SHAPES.get(1))) {
            for (StudentFamily f : families()) {
                // A one-hidden-layer net moves in steps of (inputs + classes + 1) parameters, so 5 % needs a budget of
                // at least 10 such steps: from 10k on 28×28 images, from 40k on 32×32×3.
                for (double logB = in.channels() == 1 ? 4.0 : 4.6; logB <= 6.5; logB += 0.1) {
                    long budget = Math.round(Math.pow(10, logB));
                    for (double ratio : new double[] {0.25, 1, 4}) {
                        BudgetSizer.Sized s = BudgetSizer.size(f, in, 10, budget, ratio, 0.05);
                        long built = Sequential.of(s.architecture(), in, 10).parameterCount();
                        assertEquals(built, s.parameters());
                        assertTrue(Math.abs((double) built / budget - 1) <= 0.05, f + " " + budget + " " + s);
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > 500);
    }

    @Test
    void theRatioMovesParametersBetweenLayers() {
        StudentFamily f = StudentFamily.parse("mlp3");
        Shape in = SHAPES.get(0);
        BudgetSizer.Sized narrowLast = BudgetSizer.size(f, in, 10, 100_000, 0.25, 0.05);
        BudgetSizer.Sized wideLast = BudgetSizer.size(f, in, 10, 100_000, 4, 0.05);
        assertTrue(narrowLast.lastWidth() < narrowLast.mainWidth(), narrowLast.toString());
        assertTrue(wideLast.lastWidth() > wideLast.mainWidth(), wideLast.toString());
        BudgetSizer.Sized even = BudgetSizer.size(f, in, 10, 100_000, 1, 0.05);
        assertTrue(Math.abs(Math.log((double) even.lastWidth() / even.mainWidth())) < 0.2, even.toString());
    }

    @Test
    void aBudgetBelowTheSmallestNetIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> BudgetSizer.size(StudentFamily.parse("mlp1"), new Shape(32, 32, 3), 10, 1000, 1, 0.05));
        assertTrue(e.getMessage().contains("1000") && e.getMessage().contains("mlp1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StudentFamily.parse("resnet3"));
        assertThrows(IllegalArgumentException.class,
                () -> StudentFamily.parse("conv4").parameters(new Shape(8, 8, 1), 2, 2, 10));
    }

    @Test
    void cellIdsRoundTripAndSeedIgnoresTarget() {
        CellId a = CellId.parse("conv2-b30000-mimic");
        assertEquals("conv2-b30000-mimic", a.id());
        CellId b = new CellId(a.family(), 30000, CellId.Target.LABELS);
        assertEquals(a.seed(7), b.seed(7));
        assertTrue(a.seed(7) != a.seed(8));
        assertTrue(a.seed(7) != CellId.parse("conv3-b30000-mimic").seed(7));
        assertThrows(IllegalArgumentException.class, () -> CellId.parse("conv2-30000"));
    }
}
