package dev.convexcnn.compress;

import dev.convexcnn.nn.Conv2d;
import dev.convexcnn.nn.Param;
import dev.convexcnn.nn.Shape;
import java.util.List;

/**
 * A k×k convolution whose kernel (F × C × k × k) is a CP, Tucker-2, Tucker or tensor-train decomposition, run
 * through its factors:
 * <ul>
 *   <li>CP (rank R): 1×1 C→R (Bᵀ), depthwise k×1 (rows of H), depthwise 1×k (rows of V), 1×1 R→F (A).
 *       Params: {@code B} C×R, {@code H} R×k, {@code V} R×k, {@code A} F×R.</li>
 *   <li>Tucker-2 (R_out, R_in): 1×1 C→R_in (U_inᵀ), dense k×k R_in→R_out (core G), 1×1 R_out→F (U_out).
 *       Params: {@code U_in} C×R_in, {@code G} R_out×R_in×k×k, {@code U_out} F×R_out.</li>
 *   <li>Tucker (R1..R4 on F, C, kH, kW): 1×1 C→R2, k×1 with R3 shared filters per channel, 1×k with R4 shared
 *       filters, 1×1 R2R3R4→R1 (the core), 1×1 R1→F. Params: {@code U2} C×R2, {@code U3} R3×k, {@code U4} R4×k,
 *       {@code G} R1×R2×R3×R4, {@code U1} F×R1.</li>
 *   <li>TT over (C, kH, kW, F), ranks (r1, r2, r3): 1×1 C→r1, dense k×1 r1→r2, dense 1×k r2→r3, 1×1 r3→F.
 *       Params: {@code G1} r1×C, {@code G2} r2×r1×k, {@code G3} r3×r2×k, {@code G4} F×r3 (core n of the train,
 *       G_n(a, i, b), is stored as G_n[b][a][i]).</li>
 * </ul>
 * The stride and padding of the rows act in the k×1 stage and those of the columns in the 1×k stage, so the
 * chain equals the dense convolution exactly. Ranks are resolved at build time from a {@link RankSpec}.
 * Architecture token ({@link LayerTokens}): {@code <kind>conv<F>k<k>[s<S>][p<P>]r<rank>}, e.g. {@code cpconv32k3p1r8},
 * {@code tucker2conv32k3p1r8x4}, {@code ttconv32k3r0.25}; once built it names the resolved ranks.
 */
public final class FactorisedConv2d extends StagedConv {
    private final Factorisation kind;
    private final int filters;
    private final RankSpec rankSpec;
    private int[] ranks;
    private int channels;
    private Param[] p;

    public FactorisedConv2d(Factorisation kind, int filters, int kernel, int stride, int padding, RankSpec rank) {
        super(kernel, stride, padding);
        if (filters <= 0) throw new IllegalArgumentException("filters must be positive");
        this.kind = kind;
        this.filters = filters;
        this.rankSpec = rank;
    }

    public Factorisation kind() { return kind; }
    public int filters() { return filters; }
    /** The resolved ranks (after build). */
    public int[] ranks() { return ranks.clone(); }

    @Override
    public String spec() {
        StringBuilder b = new StringBuilder(kind.id()).append("conv").append(filters).append('k').append(kernel);
        if (stride != 1) b.append('s').append(stride);
        if (padding != 0) b.append('p').append(padding);
        b.append('r');
        if (ranks != null) {
            for (int i = 0; i < ranks.length; i++) b.append(i > 0 ? "x" : "").append(ranks[i]);
        } else {
            b.append(rankSpec instanceof RankSpec.Explicit e ? RankSpec.explicit(e.ranks()).toString().substring(5)
                    : rankSpec instanceof RankSpec.Fraction f ? (f.fraction() == 1.0 ? "same" : Double.toString(f.fraction()))
                    : rankSpec.toString());
        }
        return b.toString();
    }

    @Override protected int outChannels(int inChannels) { return filters; }

