package dev.convexcnn.ccnn;

import dev.convexcnn.linalg.ArrayKernels;
import dev.convexcnn.linalg.FastCos;
import dev.convexcnn.linalg.Gemm;
import java.util.SplittableRandom;

/**
 * Random Fourier features for the Gaussian kernel exp(−γ‖z − z'‖²): φ(z) = √(2/m)·cos(Ωᵀz + b) with the
 * entries of Ω (d×m) drawn from N(0, 2γ) and b from U[0, 2π). Seeded: the same seed gives the same map.
 */
public final class RandomFourierFeatures implements FeatureMap {
    private final int d, m;
    private final double gamma;
    private final double[] omega; // d×m row-major
    private final double[] bias;
    private final double scale;

    private RandomFourierFeatures(int d, int m, double gamma, double[] omega, double[] bias) {
        this.d = d;
        this.m = m;
        this.gamma = gamma;
        this.omega = omega;
        this.bias = bias;
        this.scale = Math.sqrt(2.0 / m);
    }

    public static RandomFourierFeatures create(int inputDim, int features, double gamma, long seed) {
        if (inputDim <= 0 || features <= 0) throw new IllegalArgumentException("dimensions must be positive");
        if (!(gamma > 0)) throw new IllegalArgumentException("gamma must be > 0, got " + gamma);
        SplittableRandom rnd = new SplittableRandom(seed);
        double sd = Math.sqrt(2 * gamma);
        double[] omega = new double[inputDim * features];
        for (int i = 0; i < omega.length; i++) omega[i] = sd * rnd.nextGaussian();
        double[] bias = new double[features];
        for (int j = 0; j < features; j++) bias[j] = 2 * Math.PI * rnd.nextDouble();
        return new RandomFourierFeatures(inputDim, features, gamma, omega, bias);
    }

    /** Rebuilds a map from its parts (as saved): Ω (d×m row-major) and b (m). */
    static RandomFourierFeatures restore(int d, int m, double gamma, double[] omega, double[] bias) {
        if (omega.length != d * m || bias.length != m) throw new IllegalArgumentException("Ω must be d×m and b of length m");
        return new RandomFourierFeatures(d, m, gamma, omega, bias);
    }

    double[] omega() { return omega; }
    double[] bias() { return bias; }

    @Override public Kernel kernel() { return Kernel.GAUSSIAN; }
    @Override public double gamma() { return gamma; }
    @Override public int inputDim() { return d; }
    @Override public int dim() { return m; }
    @Override public int scratchSize(int rows) { return 0; }

    @Override
    public void map(double[] z, int rows, double[] out, double[] scratch) {
        Gemm.dgemm(false, false, rows, m, d, 1, z, omega, 0, out);
        for (int r = 0; r < rows; r++) FastCos.scaledCos(out, r * m, bias, scale, m);
    }

    /**
     * This map after a whitening z ↦ W(z − μ), folded into one product: φ(W(z − μ)) = √(2/m)·cos(z·Ω' + b') with
     * Ω' = WΩ and b' = b − μWΩ (W is symmetric). A layer's features are computed this way.
     */
    Whitened afterWhitening(PatchWhitening w) {
        if (w.dim() != d) throw new IllegalArgumentException("whitening of " + w.dim() + " values before a map of " + d);
        double[] folded = new double[d * m];
        Gemm.dgemm(false, false, d, m, d, 1, w.matrix(), omega, 0, folded);
        float[] single = new float[d * m];
        for (int i = 0; i < single.length; i++) single[i] = (float) folded[i];
        double[] shift = bias.clone();
        for (int i = 0; i < d; i++) {
            double mu = w.mean()[i];
            for (int j = 0; j < m; j++) shift[j] -= mu * folded[i * m + j];
        }
        return new Whitened(d, m, single, shift, scale);
    }

    /**
     * The folded map of {@link #afterWhitening}. The product z·Ω' runs in float (sgemm: twice dgemm's rate, and
     * the whitening's own product gone: a feature pass of a 5×5×4 patch layer took 29 % less time); it moves the cosine's
     * argument by about 1e-6, far inside the random features' own error (≈ 1/√m), and the cosine, the shift and
     * everything after stay in double. The features are a fixed function of the input: the solvers' certificates
     * are exact for them.
     */
    static final class Whitened {
        private final int d, m;
        private final float[] omega;
        private final double[] shift;
        private final double scale;

        private Whitened(int d, int m, float[] omega, double[] shift, double scale) {
            this.d = d;
            this.m = m;
            this.omega = omega;
            this.shift = shift;
            this.scale = scale;
        }

        /**
         * Features of {@code rows} normalised patches (z, rows × d) into out (rows × m); zf (rows·d) and prod
         * (rows·m) are scratch.
         */
        void map(double[] z, int rows, double[] out, float[] zf, float[] prod) {
            for (int i = 0; i < rows * d; i++) zf[i] = (float) z[i];
            Gemm.sgemm(false, false, rows, m, d, 1f, zf, 0, d, omega, 0, m, 0f, prod, 0, m);
            for (int r = 0; r < rows; r++) {
                ArrayKernels.widenRows(prod, r * m, m, out, r * m, m, 1, m);
                FastCos.scaledCos(out, r * m, shift, scale, m);
            }
        }
    }
}
