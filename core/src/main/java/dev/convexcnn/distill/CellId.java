package dev.convexcnn.distill;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One cell of the study: a student family at a parameter budget, trained on the teacher's logits or on labels. */
public record CellId(StudentFamily family, long budget, Target target) {
    public enum Target {
        /** Regression on the teacher's logits (L2), or KL at a temperature when the settings ask for it. */
        MIMIC,
        /** Cross-entropy on the true labels, no teacher. */
        LABELS;

        public String id() { return name().toLowerCase(Locale.ROOT); }
    }

    private static final Pattern ID = Pattern.compile("([a-z]+\\d+)-b(\\d+)-(mimic|labels)");

    public CellId {
        if (budget <= 0) throw new IllegalArgumentException("a parameter budget must be > 0, got " + budget);
    }

    /** A file-name-safe id such as {@code conv2-b30000-mimic}. */
    public String id() { return family.id() + "-b" + budget + "-" + target.id(); }

    public static CellId parse(String s) {
        Matcher m = ID.matcher(s);
        if (!m.matches()) throw new IllegalArgumentException("not a cell id: '" + s + "' (expected e.g. conv2-b30000-mimic)");
        return new CellId(StudentFamily.parse(m.group(1)), Long.parseLong(m.group(2)), Target.valueOf(m.group(3).toUpperCase(Locale.ROOT)));
    }

    /**
     * The cell's own seed, from the study seed and the family and budget only: it does not depend on which other
     * cells run or in what order, and the mimic and label cells of a student draw the same search candidates.
     */
    public long seed(long studySeed) {
        java.util.zip.CRC32 c = new java.util.zip.CRC32();
        c.update((family.id() + "-b" + budget).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new java.util.SplittableRandom(studySeed ^ (c.getValue() << 20)).nextLong();
    }

    @Override public String toString() { return id(); }
}
