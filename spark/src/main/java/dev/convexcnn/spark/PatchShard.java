package dev.convexcnn.spark;

import dev.convexcnn.convex.GemmGatedProgram;
import dev.convexcnn.convex.Loss;
import dev.convexcnn.convex.PatchProducts;

/**
 * The GEMM form's shard: its partition's images and labels, and {@link PatchProducts} over them (patches rebuilt
 * per block by im2col, one GEMM by all patterns' weights, the 0/1 gate masks kept as bits), evaluated by
 * {@link GemmGatedProgram}'s shard constructor in double. Φ is never formed: the shard holds n_s images and
 * n_s·positions·⌈p/64⌉ mask words instead of n_s·p·h doubles. The products are transient: a shard Spark moved to
 * another executor rebuilds its masks from the images (deterministic: the same double products give the same bits),
 * from all the sampled gates and then the kept ones, as the core selects them.
 */
final class PatchShard extends Shard {
    private static final long serialVersionUID = 1L;
    private final Slice slice;
    private final FeatureSpec spec;   // the sampled gates, before selection
    private final int[] keep;         // the gates kept, or null for all
    private final Loss loss;
    private transient PatchProducts products;
    private transient GemmGatedProgram program;

    PatchShard(Slice slice, FeatureSpec spec, int[] keep, Loss loss) {
        this.slice = slice;
        this.spec = spec;
        this.keep = keep;
        this.loss = loss;
    }

    private PatchShard(PatchShard base, int[] keep, PatchProducts selected) {
        this(base.slice, base.spec, keep, base.loss);
        this.products = selected;
    }

    @Override int samples() { return slice.size(); }
    @Override int gates() { return keep == null ? spec.gateCount() : keep.length; }
    @Override int[] labels() { return slice.labels(); }
    @Override int classes() { return slice.classes(); }

    PatchProducts products() {
        if (products == null) {
            PatchProducts all = new PatchProducts(slice.dataset(), spec.normalization(), spec.geometry(), spec.gates());
            products = keep == null ? all : all.select(keep);
        }
        return products;
    }

    private GemmGatedProgram program() {
        if (program == null) program = new GemmGatedProgram(products(), slice.labels(), slice.classes(), loss, 0, slice.total());
        return program;
    }

    @Override double smooth(double[] w, double[] g) { return program().smooth(w, g); }

    @Override void logits(double[] w, double[] z) { program().forward(w, z, false); }

    /** The hash of each gate's local mask column, by the core's formula ({@link PatchProducts#informativeGates}). */
    @Override
    synchronized GateSummary gateSummary() {
        PatchProducts pp = products();
        int p = pp.patterns(), positions = pp.positions(), n = pp.samples();
        boolean[] any = new boolean[p];
        long[] hash = new long[p];
        for (int j = 0; j < p; j++) {
            long h = 1;
            for (int i = 0; i < n; i++) {
                for (int q = 0; q < positions; q++) {
                    boolean on = pp.on(i, q, j);
                    any[j] |= on;
                    h = 31 * h + (on ? i * positions + q + 1 : 0);
                }
            }
            hash[j] = h;
        }
        return new GateSummary(any, hash);
    }

    @Override
    synchronized boolean[] equalColumns(int[] pairs) {
        PatchProducts pp = products();
        int positions = pp.positions(), n = pp.samples();
        boolean[] eq = new boolean[pairs.length / 2];
        for (int r = 0; r < eq.length; r++) {
            int a = pairs[2 * r], b = pairs[2 * r + 1];
            boolean same = true;
            for (int i = 0; i < n && same; i++) {
                for (int q = 0; q < positions && same; q++) same = pp.on(i, q, a) == pp.on(i, q, b);
            }
            eq[r] = same;
        }
        return eq;
    }

    /** Selected from this shard's masks (as the core does), so no mask is recomputed. */
    @Override
    synchronized PatchShard select(int[] keep) {
        if (this.keep != null) throw new IllegalStateException("gates are selected once, from all the sampled ones");
        return new PatchShard(this, keep.clone(), products().select(keep));
    }

    @Override public String toString() { return "PatchShard(" + samples() + " of " + slice.total() + ", " + gates() + " gates)"; }
}
