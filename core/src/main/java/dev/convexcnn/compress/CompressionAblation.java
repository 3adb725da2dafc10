package dev.convexcnn.compress;

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
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The ablation of block designs: each design sits in the same network, {@code conv16k3p1-relu-maxpool2 - BLOCK -
 * maxpool2 - linear10}, and is trained the same way. For each: the block's parameters, compression ratio, K/R and
 * complexity (our reading of the paper), the test accuracy and the seconds per epoch. Writes accuracy against
 * block parameters and against K/R (PNG), a Markdown table and JSON.
 */
public final class CompressionAblation {
    /** The stem before the block; the block sees its output. */
    public static final String STEM = "conv16k3p1-relu-maxpool2";

    public record Row(String design, long blockParameters, double compressionRatio, double kOverR, double complexity,
                      long networkParameters, double testAccuracy, double secondsPerEpoch) {}

    private CompressionAblation() {}

    private static SgdTrainer.Result train(String spelling, Dataset train, Shape input, int epochs, double lr, long seed)
            throws IOException {
        List<Layer> layers = new ArrayList<>(Architecture.parse(STEM));
        layers.add(BlockDesign.parse(spelling).layer());
        layers.add(new Pool2d(Pool2d.Kind.MAX, 2, 2));
        layers.add(new Linear(train.classes()));
        Sequential net = new Sequential(input, layers, train.classes()).initialize(Initializer.UNIFORM_FAN_IN, seed);
        TrainSettings s = TrainSettings.defaults().withArchitecture(STEM + "-[" + spelling + "]-maxpool2-linear"
                + train.classes()).withEpochs(epochs).withLearningRate(lr).withSeed(seed);
        return new SgdTrainer(s).fit(net, train, null, null, false, TrainingListener.NONE);
    }

    public static List<Row> run(Dataset train, Dataset test, List<String> designs, int epochs, double lr, long seed,
                                Path outDir, Consumer<String> log) throws IOException {
        Shape input = new Shape(train.height(), train.width(), train.channels());
        List<Row> rows = new ArrayList<>();
        // Warm-up, not reported: one epoch of every design on 512 samples, so that seconds per epoch compare
        // compiled code and not the JIT's first pass over each kind of layer.
        for (String spelling : designs) train(spelling, train.head(512), input, 1, lr, seed);
        for (String spelling : designs) {
            BlockDesign design = BlockDesign.parse(spelling);
            SgdTrainer.Result r = train(spelling, train, input, epochs, lr, seed);
            Sequential net = r.net();
            Redundancy red = Redundancy.of(design, net.shapes().get(3));
            Evaluation e = Evaluation.of(r.net(), test, r.normalization(), 512);
            double perEpoch = r.log().stream().mapToDouble(EpochRecord::trainSeconds).average().orElse(Double.NaN);
            Row row = new Row(spelling, red.parameters(), red.compressionRatio(), red.kOverR(), red.complexity(),
                    net.parameterCount(), e.accuracy(), perEpoch);
            rows.add(row);
            log.accept(String.format(Locale.ROOT, "%-26s block %,7d params, K/R %.2f, test %.2f %%, %.2f s/epoch",
                    spelling, row.blockParameters(), row.kOverR(), 100 * row.testAccuracy(), row.secondsPerEpoch()));
        }
        String title = train.name() + " (n = " + train.size() + "), " + epochs + " epochs of SGD, block after " + STEM;
        LinePlot byParams = new LinePlot(title, "block parameters (log scale)", "test accuracy", false).logX();
        LinePlot byKr = new LinePlot(title, "K/R (our reading)", "test accuracy", false);
        for (Row r : rows) {
            byParams.scatter(r.design(), new double[] {r.blockParameters()}, new double[] {r.testAccuracy()});
            byKr.scatter(r.design(), new double[] {r.kOverR()}, new double[] {r.testAccuracy()});
        }
        byParams.write(outDir.resolve("accuracy-vs-parameters.png"));
        byKr.write(outDir.resolve("accuracy-vs-kr.png"));
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "%s, n = %d, test %d; network %s - BLOCK - maxpool2 - linear%d; SGD lr %s, momentum 0.9, batch 128, %d epochs, seed %d%n%n",
                train.name(), train.size(), test.size(), STEM, train.classes(), lr, epochs, seed));
        md.append("| block | block params | compression | K/R | complexity | net params | test acc. | s/epoch |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        JsonArray rj = new JsonArray();
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| `%s` | %,d | %.2f | %.2f | %.0f | %,d | %.2f %% | %.2f |%n", r.design(),
                    r.blockParameters(), r.compressionRatio(), r.kOverR(), r.complexity(), r.networkParameters(),
                    100 * r.testAccuracy(), r.secondsPerEpoch()));
            JsonObject o = new JsonObject();
            o.addProperty("design", r.design());
            o.addProperty("blockParameters", r.blockParameters());
            o.addProperty("compressionRatio", r.compressionRatio());
            o.addProperty("kOverR", r.kOverR());
            o.addProperty("complexity", r.complexity());
            o.addProperty("networkParameters", r.networkParameters());
            o.addProperty("testAccuracy", r.testAccuracy());
            o.addProperty("secondsPerEpoch", r.secondsPerEpoch());
            rj.add(o);
        }
        JsonObject json = new JsonObject();
        json.add("rows", rj);
        AtomicFiles.writeString(outDir.resolve("results.md"), md.toString());
        AtomicFiles.writeString(outDir.resolve("results.json"), TensorFile.toJson(json) + "\n");
        return rows;
    }
}
