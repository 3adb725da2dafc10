package dev.convexcnn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.convexcnn.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkSweepTest {
    @TempDir Path dir;

    /** A digits-format CSV (64 values 0..16 then the label) of three easy classes. */
    Path digits(int n) throws IOException {
        Random r = new Random(5);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int y = i % 3;
            for (int j = 0; j < 64; j++) {
                int row = j / 8;
                b.append(row == 1 + 3 * y - (y == 2 ? 1 : 0) ? 12 + r.nextInt(5) : r.nextInt(3)).append(',');
            }
            b.append(y).append('\n');
        }
        Path f = dir.resolve("digits.csv");
        Files.writeString(f, b.toString());
        return f;
    }

    static JsonObject json(Path p) throws IOException {
        return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
    }

    @Test
    void gridPointsAndIdsAreInAxisOrder() {
        Grid g = new Grid().axis("lr=0.1,0.05").axis("seed=1,2,3").fixed("epochs", "2");
        List<SortedMap<String, String>> pts = g.points();
        assertEquals(6, pts.size());
        assertEquals("lr-0.1_seed-1", g.id(pts.get(0)));
        assertEquals("lr-0.05_seed-3", g.id(pts.get(5)));
        assertEquals("2", pts.get(3).get("epochs"));
        assertThrows(IllegalArgumentException.class, () -> new Grid().axis("lr"));
        assertThrows(IllegalArgumentException.class, () -> new Grid().axis("lr=1,1"));
        assertThrows(IllegalArgumentException.class, () -> new Grid().axis("lr=1").fixed("lr", "2"));
    }

    @Test
    void trainCellsRefuseWhatTheyCannotRun() {
        TreeMap<String, String> s = new TreeMap<>();
        s.put("method", "telepathy");
        var e = assertThrows(IllegalArgumentException.class, () -> new TrainCell("a", s, dir));
        assertTrue(e.getMessage().contains("telepathy") && e.getMessage().contains("alternation"), e.getMessage());
        s.put("method", "sgd");
        s.put("summary-json", "x.json");
        assertThrows(IllegalArgumentException.class, () -> new TrainCell("a", s, dir));
        s.remove("summary-json");
        s.put("learning-rate", "0.1");
        e = assertThrows(IllegalArgumentException.class, () -> new TrainCell("a", s, dir));
        assertTrue(e.getMessage().contains("learning-rate"), e.getMessage());
        s.remove("learning-rate");
        assertThrows(IllegalArgumentException.class, () -> new TrainCell("a/b", s, dir));
    }

    @Test
    void sgdAndGatedReluGridsLandInTheSingleMachineFilesAndFinishedCellsAreSkipped() throws Exception {
        Path csv = digits(90);
        Path out = dir.resolve("sweep");
        Grid sgd = new Grid().fixed("method", "sgd").fixed("dataset", "digits:" + csv).fixed("arch", "conv4k3-relu-maxpool2-linear10")
                .fixed("epochs", "1").fixed("batch-size", "16").axis("lr=0.05,0.1").axis("seed=1,2");
        Grid gated = new Grid().fixed("method", "gated-relu").fixed("dataset", "digits:" + csv).fixed("kernel", "3")
                .fixed("patterns", "8").fixed("max-iter", "300").axis("lambda-fraction=0.05,0.1");
        List<SweepCell> cells = new ArrayList<>();
        cells.addAll(TrainCell.of(sgd, out.resolve("sgd")));
        cells.addAll(TrainCell.of(gated, out.resolve("gated")));
        assertEquals(6, cells.size());

        List<SparkSweep.Outcome> first = SparkSweep.run(TestSpark.context(), cells);
        for (SparkSweep.Outcome o : first) assertEquals("done", o.status(), o.id() + ": " + o.message());
        for (SweepCell c : cells) assertTrue(c.isDone() && Files.isRegularFile(((TrainCell) c).modelPath()), c.id());

        // The same cell run by the single-machine CLI writes the same figures (same seed, same backend).
        for (TrainCell c : List.of((TrainCell) cells.get(3), (TrainCell) cells.get(5))) {
            Path alone = dir.resolve("alone-" + c.id() + ".json");
            List<String> args = new ArrayList<>(c.arguments());
            args.set(args.indexOf("--summary-json") + 1, alone.toString());
            args.set(args.indexOf("-o") + 1, dir.resolve("alone-" + c.id() + ".cnn").toString());
            assertEquals(0, Main.execute(args.toArray(new String[0]), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())));
            JsonObject a = json(alone), b = json(c.resultPath());
            assertEquals(a.get("testAccuracy").getAsDouble(), b.get("testAccuracy").getAsDouble(), 0.0, c.id());
            assertEquals(a.get("settings"), b.get("settings"), c.id());
            String figure = c.settings().get("method").equals("sgd") ? "testLoss" : "objective";
            assertEquals(a.get(figure).getAsDouble(), b.get(figure).getAsDouble(), 0.0, c.id() + " " + figure);
        }

        // Rerun: nothing runs, nothing is rewritten.
        FileTime stamp = Files.getLastModifiedTime(cells.get(0).resultPath());
        Thread.sleep(20);
        for (SparkSweep.Outcome o : SparkSweep.run(TestSpark.context(), cells)) assertEquals("skipped", o.status(), o.id());
        assertEquals(stamp, Files.getLastModifiedTime(cells.get(0).resultPath()));

        // A lost result (or a cell cut off before writing it) runs again, alone.
        Files.delete(cells.get(4).resultPath());
        List<SparkSweep.Outcome> third = SparkSweep.run(TestSpark.context(), cells);
        for (int i = 0; i < cells.size(); i++) assertEquals(i == 4 ? "done" : "skipped", third.get(i).status(), cells.get(i).id());

        Path index = out.resolve("sweep.json");
        SparkSweep.writeIndex(index, cells, third, "local[2]");
        JsonObject idx = json(index);
        assertEquals(6, idx.getAsJsonArray("cells").size());
        assertEquals("0.1", idx.getAsJsonArray("cells").get(5).getAsJsonObject().getAsJsonObject("settings").get("lambda-fraction").getAsString());
    }

    /** Any SweepCell plugs in: here one that fails and one that writes nothing. */
    record FakeCell(String id, String result, boolean fail) implements SweepCell {
        @Override public SortedMap<String, String> settings() { return new TreeMap<>(); }
        @Override public Path resultPath() { return Path.of(result); }
        @Override public void run() throws IOException {
            if (fail) throw new IOException("no data for " + id);
        }
    }

    @Test
    void aFailingCellIsReportedAndTheOthersStillRun() throws Exception {
        Path csv = digits(30);
        List<SweepCell> cells = new ArrayList<>(TrainCell.of(new Grid().fixed("dataset", "digits:" + csv).fixed("arch", "linear")
                .fixed("epochs", "1").axis("seed=1"), dir.resolve("ok")));
        TreeMap<String, String> missing = new TreeMap<>();
        missing.put("dataset", "digits:" + dir.resolve("none.csv"));
        cells.add(new TrainCell("missing", missing, dir.resolve("bad")));
        cells.add(new FakeCell("throws", dir.resolve("t.json").toString(), true));
        cells.add(new FakeCell("silent", dir.resolve("s.json").toString(), false));
        List<SparkSweep.Outcome> o = SparkSweep.run(TestSpark.context(), cells);
        assertEquals("done", o.get(0).status(), o.get(0).message());
        assertTrue(o.get(1).failed() && o.get(1).message().contains("none.csv"), o.get(1).message());
        assertFalse(cells.get(1).isDone());
        assertTrue(o.get(2).failed() && o.get(2).message().contains("no data for throws"), o.get(2).message());
        assertTrue(o.get(3).failed() && o.get(3).message().contains("left no result"), o.get(3).message());
        assertThrows(IllegalArgumentException.class, () -> SparkSweep.run(TestSpark.context(), List.of(cells.get(2), cells.get(2))));
    }
}
