package dev.convexcnn.ridge;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.method.MethodContractTest;
import dev.convexcnn.method.TrainContext;
import dev.convexcnn.method.Trained;
import org.junit.jupiter.api.Test;

/** The ridge solution is the minimiser: its gradient, computed from the samples one by one, vanishes. */
class RidgeMethodTest {

    @Test
    void theGradientAtTheSolutionVanishesAndACertificateSaysSo() {
        Dataset d = MethodContractTest.bands(45, 3);
        RidgeMethod m = new RidgeMethod();
        RidgeMethod.Settings s = new RidgeMethod.Settings(0.05, 1e-16, 1);
        Trained t = m.train(d, s, TrainContext.quiet());
        RidgeModel model = (RidgeModel) t.model();
        int n = d.size(), f = d.features(), c = d.classes();
        double[] z = model.logits(d), w = model.weights(), grad = new double[(f + 1) * c];
        double[] x = RidgeModel.design(d, model.normalization(), 0, n);
        // ∇ = Σᵢ xᵢ (zᵢ − yᵢ)/n + λW (bias row unpenalised), straight from the definition.
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                double r = (z[i * c + k] - (d.label(i) == k ? 1 : 0)) / n;
                for (int j = 0; j <= f; j++) grad[j * c + k] += x[i * (f + 1) + j] * r;
            }
        }
        double g2 = 0, scale = 0;
        for (int j = 0; j <= f; j++) {
            for (int k = 0; k < c; k++) {
                double g = grad[j * c + k] + (j < f ? s.lambda() * w[j * c + k] : 0);
                g2 += g * g;
                scale += Math.pow(s.lambda() * w[j * c + k], 2);
            }
        }
        assertTrue(g2 <= 1e-20 * Math.max(1, scale), "‖∇‖² = " + g2 + " at the solution");
        assertTrue(t.certificate().reached(), t.certificate().summary());
        assertTrue(model.evaluate(d).accuracy() > 0.9, "the bands are linearly separable");
    }
}
