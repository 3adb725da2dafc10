package dev.convexcnn.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.nn.Conv2d;
import dev.convexcnn.nn.Initializer;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Param;
import dev.convexcnn.nn.Shape;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every factorised layer: its chain of stages equals a dense Conv2d holding the reconstructed kernel, and its
 * backward pass agrees with central differences (the pattern of nn's GradientCheckTest).
 */
class FactorisedConvTest {
    static final int BATCH = 3;

    static Stream<Arguments> layers() {
        return Stream.of(
                Arguments.of(new FactorisedConv2d(Factorisation.CP, 4, 3, 1, 1, RankSpec.explicit(3)), new Shape(5, 6, 3)),
                Arguments.of(new FactorisedConv2d(Factorisation.CP, 3, 3, 2, 1, RankSpec.explicit(2)), new Shape(6, 5, 2)),
                Arguments.of(new FactorisedConv2d(Factorisation.TUCKER2, 4, 3, 1, 0, RankSpec.explicit(3, 2)), new Shape(5, 5, 3)),
                Arguments.of(new FactorisedConv2d(Factorisation.TUCKER2, 3, 3, 2, 1, RankSpec.explicit(2, 2)), new Shape(6, 5, 2)),
                Arguments.of(new FactorisedConv2d(Factorisation.TUCKER, 4, 3, 1, 1, RankSpec.explicit(3, 2, 2, 3)), new Shape(4, 5, 3)),
                Arguments.of(new FactorisedConv2d(Factorisation.TUCKER, 3, 3, 2, 1, RankSpec.explicit(2, 2, 2, 2)), new Shape(6, 5, 2)),
                Arguments.of(new FactorisedConv2d(Factorisation.TT, 4, 3, 1, 1, RankSpec.explicit(2, 3, 2)), new Shape(5, 4, 3)),
                Arguments.of(new FactorisedConv2d(Factorisation.TT, 3, 3, 2, 1, RankSpec.explicit(2, 2, 2)), new Shape(6, 5, 2)),
                Arguments.of(new DepthwiseConv2d(2, 3, 1, 1), new Shape(4, 5, 3)),
                Arguments.of(new GroupedConv2d(4, 2, 3, 2, 1), new Shape(6, 5, 4)));
    }

    static void randomise(Layer l, long seed) {
        Random r = new Random(seed);
        for (Param p : l.params()) {
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian() * 0.5f;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void equalsDenseConvWithTheReconstructedKernel(StagedConv layer, Shape in) {
        Shape out = layer.build(in);
        randomise(layer, 3);
        Conv2d dense = layer.toConv2d();
        Random r = new Random(5);
        float[] x = new float[BATCH * in.size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        float[] y = layer.forward(x, BATCH).clone();
        float[] yd = dense.forward(x, BATCH);
        assertEquals(BATCH * out.size(), y.length >= BATCH * out.size() ? BATCH * out.size() : -1);
        for (int i = 0; i < BATCH * out.size(); i++) assertEquals(yd[i], y[i], 1e-4, layer.spec() + " output " + i);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void gradientsMatchFiniteDifferences(StagedConv layer, Shape in) {
        Shape out = layer.build(in);
        layer.initialize(Initializer.HE, new SplittableRandom(1));
        randomise(layer, 42);
        Random rnd = new Random(7);
        float[] x = new float[BATCH * in.size()], rr = new float[BATCH * out.size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < rr.length; i++) rr[i] = (float) rnd.nextGaussian();
        for (Param p : layer.params()) p.zeroGrad();
        layer.forward(x.clone(), BATCH);
        float[] dx = layer.backward(rr.clone(), BATCH, true).clone();
        double eps = 1e-2, tol = 2e-3;
        for (int i = 0; i < x.length; i++) {
            float[] xp = x.clone(), xm = x.clone();
            xp[i] += (float) eps;
            xm[i] -= (float) eps;
            double num = (objective(layer, xp, rr) - objective(layer, xm, rr)) / (2 * eps);
            assertEquals(num, dx[i], tol * (1 + Math.abs(num)), layer.spec() + " dL/dx[" + i + "]");
        }
        for (Param p : layer.params()) {
            float[] g = p.grad().clone(), v = p.value();
            for (int i = 0; i < v.length; i++) {
                float keep = v[i];
                v[i] = keep + (float) eps;
                double lp = objective(layer, x, rr);
                v[i] = keep - (float) eps;
                double lm = objective(layer, x, rr);
                v[i] = keep;
                double num = (lp - lm) / (2 * eps);
                assertEquals(num, g[i], tol * (1 + Math.abs(num)), p.name() + "[" + i + "]");
            }
        }
    }

    private static double objective(Layer layer, float[] x, float[] r) {
        float[] out = layer.forward(x.clone(), BATCH);
        double s = 0;
        for (int i = 0; i < r.length; i++) s += (double) out[i] * r[i];
        return s;
    }

    @Test
    void backwardWithoutInputGradientReturnsNullAndStillFillsWeights() {
        FactorisedConv2d l = new FactorisedConv2d(Factorisation.TUCKER2, 3, 3, 1, 1, RankSpec.explicit(2));
        Shape out = l.build(new Shape(4, 4, 2));
        randomise(l, 1);
        float[] x = new float[BATCH * 32];
        java.util.Arrays.fill(x, 1f);
        l.forward(x, BATCH);
        float[] g = new float[BATCH * out.size()];
        java.util.Arrays.fill(g, 1f);
        assertEquals(null, l.backward(g, BATCH, false));
        assertTrue(l.params().get(0).grad()[0] != 0f);
    }

    @Test
    void parameterCountsByHand() {
        // CP rank 4 on a 16×8×3×3 kernel: 4·(16 + 8 + 3 + 3) = 120 weights + 16 biases.
        FactorisedConv2d cp = new FactorisedConv2d(Factorisation.CP, 16, 3, 1, 1, RankSpec.explicit(4));
        cp.build(new Shape(8, 8, 8));
        assertEquals(136, cp.parameterCount());
        // Tucker-2 (4, 2): 16·4 + 8·2 + 4·2·9 = 64 + 16 + 72 = 152, + 16.
        FactorisedConv2d t2 = new FactorisedConv2d(Factorisation.TUCKER2, 16, 3, 1, 1, RankSpec.explicit(4, 2));
        t2.build(new Shape(8, 8, 8));
        assertEquals(168, t2.parameterCount());
        // Tucker (4, 2, 2, 3): core 48 + 16·4 + 8·2 + 3·2 + 3·3 = 48 + 64 + 16 + 6 + 9 = 143, + 16.
        FactorisedConv2d t = new FactorisedConv2d(Factorisation.TUCKER, 16, 3, 1, 1, RankSpec.explicit(4, 2, 2, 3));
        t.build(new Shape(8, 8, 8));
        assertEquals(159, t.parameterCount());
        // TT (2, 3, 4): 8·2 + 2·3·3 + 3·3·4 + 4·16 = 16 + 18 + 36 + 64 = 134, + 16.
        FactorisedConv2d tt = new FactorisedConv2d(Factorisation.TT, 16, 3, 1, 1, RankSpec.explicit(2, 3, 4));
        tt.build(new Shape(8, 8, 8));
        assertEquals(150, tt.parameterCount());
        assertArrayEquals(new int[] {2, 3, 4}, tt.ranks());
    }
}
