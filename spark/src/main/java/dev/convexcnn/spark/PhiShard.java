package dev.convexcnn.spark;

import dev.convexcnn.convex.GatedFeatures;
import dev.convexcnn.convex.GatedReluProgram;
import dev.convexcnn.convex.Loss;

/**
 * The streamed form's shard: its partition's rows of Φ and their labels, evaluated by {@link GatedReluProgram}'s
 * shard constructor (the loss scaled for all {@code total} samples).
 */
final class PhiShard extends Shard {
    private static final long serialVersionUID = 1L;
    private final int samples, gates, patchSize, classes, total;
    private final Loss loss;
    private final double[] phi;
    private final int[] labels;
    private transient GatedReluProgram program;

    private PhiShard(int samples, int gates, int patchSize, int classes, int total, Loss loss, double[] phi, int[] labels) {
        this.samples = samples;
        this.gates = gates;
        this.patchSize = patchSize;
        this.classes = classes;
        this.total = total;
        this.loss = loss;
        this.phi = phi;
        this.labels = labels;
    }

    static PhiShard build(Slice slice, FeatureSpec spec, Loss loss) {
        GatedFeatures f = GatedFeatures.build(slice.dataset(), spec.normalization(), spec.geometry(), spec.gates());
        return new PhiShard(f.samples(), f.gates(), f.patchSize(), slice.classes(), slice.total(), loss, f.matrix(), slice.labels());
    }

    @Override int samples() { return samples; }
    @Override int gates() { return gates; }
    @Override int[] labels() { return labels; }
    @Override int classes() { return classes; }

    GatedFeatures features() { return GatedFeatures.of(samples, gates, patchSize, phi); }

    private GatedReluProgram program() {
        if (program == null) program = new GatedReluProgram(features(), labels, classes, loss, 0, total);
        return program;
    }

    @Override double smooth(double[] w, double[] g) { return program().smooth(w, g); }

    @Override void logits(double[] w, double[] z) { program().predict(w, z); }

    /** The hash of each gate's Φ column (the core's formula for {@link GatedFeatures#informativeGates}). */
    @Override
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

    @Override
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

    @Override
    PhiShard select(int[] keep) {
        GatedFeatures f = features().select(keep);
        return new PhiShard(samples, keep.length, patchSize, classes, total, loss, f.matrix(), labels);
    }

    @Override public String toString() { return "PhiShard(" + samples + " of " + total + ", " + gates + " gates)"; }
}
