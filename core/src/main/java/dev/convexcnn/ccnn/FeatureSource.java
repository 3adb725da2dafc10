package dev.convexcnn.ccnn;

/**
 * The pooled features of a labelled training set, read in blocks: sample i gives Φ(x_i), Q positions × m
 * features, flattened position-major (the "W layout" row of {@link ProjectedSgd}). The solvers of the penalised
 * program only ever hold one block of it, so a source may compute features on the fly ({@link #ofLayer}) or
 * hold them ({@link #ofMatrix}, for small problems and tests).
 */
public interface FeatureSource {
    int size();
    int positions();
    int dim();
    int classes();
    int[] labels();

    /** Writes the features of samples from..from+count into out (count × Q·m, from index 0). */
    void block(int from, int count, double[] out);

    /** The n × (Q·m) array this source reads from, when it holds one (products can then read it in place), else null. */
    default double[] held() { return null; }

    /**
     * True when {@link #block} may be called from several threads at once (each with its own buffer) and is cheap
     * (a copy, not a computation): the passes then split the samples into fixed parts over the threads, as for a
     * held array, which they read in place.
     */
    default boolean concurrentBlocks() { return held() != null; }

    /** Features computed per block by a layer from its input grids (never cached). */
    static FeatureSource ofLayer(CcnnLayer layer, float[] data, int[] labels, int n, int classes) {
        return new FeatureSource() {
            public int size() { return n; }
            public int positions() { return layer.positions(); }
            public int dim() { return layer.featureDim(); }
            public int classes() { return classes; }
            public int[] labels() { return labels; }
            public void block(int from, int count, double[] out) { layer.pooledFeatures(data, null, from, count, out, 0); }
        };
    }

    /** Features held in memory: n × (Q·m) row-major, the first n·Q·m entries of the array (it may have room for more). */
    static FeatureSource ofMatrix(double[] features, int n, int positions, int dim, int[] labels, int classes) {
        if (features.length < (long) n * positions * dim) throw new IllegalArgumentException("features must be n×(Q·m)");
        if (labels.length < n) throw new IllegalArgumentException("need " + n + " labels");
        return new FeatureSource() {
            public int size() { return n; }
            public int positions() { return positions; }
            public int dim() { return dim; }
            public int classes() { return classes; }
            public int[] labels() { return labels; }
            public void block(int from, int count, double[] out) {
                System.arraycopy(features, from * positions * dim, out, 0, count * positions * dim);
            }
            public double[] held() { return features; }
        };
    }

    /** All features of a source as one n × (Q·m) array (small problems only). */
    static double[] materialize(FeatureSource s) {
        int D = s.positions() * s.dim();
        double[] all = new double[Math.multiplyExact(s.size(), D)];
        int chunk = 64;
        double[] buf = new double[chunk * D];
        for (int from = 0; from < s.size(); from += chunk) {
            int nb = Math.min(chunk, s.size() - from);
            s.block(from, nb, buf);
            System.arraycopy(buf, 0, all, from * D, nb * D);
        }
        return all;
    }
}
