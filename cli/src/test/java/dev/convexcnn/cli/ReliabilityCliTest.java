package dev.convexcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.io.FileLocks;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Issue 20 at the command line: one error line for everything, settings that would destroy work refused up front. */
class ReliabilityCliTest {
    @TempDir Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    Path digits(int n) throws IOException {
        Random r = new Random(5);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int y = i % 3;
            for (int j = 0; j < 64; j++) b.append(j / 8 == 1 + 2 * y ? 12 + r.nextInt(5) : r.nextInt(3)).append(',');
            b.append(y).append('\n');
        }
        return Files.writeString(dir.resolve("digits.csv"), b.toString());
    }

    /** The error lines of a run: "convexcnn: ..." lines, and nothing that looks like a stack trace. */
    static void oneErrorLine(Run r) {
        assertNotEquals(0, r.code, r.err);
        assertEquals(1, r.err.lines().filter(l -> l.startsWith("convexcnn: ")).count(), r.err);
        assertFalse(r.err.contains("\tat "), r.err);
    }

    @Test
    void everyCommandAcceptsVerbose() {
        List<String> missing = new ArrayList<>();
        List<CommandLine> all = new ArrayList<>(List.of(new CommandLine(new Main())));
        for (int i = 0; i < all.size(); i++) {
            CommandLine c = all.get(i);
            if (c.getCommandSpec().findOption("--verbose") == null && !c.getCommandName().equals("help")) missing.add(c.getCommandSpec().qualifiedName());
            all.addAll(c.getSubcommands().values());
        }
        assertTrue(missing.isEmpty(), "without --verbose: " + missing);
        Run r = run("report", "--verbose", dir.resolve("none").toString());
        assertEquals(2, r.code);
        assertTrue(r.err.contains("\tat "), "--verbose prints the stack trace: " + r.err);
    }

    @Test
    void outOfMemoryIsOneLineWithTheHeapAndHowToRaiseIt() {
        StringWriter s = new StringWriter();
        int code = Main.report(new RuntimeException(new OutOfMemoryError("Java heap space")), false, new PrintWriter(s, true));
        assertEquals(Main.OUT_OF_MEMORY, code);
        String line = s.toString().strip();
        assertFalse(line.contains("\n"), line);
        assertTrue(line.contains("out of memory") && line.contains("maximum heap") && line.contains("CONVEXCNN_JAVA_OPTS=-Xmx"), line);
        StringWriter t = new StringWriter();
        assertEquals(Main.INTERNAL_ERROR, Main.report(new IllegalStateException("a\nb"), false, new PrintWriter(t, true)));
        assertEquals(1, t.toString().strip().lines().count(), t.toString());
    }

    @Test
    void absurdBatchSizeIsAClearMessage() throws IOException {
        Run r = run("train", "--dataset", "digits:" + digits(60), "--arch", "linear", "--batch-size", "3000000", "-o", dir.resolve("m.cnn").toString());
        oneErrorLine(r);
        assertTrue(r.err.contains("--batch-size must be in 1..65536, got 3000000"), r.err);
        Run big = run("train", "--dataset", "digits:" + digits(60), "--arch", "linear", "--batch-size", "1000", "-o", dir.resolve("m.cnn").toString());
        oneErrorLine(big);
        assertTrue(big.err.contains("--batch-size 1000 is larger than the 60 training samples"), big.err);
        // The default batch (128) on a smaller set is one batch of all of it, as before.
        assertEquals(0, run("train", "--dataset", "digits:" + digits(60), "--arch", "linear", "-o", dir.resolve("d.cnn").toString()).code);
    }

    @Test
    void conflictingOutputsAreRefusedBeforeTraining() throws IOException {
        Path csv = digits(60), m = dir.resolve("m.cnn");
        Run a = run("train", "--dataset", "digits:" + csv, "-o", m.toString(), "--summary-json", m.toString());
        oneErrorLine(a);
        assertTrue(a.err.contains("-o and --summary-json name the same file"), a.err);
        assertFalse(a.err.contains("data:"), "refused before the data is loaded: " + a.err);
        Run b = run("train", "--dataset", "digits:" + csv, "-o", m.toString(), "--checkpoint", dir.resolve("./m.cnn").toString());
        oneErrorLine(b);
        assertTrue(b.err.contains("-o and --checkpoint name the same file"), b.err);
        assertFalse(Files.exists(m));
    }

    @Test
    void unwritableOutputsAreRefusedBeforeTrainingForEveryMethod() throws IOException {
        Path csv = digits(60);
        Files.writeString(dir.resolve("afile"), "x");
        for (String method : new String[] {"sgd", "gated-relu", "ccnn", "alternation"}) {
            Run r = run("train", "--method", method, "--dataset", "digits:" + csv, "-o", dir.resolve("afile/m.cnn").toString());
            oneErrorLine(r);
            assertTrue(r.err.contains("afile is a file, not a folder"), method + ": " + r.err);
            assertFalse(r.err.contains("data:"), method + ": refused before the data is loaded: " + r.err);
        }
        Run c = run("train", "--dataset", "digits:" + csv, "--checkpoint", dir.resolve("afile/c.ckpt").toString(), "-o", dir.resolve("m.cnn").toString());
        oneErrorLine(c);
        assertTrue(c.err.contains("--checkpoint"), c.err);
    }

    @Test
    void aSecondWriterOfAModelIsRefusedNamingTheHolder() throws IOException {
        Path m = dir.resolve("same.cnn");
        try (FileLocks.Held h = FileLocks.acquire(m, "a first train")) {
            Run r = run("train", "--dataset", "digits:" + digits(60), "-o", m.toString());
            oneErrorLine(r);
            assertTrue(r.err.contains("same.cnn") && r.err.contains("in use"), r.err);
        }
    }

    @Test
    void aComparisonFolderInUseIsRefused() throws IOException {
        Path out = Files.createDirectories(dir.resolve("cmp"));
        try (FileLocks.Held h = FileLocks.acquire(out, "another comparison")) {
            Run r = run("compare", "--dataset", "digits:" + digits(60), "--methods", "sgd", "--out", out.toString(), "--no-report");
            oneErrorLine(r);
            assertTrue(r.err.contains("cmp") && r.err.contains("in use"), r.err);
        }
        Run twice = run("compare", "--dataset", "digits:" + digits(60), "--methods", "sgd", "--seeds", "1,1", "--out", out.toString());
        oneErrorLine(twice);
        assertTrue(twice.err.contains("--seeds names a seed twice"), twice.err);
    }

    @Test
    void messagesSayWhatIsWrongNotJustAPath() throws IOException {
        Run folder = run("eval", "--model", dir.toString(), "--dataset", "digits:" + digits(30));
        oneErrorLine(folder);
        assertTrue(folder.err.contains("is a folder, not a model"), folder.err);

        Path csv = digits(60), m = dir.resolve("m.cnn");
        assertEquals(0, run("train", "--dataset", "digits:" + csv, "--arch", "linear", "--batch-size", "16", "-o", m.toString()).code);
        Run ckpt = run("export", "--model", m + ".ckpt", "--out", dir.resolve("exp").toString(), "--check-samples", "0");
        oneErrorLine(ckpt);
        assertTrue(ckpt.err.contains("holds a training checkpoint") && !ckpt.err.contains("has no model architecture"), ckpt.err);

        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        Run data = run("data", "fetch", "mnist", "--data-dir", file.resolve("sub").toString());
        oneErrorLine(data);
        assertTrue(data.err.contains("plain-file is a file"), data.err);
    }
}