    @Override
    protected void setup(Shape in, List<Param> factors, List<Stage> stages) {
        channels = in.channels();
        ranks = kind.resolve(filters, channels, kernel, rankSpec);
        final int h = in.height(), w = in.width(), k = kernel, C = channels, F = filters;
        final int oh = rowsOut(h), ow = (w + 2 * padding - k) / stride + 1;
        final String n = spec();
        switch (kind) {
            case CP -> {
                int R = ranks[0];
                Param b = param(n + ".B", C, R), hh = param(n + ".H", R, k), vv = param(n + ".V", R, k), a = param(n + ".A", F, R);
                p = new Param[] {a, b, hh, vv};
                add(factors, stages, b, new Stage.Pointwise(b, R, C, h * w, true));
                add(factors, stages, hh, new Stage.Depthwise(hh, rowsPass(h, w, R), 1, false));
                add(factors, stages, vv, new Stage.Depthwise(vv, colsPass(oh, w, R), 1, false));
                add(factors, stages, a, new Stage.Pointwise(a, F, R, oh * ow, false));
            }
            case TUCKER2 -> {
                int ro = ranks[0], ri = ranks[1];
                Param uin = param(n + ".U_in", C, ri), g = param(n + ".G", ro, ri, k, k), uout = param(n + ".U_out", F, ro);
                p = new Param[] {uout, uin, g};
                add(factors, stages, uin, new Stage.Pointwise(uin, ri, C, h * w, true));
                add(factors, stages, g, new Stage.Conv(g, fullPass(h, w, ri), ro, 1));
                add(factors, stages, uout, new Stage.Pointwise(uout, F, ro, oh * ow, false));
            }
            case TUCKER -> {
                int r1 = ranks[0], r2 = ranks[1], r3 = ranks[2], r4 = ranks[3];
                Param u2 = param(n + ".U2", C, r2), u3 = param(n + ".U3", r3, k), u4 = param(n + ".U4", r4, k);
                Param g = param(n + ".G", r1, r2, r3, r4), u1 = param(n + ".U1", F, r1);
                p = new Param[] {u1, u2, u3, u4, g};
                add(factors, stages, u2, new Stage.Pointwise(u2, r2, C, h * w, true));
                add(factors, stages, u3, new Stage.Depthwise(u3, rowsPass(h, w, r2), r3, true));
                add(factors, stages, u4, new Stage.Depthwise(u4, colsPass(oh, w, r2 * r3), r4, true));
                add(factors, stages, g, new Stage.Pointwise(g, r1, r2 * r3 * r4, oh * ow, false));
                add(factors, stages, u1, new Stage.Pointwise(u1, F, r1, oh * ow, false));
            }
            case TT -> {
                int r1 = ranks[0], r2 = ranks[1], r3 = ranks[2];
                Param g1 = param(n + ".G1", r1, C), g2 = param(n + ".G2", r2, r1, k), g3 = param(n + ".G3", r3, r2, k);
                Param g4 = param(n + ".G4", F, r3);
                p = new Param[] {g1, g2, g3, g4};
                add(factors, stages, g1, new Stage.Pointwise(g1, r1, C, h * w, false));
                add(factors, stages, g2, new Stage.Conv(g2, rowsPass(h, w, r1), r2, 1));
                add(factors, stages, g3, new Stage.Conv(g3, colsPass(oh, w, r2), r3, 1));
                add(factors, stages, g4, new Stage.Pointwise(g4, F, r3, oh * ow, false));
            }
        }
    }

    private static Param param(String name, int... shape) { return new Param(name, shape, true); }

    private static void add(List<Param> factors, List<Stage> stages, Param p, Stage s) {
        factors.add(p);
        stages.add(s);
    }

