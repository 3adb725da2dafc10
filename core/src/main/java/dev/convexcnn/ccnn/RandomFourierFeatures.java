package dev.convexcnn.ccnn;

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
}
