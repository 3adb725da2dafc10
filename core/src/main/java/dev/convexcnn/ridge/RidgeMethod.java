package dev.convexcnn.ridge;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.linalg.Cholesky;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.method.Budget;
import dev.convexcnn.method.DataInfo;
import dev.convexcnn.method.Method;
import dev.convexcnn.method.MethodInfo;
import dev.convexcnn.method.MethodOptions;
import dev.convexcnn.method.Plan;
import dev.convexcnn.method.Trace;
import dev.convexcnn.method.TrainContext;
import dev.convexcnn.method.Trained;
import dev.convexcnn.nn.Shape;
import dev.convexcnn.optim.Certificate;
import picocli.CommandLine.Option;

/**
 * min_W ‖[X 1]W − Y‖²/(2n) + (λ/2)‖W‖² over the normalised pixels X and one-hot targets Y (the bias unpenalised),
 * solved exactly: the normal equations by Cholesky, with XᵀX summed a block of samples at a time. Its certificate is
 * the squared gradient norm at the solution, recomputed from the data.
 */
public final class RidgeMethod implements Method<RidgeMethod.Settings> {

    /**
     * @param lambda    the ridge penalty λ (on the scaled objective)
     * @param tolerance on the squared gradient norm of the scaled objective at the solution
     * @param seed      recorded only: the solution is unique
     */
    public record Settings(double lambda, double tolerance, long seed) {
        public Settings {
            if (!(lambda > 0) || Double.isInfinite(lambda)) throw new IllegalArgumentException("the ridge penalty must be > 0, got " + lambda);
            if (!(tolerance > 0)) throw new IllegalArgumentException("the tolerance must be > 0, got " + tolerance);
        }
    }

    @Override public String id() { return "ridge"; }

    @Override
    public MethodInfo info() {
        return new MethodInfo("linear classifier by ridge regression on the pixels, solved exactly",
                "No hidden layer: logits linear in the normalised pixels, fitted to one-hot targets by ridge regression through "
                        + "the normal equations (Cholesky). The floor every CNN must beat; its certificate is the gradient at the solution.",
                null, new MethodInfo.Fidelity(MethodInfo.Kind.BASELINE, null));
    }

    @Override public Settings defaults(DataInfo data) { return new Settings(1e-3, 1e-16, 1); }
    @Override public long seed(Settings s) { return s.seed(); }
    @Override public String describe(Settings s) { return "exact solve, λ = " + s.lambda(); }
    @Override public Settings withSeed(Settings s, long seed) { return new Settings(s.lambda(), s.tolerance(), seed); }

    @Override
    public Plan<Settings> plan(Budget b, DataInfo data) {
        return new Plan<>(b.pick(0, 0, 2_000), defaults(data));
    }

    @Override public MethodOptions<Settings> options() { return new Options(); }

    /** ridge's options. */
    public static final class Options implements MethodOptions<Settings> {
        @Option(names = "--ridge", description = "The penalty λ on the weights (default: 1e-3).")
        Double ridge;

        @Override
        public Settings apply(Settings s) {
            if (ridge == null) return s;
            if (!(ridge > 0) || ridge.isInfinite()) throw new IllegalArgumentException("--ridge must be > 0, got " + ridge);
            return new Settings(ridge, s.tolerance(), s.seed());
        }
    }

    @Override
    public Trained train(Dataset train, Settings s, TrainContext ctx) {
        Trace.Recorder rec = new Trace.Recorder("solve", "½·mean squared error + ridge", 1, ctx.progress());
        int n = train.size(), f = train.features(), d = f + 1, c = train.classes();
        Normalization norm = Normalization.fit(train);
        double[] gram = new double[d * d], cross = new double[d * c];
        for (int from = 0; from < n; from += 4096) {
            int m = Math.min(4096, n - from);
            double[] a = RidgeModel.design(train, norm, from, m), y = new double[m * c];
            for (int i = 0; i < m; i++) y[i * c + train.label(from + i)] = 1;
            Gemm.dgemm(true, false, d, d, m, 1.0 / n, a, 0, d, a, 0, d, 1, gram, 0, d);
            Gemm.dgemm(true, false, d, c, m, 1.0 / n, a, 0, d, y, 0, c, 1, cross, 0, c);
        }
        double[] regular = gram.clone();
        for (int j = 0; j < f; j++) regular[j * d + j] += s.lambda();   // the bias row is not penalised
        double[] w = Cholesky.solve(d, regular, c, cross);
        RidgeModel model = new RidgeModel(new Shape(train.height(), train.width(), train.channels()), c, norm, w);
        // The gradient (XᵀX/n)W − XᵀY/n + λW (bias excluded), from the Gram matrix itself, not from the solver.
        double[] grad = new double[d * c];
        Gemm.dgemm(false, false, d, c, d, 1, gram, 0, d, w, 0, c, 0, grad, 0, c);
        double g2 = 0, objective = 0;
        for (int j = 0; j < d; j++) {
            for (int k = 0; k < c; k++) {
                double g = grad[j * c + k] - cross[j * c + k] + (j < f ? s.lambda() * w[j * c + k] : 0);
                g2 += g * g;
            }
        }
        double[] z = model.logits(train);
        for (int i = 0; i < n; i++) for (int k = 0; k < c; k++) {
            double r = z[i * c + k] - (train.label(i) == k ? 1 : 0);
            objective += r * r / (2.0 * n);
        }
        for (int j = 0; j < f; j++) for (int k = 0; k < c; k++) objective += s.lambda() / 2 * w[j * c + k] * w[j * c + k];
        rec.step(1, objective, Double.NaN, g2);
        return Trained.of(model, rec.trace()).certificate(new Certificate.MinNormSubgradient(g2, s.tolerance()))
                .line("ridge", "λ = %.3g, %d features + bias, %d classes, normal equations by Cholesky", s.lambda(), f, c)
                .line("objective", "%.8g", objective)
                .figure("objective", objective)
                .figure("lambda", s.lambda())
                .build();
    }
}
