package dev.convexcnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.io.ModelFile;
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
 * A real kill: a training process is killed (SIGKILL) after its first checkpoint, resumed with --resume, and
 * must end with exactly the weights of an uninterrupted run with the same seed.
 */
class KillResumeTest {
    @TempDir Path dir;

    private Path digits() throws IOException {
        Random r = new Random(11);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            int y = i % 10;
            for (int j = 0; j < 64; j++) b.append((j % 10 == y ? 10 : 0) + r.nextInt(6)).append(',');
            b.append(y).append('\n');
        }
        Path f = dir.resolve("digits.csv");
        Files.writeString(f, b.toString());
        return f;
    }

    private List<String> args(Path csv, Path model, boolean resume) {
        List<String> a = new ArrayList<>(List.of("train", "--dataset", "digits:" + csv, "--arch",
                "conv32k3p1-relu-conv32k3p1-relu-maxpool2-linear64-relu-linear10", "--epochs", "12",
                "--batch-size", "32", "--lr", "0.02", "--seed", "5", "-o", model.toString()));
        if (resume) a.add("--resume");
        return a;
    }

    private Process start(List<String> args) throws IOException {
        // The launcher's and the test JVM's flags: without jdk.incubator.foreign the child cannot set OpenBLAS to one
        // thread per call (ForeignOpenBlas), and on some CPUs (AMD EPYC, AVX2) OpenBLAS's own two threads split the
        // sums differently: not the same threads, so not the same bits.
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector,jdk.incubator.foreign", "--enable-native-access=ALL-UNNAMED", "-Xmx4g",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    }

    /** A JVM without the foreign-function module cannot pin OpenBLAS's threads: the run says so (native backend only). */
    @Test
    void aJvmThatCannotSetOpenBlasThreadsSaysSo() throws Exception {
        Path csv = digits();
        List<String> a = List.of("train", "--dataset", "digits:" + csv, "--arch", "linear10", "--epochs", "1", "--limit", "200",
                "-o", dir.resolve("plain.cnn").toString());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(a);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("plain.log").toFile()).start();
        assertEquals(0, p.waitFor(), Files.readString(dir.resolve("plain.log")));
        String log = Files.readString(dir.resolve("plain.log"));
        boolean nativeBlas = log.contains("backend: native");
        assertEquals(nativeBlas, log.contains("warning: OpenBLAS's threads per call cannot be set"), log);
        // This JVM has the launcher's flags: no warning.
        CliTest.Run run = CliTest.run(a.toArray(String[]::new));
        assertEquals(0, run.code(), run.err());
        assertTrue(!run.err().contains("warning: OpenBLAS's threads"), run.err());
    }

    @Test
    void killedRunResumesToBitIdenticalWeightsOnTheSameBackendAndThreads() throws Exception {
        Path csv = digits();
        Path whole = dir.resolve("whole.cnn");
        assertEquals(0, CliTest.run(args(csv, whole, false).toArray(String[]::new)).code());

        Path killed = dir.resolve("killed.cnn");
        Path ckpt = Path.of(killed + ".ckpt");
        Process p = start(args(csv, killed, false));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(ckpt) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        // Twelve epochs take far longer than the poll: the process is still running when its first checkpoint lands.
        assertTrue(p.isAlive(), "killed before it finished");
        p.destroyForcibly().waitFor();
        assertTrue(Files.exists(ckpt), "a checkpoint was written: " + Files.readString(dir.resolve("child.log")));

        CliTest.Run resumed = CliTest.run(args(csv, killed, true).toArray(String[]::new));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("resumed from"), resumed.err());
        assertTrue(!resumed.err().contains("epoch 1/12"), "epoch 1 is not trained again: " + resumed.err());
        assertArrayEquals(ModelFile.load(whole).net().flatParameters(), ModelFile.load(killed).net().flatParameters());
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }
}
