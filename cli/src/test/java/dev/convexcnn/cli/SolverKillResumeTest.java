package dev.convexcnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.convexcnn.io.SolverCheckpoint;
import dev.convexcnn.io.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real signals to a convex solve: a gated-relu training process gets SIGTERM (it saves its state at the next
 * iteration and exits) or SIGKILL (its last periodic state is kept), and train --resume then ends with the model and
 * objective of an uninterrupted run, bit for bit on the same backend and threads.
 */
class SolverKillResumeTest {
    @TempDir Path dir;

    private Path digits() throws IOException {
        Random r = new Random(11);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            int y = i % 10;
            for (int j = 0; j < 64; j++) b.append((j % 10 == y ? 10 : 0) + r.nextInt(6)).append(',');
            b.append(y).append('\n');
        }
        Path f = dir.resolve("digits.csv");
        Files.writeString(f, b.toString());
        return f;
    }

    private List<String> args(Path csv, Path model, String... more) {
        // The Gram form (n ≥ p·h), a tolerance it cannot reach: the iteration cap ends it, well after the kill.
        List<String> a = new ArrayList<>(List.of("train", "--method", "gated-relu", "--dataset", "digits:" + csv, "--patterns", "32",
                "--kernel", "3", "--pool", "0", "--tol", "1e-30", "--max-iter", "300", "--seed", "5", "--checkpoint-every", "5", "-o", model.toString(),
                "--summary-json", model + ".json"));
        a.addAll(List.of(more));
        return a;
    }

    private Process start(List<String> args, String log) throws IOException {
        // The launcher's flags, so that the child sets OpenBLAS's threads as this JVM does (see KillResumeTest).
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector,jdk.incubator.foreign", "--enable-native-access=ALL-UNNAMED", "-Xmx4g",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
    }

    private static double objective(Path summary) throws IOException {
        JsonObject s = JsonParser.parseString(Files.readString(summary)).getAsJsonObject();
        return s.get("objective").getAsDouble();
    }

    @Test
    void sigtermAndSigkillThenResumeGiveTheUninterruptedModel() throws Exception {
        Path csv = digits();
        Path whole = dir.resolve("whole.cnn");
        CliTest.Run w = CliTest.run(args(csv, whole).toArray(String[]::new));
        assertEquals(0, w.code(), w.err());
        for (boolean term : new boolean[] {true, false}) {
            String name = term ? "term" : "kill";
            Path killed = dir.resolve(name + ".cnn");
            Path ckpt = Path.of(killed + ".ckpt");
            Process p = start(args(csv, killed), name + ".log");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(ckpt) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(2);
            assertTrue(p.isAlive(), "killed before it finished: " + Files.readString(dir.resolve(name + ".log")));
            if (term) p.destroy(); else p.destroyForcibly();
            assertTrue(p.waitFor(150, TimeUnit.SECONDS));
            assertTrue(p.exitValue() != 0, "the process was stopped");
            SolverCheckpoint state = SolverCheckpoint.read(ckpt);
            long at = state.whole("rfista.iteration");
            assertTrue(at >= 1 && at < 300, "stopped mid-run at iteration " + at);
            assertTrue(!Files.exists(killed), "no model from a stopped run");
            String log = Files.readString(dir.resolve(name + ".log"));
            if (term) assertTrue(log.contains("stopped by a termination signal: the solver state is saved in " + ckpt), log);

            CliTest.Run r = CliTest.run(args(csv, killed, "--resume").toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.err().contains("resumed from " + ckpt + " at iteration " + at), r.err());
            TensorFile a = TensorFile.read(whole), b = TensorFile.read(killed);
            assertEquals(a.tensors().keySet(), b.tensors().keySet());
            for (String k : a.tensors().keySet()) assertArrayEquals(a.tensors().get(k).values(), b.tensors().get(k).values(), name + ": " + k);
            assertEquals(objective(Path.of(whole + ".json")), objective(Path.of(killed + ".json")), 0, name);
            try (var files = Files.list(dir)) {
                assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file left");
            }
        }
    }

    @Test
    void badIntervalsAndNonResumableMethodsAreRefused() throws IOException {
        Path csv = digits();
        List<String> a = args(csv, dir.resolve("x.cnn"));
        a.set(a.indexOf("--checkpoint-every") + 1, "0s");
        CliTest.Run r = CliTest.run(a.toArray(String[]::new));
        assertTrue(r.code() != 0 && r.err().contains("--checkpoint-every must be"), r.err());
        CliTest.Run e = CliTest.run("train", "--dataset", "digits:" + csv, "--checkpoint-every", "10s", "-o", dir.resolve("s.cnn").toString());
        assertTrue(e.code() != 0 && e.err().contains("--method sgd checkpoints once per epoch") && e.err().contains("alternation"), e.err());
        CliTest.Run d = CliTest.run("train", "--method", "ridge", "--dataset", "digits:" + csv, "--resume");
        assertTrue(d.code() != 0 && d.err().contains("--method ridge keeps no checkpoint") && d.err().contains("gated-relu"), d.err());
    }
}