    @Override
    public double[] denseKernel() {
        final int F = filters, C = channels, k = kernel;
        double[] w = new double[F * C * k * k];
        switch (kind) {
            case CP -> {
                float[] a = p[0].value(), b = p[1].value(), hh = p[2].value(), vv = p[3].value();
                int R = ranks[0];
                for (int f = 0; f < F; f++) for (int c = 0; c < C; c++) for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) {
                    double s = 0;
                    for (int r = 0; r < R; r++) s += (double) a[f * R + r] * b[c * R + r] * hh[r * k + i] * vv[r * k + j];
                    w[((f * C + c) * k + i) * k + j] = s;
                }
            }
            case TUCKER2 -> {
                float[] uout = p[0].value(), uin = p[1].value(), g = p[2].value();
                int ro = ranks[0], ri = ranks[1];
                for (int f = 0; f < F; f++) for (int c = 0; c < C; c++) for (int q = 0; q < k * k; q++) {
                    double s = 0;
                    for (int a = 0; a < ro; a++) for (int b = 0; b < ri; b++) s += (double) uout[f * ro + a] * uin[c * ri + b] * g[(a * ri + b) * k * k + q];
                    w[(f * C + c) * k * k + q] = s;
                }
            }
            case TUCKER -> {
                float[] u1 = p[0].value(), u2 = p[1].value(), u3 = p[2].value(), u4 = p[3].value(), g = p[4].value();
                int r1 = ranks[0], r2 = ranks[1], r3 = ranks[2], r4 = ranks[3];
                for (int f = 0; f < F; f++) for (int c = 0; c < C; c++) for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) {
                    double s = 0;
                    for (int a = 0; a < r1; a++) for (int b = 0; b < r2; b++) for (int d = 0; d < r3; d++) for (int e = 0; e < r4; e++) {
                        s += (double) u1[f * r1 + a] * u2[c * r2 + b] * u3[d * k + i] * u4[e * k + j] * g[((a * r2 + b) * r3 + d) * r4 + e];
                    }
                    w[((f * C + c) * k + i) * k + j] = s;
                }
            }
            case TT -> {
                float[] g1 = p[0].value(), g2 = p[1].value(), g3 = p[2].value(), g4 = p[3].value();
                int r1 = ranks[0], r2 = ranks[1], r3 = ranks[2];
                for (int f = 0; f < F; f++) for (int c = 0; c < C; c++) for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) {
                    double s = 0;
                    for (int a = 0; a < r1; a++) for (int b = 0; b < r2; b++) for (int d = 0; d < r3; d++) {
                        s += (double) g1[a * C + c] * g2[(b * r1 + a) * k + i] * g3[(d * r2 + b) * k + j] * g4[f * r3 + d];
                    }
                    w[((f * C + c) * k + i) * k + j] = s;
                }
            }
        }
        return w;
    }

    /** Kernel weights of the factors (biases excluded), by {@link Factorisation#weights}. */
    public long kernelWeights() { return kind.weights(filters, channels, kernel, ranks); }

    /**
     * Replaces a built dense conv by a factorised one at the given rank: decomposes its kernel (CP-ALS, HOOI for
     * Tucker-2 and Tucker, TT-SVD) and keeps its bias. The dense layer must have been built (its input shape is
     * given again here because {@link Conv2d} does not expose it).
     */
    public static FactorisedConv2d fromDense(Conv2d dense, Shape input, Factorisation kind, RankSpec rank,
                                             Decompositions.Settings settings) {
        var g = dense.geometry();
        if (g == null) throw new IllegalArgumentException("build the dense conv first");
        if (g.kernelH() != g.kernelW()) throw new IllegalArgumentException("only square kernels");
        int filters = dense.params().get(0).shape()[0];
        FactorisedConv2d f = new FactorisedConv2d(kind, filters, g.kernelH(), g.stride(), g.padding(), rank);
        f.build(input);
        f.load(toDouble(dense.params().get(0).value()), settings);
        System.arraycopy(dense.params().get(1).value(), 0, f.bias().value(), 0, filters);
        return f;
    }

    /** Sets the factors from a dense kernel (F × C × k × k) decomposed at this layer's ranks; returns the relative error. */
    public double load(double[] kernel, Decompositions.Settings settings) {
        final int F = filters, C = channels, k = kernel();
        int[] dims = {F, C, k, k};
        switch (kind) {
            case CP -> {
                var cp = Decompositions.cpAls(kernel, dims, ranks[0], settings);
                copy(cp.factors()[0], p[0]);
                copy(cp.factors()[1], p[1]);
                copy(Decompositions.transpose(cp.factors()[2], k, ranks[0]), p[2]);
                copy(Decompositions.transpose(cp.factors()[3], k, ranks[0]), p[3]);
                return cp.relativeError();
            }
            case TUCKER2 -> {
                var t = Decompositions.tucker(kernel, dims, new int[] {ranks[0], ranks[1], k, k}, new boolean[] {true, true, false, false}, settings);
                copy(t.factors()[0], p[0]);
                copy(t.factors()[1], p[1]);
                copy(t.core(), p[2]);
                return t.relativeError();
            }
            case TUCKER -> {
                var t = Decompositions.tucker(kernel, dims, ranks, new boolean[] {true, true, true, true}, settings);
                copy(t.factors()[0], p[0]);
                copy(t.factors()[1], p[1]);
                copy(Decompositions.transpose(t.factors()[2], k, ranks[2]), p[2]);
                copy(Decompositions.transpose(t.factors()[3], k, ranks[3]), p[3]);
                copy(t.core(), p[4]);
                return t.relativeError();
            }
            case TT -> {
                // Train order (C, kH, kW, F): permute the kernel first.
                double[] perm = new double[kernel.length];
                for (int f = 0; f < F; f++) for (int c = 0; c < C; c++) for (int q = 0; q < k * k; q++) {
                    perm[(c * k * k + q) * F + f] = kernel[(f * C + c) * k * k + q];
                }
                var tt = Decompositions.ttSvd(perm, new int[] {C, k, k, F}, ranks);
                int r1 = ranks[0], r2 = ranks[1], r3 = ranks[2];
                copy(Decompositions.transpose(tt.cores()[0], C, r1), p[0]);
                double[] g2 = new double[r2 * r1 * k], g3 = new double[r3 * r2 * k];
                for (int a = 0; a < r1; a++) for (int i = 0; i < k; i++) for (int b = 0; b < r2; b++) g2[(b * r1 + a) * k + i] = tt.cores()[1][(a * k + i) * r2 + b];
                for (int a = 0; a < r2; a++) for (int i = 0; i < k; i++) for (int b = 0; b < r3; b++) g3[(b * r2 + a) * k + i] = tt.cores()[2][(a * k + i) * r3 + b];
                copy(g2, p[1]);
                copy(g3, p[2]);
                copy(Decompositions.transpose(tt.cores()[3], r3, F), p[3]);
                return tt.relativeError();
            }
        }
        throw new IllegalStateException();
    }
}
