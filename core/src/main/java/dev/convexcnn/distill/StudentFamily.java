package dev.convexcnn.distill;

import dev.convexcnn.nn.Shape;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kind of student and its depth, with two widths.
 * <ul>
 *   <li>{@code conv<c>}: c blocks {@code conv<w>k3p1-relu-maxpool2}, then a rank-h linear read-out
 *       {@code linear<h>-linear<classes>} with no ReLU between (so {@code conv0} is a linear classifier). Without
 *       the ReLU the narrow layer cannot die: at small budgets h is ~10, and a ReLU layer that narrow often collapsed
 *       in our trials (a conv2 student at 10k parameters at 9 % on MNIST).
 *   <li>{@code mlp<d>}: d ReLU hidden layers, the first d−1 of w units and the last of h, then the output.
 * </ul>
 * The parameter count is linear in h for a fixed w, which is what {@link BudgetSizer} uses.
 */
public record StudentFamily(Kind kind, int depth) {
    public enum Kind { CONV, MLP }

    private static final Pattern ID = Pattern.compile("(conv|mlp)(\\d+)");

    public StudentFamily {
        if (kind == Kind.CONV && (depth < 0 || depth > 8)) throw new IllegalArgumentException("conv students have 0 to 8 conv layers, got " + depth);
        if (kind == Kind.MLP && (depth < 1 || depth > 16)) throw new IllegalArgumentException("mlp students have 1 to 16 hidden layers, got " + depth);
    }

    public static StudentFamily parse(String s) {
        Matcher m = ID.matcher(s.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) throw new IllegalArgumentException("unknown student '" + s + "': use conv<layers> or mlp<layers>");
        return new StudentFamily(m.group(1).equals("conv") ? Kind.CONV : Kind.MLP, Integer.parseInt(m.group(2)));
    }

    public String id() { return (kind == Kind.CONV ? "conv" : "mlp") + depth; }

    /** The students named by --conv-layers and --mlp-layers values: each "a..b", "a,b,c" or "none". */
    public static java.util.List<StudentFamily> of(String convLayers, String mlpLayers) {
        java.util.List<StudentFamily> out = new java.util.ArrayList<>();
        for (int c : layerCounts("--conv-layers", convLayers)) out.add(new StudentFamily(Kind.CONV, c));
        for (int m : layerCounts("--mlp-layers", mlpLayers)) out.add(new StudentFamily(Kind.MLP, m));
        return out;
    }

    /** "a..b", "a,b,c", or "none". */
    static java.util.List<Integer> layerCounts(String flag, String v) {
        java.util.List<Integer> r = new java.util.ArrayList<>();
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.equals("none") || s.isEmpty()) return r;
        try {
            if (s.contains("..")) {
                String[] p = s.split("\\.\\.", -1);
                int a = Integer.parseInt(p[0].trim()), b = Integer.parseInt(p[1].trim());
                if (b < a) throw new IllegalArgumentException(flag + " range '" + v + "' is empty");
                for (int i = a; i <= b; i++) r.add(i);
            } else {
                for (String t : s.split(",")) r.add(Integer.parseInt(t.trim()));
            }
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(flag + " must be a range like 1..5, a list like 1,3 or none, got '" + v + "'");
        }
        return r;
    }

    /** Whether the main width w appears in the net at all (not for conv0 and mlp1). */
    public boolean usesMainWidth() { return kind == Kind.CONV ? depth > 0 : depth > 1; }

    public String architecture(int w, int h, int classes) {
        if (w <= 0 || h <= 0) throw new IllegalArgumentException("widths must be > 0, got " + w + " and " + h);
        StringBuilder b = new StringBuilder();
        if (kind == Kind.CONV) {
            for (int i = 0; i < depth; i++) b.append("conv").append(w).append("k3p1-relu-maxpool2-");
        } else {
            for (int i = 0; i < depth - 1; i++) b.append("linear").append(w).append("-relu-");
        }
        b.append("linear").append(h).append(kind == Kind.CONV ? "-linear" : "-relu-linear");
        return b.append(classes).toString();
    }

    /** The parameter count of {@link #architecture}, in closed form (tests compare it with the built net). */
    public long parameters(Shape in, int w, int h, int classes) {
        long p = 0, features;
        if (kind == Kind.CONV) {
            long rows = in.height(), cols = in.width(), channels = in.channels();
            for (int i = 0; i < depth; i++) {
                p += (channels * 9 + 1) * (long) w;
                channels = w;
                rows /= 2;
                cols /= 2;
                if (rows == 0 || cols == 0) {
                    throw new IllegalArgumentException(id() + " pools a " + in + " input away to nothing: use fewer conv layers");
                }
            }
            features = rows * cols * channels;
        } else {
            features = in.size();
            for (int i = 0; i < depth - 1; i++) {
                p += (features + 1) * w;
                features = w;
            }
        }
        return p + (features + 1) * h + (h + 1L) * classes;
    }

    @Override public String toString() { return id(); }
}
