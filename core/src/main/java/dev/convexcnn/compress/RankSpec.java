package dev.convexcnn.compress;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a rank is asked for, in the usual spellings:
 * <ul>
 *   <li>explicit: {@code 8}, {@code rank=8} (every rank slot 8), or {@code rank=4x8} (one number per slot, e.g.
 *       Tucker-2's R_out × R_in);</li>
 *   <li>a fraction of the dense parameters: {@code r=0.25}, {@code 0.25} or {@code 25%}: the largest rank whose
 *       weights are at most that fraction of the dense layer's (or block's) weights;</li>
 *   <li>{@code same}: the fraction 1, as many weights as the dense layer at most;</li>
 *   <li>{@code kr=4}: for block designs, R = round(K / 4), the K/R ratio asked for directly.</li>
 * </ul>
 */
public sealed interface RankSpec {
    record Explicit(int[] ranks) implements RankSpec {
        public Explicit {
            if (ranks.length == 0) throw new IllegalArgumentException("an explicit rank needs a number");
            for (int r : ranks) if (r <= 0) throw new IllegalArgumentException("ranks must be positive, got " + r);
            ranks = ranks.clone();
        }
        @Override public int[] ranks() { return ranks.clone(); }
        @Override public String toString() {
            StringBuilder b = new StringBuilder("rank=");
            for (int i = 0; i < ranks.length; i++) b.append(i > 0 ? "x" : "").append(ranks[i]);
            return b.toString();
        }
        @Override public boolean equals(Object o) { return o instanceof Explicit e && Arrays.equals(ranks, e.ranks); }
        @Override public int hashCode() { return Arrays.hashCode(ranks); }
    }

    record Fraction(double fraction) implements RankSpec {
        public Fraction {
            if (!(fraction > 0) || fraction > 1e6) throw new IllegalArgumentException("a parameter fraction must be > 0, got " + fraction);
        }
        @Override public String toString() { return fraction == 1.0 ? "same" : "r=" + fraction; }
    }

    record KOverR(double ratio) implements RankSpec {
        public KOverR {
            if (!(ratio > 0)) throw new IllegalArgumentException("K/R must be > 0, got " + ratio);
        }
        @Override public String toString() { return "kr=" + ratio; }
    }

    static RankSpec explicit(int... ranks) { return new Explicit(ranks); }
    static RankSpec fraction(double f) { return new Fraction(f); }
    static RankSpec same() { return new Fraction(1.0); }

    /** Parses one spelling (see the interface comment). */
    static RankSpec parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("same")) return same();
            if (t.startsWith("rank=")) return new Explicit(parseInts(t.substring(5)));
            if (t.startsWith("r=")) return parseFraction(t.substring(2));
            if (t.startsWith("kr=")) return new KOverR(Double.parseDouble(t.substring(3)));
            if (t.endsWith("%") || t.contains(".")) return parseFraction(t);
            return new Explicit(parseInts(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cannot read the rank '" + s
                    + "': use rank=8, rank=4x8, r=0.25, 25%, kr=4 or same");
        }
    }

    private static RankSpec parseFraction(String t) {
        if (t.endsWith("%")) return new Fraction(Double.parseDouble(t.substring(0, t.length() - 1)) / 100);
        return new Fraction(Double.parseDouble(t));
    }

    private static int[] parseInts(String t) {
        String[] parts = t.split("x");
        int[] r = new int[parts.length];
        for (int i = 0; i < parts.length; i++) r[i] = Integer.parseInt(parts[i].trim());
        return r;
    }
}
