package dev.convexcnn.alternation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import dev.convexcnn.optim.ConjugateGradient;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The maths of the alternation, one step at a time, on a small CNN with two thresholding layers. */
class AlternationProblemTest {
    private static final String ARCH = "conv4k3-relu-conv5k3s2-relu-linear3";

    private static AlternationSettings settings() {
        return AlternationSettings.defaults().withArchitecture(ARCH).withThreshold(0.05f).withChunkSize(16).withSeed(7);
    }

    private static AlternationProblem problem(Dataset d) {
        AlternationSettings s = settings();
        Sequential net = AlternatingTrainer.network(s, new Shape(d.height(), d.width(), d.channels()), d.classes());
        return new AlternationProblem(net, d, Normalization.fit(d), null, 1e-3, s.chunkSize());
    }

    private static double[] random(int n, Random r) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian() * 0.3;
        return v;
    }

    /** With the support frozen, A_k is linear in layer k's parameters, for every layer. */
    @Test
    void frozenNetworkIsLinearInEachLayersWeights() {
        Dataset d = Fixtures.images(40, 7, 7, 2, 3, 1);
        AlternationProblem p = problem(d);
        Random r = new Random(5);
        for (int k : p.trainableLayers()) {
            int size = p.layerParameters(k).length;
            double[] t1 = random(size, r), t2 = random(size, r);
            double a = 1.7, b = -0.6;
            double[] mix = new double[size];
            for (int i = 0; i < size; i++) mix[i] = a * t1[i] + b * t2[i];
            double[] f1 = p.applyA(k, t1), f2 = p.applyA(k, t2), fm = p.applyA(k, mix);
            double scale = 0;
            for (int i = 0; i < fm.length; i++) scale = Math.max(scale, Math.abs(fm[i]));
            assertTrue(scale > 1e-3, "the output must not vanish");
            for (int i = 0; i < fm.length; i++) {
                assertEquals(a * f1[i] + b * f2[i], fm[i], 1e-4 * (1 + scale), "layer " + k + " output " + i);
            }
        }
    }

    /** The full frozen network, biases included, is affine in each layer's weights; free, it is not. */
    @Test
    void frozenOutputIsAffineAndTheFreeOutputIsNot() {
        Dataset d = Fixtures.images(6, 7, 7, 2, 3, 2);
        AlternationSettings s = settings();
        Sequential net = AlternatingTrainer.network(s, new Shape(7, 7, 2), 3);
        float[] x = d.pixels().clone();
        net.forward(x, 6);
        java.util.List<PositiveHardThreshold> th = net.layers().stream()
                .filter(l -> l instanceof PositiveHardThreshold).map(l -> (PositiveHardThreshold) l).toList();
        java.util.List<long[]> masks = th.stream().map(t -> t.support().clone()).toList();
        float[] w = net.params().get(0).value();
        float[] w1 = w.clone(), w2 = w.clone();
        Random r = new Random(9);
        for (int i = 0; i < w.length; i++) { w1[i] += (float) r.nextGaussian(); w2[i] -= (float) r.nextGaussian(); }
        double a = 0.3;
        float[] wm = new float[w.length];
        for (int i = 0; i < w.length; i++) wm[i] = (float) (a * w1[i] + (1 - a) * w2[i]);
        for (int i = 0; i < th.size(); i++) th.get(i).freeze(masks.get(i));
        float[] f1 = out(net, w, w1, x), f2 = out(net, w, w2, x), fm = out(net, w, wm, x);
        for (int i = 0; i < fm.length; i++) assertEquals(a * f1[i] + (1 - a) * f2[i], fm[i], 1e-4 * (1 + Math.abs(fm[i])));
        for (PositiveHardThreshold t : th) t.thaw();
        f1 = out(net, w, w1, x);
        f2 = out(net, w, w2, x);
        fm = out(net, w, wm, x);
        double gap = 0;
        for (int i = 0; i < fm.length; i++) gap = Math.max(gap, Math.abs(a * f1[i] + (1 - a) * f2[i] - fm[i]));
        assertTrue(gap > 1e-2, "the free network should not be affine in the weights (gap " + gap + ")");
    }

    private static float[] out(Sequential net, float[] w, float[] value, float[] x) {
        System.arraycopy(value, 0, w, 0, w.length);
        return net.forward(x, 6).clone();
    }

    /** The matrix-free Aᵀ and normal operator against the explicit matrix A built column by column. */
    @Test
    void matrixFreeOperatorEqualsTheExplicitMatrix() {
        Dataset d = Fixtures.images(30, 7, 7, 2, 3, 3);
        AlternationProblem p = problem(d);
        int k = p.trainableLayers()[1]; // the middle conv: downstream thresholding and a linear layer
        int size = p.layerParameters(k).length, rows = p.samples() * p.classes();
        double[][] cols = new double[size][];
        for (int j = 0; j < size; j++) {
            double[] e = new double[size];
            e[j] = 1;
            cols[j] = p.applyA(k, e);
        }
        Random r = new Random(11);
        double[] v = random(size, r), res = random(rows, r);
        double[] atr = p.applyAT(k, res);
        for (int j = 0; j < size; j++) {
            double s = 0;
            for (int i = 0; i < rows; i++) s += cols[j][i] * res[i];
            assertEquals(s, atr[j], 1e-4 * (1 + Math.abs(s)), "Aᵀr[" + j + "]");
        }
        double[] hv = new double[size];
        p.normalOperator(k).apply(v, hv);
        double[] av = new double[rows];
        for (int j = 0; j < size; j++) for (int i = 0; i < rows; i++) av[i] += cols[j][i] * v[j];
        for (int j = 0; j < size; j++) {
            double s = 0;
            for (int i = 0; i < rows; i++) s += cols[j][i] * av[i];
            s = s / p.samples() + 1e-3 * v[j];
            assertEquals(s, hv[j], 1e-4 * (1 + Math.abs(s)), "Hv[" + j + "]");
        }
    }

    /** CG on the matrix-free operator reaches the Cholesky solution of the explicit normal equations. */
    @Test
    void conjugateGradientMatchesTheNormalEquations() {
        Dataset d = Fixtures.images(30, 7, 7, 2, 3, 4);
        AlternationProblem p = problem(d);
        int k = p.trainableLayers()[0];
        int size = p.layerParameters(k).length;
        double[] h = new double[size * size];
        ConjugateGradient.Operator op = p.normalOperator(k);
        double[] col = new double[size];
        for (int j = 0; j < size; j++) {
            double[] e = new double[size];
            e[j] = 1;
            op.apply(e, col);
            for (int i = 0; i < size; i++) h[i * size + j] = col[i];
        }
        for (int i = 0; i < size; i++) for (int j = 0; j < i; j++) h[i * size + j] = h[j * size + i] = 0.5 * (h[i * size + j] + h[j * size + i]);
        double[] g = p.rightHandSide(k);
        double[] exact = AlternationProblem.solveSpd(h, size, g.clone(), 1);
        AlternationProblem.Solve cg = p.solveLayer(k, true, 400, 1e-10);
        double norm = 0;
        for (double e : exact) norm = Math.max(norm, Math.abs(e));
        for (int i = 0; i < size; i++) assertEquals(exact[i], cg.delta()[i], 1e-3 * (1 + norm), "delta[" + i + "]");
    }

    /** The exact output-layer solve agrees with CG run to convergence on the same layer. */
    @Test
    void exactOutputLayerSolveMatchesConjugateGradient() {
        Dataset d = Fixtures.images(30, 7, 7, 2, 3, 5);
        AlternationProblem p = problem(d);
        int[] tr = p.trainableLayers();
        int k = tr[tr.length - 1];
        double[] exact = p.solveLayer(k, true, 1, 0).delta();
        double[] cg = p.solveLayer(k, false, 500, 1e-12).delta();
        double norm = 0;
        for (double e : exact) norm = Math.max(norm, Math.abs(e));
        for (int i = 0; i < exact.length; i++) assertEquals(exact[i], cg[i], 1e-3 * (1 + norm), "delta[" + i + "]");
    }

    /** With the support frozen, the solved step never increases the objective, in any layer. */
    @Test
    void weightStepDoesNotIncreaseTheFrozenObjective() {
        Dataset d = Fixtures.images(40, 7, 7, 2, 3, 6);
        AlternationProblem p = problem(d);
        for (int sweep = 0; sweep < 2; sweep++) {
            for (int k : p.trainableLayers()) {
                for (boolean exact : new boolean[] {true, false}) {
                    double before = p.frozenObjective();
                    assertEquals(p.objective(), before, 1e-6 * before, "a consistent support: frozen = true objective");
                    double[] theta = p.layerParameters(k);
                    AlternationProblem.Solve s = p.solveLayer(k, exact, 3, 0);
                    for (int i = 0; i < theta.length; i++) theta[i] += s.delta()[i];
                    p.setLayerParameters(k, theta);
                    double after = p.frozenObjective();
                    assertTrue(after <= before * (1 + 1e-6), "layer " + k + ": " + before + " -> " + after);
                    p.supportStep();
                }
            }
        }
    }

    /** The full weight step (with the support step and step-length search) never increases the true objective. */
    @Test
    void alternationIsMonotone() {
        Dataset d = Fixtures.images(40, 7, 7, 2, 3, 7);
        AlternationProblem p = problem(d);
        double prev = p.objective();
        double first = prev;
        for (int sweep = 0; sweep < 4; sweep++) {
            int[] tr = p.trainableLayers();
            for (int i = tr.length - 1; i >= 0; i--) {
                AlternationProblem.StepResult r = p.weightStep(tr[i], true, 5, 1e-8, 4);
                assertTrue(r.after() <= r.before());
                assertTrue(p.objective() <= prev, prev + " -> " + p.objective());
                prev = p.objective();
            }
        }
        assertTrue(prev < 0.8 * first, "the objective should go down: " + first + " -> " + prev);
    }
}
