package dev.convexcnn.compress;

import dev.convexcnn.nn.Architecture;
import dev.convexcnn.nn.Layer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The architecture tokens of this package's layers, registered as an {@link Architecture.TokenParser} service so
 * that architecture strings and model files can hold them:
 * <ul>
 *   <li>{@code <kind>conv<F>k<k>[s<S>][p<P>]r<rank>} with kind cp, tucker2, tucker or tt: a {@link FactorisedConv2d};
 *       rank as in {@link RankSpec} without "rank=": {@code r8}, {@code r8x4}, {@code r0.25}, {@code r25%},
 *       {@code rsame};</li>
 *   <li>{@code dwconv[m<M>]k<k>[s<S>][p<P>]}: a {@link DepthwiseConv2d} with multiplier M (1);</li>
 *   <li>{@code gconv<F>g<G>k<k>[s<S>][p<P>]}: a {@link GroupedConv2d}.</li>
 * </ul>
 * Blocks ({@link BlockLayer}) have no token: their sublayers' parameters would share tensor names in a model file.
 */
public final class LayerTokens implements Architecture.TokenParser {
    private static final Pattern FACTORISED = Pattern.compile("(cp|tucker2|tucker|tt)conv(\\d+)k(\\d+)(?:s(\\d+))?(?:p(\\d+))?(?:r(.+))?");
    private static final Pattern DEPTHWISE = Pattern.compile("dwconv(?:m(\\d+))?k(\\d+)(?:s(\\d+))?(?:p(\\d+))?");
    private static final Pattern GROUPED = Pattern.compile("gconv(\\d+)g(\\d+)k(\\d+)(?:s(\\d+))?(?:p(\\d+))?");

    @Override
    public Layer parse(String token) {
        Matcher m;
        try {
            if ((m = FACTORISED.matcher(token)).matches()) {
                if (m.group(6) == null) {
                    throw new IllegalArgumentException("a factorised conv needs a rank: r8, r8x4, r0.25, r25% or rsame");
                }
                String r = m.group(6);
                RankSpec rank = RankSpec.parse(r.matches("[0-9x]+") ? "rank=" + r : r);
                if (rank instanceof RankSpec.KOverR) throw new IllegalArgumentException("kr= is for block designs, not layers");
                return new FactorisedConv2d(Factorisation.parse(m.group(1)), Integer.parseInt(m.group(2)),
                        Integer.parseInt(m.group(3)), orDefault(m.group(4), 1), orDefault(m.group(5), 0), rank);
            }
            if ((m = DEPTHWISE.matcher(token)).matches()) {
                return new DepthwiseConv2d(orDefault(m.group(1), 1), Integer.parseInt(m.group(2)), orDefault(m.group(3), 1),
                        orDefault(m.group(4), 0));
            }
            if ((m = GROUPED.matcher(token)).matches()) {
                return new GroupedConv2d(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                        orDefault(m.group(4), 1), orDefault(m.group(5), 0));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("number too large");
        }
        return null;
    }

    @Override
    public String forms() {
        return "cpconvFkK[sS][pP]rRANK (also tucker2conv, tuckerconv, ttconv), dwconv[mM]kK[sS][pP], gconvFgGkK[sS][pP]";
    }

    private static int orDefault(String g, int d) { return g == null ? d : Integer.parseInt(g); }
}
