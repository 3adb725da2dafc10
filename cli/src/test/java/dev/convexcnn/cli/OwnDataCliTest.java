package dev.convexcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.DatasetWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One dataset written as IDX, CSV, npy and an image folder trains to the same accuracy under every spelling. */
class OwnDataCliTest {
    @TempDir Path dir;

    /** Three classes of 8×8 grey images: a bright row whose place depends on the class, over noise. */
    static Dataset bars(String name, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] px = new float[n * 64];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            int row = 1 + 3 * y[i] - (y[i] == 2 ? 1 : 0);
            for (int j = 0; j < 64; j++) {
                int v = j / 8 == row ? 150 + r.nextInt(100) : r.nextInt(90);
                px[i * 64 + j] = v / 255f;
            }
        }
        return new Dataset(name, 8, 8, 1, 3, px, y);
    }

    private static String line(String out, String key) {
        for (String l : out.split("\n")) if (l.startsWith(key)) return l;
        throw new AssertionError("no '" + key + "' line in:\n" + out);
    }

    @Test
    void everySpellingTrainsToTheSameAccuracyAndEvalFindsTheDataFromTheModel() throws IOException {
        Dataset train = bars("train", 150, 1);
        Dataset test = bars("test", 60, 2);
        DatasetWriter.idx(train, dir.resolve("train-images"), dir.resolve("train-labels"));
        DatasetWriter.idx(test, dir.resolve("test-images"), dir.resolve("test-labels"));
        DatasetWriter.csv(train, dir.resolve("train.csv"));
        DatasetWriter.csv(test, dir.resolve("test.csv"));
        DatasetWriter.npy(train, dir.resolve("x.npy"), dir.resolve("y.npy"));
        DatasetWriter.npy(test, dir.resolve("tx.npy"), dir.resolve("ty.npy"));
        DatasetWriter.folder(train, dir.resolve("train"));
        DatasetWriter.folder(test, dir.resolve("test"));
        Map<String, String> spellings = new LinkedHashMap<>();
        spellings.put("idx", "idx:" + dir.resolve("train-images") + "," + dir.resolve("train-labels") + ","
                + dir.resolve("test-images") + "," + dir.resolve("test-labels"));
        spellings.put("csv", "csv:" + dir.resolve("train.csv") + "," + dir.resolve("test.csv"));
        spellings.put("npy", "npy:" + dir.resolve("x.npy") + "," + dir.resolve("y.npy") + "," + dir.resolve("tx.npy") + ","
                + dir.resolve("ty.npy"));
        spellings.put("folder", "folder:" + dir.resolve("train") + "," + dir.resolve("test"));
        List<String> accuracies = new ArrayList<>();
        for (var e : spellings.entrySet()) {
            Path model = dir.resolve(e.getKey() + ".cnn");
            CliTest.Run t = CliTest.run("train", "--dataset", e.getValue(), "--arch", "conv4k3-relu-maxpool2-linear3", "--epochs", "3",
                    "--batch-size", "16", "--seed", "5", "-o", model.toString());
            assertEquals(0, t.code(), e.getKey() + ": " + t.err());
            String acc = line(t.out(), "test accuracy");
            accuracies.add(acc);
            // eval without --dataset evaluates on the data the model was trained on.
            CliTest.Run ev = CliTest.run("eval", "--model", model.toString());
            assertEquals(0, ev.code(), ev.err());
            assertTrue(line(ev.out(), "data").contains(e.getValue().substring(0, e.getValue().indexOf(':') + 1))
                    && line(ev.out(), "data").contains("-test"), ev.out());
            assertEquals(acc.replaceAll("\\s+", " ").replace("test accuracy ", ""), line(ev.out(), "accuracy").replaceAll("\\s+", " ")
                    .replace("accuracy ", ""), "eval reproduces train's test accuracy");
        }
        for (String a : accuracies) assertEquals(accuracies.get(0), a, "same data, same seed, same backend: " + accuracies);
        java.util.regex.Matcher first = java.util.regex.Pattern.compile("[0-9]+\\.[0-9]+").matcher(accuracies.get(0));
        assertTrue(first.find(), accuracies.get(0));
        double pct = Double.parseDouble(first.group());
        assertTrue(pct > 60, "the classes are separable, well above chance: " + accuracies.get(0));

        // Another dataset named explicitly is used, with a warning.
        CliTest.Run other = CliTest.run("eval", "--model", dir.resolve("csv.cnn").toString(), "--dataset", spellings.get("npy"));
        assertEquals(0, other.code(), other.err());
        assertTrue(other.err().contains("warning: the model was trained on csv:"), other.err());
    }

    @Test
    void aFashionMnistModelIsEvaluatedOnFashionMnistByItsFileAlone() throws IOException {
        var cache = dev.convexcnn.data.DataCache.resolve(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.convexcnn.data.DatasetFetcher.isPresent(
                dev.convexcnn.data.KnownDataset.FASHION_MNIST, cache), "fashion-mnist is not in " + cache.dir());
        Path model = dir.resolve("fm.cnn");
        CliTest.Run t = CliTest.run("train", "--dataset", "fashion-mnist", "--limit", "300", "--epochs", "1", "--no-fetch",
                "--arch", "conv4k5s2-relu-linear10", "-o", model.toString());
        assertEquals(0, t.code(), t.err());
        CliTest.Run e = CliTest.run("eval", "--model", model.toString(), "--no-fetch");
        assertEquals(0, e.code(), e.err());
        assertTrue(line(e.out(), "data").contains("fashion-mnist-test"), e.out());
        assertEquals(line(t.out(), "test accuracy").replaceAll(".*\\s", ""), line(e.out(), "accuracy").replaceAll(".*\\s", ""));
        CliTest.Run x = CliTest.run("export", "--model", model.toString(), "--out", dir.resolve("torch").toString(), "--no-fetch");
        assertEquals(0, x.code(), x.err());
        assertTrue(!x.err().contains("warning"), "export found the same data: " + x.err());
    }

    @Test
    void aShapeMismatchIsOneLineNamingBoth() throws IOException {
        Dataset train = bars("train", 30, 1);
        DatasetWriter.csv(train, dir.resolve("train.csv"));
        Path model = dir.resolve("m.cnn");
        assertEquals(0, CliTest.run("train", "--dataset", "csv:" + dir.resolve("train.csv"), "--arch", "conv4k3-relu-linear3",
                "--epochs", "1", "-o", model.toString()).code());
        Dataset big = new Dataset("big", 10, 10, 1, 3, new float[3 * 100], new int[] {0, 1, 2});
        DatasetWriter.csv(big, dir.resolve("big.csv"));
        CliTest.Run r = CliTest.run("eval", "--model", model.toString(), "--dataset", "csv:" + dir.resolve("big.csv"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(model.toString()) && r.err().contains("does not fit"), r.err());
    }
}
