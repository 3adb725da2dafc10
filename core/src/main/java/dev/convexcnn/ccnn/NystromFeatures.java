package dev.convexcnn.ccnn;

import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.linalg.SymmetricEigen;

/**
 * Nyström features on landmarks l_1..l_k: φ(z) = Λ^{−1/2} Vᵀ k(z), with k(z) = (K(z, l_i))_i and
 * K_LL = V Λ Vᵀ. Eigen-directions with λ ≤ 1e-10·λ_max are dropped, so {@link #dim()} can be below k. Then
 * ⟨φ(z), φ(z')⟩ = k(z)ᵀ K_LL⁺ k(z'), exact when z or z' is a landmark.
 */
public final class NystromFeatures implements FeatureMap {
    private final Kernel kernel;
    private final double gamma;
    private final int d, k, m;
    private final double[] landmarks;  // k×d
    private final double[] landmarkNormSq;
    private final double[] transform;  // k×m: V_m Λ_m^{-1/2}

    private NystromFeatures(Kernel kernel, double gamma, int d, int k, int m, double[] landmarks,
                            double[] landmarkNormSq, double[] transform) {
        this.kernel = kernel;
        this.gamma = gamma;
        this.d = d;
        this.k = k;
        this.m = m;
        this.landmarks = landmarks;
        this.landmarkNormSq = landmarkNormSq;
        this.transform = transform;
    }

    /** Builds the map on the given landmarks (row-major count × inputDim, copied). */
    public static NystromFeatures create(Kernel kernel, double gamma, double[] landmarks, int count, int inputDim) {
        if (count <= 0 || inputDim <= 0) throw new IllegalArgumentException("need landmarks");
        if (kernel == Kernel.GAUSSIAN && !(gamma > 0)) throw new IllegalArgumentException("gamma must be > 0, got " + gamma);
        double[] l = java.util.Arrays.copyOf(landmarks, count * inputDim);
        double[] norms = new double[count];
        for (int i = 0; i < count; i++) {
            double s = 0;
            for (int j = 0; j < inputDim; j++) s += l[i * inputDim + j] * l[i * inputDim + j];
            norms[i] = s;
        }
        double[] kll = new double[count * count];
        Gemm.dgemm(false, true, count, count, inputDim, 1, l, l, 0, kll);
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < count; j++) {
                kll[i * count + j] = kernel.fromInnerProducts(kll[i * count + j], norms[i], norms[j], gamma);
            }
        }
        SymmetricEigen eig = SymmetricEigen.of(kll, count);
        double tol = 1e-10 * Math.max(eig.maxValue(), Double.MIN_NORMAL);
        int keep = 0;
        for (double v : eig.values()) if (v > tol) keep++;
        double[] t = new double[count * keep];
        for (int c = 0; c < keep; c++) {
            int i = count - 1 - c; // largest first
            double inv = 1 / Math.sqrt(eig.values()[i]);
            for (int r = 0; r < count; r++) t[r * keep + c] = eig.vectors()[i * count + r] * inv;
        }
        return new NystromFeatures(kernel, gamma, inputDim, count, keep, l, norms, t);
    }

    /** Rebuilds a map from its parts (as saved): landmarks (k×d) and the k×m transform. */
    static NystromFeatures restore(Kernel kernel, double gamma, int d, int k, int m, double[] landmarks, double[] transform) {
        if (landmarks.length != k * d || transform.length != k * m) throw new IllegalArgumentException("landmarks must be k×d, transform k×m");
        double[] norms = new double[k];
        for (int i = 0; i < k; i++) for (int j = 0; j < d; j++) norms[i] += landmarks[i * d + j] * landmarks[i * d + j];
        return new NystromFeatures(kernel, gamma, d, k, m, landmarks, norms, transform);
    }

    double[] landmarkMatrix() { return landmarks; }
    double[] transform() { return transform; }

    @Override public Kernel kernel() { return kernel; }
    @Override public double gamma() { return gamma; }
    @Override public int inputDim() { return d; }
    @Override public int dim() { return m; }
    /** The number of landmarks (≥ dim()). */
    public int landmarks() { return k; }
    @Override public int scratchSize(int rows) { return rows * k; }

    @Override
    public void map(double[] z, int rows, double[] out, double[] scratch) {
        Gemm.dgemm(false, true, rows, k, d, 1, z, landmarks, 0, scratch);
        for (int r = 0; r < rows; r++) {
            double nz = 0;
            for (int j = 0; j < d; j++) nz += z[r * d + j] * z[r * d + j];
            int o = r * k;
            for (int i = 0; i < k; i++) scratch[o + i] = kernel.fromInnerProducts(scratch[o + i], nz, landmarkNormSq[i], gamma);
        }
        Gemm.dgemm(false, false, rows, m, k, 1, scratch, transform, 0, out);
    }
}
