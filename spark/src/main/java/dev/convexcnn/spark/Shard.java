package dev.convexcnn.spark;

import dev.convexcnn.convex.Loss;
import java.io.Serializable;
import java.util.Arrays;

/**
 * One partition's part of the gated program, with the loss scaled for all samples so that the shards' smooth parts
 * add up to the whole program's. Two kinds, one per product form: {@link PhiShard} holds its rows of Φ (the streamed
 * form), {@link PatchShard} its images and the gate masks, with Φ's products as GEMMs over the patches (the GEMM
 * form). Serializable because Spark may ship a cached block to another executor.
 */
abstract sealed class Shard implements Serializable permits PhiShard, PatchShard {
    private static final long serialVersionUID = 1L;

    /** The streamed form's shard: the slice's rows of Φ. */
    static Shard phi(Slice slice, FeatureSpec spec, Loss loss) { return PhiShard.build(slice, spec, loss); }

    /** The GEMM form's shard: the slice's images, the masks of the spec's gates built on first use. */
    static Shard patches(Slice slice, FeatureSpec spec, Loss loss) { return new PatchShard(slice, spec, null, loss); }

    abstract int samples();
    abstract int gates();
    abstract int[] labels();
    abstract int classes();

    /** This shard's smooth part at w, its gradient into g (overwritten). */
    abstract double smooth(double[] w, double[] g);

    /** This shard's outputs (samples × classes) under w. */
    abstract void logits(double[] w, double[] z);

    /**
     * Per gate: whether it switches on here, and a hash of its column over these rows (equal columns everywhere
     * give equal hashes on every shard).
     */
    abstract GateSummary gateSummary();

    /** For each pair (a, b) given as pairs[2q], pairs[2q+1]: are the two gates' columns equal on every row here? */
    abstract boolean[] equalColumns(int[] pairs);

    /** The shard with only the given gates. */
    abstract Shard select(int[] keep);

    /**
     * acc[0 .. d) += this shard's gradient at w, acc[d] += its smooth part, acc[d + 1] += the seconds it took (to
     * tell computation from Spark's overhead). Synchronized: a shard's work buffers serve one task at a time.
     */
    synchronized double[] addSmooth(double[] w, double[] acc) {
        long t0 = System.nanoTime();
        double[] g = new double[w.length];
        double f = smooth(w, g);
        for (int i = 0; i < w.length; i++) acc[i] += g[i];
        acc[w.length] += f;
        acc[w.length + 1] += (System.nanoTime() - t0) / 1e9;
        return acc;
    }

    /** How many of this shard's samples the gated model W classifies right. */
    synchronized long correct(double[] w) {
        int n = samples(), c = classes();
        int[] labels = labels();
        double[] z = new double[n * c];
        logits(w, z);
        long right = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int k = 1; k < c; k++) if (z[i * c + k] > z[i * c + best]) best = k;
            if (best == labels[i]) right++;
        }
        return right;
    }

    record GateSummary(boolean[] any, long[] hash) implements Serializable {}

    static boolean[] and(boolean[] a, boolean[] b) {
        boolean[] out = Arrays.copyOf(a, a.length);
        for (int i = 0; i < a.length; i++) out[i] &= b[i];
        return out;
    }
}
