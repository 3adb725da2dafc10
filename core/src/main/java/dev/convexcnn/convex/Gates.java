package dev.convexcnn.convex;

import java.util.SplittableRandom;

/**
 * The sampled activation patterns: p random filters g_j in patch space. Patch z of any image is "on" for
 * pattern j when z·g_j > 0, so D_j(i, p) = 1[z_p(x_i)·g_j > 0]. The filters are kept: a new image gets its
 * patterns the same way.
 *
 * @param filters h × p, row-major (column j is g_j)
 */
public record Gates(int patchSize, int count, double[] filters) {
    public Gates {
        if (filters.length != patchSize * count) throw new IllegalArgumentException("gate filters must be h × p");
    }

    /** p standard normal filters from the seed. */
    public static Gates sample(int patchSize, int count, long seed) {
        if (count <= 0) throw new IllegalArgumentException("the number of patterns must be > 0, got " + count);
        SplittableRandom r = new SplittableRandom(seed);
        double[] g = new double[patchSize * count];
        for (int i = 0; i < g.length; i++) g[i] = r.nextGaussian();
        return new Gates(patchSize, count, g);
    }

    /** The gates whose indices are given, in that order. */
    public Gates select(int[] keep) {
        double[] g = new double[patchSize * keep.length];
        for (int t = 0; t < patchSize; t++) {
            for (int a = 0; a < keep.length; a++) g[t * keep.length + a] = filters[t * count + keep[a]];
        }
        return new Gates(patchSize, keep.length, g);
    }

    /** These gates followed by more's. */
    public Gates concat(Gates more) {
        if (more.patchSize != patchSize) throw new IllegalArgumentException("gates of patch size " + more.patchSize + ", not " + patchSize);
        int p = count + more.count;
        double[] g = new double[patchSize * p];
        for (int t = 0; t < patchSize; t++) {
            System.arraycopy(filters, t * count, g, t * p, count);
            System.arraycopy(more.filters, t * more.count, g, t * p + count, more.count);
        }
        return new Gates(patchSize, p, g);
    }

    public double filter(int t, int j) { return filters[t * count + j]; }
}
