package dev.convexcnn.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The comparison table: one row per method over its seeds. */
public final class Summary {
    private Summary() {}

    /**
     * @param accuracyStd   the sample standard deviation over seeds (NaN for one seed)
     * @param certificate   e.g. "2/2 reached, ≤ 9.1e-07" or "—" without a certificate
     * @param trainSamples  the training set's size (the largest over the seeds)
     */
    public record Row(String method, int runs, double accuracyMean, double accuracyStd, double secondsMean,
                      long peakHeapBytes, long parameters, String certificate, String backend, int trainSamples) {}

    public static List<Row> of(List<RunRecord> runs) {
        Map<String, List<RunRecord>> byMethod = new LinkedHashMap<>();
        for (RunRecord r : runs) byMethod.computeIfAbsent(r.method(), k -> new ArrayList<>()).add(r);
        List<Row> rows = new ArrayList<>();
        for (var e : byMethod.entrySet()) {
            List<RunRecord> rs = e.getValue();
            double[] acc = rs.stream().mapToDouble(RunRecord::testAccuracy).toArray();
            double mean = mean(acc);
            double std = Double.NaN;
            if (acc.length > 1) {
                double ss = 0;
                for (double a : acc) ss += (a - mean) * (a - mean);
                std = Math.sqrt(ss / (acc.length - 1));
            }
            rows.add(new Row(e.getKey(), rs.size(), mean, std, mean(rs.stream().mapToDouble(RunRecord::trainSeconds).toArray()),
                    rs.stream().mapToLong(RunRecord::peakHeapBytes).max().orElse(-1), rs.get(0).parameters(), certificate(rs),
                    String.join("/", rs.stream().map(RunRecord::backend).distinct().toList()),
                    rs.stream().mapToInt(RunRecord::trainSamples).max().orElse(0)));
        }
        return rows;
    }

    private static String certificate(List<RunRecord> rs) {
        if (rs.get(0).certificateName() == null) return "—";
        double worst = rs.stream().mapToDouble(RunRecord::certificate).max().orElse(Double.NaN);
        long reached = rs.stream().filter(r -> Boolean.TRUE.equals(r.certified())).count();
        boolean judged = rs.stream().allMatch(r -> r.certified() != null);
        String name = rs.get(0).certificateName();
        return judged ? String.format(Locale.ROOT, "%s ≤ %.2g (%d/%d at tolerance)", name, worst, reached, rs.size())
                : String.format(Locale.ROOT, "%s ≤ %.3g", name, worst);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    static String accuracy(Row r) {
        return Double.isNaN(r.accuracyStd) ? String.format(Locale.ROOT, "%.2f %%", 100 * r.accuracyMean)
                : String.format(Locale.ROOT, "%.2f ± %.2f %%", 100 * r.accuracyMean, 100 * r.accuracyStd);
    }

    static String mebibytes(long bytes) {
        return bytes < 0 ? "?" : String.format(Locale.ROOT, "%,d MiB", bytes >> 20);
    }

    /** A Markdown table. */
    public static String markdown(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("| method | runs | training images | test accuracy | train time | peak heap | parameters | certificate | backend |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %,d | %s | %.1f s | %s | %,d | %s | %s |%n", r.method, r.runs,
                    r.trainSamples, accuracy(r), r.secondsMean, mebibytes(r.peakHeapBytes), r.parameters, r.certificate, r.backend));
        }
        return b.toString();
    }

    /** A plain-text table for the terminal. */
    public static String text(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-12s %4s %18s %10s %10s %11s  %s%n", "method", "runs", "test accuracy", "train", "peak heap",
                "parameters", "certificate"));
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "%-12s %4d %18s %9.1fs %10s %,11d  %s%n", r.method, r.runs, accuracy(r), r.secondsMean,
                    mebibytes(r.peakHeapBytes), r.parameters, r.certificate));
        }
        return b.toString();
    }
}
