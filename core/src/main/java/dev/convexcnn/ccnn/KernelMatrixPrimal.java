package dev.convexcnn.ccnn;

import dev.convexcnn.linalg.ConvGeometry;
import dev.convexcnn.linalg.Gemm;
import dev.convexcnn.linalg.SymmetricEigen;

/**
 * The baseline DCCNN is measured against: the primal CCNN with the explicit kernel matrix, as in the CCNN paper's
 * exact-kernel formulation. It builds the pooled patch kernel matrix K (nQ × nQ, entry ((i,q),(j,q')) the mean
 * of k(z, z') over the two pooling windows, from exact kernel evaluations on the whitened patches), factors
 * K = V Λ Vᵀ and uses the rows of V Λ^{1/2} (eigenvalues above 1e-10·λ_max) as the features of the penalised
 * program, solved by {@link ProximalPrimal}. Memory grows as (nQ)²: it exists to be measured, on small n only.
 */
public final class KernelMatrixPrimal {
    private KernelMatrixPrimal() {}

    /** The features of the factorisation, as a source over the same samples and labels. */
    public static FeatureSource factorize(CcnnLayer layer, float[] data, int[] labels, int n, int classes) {
        int Q = layer.positions(), nq = Math.multiplyExact(n, Q);
        double[] k = pooledKernelMatrix(layer, data, n);
        SymmetricEigen eig = SymmetricEigen.of(k, nq);
        k = null; // the eigenvectors replace it
        double tol = 1e-10 * Math.max(eig.maxValue(), Double.MIN_NORMAL);
        int keep = 0;
        for (double v : eig.values()) if (v > tol) keep++;
        // Row (i,q) of V Λ^{1/2}: sample i's features, position-major (Q × keep).
        double[] f = new double[Math.multiplyExact(nq, keep)];
        for (int c = 0; c < keep; c++) {
            int e = nq - 1 - c;
            double s = Math.sqrt(eig.values()[e]);
            for (int row = 0; row < nq; row++) f[row * keep + c] = eig.vectors()[e * nq + row] * s;
        }
        return FeatureSource.ofMatrix(f, n, Q, keep, labels, classes);
    }

    /** K (nQ × nQ, row-major) by blocks of samples: one GEMM of whitened patches, the kernel, then pooling. */
    static double[] pooledKernelMatrix(CcnnLayer layer, float[] data, int n) {
        ConvGeometry g = layer.geometry();
        int P = g.patches(), d = g.patchSize(), Q = layer.positions(), nq = n * Q;
        double[] z = whitenedPatches(layer, data, n);
        double[] norms = new double[n * P];
        for (int r = 0; r < n * P; r++) for (int j = 0; j < d; j++) norms[r] += z[r * d + j] * z[r * d + j];
        double[] k = new double[Math.multiplyExact(nq, nq)];
        int block = Math.max(1, Math.min(n, 2048 / P));
        double[] kp = new double[block * P * block * P];
        double[] half = new double[block * P * block * Q];
        Kernel kernel = layer.featureMap().kernel();
        double gamma = layer.featureMap().gamma();
        int[][] windows = windows(layer);
        for (int i0 = 0; i0 < n; i0 += block) {
            int ni = Math.min(block, n - i0);
            for (int j0 = 0; j0 < n; j0 += block) {
                int nj = Math.min(block, n - j0);
                int rows = ni * P, cols = nj * P;
                Gemm.dgemm(false, true, rows, cols, d, 1, z, i0 * P * d, d, z, j0 * P * d, d, 0, kp, 0, cols);
                for (int a = 0; a < rows; a++)
                    for (int b = 0; b < cols; b++)
                        kp[a * cols + b] = kernel.fromInnerProducts(kp[a * cols + b], norms[i0 * P + a], norms[j0 * P + b], gamma);
                // Pool the columns, then the rows, straight into K.
                int hc = nj * Q;
                java.util.Arrays.fill(half, 0, rows * hc, 0);
                for (int a = 0; a < rows; a++)
                    for (int jj = 0; jj < nj; jj++)
                        for (int q = 0; q < Q; q++) {
                            double sum = 0;
                            for (int p : windows[q]) sum += kp[a * cols + jj * P + p];
                            half[a * hc + jj * Q + q] = sum / windows[q].length;
                        }
                for (int ii = 0; ii < ni; ii++)
                    for (int q = 0; q < Q; q++) {
                        long row = (long) (i0 + ii) * Q + q;
                        for (int c = 0; c < hc; c++) {
                            double sum = 0;
                            for (int p : windows[q]) sum += half[(ii * P + p) * hc + c];
                            k[(int) (row * nq + j0 * Q + c)] = sum / windows[q].length;
                        }
                    }
            }
        }
        return k;
    }

    /** Normalised, whitened patches of all samples: (n·P) × d. */
    static double[] whitenedPatches(CcnnLayer layer, float[] data, int n) {
        ConvGeometry g = layer.geometry();
        int P = g.patches(), d = g.patchSize();
        double[] raw = new double[Math.multiplyExact(n * P, d)];
        for (int i = 0; i < n; i++) for (int p = 0; p < P; p++) Patches.extractOne(data, i * g.inputSize(), g, p, raw, (i * P + p) * d);
        double[] out = new double[raw.length];
        layer.whitening().apply(raw, n * P, out);
        return out;
    }

    /** The patch indices of each pooling window, in the layer's pooling. */
    static int[][] windows(CcnnLayer layer) {
        ConvGeometry g = layer.geometry();
        int ow = g.outWidth(), s = layer.poolSize(), st = layer.poolStride();
        int[][] w = new int[layer.positions()][];
        for (int qy = 0; qy < layer.pooledHeight(); qy++)
            for (int qx = 0; qx < layer.pooledWidth(); qx++) {
                int[] idx = new int[s * s];
                int t = 0;
                for (int dy = 0; dy < s; dy++) for (int dx = 0; dx < s; dx++) idx[t++] = (qy * st + dy) * ow + qx * st + dx;
                w[qy * layer.pooledWidth() + qx] = idx;
            }
        return w;
    }
}
