package dev.convexcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compare, report and export end to end on CIFAR-format files written here. */
class LabCliTest {
    @TempDir Path dir;

    /** Five train batches of n records and a test batch: label k lights up colour channel k. */
    Path cifar(int n) throws IOException {
        Path d = Files.createDirectories(dir.resolve("cifar"));
        for (String f : new String[] {"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"}) {
            byte[] b = new byte[n * 3073];
            for (int i = 0; i < n; i++) {
                int k = (i * 7 + f.length()) % 3;
                b[i * 3073] = (byte) k;
                java.util.Arrays.fill(b, i * 3073 + 1 + k * 1024, i * 3073 + 1 + (k + 1) * 1024, (byte) (100 + i % 50));
            }
            Files.write(d.resolve(f + ".bin"), b);
        }
        return d;
    }

    @Test
    void compareStoresRunsSkipsThemOnRerunAndWritesTheReport() throws IOException {
        String data = "cifar10:" + cifar(16);
        Path out = dir.resolve("cmp");
        CliTest.Run r = CliTest.run("compare", "--dataset", data, "--methods", "sgd,adam", "--seeds", "1,2", "--limit", "40",
                "--epochs", "1", "--out", out.toString(), "--no-fetch");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("sgd") && r.out().contains("adam") && r.out().contains("report: "), r.out());
        assertTrue(Files.exists(out.resolve("runs/adam-seed2.json")) && Files.exists(out.resolve("report.html")));
        CliTest.Run again = CliTest.run("compare", "--dataset", data, "--methods", "sgd,adam", "--seeds", "1,2", "--limit", "40",
                "--epochs", "1", "--out", out.toString(), "--no-fetch", "--no-report");
        assertEquals(0, again.code(), again.err());
        assertEquals(4, again.err().split("done before, skipped", -1).length - 1, again.err());

        CliTest.Run rep = CliTest.run("report", out.toString());
        assertEquals(0, rep.code(), rep.err());
        assertTrue(rep.out().contains("report.html"), rep.out());

        CliTest.Run bad = CliTest.run("compare", "--dataset", data, "--methods", "sgd,telepathy", "--out", out.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("'telepathy'"), bad.err());
        CliTest.Run noDir = CliTest.run("report", dir.resolve("nowhere").toString());
        assertEquals(2, noDir.code());
        assertTrue(noDir.err().contains("nowhere"), noDir.err());
    }

    @Test
    void exportWritesSafetensorsThatPyTorchReadsWithTheSamePredictions() throws Exception {
        String data = "cifar10:" + cifar(20);
        Path model = dir.resolve("m.cnn");
        CliTest.Run t = CliTest.run("train", "--dataset", data, "--arch", "conv4k3s2p1-relu-avgpool2-conv6k3-relu-maxpool2-linear10",
                "--epochs", "1", "-o", model.toString(), "--no-fetch");
        assertEquals(0, t.code(), t.err());
        Path exp = dir.resolve("export");
        CliTest.Run e = CliTest.run("export", "--model", model.toString(), "--out", exp.toString(), "--dataset", data,
                "--check-samples", "20", "--no-fetch");
        assertEquals(0, e.code(), e.err());
        for (String f : new String[] {"model.safetensors", "model.json", "check.safetensors"}) assertTrue(Files.exists(exp.resolve(f)), f);
        CliTest.Run mismatch = CliTest.run("export", "--model", model.toString(), "--out", exp.toString(), "--dataset",
                "digits:" + dir.resolve("none.csv"), "--no-fetch");
        assertEquals(2, mismatch.code());
        Path gated = dir.resolve("g.cnn");
        assertEquals(0, CliTest.run("train", "--method", "gated-relu", "--dataset", data, "--patterns", "4", "--kernel", "8", "--stride", "8",
                "-o", gated.toString(), "--no-fetch").code());
        CliTest.Run refused = CliTest.run("export", "--model", gated.toString(), "--out", exp.toString(), "--check-samples", "0");
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("holds a gated-relu model") && refused.err().contains("cannot be exported"), refused.err());

        // The PyTorch side, where Debian's PyTorch is installed (bench/pytorch_roundtrip.py).
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python) && new ProcessBuilder(python.toString(), "-c", "import torch")
                .redirectErrorStream(true).start().waitFor() == 0, "no PyTorch under /usr/bin/python3");
        Process p = new ProcessBuilder(python.toString(), Path.of("..", "bench", "pytorch_roundtrip.py").toString(), exp.toString())
                .redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), printed);
        assertTrue(printed.contains("predictions agree 100.00 %") && printed.contains("round trip OK"), printed);
    }
}
