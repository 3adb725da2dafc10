package dev.convexcnn.alternation;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.nn.Initializer;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A planted problem: targets are the outputs of a thresholded teacher CNN with known weights, so the global
 * optimum of the squared loss is 0. Two regimes where the method should reach it: given the teacher's
 * multi-layer support (the paper's title claim), from random weights; and, with the support steps on, from a
 * start near the teacher (the local regime).
 */
class PlantedProblemTest {
    static final String ARCH = "conv4k3-relu-linear2";
    static final float MARGIN = 0.05f;
    static final int N = 200;

    record Planted(Dataset data, float[] targets, Sequential teacher, AlternationSettings settings) {}

    static Planted planted(long seed) {
        AlternationSettings s = AlternationSettings.defaults().withArchitecture(ARCH).withThreshold(0.1f)
                .withRidge(1e-10).withSeed(seed).withInitializer(Initializer.HE).withChunkSize(64);
        Random r = new Random(seed);
        Sequential teacher = AlternatingTrainer.network(s, new Shape(6, 6, 1), 2);
        // The margin condition: keep only samples whose every teacher pre-activation is at least MARGIN away from
        // the threshold, so that a student close enough to the teacher has exactly the teacher's support.
        dev.convexcnn.nn.Layer conv = teacher.executionOrder().get(0);
        float[] x = new float[N * 36];
        float[] one = new float[36];
        int kept = 0;
        while (kept < N) {
            for (int i = 0; i < 36; i++) one[i] = (float) r.nextGaussian();
            float[] z = conv.forward(one, 1);
            boolean ok = true;
            for (int i = 0; i < 64; i++) ok &= Math.abs(z[i] - 0.1f) > MARGIN;
            if (ok) System.arraycopy(one, 0, x, 36 * kept++, 36);
        }
        Dataset d = new Dataset("planted", 6, 6, 1, 2, x, new int[N]);
        float[] out = teacher.forward(x.clone(), N);
        return new Planted(d, out.clone(), teacher, s);
    }

    @Test
    void givenTheTeachersSupportAlternationFindsTheGlobalOptimum() {
        Planted p = planted(3);
        AlternationProblem prob = new AlternationProblem(p.teacher(), p.data(), Normalization.identity(1), p.targets(), 1e-10, 64);
        // Now forget the teacher's weights, keep its support, and start from a random student.
        Sequential student = AlternatingTrainer.network(p.settings().withSeed(99), new Shape(6, 6, 1), 2);
        for (int k : prob.trainableLayers()) {
            double[] theta = new double[prob.layerParameters(k).length];
            int off = 0;
            for (var param : student.executionOrder().get(k).params()) {
                for (float v : param.value()) theta[off++] = v;
            }
            prob.setLayerParameters(k, theta);
        }
        double start = prob.frozenObjective();
        int[] tr = prob.trainableLayers();
        for (int sweep = 0; sweep < 200; sweep++) {
            for (int i = tr.length - 1; i >= 0; i--) {
                int k = tr[i];
                double[] theta = prob.layerParameters(k);
                double[] delta = prob.solveLayer(k, true, 200, 1e-12).delta();
                for (int j = 0; j < theta.length; j++) theta[j] += delta[j];
                prob.setLayerParameters(k, theta);
            }
        }
        double end = prob.frozenObjective();
        assertTrue(end < 1e-6 * start, "frozen objective " + start + " -> " + end);
    }

    @Test
    void nearTheTeacherTheFullAlternationFindsTheGlobalOptimum() {
        Planted p = planted(4);
        Sequential student = AlternatingTrainer.network(p.settings(), new Shape(6, 6, 1), 2);
        Fixtures.copyWeights(p.teacher(), student);
        Random r = new Random(8);
        for (var param : student.params()) {
            float[] v = param.value();
            for (int i = 0; i < v.length; i++) v[i] *= (float) (1 + 0.05 * r.nextGaussian());
        }
        AlternationSettings s = p.settings().withMaxSweeps(100).withCgIterations(100).withTolerance(0);
        AlternatingTrainer.Result res = AlternatingTrainer.fit(student, p.data(), Normalization.identity(1), p.targets(),
                null, s, dev.convexcnn.sgd.TrainingListener.NONE);
        double start = res.log().get(0).objective(), end = res.log().get(res.log().size() - 1).objective();
        assertTrue(end < 1e-6 * start, "objective " + start + " -> " + end + " " + res.log());
    }
}
