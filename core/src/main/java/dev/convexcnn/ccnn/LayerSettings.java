package dev.convexcnn.ccnn;

/**
 * The settings of one CCNN layer. Construction validates.
 *
 * @param kernel        patch kernel
 * @param approximation random Fourier (Gaussian only) or Nyström
 * @param gamma         γ of the Gaussian kernel exp(−γ‖z − z'‖²)
 * @param features      m, the number of kernel features (Nyström: landmarks)
 * @param radius        R, the nuclear-norm bound ‖A‖_* ≤ R
 * @param learningRate  the constant step η of projected SGD on the mean mini-batch loss
 * @param iterations    projected-SGD iterations
 * @param filters       r, the filters kept by the factorisation A ≈ U_r S_r V_rᵀ: they make this layer's output
 *                      for the next layer; on the last layer, the rank of the recovered model (0: keep the
 *                      whole numerical rank, i.e. the convex solution itself)
 * @param patchSize     k of the k×k patches
 * @param stride        patch stride
 * @param padding       zero padding around the input grid
 * @param poolSize      average-pooling window (1: no pooling)
 * @param poolStride    average-pooling stride
 */
public record LayerSettings(Kernel kernel, Approximation approximation, double gamma, int features, double radius,
                            double learningRate, int iterations, int filters, int patchSize, int stride,
                            int padding, int poolSize, int poolStride) {

    public LayerSettings {
        if (kernel == null || approximation == null) throw new IllegalArgumentException("kernel and approximation are required");
        if (approximation == Approximation.FOURIER && kernel != Kernel.GAUSSIAN) {
            throw new IllegalArgumentException("random Fourier features need the Gaussian kernel; use nystrom for " + kernel);
        }
        if (kernel == Kernel.GAUSSIAN && !(gamma > 0 && gamma < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("gamma must be > 0, got " + gamma);
        if (features <= 0) throw new IllegalArgumentException("features must be > 0, got " + features);
        if (!(radius > 0 && radius < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("radius R must be > 0, got " + radius);
        if (!(learningRate > 0 && learningRate < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        if (iterations < 0) throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
        if (filters < 0) throw new IllegalArgumentException("filters must be >= 0, got " + filters);
        if (patchSize <= 0 || stride <= 0 || padding < 0) throw new IllegalArgumentException("bad patch geometry " + patchSize + "/" + stride + "/" + padding);
        if (poolSize <= 0 || poolStride <= 0) throw new IllegalArgumentException("bad pooling " + poolSize + "/" + poolStride);
    }

    /** The reference code's MNIST layer 1: Gaussian RFF, γ 0.2, m 500, R 200, lr 0.2, 1000 iterations; 16 filters (ours). */
    public static LayerSettings mnistLayer1() {
        return new LayerSettings(Kernel.GAUSSIAN, Approximation.FOURIER, 0.2, 500, 200, 0.2, 1000, 16, 5, 1, 0, 2, 2);
    }

    /** The reference code's MNIST layer 2: Gaussian RFF, γ 2, m 1000, R 500, lr 1, 2000 iterations; 32 filters (ours). */
    public static LayerSettings mnistLayer2() {
        return new LayerSettings(Kernel.GAUSSIAN, Approximation.FOURIER, 2, 1000, 500, 1, 2000, 32, 5, 1, 0, 2, 2);
    }

    /** Our third layer for 28×28 inputs (the paper's 3-layer runs are on CIFAR-10): 3×3 patches, padding 1. */
    public static LayerSettings mnistLayer3() {
        return new LayerSettings(Kernel.GAUSSIAN, Approximation.FOURIER, 2, 1000, 500, 1, 2000, 32, 3, 1, 1, 2, 2);
    }

    public LayerSettings withKernel(Kernel k, Approximation a) { return new LayerSettings(k, a, gamma, features, radius, learningRate, iterations, filters, patchSize, stride, padding, poolSize, poolStride); }
    public LayerSettings withGamma(double g) { return new LayerSettings(kernel, approximation, g, features, radius, learningRate, iterations, filters, patchSize, stride, padding, poolSize, poolStride); }
    public LayerSettings withFeatures(int m) { return new LayerSettings(kernel, approximation, gamma, m, radius, learningRate, iterations, filters, patchSize, stride, padding, poolSize, poolStride); }
    public LayerSettings withRadius(double r) { return new LayerSettings(kernel, approximation, gamma, features, r, learningRate, iterations, filters, patchSize, stride, padding, poolSize, poolStride); }
    public LayerSettings withLearningRate(double lr) { return new LayerSettings(kernel, approximation, gamma, features, radius, lr, iterations, filters, patchSize, stride, padding, poolSize, poolStride); }
    public LayerSettings withIterations(int t) { return new LayerSettings(kernel, approximation, gamma, features, radius, learningRate, t, filters, patchSize, stride, padding, poolSize, poolStride); }
    public LayerSettings withFilters(int r) { return new LayerSettings(kernel, approximation, gamma, features, radius, learningRate, iterations, r, patchSize, stride, padding, poolSize, poolStride); }
    public LayerSettings withPatch(int size, int stride, int padding) { return new LayerSettings(kernel, approximation, gamma, features, radius, learningRate, iterations, filters, size, stride, padding, poolSize, poolStride); }
    public LayerSettings withPooling(int size, int stride) { return new LayerSettings(kernel, approximation, gamma, features, radius, learningRate, iterations, filters, patchSize, this.stride, padding, size, stride); }
}
