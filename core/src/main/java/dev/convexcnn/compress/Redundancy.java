package dev.convexcnn.compress;

import dev.convexcnn.nn.Conv2d;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Shape;
import java.util.Locale;

/**
 * The redundancy report of one block (or conv layer) on an input shape, in our reading of Huang, Si, Zheng and
 * Li (arXiv 2112.04857; the body of the paper could not be read, see docs/compression.md):
 * <ul>
 *   <li>{@code parameters}: all weights and biases of the block; {@code compressionRatio}: the reference
 *       design's parameters over these;</li>
 *   <li>{@code k}: the block's output channels K; {@code width}: w, the number of channels entering the block's
 *       last linear map onto the K outputs; {@code r} = min(K, w), the rank of the output-channel mode of the
 *       block's kernel with linear activations; {@code kOverR} = K/R;</li>
 *   <li>{@code positions}: P, the output positions a linear layer after the block sees (height × width);</li>
 *   <li>{@code complexity}: the dimension that drives the sample complexity once the block and a linear output
 *       layer B (P × K) are written as one tensor 𝒲 = 𝒜 ×₄ B: the block's weights before its last map, plus the
 *       dimension of a P × w matrix of rank ≤ R' (R' = min(R, P)): before + R'(P + w − R'). K does not appear:
 *       the last map is absorbed into B. For a Tucker kernel this is R1R2R3R4 + l1R1 + l2R2 + C R3 + P R4.</li>
 * </ul>
 */
public record Redundancy(String design, Shape input, long parameters, long referenceParameters, double compressionRatio,
                         int k, int width, int r, double kOverR, int positions, long weightsBeforeOutputMap,
                         double complexity) {

    /** The report of a design on an input shape (builds the block to count its parameters). */
    public static Redundancy of(BlockDesign design, Shape input) {
        BlockLayer layer = design.layer();
        Shape out = layer.build(input);
        return of(design.toString(), layer.plan(), layer.parameterCount(), out);
    }

    /** The report of a built layer: a {@link BlockLayer}, a {@link FactorisedConv2d} or a dense {@link Conv2d}. */
    public static Redundancy of(Layer built, Shape input) {
        if (built instanceof BlockLayer b) return of(b.spec(), b.plan(), b.parameterCount(), b.plan() == null ? null : outputOf(b, input));
        if (built instanceof FactorisedConv2d f) {
            Factorisation kind = f.kind();
            int K = f.filters(), C = input.channels(), k = f.kernel();
            int[] r = f.ranks();
            Shape out = f.outputShape();
            long dense = (long) K * C * k * k + K;
            return make(f.spec(), input, f.parameterCount(), dense, K, kind.outputWidth(r),
                    out.height() * out.width(), kind.weightsBeforeOutputMap(K, C, k, r));
        }
        if (built instanceof Conv2d c) {
            var g = c.geometry();
            int K = c.params().get(0).shape()[0];
            long params = c.params().get(0).size() + c.params().get(1).size();
            return make(c.spec(), input, params, params, K, g.patchSize(), g.patches(), 0);
        }
        throw new IllegalArgumentException("no redundancy report for layer '" + built.spec() + "'");
    }

    private static Shape outputOf(BlockLayer b, Shape input) {
        BlockLayer copy = b.design().layer();
        return copy.build(input);
    }

    private static Redundancy of(String name, BlockDesign.Plan p, long params, Shape out) {
        return make(name, p.input(), params, p.referenceParameters(), p.k(), p.width(), out.height() * out.width(),
                p.weightsBeforeOutputMap());
    }

    static Redundancy make(String name, Shape input, long params, long refParams, int k, int width, int positions, long before) {
        int r = Math.min(k, width);
        return new Redundancy(name, input, params, refParams, (double) refParams / params, k, width, r, (double) k / r,
                positions, before, complexity(before, width, r, positions));
    }

    /** before + R'(P + w − R') with R' = min(R, P): see the class comment. */
    public static double complexity(long before, int width, int r, int positions) {
        long rr = Math.min(r, positions);
        return before + rr * ((double) positions + width - rr);
    }

    /** One line per field, for the CLI. */
    public String describe() {
        return String.format(Locale.ROOT,
                "design             %s%ninput              %s%nparameters         %d%nreference params   %d%n"
                        + "compression ratio  %.3f%nK (out channels)   %d%nwidth into output  %d%nR = min(K, width)  %d%n"
                        + "K/R                %.3f   (our reading: the paper's definitions could not be read)%n"
                        + "positions P        %d%ncomplexity         %.0f   (our reading of the paper)%n",
                design, input, parameters, referenceParameters, compressionRatio, k, width, r, kOverR, positions, complexity);
    }
}
