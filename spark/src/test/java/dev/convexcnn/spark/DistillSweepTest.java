package dev.convexcnn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A distillation study's cells as Spark tasks on local[2]: the same files and figures as the single-machine study. */
class DistillSweepTest {
    @TempDir Path dir;

    /** CIFAR-format batches: the label picks which third of the image is bright. */
    Path cifar() throws IOException {
        Path d = Files.createDirectories(dir.resolve("cifar"));
        java.util.Random r = new java.util.Random(11);
        for (String name : List.of("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch")) {
            byte[] b = new byte[24 * 3073];
            for (int i = 0; i < 24; i++) {
                int label = r.nextInt(3), at = i * 3073;
                b[at] = (byte) label;
                for (int p = 0; p < 3072; p++) b[at + 1 + p] = (byte) ((p % 1024) / 342 == label ? 200 : r.nextInt(60));
            }
            Files.write(d.resolve(name + ".bin"), b);
        }
        return d;
    }

    static TreeMap<String, String> settings(Path cifar) {
        TreeMap<String, String> s = new TreeMap<>();
        s.put("dataset", "cifar10:" + cifar);
        s.put("teacher-models", "1");
        s.put("teacher-epochs", "1");
        s.put("teacher-arch", "conv4k3p1-relu-maxpool2-linear8-relu");
        s.put("trials", "1");
        s.put("epochs", "1");
        s.put("batch", "16");
        s.put("transfer-shifts", "0");
        s.put("seed", "3");
        return s;
    }

    static JsonObject cell(Path out, String id) throws IOException {
        return JsonParser.parseString(Files.readString(out.resolve("cells").resolve(id + ".json"))).getAsJsonObject();
    }

    @Test
    void cellsRunAsTasksLeaveTheSingleMachineFilesAndAreSkippedOnRerun() throws IOException {
        Path cifar = cifar();
        Path spark = dir.resolve("spark"), single = dir.resolve("single");
        List<DistillCell> cells = DistillCell.of(DistillCell.families("1", "1"), List.of(40_000L), settings(cifar), spark);
        List<SparkSweep.Outcome> first = DistillCell.sweep(TestSpark.context(), cells);
        for (SparkSweep.Outcome o : first) assertTrue(!o.failed(), o.toString());
        for (DistillCell c : cells) assertTrue(c.isDone(), c.id());

        // The same study on one machine: the same cell results (seeds depend on the cell, not on who runs it).
        List<String> a = new ArrayList<>(List.of("distill", "--out", single.toString(), "--budgets", "40000", "--conv-layers", "1",
                "--mlp-layers", "1"));
        settings(cifar).forEach((k, v) -> a.addAll(List.of("--" + k, v)));
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(0, Main.execute(a.toArray(new String[0]), new PrintWriter(out, true), new PrintWriter(err, true)), err.toString());
        for (String id : List.of("conv1-b40000-mimic", "conv1-b40000-labels", "mlp1-b40000-mimic", "mlp1-b40000-labels")) {
            assertEquals(cell(single, id).get("testAccuracy"), cell(spark, id).get("testAccuracy"), id);
        }

        List<SparkSweep.Outcome> again = DistillCell.sweep(TestSpark.context(), cells);
        for (SparkSweep.Outcome o : again) assertEquals("skipped", o.status(), o.toString());

        // A deleted cell is the only one that runs again.
        Files.delete(spark.resolve("cells").resolve("mlp1-b40000-labels.json"));
        List<SparkSweep.Outcome> third = DistillCell.sweep(TestSpark.context(), cells);
        assertEquals(List.of("skipped", "done"), third.stream().map(SparkSweep.Outcome::status).toList());
    }

    @Test
    void badGridsFailOnTheDriver() {
        assertThrows(IllegalArgumentException.class, () -> DistillCell.families("none", "none"));
        assertThrows(IllegalArgumentException.class, () -> DistillCell.families("1..x", "none"));
        TreeMap<String, String> s = new TreeMap<>();
        s.put("budgets", "5");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DistillCell("conv1", 1000, s, dir));
        assertTrue(e.getMessage().contains("budgets"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DistillCell("cnn7", 1000, new TreeMap<>(), dir));
    }
}
