package dev.convexcnn.compress;

import dev.convexcnn.nn.Initializer;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Param;
import dev.convexcnn.nn.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One block of a {@link BlockDesign} as a single {@link Layer}: relu(branch(x)) or, for residual designs,
 * relu(branch(x) + skip(x)) where skip is the identity or a 1×1 projection. The design is resolved against the
 * input shape in {@link #build}.
 */
public final class BlockLayer implements Layer {
    private final BlockDesign design;
    private BlockDesign.Plan plan;
    private List<Param> params = List.of();
    private Shape output;
    private float[] out, gmask, dsum;
    private float[] lastInput;

    BlockLayer(BlockDesign design) { this.design = design; }

    public BlockDesign design() { return design; }
    /** The resolved plan (after build): widths, ranks and the layers. */
    public BlockDesign.Plan plan() { return plan; }

    @Override public String spec() { return design.toString(); }

    @Override
    public Shape build(Shape in) {
        plan = design.plan(in);
        Shape cur = in;
        List<Param> p = new ArrayList<>();
        for (Layer l : plan.branch()) {
            cur = l.build(cur);
            p.addAll(l.params());
        }
        if (plan.projection() != null) {
            Shape s = plan.projection().build(in);
            if (!s.equals(cur)) throw new IllegalArgumentException("projection shape " + s + " differs from the branch's " + cur);
            p.addAll(plan.projection().params());
        } else if (plan.residual() && !cur.equals(in)) {
            throw new IllegalArgumentException("identity skip needs equal shapes, got " + in + " and " + cur);
        }
        params = List.copyOf(p);
        output = cur;
        return cur;
    }

    @Override
    public void initialize(Initializer init, SplittableRandom random) {
        for (Layer l : plan.branch()) l.initialize(init, random);
        if (plan.projection() != null) plan.projection().initialize(init, random);
    }

    @Override public List<Param> params() { return params; }

    public long parameterCount() {
        long n = 0;
        for (Param p : params) n += p.size();
        return n;
    }

    @Override
    public float[] forward(float[] input, int batch) {
        lastInput = input;
        float[] cur = input;
        for (Layer l : plan.branch()) cur = l.forward(cur, batch);
        final int n = output.size() * batch;
        out = Layer.ensure(out, n);
        float[] skip = plan.projection() != null ? plan.projection().forward(input, batch) : plan.residual() ? input : null;
        for (int i = 0; i < n; i++) {
            float v = skip == null ? cur[i] : cur[i] + skip[i];
            out[i] = v > 0 ? v : 0f;
        }
        return out;
    }

    @Override
    public float[] backward(float[] g, int batch, boolean needInputGradient) {
        final int n = output.size() * batch;
        gmask = Layer.ensure(gmask, n);
        for (int i = 0; i < n; i++) gmask[i] = out[i] > 0 ? g[i] : 0f;
        float[] cur = gmask;
        List<Layer> b = plan.branch();
        boolean needBranchInput = needInputGradient;
        for (int i = b.size() - 1; i >= 0; i--) cur = b.get(i).backward(cur, batch, i > 0 || needBranchInput);
        if (!plan.residual()) return needInputGradient ? cur : null;
        float[] dskip = plan.projection() != null ? plan.projection().backward(gmask, batch, needInputGradient) : gmask;
        if (!needInputGradient) return null;
        final int m = plan.input().size() * batch;
        dsum = Layer.ensure(dsum, m);
        for (int i = 0; i < m; i++) dsum[i] = cur[i] + dskip[i];
        return dsum;
    }
}
