package dev.convexcnn.compress;

/**
 * All the layers' weights as one tensor (our reading of arXiv 2112.04857): a conv layer with linear activation,
 * kernel 𝒜 (K × C × k × k, PyTorch layout) applied at P output positions, followed by a linear output layer with
 * weights B (outputs × K × P, the (channel, position) order a flattened conv output has). The network's output o
 * for an input is then ⟨𝒲_o, patches⟩ with 𝒲 = 𝒜 ×_K B: 𝒲[o][p][c][i][j] = Σ_κ B[o][κ][p] 𝒜[κ][c][i][j], the
 * patches being X[p][c][i][j]. K is summed out: 𝒲 has rank ≤ R along its (o, p) modes when 𝒜 has output-mode
 * rank R.
 */
public final class TensorFormulation {
    private TensorFormulation() {}

    /** 𝒲 (outputs × P × C × k × k) from the kernel (K × C × k × k) and the output weights (outputs × K × P). */
    public static double[] combine(double[] kernel, int k, int c, int kh, int kw, double[] b, int outputs, int positions) {
        int patch = c * kh * kw;
        if (kernel.length != k * patch || b.length != outputs * k * positions) throw new IllegalArgumentException("size mismatch");
        double[] w = new double[outputs * positions * patch];
        for (int o = 0; o < outputs; o++) for (int p = 0; p < positions; p++) {
            int dst = (o * positions + p) * patch;
            for (int q = 0; q < k; q++) {
                double bv = b[(o * k + q) * positions + p];
                if (bv == 0) continue;
                for (int e = 0; e < patch; e++) w[dst + e] += bv * kernel[q * patch + e];
            }
        }
        return w;
    }
}
