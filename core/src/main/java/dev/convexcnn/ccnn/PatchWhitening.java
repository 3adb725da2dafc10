package dev.convexcnn.ccnn;

import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.linalg.SymmetricEigen;

/**
 * ZCA whitening of normalised patches: z ↦ W(z − μ) with W = V diag(1/√(λ + ε)) Vᵀ from the covariance
 * V Λ Vᵀ of a sample of patches. W is symmetric, so the row-major rows·W applies it to each row.
 *
 * @param dim        patch length d
 * @param mean       μ, length d
 * @param matrix     W, d×d row-major
 * @param normEpsilon the ε of the per-patch normalisation (see {@link Patches#normalize}) applied before W
 */
public record PatchWhitening(int dim, double[] mean, double[] matrix, double normEpsilon) {

    /** Fits on {@code count} raw patches (rows of length d); normalises a copy of them first. */
    public static PatchWhitening fit(double[] rawPatches, int count, int d, double zcaEpsilon, double normEpsilon) {
        if (count < 2) throw new IllegalArgumentException("need at least 2 patches to fit whitening");
        double[] z = java.util.Arrays.copyOf(rawPatches, count * d);
        Patches.normalize(z, count, d, normEpsilon);
        double[] mean = new double[d];
        for (int r = 0; r < count; r++) for (int j = 0; j < d; j++) mean[j] += z[r * d + j];
        for (int j = 0; j < d; j++) mean[j] /= count;
        for (int r = 0; r < count; r++) for (int j = 0; j < d; j++) z[r * d + j] -= mean[j];
        double[] cov = new double[d * d];
        Gemm.dgemm(true, false, d, d, count, 1.0 / count, z, z, 0, cov);
        SymmetricEigen eig = SymmetricEigen.of(cov, d);
        double[] w = new double[d * d];
        for (int i = 0; i < d; i++) {
            double f = 1 / Math.sqrt(Math.max(0, eig.values()[i]) + zcaEpsilon);
            for (int a = 0; a < d; a++) {
                double va = eig.vectors()[i * d + a] * f;
                for (int b = 0; b < d; b++) w[a * d + b] += va * eig.vectors()[i * d + b];
            }
        }
        return new PatchWhitening(d, mean, w, normEpsilon);
    }

    /** Normalises {@code rows} raw patches in place (the step before μ and W). */
    public void normalize(double[] raw, int rows) {
        Patches.normalize(raw, rows, dim, normEpsilon);
    }

    /** Normalises then whitens {@code rows} raw patches: raw is overwritten with scratch values, out gets the result. */
    public void apply(double[] raw, int rows, double[] out) {
        normalize(raw, rows);
        for (int r = 0; r < rows; r++) for (int j = 0; j < dim; j++) raw[r * dim + j] -= mean[j];
        Gemm.dgemm(false, false, rows, dim, dim, 1, raw, matrix, 0, out);
    }
}
