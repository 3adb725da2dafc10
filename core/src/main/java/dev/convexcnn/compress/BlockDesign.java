package dev.convexcnn.compress;

import dev.convexcnn.nn.Conv2d;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Relu;
import dev.convexcnn.nn.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A block design: which layers a block is made of, its output channels K, kernel k, stride and rank. Built
 * against an input shape (C channels) it gives a {@link BlockLayer} for a {@link dev.convexcnn.nn.Sequential}
 * and a {@link Redundancy} report. Every block ends in a ReLU; spatial convolutions pad k/2. The designs, with
 * R their rank or width:
 * <ul>
 *   <li>{@code dense}: k×k conv C→K (the reference of the single-conv designs);</li>
 *   <li>{@code cp}, {@code tucker2}, {@code tucker}, {@code tt}: one {@link FactorisedConv2d} C→K;</li>
 *   <li>{@code bottleneck}: 1×1 C→R, ReLU, k×k R→R, ReLU, 1×1 R→K;</li>
 *   <li>{@code grouped}: as bottleneck with the k×k conv in g groups (ResNeXt-like; R a multiple of g);</li>
 *   <li>{@code separable}: depthwise k×k with multiplier m (width R = m·C), ReLU, 1×1 mC→K;</li>
 *   <li>{@code residual}: basic residual block, k×k C→K, ReLU, k×k K→K, plus the identity (or a 1×1 projection
 *       when C ≠ K or the stride is not 1); its reference is itself;</li>
 *   <li>{@code lowrank}: the residual block with both k×k convs Tucker-2 of ranks (R, R); reference: residual.</li>
 * </ul>
 * Spelling ({@link #parse}): {@code name[:key=value,...]} with keys {@code k} (K, default C), {@code kernel} (3),
 * {@code stride} (1), {@code g} (groups, 4) and a rank: {@code rank=8} (or {@code rank=4x8} for a factorised
 * layer's slots), {@code r=0.25} (fraction of the reference block's weights), {@code kr=4} (R = K/4) or
 * {@code same}. E.g. {@code bottleneck:k=32,kr=4}, {@code cp:k=16,rank=8}, {@code tucker2:r=0.25}.
 */
public record BlockDesign(Type type, int outChannels, int kernel, int stride, RankSpec rank, int groups) {
    public enum Type {
        DENSE, CP, TUCKER2, TUCKER, TT, BOTTLENECK, GROUPED, SEPARABLE, RESIDUAL, LOWRANK;

        public String id() { return name().toLowerCase(Locale.ROOT); }

        Factorisation factorisation() {
            return switch (this) {
                case CP -> Factorisation.CP;
                case TUCKER2 -> Factorisation.TUCKER2;
                case TUCKER -> Factorisation.TUCKER;
                case TT -> Factorisation.TT;
                default -> null;
            };
        }
    }

    public BlockDesign {
        if (outChannels < 0 || kernel <= 0 || stride <= 0 || groups <= 0) throw new IllegalArgumentException("bad block design");
    }

    /** A design with default kernel 3, stride 1, 4 groups; outChannels 0 means K = C. */
    public static BlockDesign of(Type type, int outChannels, RankSpec rank) {
        return new BlockDesign(type, outChannels, 3, 1, rank, 4);
    }

    /** Parses {@code name[:key=value,...]} (see the class comment). */
    public static BlockDesign parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        int colon = t.indexOf(':');
        String name = colon < 0 ? t : t.substring(0, colon);
        Type type;
        try {
            type = Type.valueOf(name.replace("-", "").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown block design '" + name + "': use dense, cp, tucker2, tucker, tt, "
                    + "bottleneck, grouped, separable, residual or lowrank");
        }
        int k = 0, kernel = 3, stride = 1, groups = 4;
        RankSpec rank = null;
        if (colon >= 0) {
            for (String kv : t.substring(colon + 1).split(",")) {
                String p = kv.trim();
                if (p.isEmpty()) continue;
                try {
                    if (p.startsWith("k=")) k = Integer.parseInt(p.substring(2));
                    else if (p.startsWith("kernel=")) kernel = Integer.parseInt(p.substring(7));
                    else if (p.startsWith("stride=")) stride = Integer.parseInt(p.substring(7));
                    else if (p.startsWith("g=")) groups = Integer.parseInt(p.substring(2));
                    else if (p.startsWith("groups=")) groups = Integer.parseInt(p.substring(7));
                    else rank = RankSpec.parse(p);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("cannot read '" + p + "' in block design '" + s + "'");
                }
            }
        }
        return new BlockDesign(type, k, kernel, stride, rank, groups);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(type.id());
        List<String> kv = new ArrayList<>();
        if (outChannels > 0) kv.add("k=" + outChannels);
        if (kernel != 3) kv.add("kernel=" + kernel);
        if (stride != 1) kv.add("stride=" + stride);
        if (type == Type.GROUPED) kv.add("g=" + groups);
        if (rank != null) kv.add(rank.toString());
        if (!kv.isEmpty()) b.append(':').append(String.join(",", kv));
        return b.toString();
    }

    /** A fresh, unbuilt layer for this design. */
    public BlockLayer layer() { return new BlockLayer(this); }

    /**
     * A design resolved against an input: K, the width w entering the last linear map onto the K outputs, the
     * weights before that map, the ranks of a factorised layer (else {width}), the layers (unbuilt) and the skip.
     */
    public record Plan(Shape input, int k, int width, long weightsBeforeOutputMap, long weights, long referenceWeights,
                       long referenceParameters, int[] ranks, List<Layer> branch, Conv2d projection, boolean residual) {}


    public Plan plan(Shape in) {
        final int C = in.channels(), K = outChannels == 0 ? C : outChannels, k = kernel, pad = k / 2;
        final long kk = (long) k * k;
        final long denseW = K * C * kk;
        final boolean needsProjection = C != K || stride != 1;
        final long projW = needsProjection ? (long) C * K : 0, projB = needsProjection ? K : 0;
        final long residualW = K * C * kk + (long) K * K * kk;
        final long residualRefParams = residualW + 2L * K + projW + projB;
        List<Layer> branch = new ArrayList<>();
        switch (type) {
            case DENSE -> {
                branch.add(new Conv2d(K, k, stride, pad));
                return new Plan(in, K, (int) (C * kk), 0, denseW, denseW, denseW + K, new int[] {K}, branch, null, false);
            }
            case CP, TUCKER2, TUCKER, TT -> {
                Factorisation f = type.factorisation();
                RankSpec spec = rank == null ? RankSpec.fraction(0.25)
                        : rank instanceof RankSpec.KOverR kr ? RankSpec.explicit(Math.max(1, (int) Math.round(K / kr.ratio()))) : rank;
                int[] r = f.resolve(K, C, k, spec);
                branch.add(new FactorisedConv2d(f, K, k, stride, pad, RankSpec.explicit(r)));
                return new Plan(in, K, f.outputWidth(r), f.weightsBeforeOutputMap(K, C, k, r), f.weights(K, C, k, r),
                        denseW, denseW + K, r, branch, null, false);
            }
            case BOTTLENECK, GROUPED -> {
                int g = type == Type.GROUPED ? groups : 1;
                int R = width(K, g, denseW, w -> (long) C * w + kk * w * (w / g) + (long) w * K, Math.max(C, K) * 4);
                branch.add(new Conv2d(R, 1, 1, 0));
                branch.add(new Relu());
                branch.add(g == 1 ? new Conv2d(R, k, stride, pad) : new GroupedConv2d(R, g, k, stride, pad));
                branch.add(new Relu());
                branch.add(new Conv2d(K, 1, 1, 0));
                long before = (long) C * R + kk * R * (R / g);
                return new Plan(in, K, R, before, before + (long) R * K, denseW, denseW + K, new int[] {R}, branch, null, false);
            }
            case SEPARABLE -> {
                int R = width(K, C, denseW, w -> w * kk + (long) w * K, C * Math.max(1, 4 * K / C + 4));
                int m = R / C;
                branch.add(new DepthwiseConv2d(m, k, stride, pad));
                branch.add(new Relu());
                branch.add(new Conv2d(K, 1, 1, 0));
                return new Plan(in, K, R, R * kk, R * kk + (long) R * K, denseW, denseW + K, new int[] {R}, branch, null, false);
            }
            case RESIDUAL -> {
                branch.add(new Conv2d(K, k, stride, pad));
                branch.add(new Relu());
                branch.add(new Conv2d(K, k, 1, pad));
                return new Plan(in, K, (int) (K * kk), K * C * kk, residualW, residualW, residualRefParams, new int[] {K},
                        branch, needsProjection ? new Conv2d(K, 1, stride, 0) : null, true);
            }
            case LOWRANK -> {
                Factorisation t2 = Factorisation.TUCKER2;
                int R = width(K, 1, residualW, w -> t2.weights(K, C, k, t2.clamp(K, C, k, new int[] {w, w}))
                        + t2.weights(K, K, k, t2.clamp(K, K, k, new int[] {w, w})), K);
                int[] r1 = t2.clamp(K, C, k, new int[] {R, R}), r2 = t2.clamp(K, K, k, new int[] {R, R});
                branch.add(new FactorisedConv2d(t2, K, k, stride, pad, RankSpec.explicit(r1)));
                branch.add(new Relu());
                branch.add(new FactorisedConv2d(t2, K, k, 1, pad, RankSpec.explicit(r2)));
                long w1 = t2.weights(K, C, k, r1), w2 = t2.weights(K, K, k, r2);
                return new Plan(in, K, t2.outputWidth(r2), w1 + t2.weightsBeforeOutputMap(K, K, k, r2), w1 + w2, residualW,
                        residualRefParams, new int[] {r2[0], r2[1]}, branch, needsProjection ? new Conv2d(K, 1, stride, 0) : null, true);
            }
        }
        throw new IllegalStateException();
    }

    /**
     * The width R of a width-type design: explicit (rounded up to a multiple of {@code step}), K/kr, or the largest
     * multiple of step whose weights fit the fraction of the reference weights. Default: K/4.
     */
    private int width(int K, int step, long referenceWeights, java.util.function.IntToLongFunction weights, int max) {
        RankSpec spec = rank == null ? new RankSpec.KOverR(4) : rank;
        int r;
        if (spec instanceof RankSpec.Explicit e) r = e.ranks()[0];
        else if (spec instanceof RankSpec.KOverR kr) r = (int) Math.max(1, Math.round(K / kr.ratio()));
        else {
            double target = ((RankSpec.Fraction) spec).fraction() * referenceWeights;
            r = step;
            for (int w = step; w <= max; w += step) if (weights.applyAsLong(w) <= target) r = w;
        }
        return Math.max(step, (r + step - 1) / step * step);
    }
}
