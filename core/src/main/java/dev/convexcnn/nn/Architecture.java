package dev.convexcnn.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses architecture strings: layer tokens joined by '-', for example
 * {@code conv16k5-relu-maxpool2-conv32k5-relu-maxpool2-linear10}.
 * <ul>
 *   <li>{@code conv<F>k<K>[s<S>][p<P>]}: F filters of K×K, stride S (1), zero padding P (0)</li>
 *   <li>{@code relu}, {@code flatten}</li>
 *   <li>{@code maxpool<K>[s<S>]}, {@code avgpool<K>[s<S>]}: K×K windows, stride S (K)</li>
 *   <li>{@code linear<N>} (or {@code fc<N>}): N outputs</li>
 * </ul>
 * Named presets stand for whole strings; {@code reference} is the benchmark net of the project. Method packages
 * add layer tokens through a {@link TokenParser} service (META-INF/services), so that this shared package
 * never imports them and model files can still name their layers.
 */
public final class Architecture {
    public static final Map<String, String> PRESETS = Map.of(
            "reference", "conv16k5-relu-maxpool2-conv32k5-relu-maxpool2-linear10",
            "lenet5", "conv6k5p2-relu-maxpool2-conv16k5-relu-maxpool2-linear120-relu-linear84-relu-linear10",
            "mlp", "linear256-relu-linear10",
            "linear", "linear10");

    private static final Pattern CONV = Pattern.compile("conv(\\d+)k(\\d+)(?:s(\\d+))?(?:p(\\d+))?");
    private static final Pattern POOL = Pattern.compile("(max|avg)pool(\\d+)(?:s(\\d+))?");
    private static final Pattern LINEAR = Pattern.compile("(?:linear|fc)(\\d+)");

    private Architecture() {}

    /** Layer tokens defined outside this package, found with {@link ServiceLoader}. */
    public interface TokenParser {
        /** The (unbuilt) layer for a token, or null when the token is not one of this parser's. */
        Layer parse(String token);

        /** The token forms, for error messages, e.g. {@code cpFkK[sS][pP]rR}. */
        String forms();
    }

    private static final class Extensions {
        static final List<TokenParser> ALL = ServiceLoader.load(TokenParser.class, Architecture.class.getClassLoader())
                .stream().map(ServiceLoader.Provider::get).toList();
    }

    /** Expands a preset name, or returns the string unchanged. */
    public static String expand(String specOrPreset) {
        String s = specOrPreset.trim().toLowerCase(Locale.ROOT);
        return PRESETS.getOrDefault(s, s);
    }

    /** The layers of a spec or preset (not yet built). */
    /**
     * The spec (or preset) with its last layer sized for the given number of classes: "…-linear10" becomes
     * "…-linear3" for three classes. A spec that does not end in a linear layer is returned expanded, unchanged.
     */
    public static String withOutputs(String specOrPreset, int classes) {
        String s = expand(specOrPreset);
        int at = s.lastIndexOf('-');
        String last = s.substring(at + 1);
        if (classes <= 0 || !last.matches("linear\\d+")) return s;
        return s.substring(0, at + 1) + "linear" + classes;
    }

    public static List<Layer> parse(String specOrPreset) {
        String spec = expand(specOrPreset);
        if (spec.isEmpty()) throw new IllegalArgumentException("architecture is empty");
        List<Layer> layers = new ArrayList<>();
        for (String token : spec.split("-")) {
            layers.add(parseToken(token.trim(), spec));
        }
        return layers;
    }

    private static Layer parseToken(String t, String spec) {
        Matcher m;
        try {
            if ((m = CONV.matcher(t)).matches()) {
                return new Conv2d(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                        m.group(3) == null ? 1 : Integer.parseInt(m.group(3)),
                        m.group(4) == null ? 0 : Integer.parseInt(m.group(4)));
            }
            if ((m = POOL.matcher(t)).matches()) {
                int k = Integer.parseInt(m.group(2));
                return new Pool2d(m.group(1).equals("max") ? Pool2d.Kind.MAX : Pool2d.Kind.AVG, k,
                        m.group(3) == null ? k : Integer.parseInt(m.group(3)));
            }
            if ((m = LINEAR.matcher(t)).matches()) return new Linear(Integer.parseInt(m.group(1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("number too large in layer '" + t + "' of architecture '" + spec + "'");
        }
        if (t.equals("relu")) return new Relu();
        if (t.equals("flatten")) return new Flatten();
        StringBuilder forms = new StringBuilder();
        for (TokenParser p : Extensions.ALL) {
            Layer l;
            try {
                l = p.parse(t);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad layer '" + t + "' in architecture '" + spec + "': " + e.getMessage(), e);
            }
            if (l != null) return l;
            forms.append(", ").append(p.forms());
        }
        throw new IllegalArgumentException("unknown layer '" + t + "' in architecture '" + spec
                + "' (expected convFkK[sS][pP], relu, maxpoolK, avgpoolK, flatten, linearN" + forms + ", or a preset: "
                + String.join(", ", PRESETS.keySet().stream().sorted().toList()) + ")");
    }
}
