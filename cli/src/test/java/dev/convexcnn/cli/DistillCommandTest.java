package dev.convexcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distill command end to end on small synthetic CIFAR-10 batch files, then a rerun that skips every cell. */
class DistillCommandTest {
    @TempDir Path dir;

    /** CIFAR-10 binary records (label byte, then 1024 R, 1024 G, 1024 B): label 0 is reddish, label 1 bluish. */
    static byte[] batch(int n, Random r) {
        int rb = 1 + 3072;
        byte[] b = new byte[n * rb];
        for (int i = 0; i < n; i++) {
            int y = i % 2, off = i * rb;
            b[off] = (byte) y;
            for (int p = 0; p < 3072; p++) {
                int plane = p / 1024;
                boolean bright = (y == 0 && plane == 0) || (y == 1 && plane == 2);
                b[off + 1 + p] = (byte) ((bright ? 120 : 0) + r.nextInt(100));
            }
        }
        return b;
    }

    @Test
    void cifarPathRunsEndToEndAndARerunSkipsEveryCell() throws Exception {
        Path cifar = dir.resolve("cifar");
        Files.createDirectories(cifar);
        Random r = new Random(4);
        for (int i = 1; i <= 5; i++) Files.write(cifar.resolve("data_batch_" + i + ".bin"), batch(16, r));
        Files.write(cifar.resolve("test_batch.bin"), batch(40, r));
        Path out = dir.resolve("out");
        String[] args = {"distill", "--dataset", "cifar10:" + cifar, "--teacher", "train", "--teacher-models", "1",
                "--teacher-epochs", "2", "--teacher-arch", "conv4k3p1-relu-maxpool2-linear8-relu", "--budgets", "40000",
                "--conv-layers", "1", "--mlp-layers", "1", "--trials", "1", "--epochs", "2", "--batch", "16",
                "--transfer-shifts", "0", "--seed", "3", "--out", out.toString()};
        CliTest.Run first = CliTest.run(args);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("| conv1 |") && first.out().contains("| mlp1 |") && first.out().contains("| teacher"), first.out());
        for (String cell : new String[] {"conv1-b40000-mimic", "conv1-b40000-labels", "mlp1-b40000-mimic", "mlp1-b40000-labels"}) {
            JsonObject j = JsonParser.parseString(Files.readString(out.resolve("cells").resolve(cell + ".json"))).getAsJsonObject();
            assertTrue(Math.abs(j.get("parameters").getAsDouble() / 40000 - 1) <= 0.05, j.toString());
            assertTrue(j.get("testAccuracy").getAsDouble() >= 0, j.toString());
        }
        assertTrue(Files.size(out.resolve("teacher-1.model")) > 0);
        assertTrue(Files.size(out.resolve("accuracy-vs-parameters-mimic.png")) > 0);

        CliTest.Run again = CliTest.run(args);
        assertEquals(0, again.code(), again.err());
        assertEquals(4, again.err().lines().filter(l -> l.contains("skipped")).count(), again.err());
        assertTrue(again.err().contains("teacher 1/1: done before") && again.err().contains("teacher logits: cached"), again.err());

        // The saved teacher can be given back as a file.
        CliTest.Run withFile = CliTest.run("distill", "--dataset", "cifar10:" + cifar, "--teacher", out.resolve("teacher-1.model").toString(),
                "--budgets", "40000", "--conv-layers", "none", "--mlp-layers", "1", "--trials", "1", "--epochs", "1",
                "--no-hard-labels", "--transfer-shifts", "0", "--out", dir.resolve("out2").toString());
        assertEquals(0, withFile.code(), withFile.err());
    }

    @Test
    void badValuesAreOneLineErrors() {
        CliTest.Run a = CliTest.run("distill", "--conv-layers", "3..1", "--out", dir.toString());
        assertEquals(2, a.code());
        assertTrue(a.err().contains("--conv-layers") && a.err().contains("3..1"), a.err());
        CliTest.Run b = CliTest.run("distill", "--teacher", dir.resolve("nope.model").toString(), "--out", dir.toString());
        assertEquals(2, b.code());
        assertTrue(b.err().contains("nope.model"), b.err());
        CliTest.Run c = CliTest.run("distill", "--soft-loss", "huber", "--out", dir.toString());
        assertEquals(2, c.code());
        assertTrue(c.err().contains("huber"), c.err());
        CliTest.Run d = CliTest.run("distill", "--help");
        assertEquals(0, d.code());
    }
}
