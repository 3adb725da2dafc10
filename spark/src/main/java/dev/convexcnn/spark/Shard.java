package dev.convexcnn.spark;

import dev.convexcnn.convex.GatedFeatures;
import dev.convexcnn.convex.GatedReluProgram;
import dev.convexcnn.convex.Loss;
import java.io.Serializable;
import java.util.Arrays;

/**
 * One partition's part of the gated program: its rows of Φ and their labels, with the loss scaled for all
 * {@code total} samples, so the shards' smooth parts add up to the whole program's
 * ({@link GatedReluProgram}'s shard constructor). Serializable because Spark may ship a cached block to another
 * executor.
 */
final class Shard implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int samples, gates, patchSize, classes, total;
    private final Loss loss;
    private final double[] phi;
    private final int[] labels;
    private transient GatedReluProgram program;

    private Shard(int samples, int gates, int patchSize, int classes, int total, Loss loss, double[] phi, int[] labels) {
        this.samples = samples;
        this.gates = gates;
        this.patchSize = patchSize;
        this.classes = classes;
        this.total = total;
        this.loss = loss;
        this.phi = phi;
        this.labels = labels;
    }

    static Shard build(Slice slice, FeatureSpec spec, Loss loss) {
        GatedFeatures f = GatedFeatures.build(slice.dataset(), spec.normalization(), spec.geometry(), spec.gates());
        return new Shard(f.samples(), f.gates(), f.patchSize(), slice.classes(), slice.total(), loss, f.matrix(), slice.labels());
    }

    int samples() { return samples; }
    int gates() { return gates; }

    GatedFeatures features() { return GatedFeatures.of(samples, gates, patchSize, phi); }

    private GatedReluProgram program() {
        if (program == null) program = new GatedReluProgram(features(), labels, classes, loss, 0, total);
        return program;
    }

    /**
     * acc[0 .. d) += this shard's gradient at w, acc[d] += its smooth part, acc[d + 1] += the seconds it took (to
     * tell computation from Spark's overhead). One read of the shard's Φ.
     */
    double[] addSmooth(double[] w, double[] acc) {
        long t0 = System.nanoTime();
        double[] g = new double[w.length];
        double f = program().smooth(w, g);
        for (int i = 0; i < w.length; i++) acc[i] += g[i];
        acc[w.length] += f;
        acc[w.length + 1] += (System.nanoTime() - t0) / 1e9;
        return acc;
    }

    /** How many of this shard's samples the gated model W classifies right. */
    long correct(double[] w) {
        double[] z = new double[samples * classes];
        program().predict(w, z);
        long right = 0;
        for (int i = 0; i < samples; i++) {
            int best = 0;
            for (int k = 1; k < classes; k++) if (z[i * classes + k] > z[i * classes + best]) best = k;
            if (best == labels[i]) right++;
        }
        return right;
    }

    /**
     * Per gate: whether it switches on any patch here, and the hash of its column over these rows (the core's
     * formula). Gates whose columns are equal everywhere have equal hashes on every shard.
     */
    GateSummary gateSummary() {
        boolean[] any = new boolean[gates];
        long[] hash = new long[gates];
        for (int j = 0; j < gates; j++) {
            long h = 1;
            for (int i = 0; i < samples; i++) {
                int off = (i * gates + j) * patchSize;
                for (int t = 0; t < patchSize; t++) {
                    double v = phi[off + t];
                    if (v != 0) any[j] = true;
                    h = 31 * h + Double.hashCode(v);
                }
            }
            hash[j] = h;
        }
        return new GateSummary(any, hash);
    }

    record GateSummary(boolean[] any, long[] hash) implements Serializable {}

    /** For each pair (a, b) given as pairs[2q], pairs[2q+1]: are the two columns equal on every row here? */
    boolean[] equalColumns(int[] pairs) {
        boolean[] eq = new boolean[pairs.length / 2];
        for (int q = 0; q < eq.length; q++) {
            int a = pairs[2 * q], b = pairs[2 * q + 1];
            boolean same = true;
            for (int i = 0; i < samples && same; i++) {
                int oa = (i * gates + a) * patchSize, ob = (i * gates + b) * patchSize;
                for (int t = 0; t < patchSize; t++) if (phi[oa + t] != phi[ob + t]) { same = false; break; }
            }
            eq[q] = same;
        }
        return eq;
    }

    /** The shard with only the given gates' columns. */
    Shard select(int[] keep) {
        GatedFeatures f = features().select(keep);
        return new Shard(samples, keep.length, patchSize, classes, total, loss, f.matrix(), labels);
    }

    @Override public String toString() { return "Shard(" + samples + " of " + total + ", " + gates + " gates)"; }

    static boolean[] and(boolean[] a, boolean[] b) {
        boolean[] out = Arrays.copyOf(a, a.length);
        for (int i = 0; i < a.length; i++) out[i] &= b[i];
        return out;
    }
}
