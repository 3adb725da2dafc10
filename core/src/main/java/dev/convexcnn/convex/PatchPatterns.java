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
    private final int rows, patchSize, gates, positions;
    private final double[] z;
    private final double[] signs;
    private final double[] filters;
    private final int[] windowOfPosition;   // windowed gates: each position's window; null: one window
    private final int windows;              // windows of equal size (1 for gates over all positions)
    private final double signScale;         // |sign| on a column's rows: 1, or 1/A² for windowed gates

    private PatchPatterns(int rows, int patchSize, int gates, int positions, double[] z, double[] signs, double[] filters,
                          int[] windowOfPosition, int windows, double signScale) {
        this.rows = rows;
        this.patchSize = patchSize;
        this.gates = gates;
        this.positions = positions;
        this.z = z;
        this.signs = signs;
        this.filters = filters;
        this.windowOfPosition = windowOfPosition;
        this.windows = windows;
        this.signScale = signScale;
    }

    /**
     * Z and the signs of gates over d. For windowed gates ({@link Gates#windowed}) a column only constrains the
     * patches of its window, which its neuron sees: its sign is 0 on the other rows (a constraint 0 ≥ 0 that never
     * binds and that the working set never selects), and ±1/A² on its window's rows. The scale leaves the feasible
     * set as it is and measures a constraint's value in the units of the output it feeds, as in the global sum:
     * a patch reaches a window's output averaged, so a violation δ of z·v changes the prediction by δ/A² there.
     * With ±1 the squared violation of the same network would read A⁴ times larger (256× for 4×4 windows).
     */
    public static PatchPatterns build(Dataset d, Normalization norm, PatchGeometry geom, Gates gates) {
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
        int[] windowOf = null;
        int windows = 1;
        double scale = 1;
        if (gates.windowed()) {
            var conv = geom.conv();
            int ow = conv.outWidth(), mw = ow / gates.window();
            windows = Gates.windowCount(geom, gates.window());
            windowOf = new int[P];
            for (int pos = 0; pos < P; pos++) windowOf[pos] = (pos / ow / gates.window()) * mw + (pos % ow) / gates.window();
            int[] pools = gates.pools();
            scale = 1.0 / ((double) gates.window() * gates.window());
            for (long r = 0; r < rows; r++) {
                int w = windowOf[(int) (r % P)];
                for (int j = 0; j < p; j++) s[(int) (r * p + j)] = pools[j] != w ? 0 : scale * s[(int) (r * p + j)];
            }
        }
        return new PatchPatterns((int) rows, h, p, P, z, s, gates.filters(), windowOf, windows, scale);
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
    /**
     * S = 2D − 1, rows × p, entries ±1; for windowed gates ±1/A² on the column's window and 0 elsewhere (see
     * {@link #build}).
     */
    public double[] signs() { return signs; }

    /** The window of a row's position (0 for gates over all positions): equal patches constrain alike only within one. */
    public int windowOf(int row) {
        return windowOfPosition == null ? 0 : windowOfPosition[row % positions];
    }

    /** Whether the gates are windowed (per-window columns). */
    public boolean windowed() { return windowOfPosition != null; }

    /** |sign| on a column's rows: 1, or 1/A² for windowed gates. */
    public double signScale() { return signScale; }

    /**
     * The (row, column) pairs that carry a constraint: every row for each column, or for windowed gates its window's
     * rows (the windows are of equal size, so 1/M of them).
     */
    public long constrainedPairs() {
        return (long) rows * gates / windows;
    }
    /**
     * The gate filters U (h × p) the signs come from: u_j is inside pattern j's cone (s·z·u_j = |z·u_j| ≥ 0 on
     * every row), strictly where no patch is orthogonal to it.
     */
    public double[] filters() { return filters; }
}
