package dev.convexcnn.experiments;

import dev.convexcnn.compress.*;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.io.AtomicFiles;
import dev.convexcnn.io.TensorFile;
import dev.convexcnn.nn.Architecture;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.nn.Initializer;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Linear;
import dev.convexcnn.nn.Pool2d;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import dev.convexcnn.report.LinePlot;
import dev.convexcnn.sgd.EpochRecord;
import dev.convexcnn.sgd.SgdTrainer;
import dev.convexcnn.sgd.TrainSettings;
import dev.convexcnn.sgd.TrainingListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The ablation of block designs: each design sits in the same network, {@code conv16k3p1-relu-maxpool2 - BLOCK -
 * maxpool2 - linear10}, and is trained the same way from several seeds. For each design: the block's parameters,
 * compression ratio, K, R, K/R and complexity (our reading of the paper), the test accuracy (mean, sd and each
 * seed's), the seconds per epoch and their ratio to the dense block's in the same seed's pass. Then the Spearman
 * rank correlations of mean accuracy with the block's parameters, with K/R and with the complexity, and the
 * partial one of K/R given the parameters. Writes accuracy against block parameters and against K/R (PNG), a
 * Markdown table and JSON.
 */
public final class CompressionAblation {
    /** The stem before the block; the block sees its output. */
    public static final String STEM = "conv16k3p1-relu-maxpool2";
    /** Shuffles of the permutation test of each correlation. */
    public static final int PERMUTATIONS = 20_000;

    /**
     * One design over all seeds. secondsPerEpoch: wall clock of the gradient steps; cpuSecondsPerEpoch: CPU time of
     * the training thread over the whole fit, per epoch (with one compute thread it does not count the time other
     * processes take from us). The ratios: mean over seeds of the design's figure over the dense design's in that
     * seed's pass.
     */
    public record Row(String design, String family, long blockParameters, double compressionRatio, int k, int r,
                      double kOverR, double complexity, long networkParameters, double[] accuracies,
                      double meanAccuracy, double sdAccuracy, double secondsPerEpoch, double timeRatio,
                      double cpuSecondsPerEpoch, double cpuRatio) {}

    /** Spearman rho of mean accuracy against a quantity, with its permutation p-value. */
    public record Correlation(String against, double rho, double p) {}

    public record Result(List<Row> rows, List<Correlation> correlations, double partialKrGivenParameters, String markdown) {}

    private CompressionAblation() {}

    static Sequential network(String spelling, Shape input, int classes) {
        List<Layer> layers = new ArrayList<>(Architecture.parse(STEM));
        layers.add(BlockDesign.parse(spelling).layer());
        layers.add(new Pool2d(Pool2d.Kind.MAX, 2, 2));
        layers.add(new Linear(classes));
        return new Sequential(input, layers, classes);
    }

    private static SgdTrainer.Result train(String spelling, Dataset train, Shape input, int epochs, double lr, long seed)
            throws IOException {
        Sequential net = network(spelling, input, train.classes()).initialize(Initializer.UNIFORM_FAN_IN, seed);
        TrainSettings s = TrainSettings.defaults().withArchitecture(STEM + "-[" + spelling + "]-maxpool2-linear"
                + train.classes()).withEpochs(epochs).withLearningRate(lr).withSeed(seed);
        return new SgdTrainer(s).fit(net, train, null, null, false, TrainingListener.NONE);
    }

    public static Result run(Dataset train, Dataset test, List<String> designs, int epochs, double lr, List<Long> seeds,
                             Path outDir, Consumer<String> log) throws IOException {
        if (designs.isEmpty() || seeds.isEmpty()) throw new IllegalArgumentException("need at least one design and one seed");
        Shape input = new Shape(train.height(), train.width(), train.channels());
        String dense = designs.stream().filter(d -> BlockDesign.parse(d).type() == BlockDesign.Type.DENSE).findFirst().orElse(null);
        // Warm-up, not reported: one epoch of every design on 512 samples, so that seconds per epoch compare
        // compiled code and not the JIT's first pass over each kind of layer.
        for (String spelling : designs) train(spelling, train.head(512), input, 1, lr, seeds.get(0));
        Map<String, double[]> acc = new LinkedHashMap<>(), sec = new LinkedHashMap<>(), cpu = new LinkedHashMap<>();
        for (String d : designs) {
            acc.put(d, new double[seeds.size()]);
            sec.put(d, new double[seeds.size()]);
            cpu.put(d, new double[seeds.size()]);
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        // Seeds outside, designs inside: each seed's pass times every design under the same machine load.
        for (int si = 0; si < seeds.size(); si++) {
            long seed = seeds.get(si);
            for (String spelling : designs) {
                long cpu0 = threads.getCurrentThreadCpuTime();
                SgdTrainer.Result r = train(spelling, train, input, epochs, lr, seed);
                cpu.get(spelling)[si] = (threads.getCurrentThreadCpuTime() - cpu0) * 1e-9 / epochs;
                Evaluation e = Evaluation.of(r.net(), test, r.normalization(), 512);
                acc.get(spelling)[si] = e.accuracy();
                sec.get(spelling)[si] = r.log().stream().mapToDouble(EpochRecord::trainSeconds).average().orElse(Double.NaN);
                log.accept(String.format(Locale.ROOT, "seed %d %-26s test %.2f %%, %.2f s/epoch (%.2f CPU s)", seed, spelling,
                        100 * e.accuracy(), sec.get(spelling)[si], cpu.get(spelling)[si]));
            }
        }
        List<Row> rows = new ArrayList<>();
        for (String spelling : designs) {
            BlockDesign design = BlockDesign.parse(spelling);
            Sequential net = network(spelling, input, train.classes());
            Redundancy red = Redundancy.of(design, net.shapes().get(3));
            double[] a = acc.get(spelling), s = sec.get(spelling), c = cpu.get(spelling);
            rows.add(new Row(spelling, design.type().id(), red.parameters(), red.compressionRatio(), red.k(), red.r(),
                    red.kOverR(), red.complexity(), net.parameterCount(), a.clone(), mean(a), sd(a), mean(s),
                    ratioTo(s, dense == null ? null : sec.get(dense)), mean(c), ratioTo(c, dense == null ? null : cpu.get(dense))));
        }
        double[] meanAcc = rows.stream().mapToDouble(Row::meanAccuracy).toArray();
        double[] params = rows.stream().mapToDouble(Row::blockParameters).toArray();
        double[] kr = rows.stream().mapToDouble(Row::kOverR).toArray();
        double[] cx = rows.stream().mapToDouble(Row::complexity).toArray();
        List<Correlation> cors = new ArrayList<>();
        if (rows.size() >= 3) {
            cors.add(new Correlation("block parameters", RankCorrelation.spearman(params, meanAcc),
                    RankCorrelation.permutationP(params, meanAcc, PERMUTATIONS, 1)));
            cors.add(new Correlation("K/R", RankCorrelation.spearman(kr, meanAcc),
                    RankCorrelation.permutationP(kr, meanAcc, PERMUTATIONS, 2)));
            cors.add(new Correlation("complexity", RankCorrelation.spearman(cx, meanAcc),
                    RankCorrelation.permutationP(cx, meanAcc, PERMUTATIONS, 3)));
        }
        double partial = rows.size() >= 4 ? RankCorrelation.partialSpearman(kr, meanAcc, params) : Double.NaN;

        writePlots(rows.stream().map(r -> new PlotPoint(r.family(), r.blockParameters(), r.kOverR(), r.meanAccuracy())).toList(),
                train.name() + " (n = " + train.size() + "), " + epochs + " epochs, mean of " + seeds.size() + " seeds", outDir);

        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "%s, n = %d, test %d; network %s - BLOCK - maxpool2 - linear%d; SGD lr %s, momentum 0.9, batch 128, "
                        + "%d epochs, seeds %s; %d thread(s)%n%n",
                train.name(), train.size(), test.size(), STEM, train.classes(), lr, epochs, seeds,
                dev.convexcnn.linalg.Parallel.threads()));
        md.append("| block | params | compression | K | R | K/R | complexity | net params | test acc. mean ± sd | per seed | s/epoch | × dense | CPU s/epoch | × dense |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|\n");
        JsonArray rj = new JsonArray();
        for (Row r : rows) {
            StringBuilder per = new StringBuilder();
            for (double a : r.accuracies()) per.append(per.length() > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.2f", 100 * a));
            md.append(String.format(Locale.ROOT, "| `%s` | %,d | %.2f | %d | %d | %.2f | %.0f | %,d | %.2f ± %.2f %% | %s | %.2f | %.2f | %.2f | %.2f |%n",
                    r.design(), r.blockParameters(), r.compressionRatio(), r.k(), r.r(), r.kOverR(), r.complexity(),
                    r.networkParameters(), 100 * r.meanAccuracy(), 100 * r.sdAccuracy(), per, r.secondsPerEpoch(), r.timeRatio(),
                    r.cpuSecondsPerEpoch(), r.cpuRatio()));
            JsonObject o = new JsonObject();
            o.addProperty("design", r.design());
            o.addProperty("family", r.family());
            o.addProperty("blockParameters", r.blockParameters());
            o.addProperty("compressionRatio", r.compressionRatio());
            o.addProperty("k", r.k());
            o.addProperty("r", r.r());
            o.addProperty("kOverR", r.kOverR());
            o.addProperty("complexity", r.complexity());
            o.addProperty("networkParameters", r.networkParameters());
            JsonArray accs = new JsonArray();
            for (double a : r.accuracies()) accs.add(a);
            o.add("testAccuracies", accs);
            o.addProperty("meanTestAccuracy", r.meanAccuracy());
            o.addProperty("sdTestAccuracy", r.sdAccuracy());
            o.addProperty("secondsPerEpoch", r.secondsPerEpoch());
            o.addProperty("timeRatioToDense", r.timeRatio());
            o.addProperty("cpuSecondsPerEpoch", r.cpuSecondsPerEpoch());
            o.addProperty("cpuRatioToDense", r.cpuRatio());
            rj.add(o);
        }
        md.append(String.format(Locale.ROOT, "%nSpearman rank correlation of mean test accuracy with each quantity over the %d designs "
                + "(two-sided permutation p-value, %,d shuffles):%n%n| against | rho | p |%n|---|---:|---:|%n", rows.size(), PERMUTATIONS));
        JsonArray cj = new JsonArray();
        for (Correlation c : cors) {
            md.append(String.format(Locale.ROOT, "| %s | %+.3f | %.4f |%n", c.against(), c.rho(), c.p()));
            JsonObject o = new JsonObject();
            o.addProperty("against", c.against());
            o.addProperty("spearman", c.rho());
            o.addProperty("permutationP", c.p());
            cj.add(o);
        }
        md.append(String.format(Locale.ROOT, "%nPartial Spearman of K/R and mean accuracy with block parameters held fixed: %+.3f%n", partial));
        JsonObject json = new JsonObject();
        json.addProperty("dataset", train.name());
        json.addProperty("trainSize", train.size());
        json.addProperty("testSize", test.size());
        json.addProperty("epochs", epochs);
        json.addProperty("learningRate", lr);
        JsonArray sj = new JsonArray();
        for (long s : seeds) sj.add(s);
        json.add("seeds", sj);
        json.addProperty("threads", dev.convexcnn.linalg.Parallel.threads());
        json.add("rows", rj);
        json.add("correlations", cj);
        json.addProperty("partialSpearmanKrGivenParameters", partial);
        AtomicFiles.writeString(outDir.resolve("results.md"), md.toString());
        AtomicFiles.writeString(outDir.resolve("results.json"), TensorFile.toJson(json) + "\n");
        return new Result(rows, cors, partial, md.toString());
    }

    private record PlotPoint(String family, double parameters, double kOverR, double accuracy) {}

    /** Accuracy against block parameters (log x) and against K/R, one marker series per family of designs. */
    private static void writePlots(List<PlotPoint> points, String title, Path outDir) throws IOException {
        LinePlot byParams = new LinePlot(title, "block parameters (log scale)", "mean test accuracy", false).logX().legendOutside();
        LinePlot byKr = new LinePlot(title, "K/R (our reading)", "mean test accuracy", false).legendOutside();
        Map<String, List<PlotPoint>> families = new LinkedHashMap<>();
        for (PlotPoint p : points) families.computeIfAbsent(p.family(), f -> new ArrayList<>()).add(p);
        for (var f : families.entrySet()) {
            double[] y = f.getValue().stream().mapToDouble(PlotPoint::accuracy).toArray();
            byParams.scatter(f.getKey(), f.getValue().stream().mapToDouble(PlotPoint::parameters).toArray(), y);
            byKr.scatter(f.getKey(), f.getValue().stream().mapToDouble(PlotPoint::kOverR).toArray(), y);
        }
        byParams.write(outDir.resolve("accuracy-vs-parameters.png"));
        byKr.write(outDir.resolve("accuracy-vs-kr.png"));
    }

    /** Redraws the two plots of a finished run from its results.json. */
    public static void replot(Path outDir) throws IOException {
        JsonObject j = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(outDir.resolve("results.json"))).getAsJsonObject();
        List<PlotPoint> pts = new ArrayList<>();
        for (var e : j.getAsJsonArray("rows")) {
            JsonObject o = e.getAsJsonObject();
            pts.add(new PlotPoint(o.get("family").getAsString(), o.get("blockParameters").getAsDouble(),
                    o.get("kOverR").getAsDouble(), o.get("meanTestAccuracy").getAsDouble()));
        }
        writePlots(pts, j.get("dataset").getAsString() + " (n = " + j.get("trainSize").getAsInt() + "), " + j.get("epochs").getAsInt()
                + " epochs, mean of " + j.getAsJsonArray("seeds").size() + " seeds", outDir);
    }

    private static double ratioTo(double[] v, double[] ref) {
        if (ref == null) return Double.NaN;
        double s = 0;
        for (int i = 0; i < v.length; i++) s += v[i] / ref[i] / v.length;
        return s;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    private static double sd(double[] v) {
        if (v.length < 2) return 0;
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.length - 1));
    }
}
