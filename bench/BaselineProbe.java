import dev.convexcnn.convex.ConvexSettings;
import dev.convexcnn.convex.ConvexTrainer;
import dev.convexcnn.convex.Loss;
import dev.convexcnn.convex.NonConvexReluCnn;
import dev.convexcnn.convex.PatchGeometry;
import dev.convexcnn.convex.PatchPatterns;
import dev.convexcnn.data.DataCache;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Datasets;
import java.util.List;
import java.util.Locale;

/**
 * A cheap look at the SGD/Adam baselines of `experiment convex-vs-sgd` without the exact program: the same β
 * (a fraction 0.01 of λ_max, 5×5 patches stride 3, 32 patterns, squared loss, seed 1), the same network, seeds and
 * batch, with the width given by hand (the recovered network's, rounded up per class). Used to find the learning
 * rates that train before paying for the convex solve (docs/convex.md).
 *
 * java --add-modules=jdk.incubator.vector -cp cli/target/convexcnn.jar bench/BaselineProbe.java DATASET N PER_CLASS EPOCHS opt:lr:start ... [md=FILE]
 * e.g. ... mnist 200 64 60 sgd:0.0003:plain sgd:0.01:balanced adam:0.003:plain
 * With md=FILE it also writes the final objectives as a Markdown table (one row per optimiser and start, each rate's
 * range over the 3 starts), the results file docs/convex.md's probe table is generated from.
 */
public class BaselineProbe {
    public static void main(String[] a) throws Exception {
        String dataset = a[0];
        String md = a[a.length - 1].startsWith("md=") ? a[a.length - 1].substring(3) : null;
        int last = md == null ? a.length : a.length - 1;
        java.util.Map<String, StringBuilder> rows = new java.util.LinkedHashMap<>();
        int n = Integer.parseInt(a[1]), perClass = Integer.parseInt(a[2]), epochs = Integer.parseInt(a[3]);
        Dataset train = Datasets.load(dataset, true, DataCache.resolve(null), true, System.err::println).head(n);
        // One R-FISTA step of the gated program: only its β (from λ_max) and the patch geometry are used.
        ConvexSettings s = new ConvexSettings("gated-relu", 5, 3, true, 32, 0.01, 0, Loss.SQUARED, 1e-6, 1, 1);
        ConvexTrainer.Run run = new ConvexTrainer(s).fit(train, null);
        PatchGeometry geom = run.geometry();
        double[] z = PatchPatterns.patchMatrix(train, run.normalization(), geom);
        System.out.printf(Locale.ROOT, "%s n = %d, β = %.5g, %d neurons, %d epochs; final objective (after epoch 10) per start%n",
                dataset, n, run.lambda(), perClass * train.classes(), epochs);
        for (int i = 4; i < last; i++) {
            String[] p = a[i].split(":");
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-26s", a[i]));
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            int bad = 0;
            for (int r = 1; r <= 3; r++) {
                long seed = 1000 + r;
                NonConvexReluCnn net = new NonConvexReluCnn(train.classes(), perClass, geom.patchSize(), geom.patches(), seed);
                if (p[2].equals("balanced")) net.balance();
                List<NonConvexReluCnn.Point> c = net.train(z, train.labels(), n, Loss.SQUARED, run.lambda(), p[0],
                        Double.parseDouble(p[1]), epochs, 16, seed);
                double f = c.get(c.size() - 1).objective();
                line.append(String.format(Locale.ROOT, "  %.6f (%.4g)", f, c.get(Math.min(10, c.size() - 1)).objective()));
                if (Double.isFinite(f)) {
                    lo = Math.min(lo, f);
                    hi = Math.max(hi, f);
                } else {
                    bad++;
                }
            }
            System.out.println(line);
            String key = (p[0].equals("sgd") ? "SGD" : "Adam") + ", " + p[2];
            String cell = new java.math.BigDecimal(p[1]).stripTrailingZeros().toPlainString() + ": "
                    + (bad == 3 ? "NaN ×3" : String.format(Locale.ROOT, "%.3g–%.3g", lo, hi) + (bad > 0 ? ", NaN ×" + bad : ""));
            StringBuilder row = rows.computeIfAbsent(key, k -> new StringBuilder());
            row.append(row.length() == 0 ? "" : "; ").append(cell);
        }
        if (md != null) {
            StringBuilder t = new StringBuilder(String.format(Locale.ROOT, "%s, n = %d, β = %.5g, %d neurons, %d epochs, batch 16, "
                    + "starts 1001–1003; final objective per learning rate (range over the 3 starts); `bench/BaselineProbe.java %s`%n%n",
                    dataset, n, run.lambda(), perClass * train.classes(), epochs, String.join(" ", java.util.Arrays.copyOf(a, last))));
            t.append("| optimiser, start | lr: final objective (3 starts) |\n|---|---|\n");
            rows.forEach((k, v) -> t.append("| ").append(k).append(" | ").append(v).append(" |\n"));
            java.nio.file.Path out = java.nio.file.Path.of(md);
            if (out.toAbsolutePath().getParent() != null) java.nio.file.Files.createDirectories(out.toAbsolutePath().getParent());
            java.nio.file.Files.writeString(out, t.toString());
            System.out.println("written: " + out);
        }
    }
}
