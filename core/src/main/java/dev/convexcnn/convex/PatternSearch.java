package dev.convexcnn.convex;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.linalg.Gemm;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The search for the most violated constraint of the two-layer programs' dual. At a solution with residual
 * ν = ∂loss/∂predictions (n × c), a filter u (‖u‖ = 1) and class k violate the dual when
 * |Σ_i ν_ik Σ_p (u·z_ip)₊| &gt; λ: the pattern of u would enter the optimum. The search is a local ascent from
 * many starts, u ← s·normalise(Σ_i ν_ik Σ_p 1[u·z_ip &gt; 0] z_ip) with s the sign of the value, every step one
 * pair of GEMMs over the patch matrix for all starts at once. It finds large violations, not provably the largest.
 */
public final class PatternSearch {
    private PatternSearch() {}

    /** A local maximum: the filter (h values, unit norm), its class and |Σ_i ν_ik Σ_p (u·z_ip)₊| there. */
    public record Candidate(double[] filter, int classIndex, double value) {}

    /** The dual point ν of the program at predictions z (n × c): the loss's gradient in z, with its scaling. */
    public static double[] dual(double[] z, int[] labels, int classes, Loss loss) {
        double[] nu = new double[z.length];
        loss.value(z, labels, labels.length, classes, nu);
        return nu;
    }

    /**
     * Local ascent from {@code starts} starts (half Gaussian filters, half the current gates perturbed, when there
     * are any) for {@code steps} steps each; the candidates found, largest value first (one per start).
     */
    public static List<Candidate> search(Dataset d, Normalization norm, PatchGeometry geom, double[] nu, int classes,
                                         Gates current, int starts, int steps, long seed) {
        int h = geom.patchSize();
        if (starts <= 0) throw new IllegalArgumentException("the number of candidates must be > 0, got " + starts);
        SplittableRandom r = new SplittableRandom(seed);
        double[] u = new double[h * starts];                       // h × m, column j is start j
        int fromGates = current == null ? 0 : starts / 2;
        for (int j = 0; j < starts; j++) {
            double[] col = new double[h];
            if (j < fromGates) {
                int g = r.nextInt(current.count());
                double nrm = 0;
                for (int t = 0; t < h; t++) nrm += current.filter(t, g) * current.filter(t, g);
                nrm = Math.sqrt(nrm);
                for (int t = 0; t < h; t++) col[t] = current.filter(t, g) / nrm + 0.3 * r.nextGaussian() / Math.sqrt(h);
            } else {
                for (int t = 0; t < h; t++) col[t] = r.nextGaussian();
            }
            normalise(col);
            for (int t = 0; t < h; t++) u[t * starts + j] = col[t];
        }
        // Each start takes the class and sign of its largest |value|: every class's value at once from the
        // per-image activations a_ij = Σ_p (u_j·z_ip)₊, values = νᵀa.
        double[] act = activations(d, norm, geom, u, starts);
        int n = d.size();
        int[] cls = new int[starts];
        double[] sign = new double[starts];
        for (int j = 0; j < starts; j++) {
            double top = -1;
            for (int k = 0; k < classes; k++) {
                double val = 0;
                for (int i = 0; i < n; i++) val += nu[i * classes + k] * act[i * starts + j];
                if (Math.abs(val) > top) {
                    top = Math.abs(val);
                    cls[j] = k;
                    sign[j] = val < 0 ? -1 : 1;
                }
            }
        }
        int[] ident = new int[starts];
        for (int j = 0; j < starts; j++) ident[j] = j;
        double[] best = new double[starts];
        java.util.Arrays.fill(best, -1);
        double[] bestU = new double[h * starts];
        for (int step = 0; step <= steps; step++) {
            // The direction at u, whose dot with u is the value there (exactly: the pattern is u's own).
            double[] dir = ascentDirections(d, norm, geom, nu, classes, u, starts, ident, cls);
            for (int j = 0; j < starts; j++) {
                double val = Math.abs(dot(u, starts, j, dir, starts, j, h));
                if (val > best[j]) {
                    best[j] = val;
                    for (int t = 0; t < h; t++) bestU[t * starts + j] = u[t * starts + j];
                }
            }
            if (step == steps) break;
            // u ← s·normalise(direction); a start whose pattern no longer changes is at a fixed point.
            boolean moved = false;
            for (int j = 0; j < starts; j++) {
                double nrm = 0;
                for (int t = 0; t < h; t++) nrm += dir[t * starts + j] * dir[t * starts + j];
                if (nrm == 0) continue;
                double f = sign[j] / Math.sqrt(nrm);
                for (int t = 0; t < h; t++) {
                    double next = f * dir[t * starts + j];
                    if (next != u[t * starts + j]) moved = true;
                    u[t * starts + j] = next;
                }
            }
            if (!moved) break;
        }
        List<Candidate> out = new ArrayList<>(starts);
        for (int j = 0; j < starts; j++) {
            double[] f = new double[h];
            for (int t = 0; t < h; t++) f[t] = bestU[t * starts + j];
            out.add(new Candidate(f, cls[j], best[j]));
        }
        out.sort(Comparator.comparingDouble((Candidate c) -> c.value).reversed());
        return out;
    }

