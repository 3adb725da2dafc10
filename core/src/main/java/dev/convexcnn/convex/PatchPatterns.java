package dev.convexcnn.convex;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.linalg.Gemm;

/**
 * The patch matrix Z (n·P × h: every patch of every sample) and the pattern signs S = 2D − 1 (n·P × p) that the
 * cone constraints of the exact ReLU program need: (2D_j − I) Z v ≥ 0 for every pattern j. This is n·P·(h + p)
 * values, so the exact program is for problems of moderate size; the gated program needs only Φ.
 */
public final class PatchPatterns {
    private final int rows, patchSize, gates;
    private final double[] z;
    private final double[] signs;
    private final double[] filters;

    private PatchPatterns(int rows, int patchSize, int gates, double[] z, double[] signs, double[] filters) {
        this.rows = rows;
        this.patchSize = patchSize;
        this.gates = gates;
        this.z = z;
        this.signs = signs;
        this.filters = filters;
    }

    public static PatchPatterns build(Dataset d, Normalization norm, PatchGeometry geom, Gates gates) {
        if (gates.windowed()) throw new IllegalArgumentException("the exact program's patterns are over all positions: its windows are method convex-relu-pool's");
        int n = d.size(), P = geom.patches(), h = geom.patchSize(), p = gates.count();
        long rows = (long) n * P;
        if (rows * Math.max(h, p) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the exact program on " + n + " samples of " + P + " patches is too large: "
                    + "use fewer samples, a larger stride, or the gated program");
        }
        double[] z = new double[(int) rows * h];
        float[] scratch = new float[geom.scratchSize()];
        for (int i = 0; i < n; i++) geom.patchesOf(d, norm, i, scratch, z, i * P * h);
        double[] s = new double[(int) rows * p];
        Gemm.dgemm(false, false, (int) rows, p, h, 1, z, 0, h, gates.filters(), 0, p, 0, s, 0, p);
        for (int i = 0; i < s.length; i++) s[i] = s[i] > 0 ? 1 : -1;
        return new PatchPatterns((int) rows, h, p, z, s, gates.filters());
    }

    /** The patch matrix Z alone (n·P × h), for models that need no patterns. */
    public static double[] patchMatrix(Dataset d, Normalization norm, PatchGeometry geom) {
        int P = geom.patches(), h = geom.patchSize();
        long size = (long) d.size() * P * h;
        if (size > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(d.size() + " samples of " + P + " patches are too many for one array");
        double[] z = new double[(int) size];
        float[] scratch = new float[geom.scratchSize()];
        for (int i = 0; i < d.size(); i++) geom.patchesOf(d, norm, i, scratch, z, i * P * h);
        return z;
    }

    /** n·P. */
    public int rows() { return rows; }
    public int patchSize() { return patchSize; }
    public int gates() { return gates; }
    /** Z, rows × h. */
    public double[] patches() { return z; }
    /** S = 2D − 1, rows × p, entries ±1. */
    public double[] signs() { return signs; }
    /**
     * The gate filters U (h × p) the signs come from: u_j is inside pattern j's cone (s·z·u_j = |z·u_j| ≥ 0 on
     * every row), strictly where no patch is orthogonal to it.
     */
    public double[] filters() { return filters; }
}