    /**
     * For each output column q: Σ_i ν_{i,colClass[q]} Σ_p 1[u_{colStart[q]}·z_ip &gt; 0] z_ip (h × columns,
     * row-major); its dot with u_{colStart[q]} is Σ_i ν_ik Σ_p (u·z_ip)₊. A block of images at a time:
     * S = Z·U, then M = ν-weighted mask of S, then Zᵀ·M.
     */
    static double[] ascentDirections(Dataset d, Normalization norm, PatchGeometry geom, double[] nu, int classes, double[] u,
                                     int starts, int[] colStart, int[] colClass) {
        int h = geom.patchSize(), positions = geom.patches(), n = d.size(), cols = colStart.length;
        int block = Math.max(1, Math.min(n, (1 << 20) / (positions * Math.max(h, Math.max(starts, cols)))));
        double[] z = new double[block * positions * h], s = new double[block * positions * starts];
        double[] m = new double[block * positions * cols], out = new double[h * cols];
        float[] scratch = new float[geom.scratchSize()];
        for (int i0 = 0; i0 < n; i0 += block) {
            int b = Math.min(block, n - i0), rows = b * positions;
            for (int a = 0; a < b; a++) geom.patchesOf(d, norm, i0 + a, scratch, z, a * positions * h);
            Gemm.dgemm(false, false, rows, starts, h, 1, z, 0, h, u, 0, starts, 0, s, 0, starts);
            for (int a = 0; a < b; a++) {
                int i = i0 + a;
                for (int p = 0; p < positions; p++) {
                    int row = a * positions + p;
                    for (int q = 0; q < cols; q++) {
                        m[row * cols + q] = s[row * starts + colStart[q]] > 0 ? nu[i * classes + colClass[q]] : 0;
                    }
                }
            }
            Gemm.dgemm(true, false, h, cols, rows, 1, z, 0, h, m, 0, cols, 1, out, 0, cols);
        }
        return out;
    }

    /** a_ij = Σ_p (u_j·z_ip)₊ (n × starts), a block of images at a time. */
    static double[] activations(Dataset d, Normalization norm, PatchGeometry geom, double[] u, int starts) {
        int h = geom.patchSize(), positions = geom.patches(), n = d.size();
        int block = Math.max(1, Math.min(n, (1 << 20) / (positions * Math.max(h, starts))));
        double[] z = new double[block * positions * h], s = new double[block * positions * starts], out = new double[n * starts];
        float[] scratch = new float[geom.scratchSize()];
        for (int i0 = 0; i0 < n; i0 += block) {
            int b = Math.min(block, n - i0), rows = b * positions;
            for (int a = 0; a < b; a++) geom.patchesOf(d, norm, i0 + a, scratch, z, a * positions * h);
            Gemm.dgemm(false, false, rows, starts, h, 1, z, 0, h, u, 0, starts, 0, s, 0, starts);
            for (int a = 0; a < b; a++) {
                for (int p = 0; p < positions; p++) {
                    int row = (a * positions + p) * starts;
                    for (int j = 0; j < starts; j++) out[(i0 + a) * starts + j] += Math.max(0, s[row + j]);
                }
            }
        }
        return out;
    }

    /** |Σ_i ν_ik Σ_p (u·z_ip)₊| evaluated patch by patch: the reference for the search's values. */
    public static double value(Dataset d, Normalization norm, PatchGeometry geom, double[] nu, int classes, double[] u, int k) {
        int h = geom.patchSize(), positions = geom.patches();
        double[] z = new double[positions * h];
        float[] scratch = new float[geom.scratchSize()];
        double total = 0;
        for (int i = 0; i < d.size(); i++) {
            geom.patchesOf(d, norm, i, scratch, z, 0);
            for (int p = 0; p < positions; p++) {
                double a = 0;
                for (int t = 0; t < h; t++) a += u[t] * z[p * h + t];
                if (a > 0) total += nu[i * classes + k] * a;
            }
        }
        return Math.abs(total);
    }

    private static double dot(double[] u, int ustride, int j, double[] v, int vstride, int q, int h) {
        double s = 0;
        for (int t = 0; t < h; t++) s += u[t * ustride + j] * v[t * vstride + q];
        return s;
    }

    private static void normalise(double[] x) {
        double s = 0;
        for (double a : x) s += a * a;
        s = Math.sqrt(s);
        if (s > 0) for (int i = 0; i < x.length; i++) x[i] /= s;
    }
}
