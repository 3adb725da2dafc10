package dev.convexcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's help: examples, a complete one-line summary, and no picocli warning; how progress reads. */
class HelpTest {
    @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir;

    @Test
    void alternationCountsSweepsAndAccuracyIsAPercentage() throws java.io.IOException {
        java.nio.file.Path csv = dir.resolve("bars.csv");
        dev.convexcnn.data.DatasetWriter.csv(OwnDataCliTest.bars("bars", 60, 1), csv);
        CliTest.Run r = CliTest.run("train", "--method", "alternation", "--dataset", "csv:" + csv, "--arch", "conv4k3-relu-linear3",
                "--sweeps", "2", "--cg-iter", "3", "-o", dir.resolve("alt.cnn").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("sweep 1/2") && r.err().contains("sweep 2/2"), r.err());
        assertFalse(r.err().contains("epoch 1/2"), r.err());
        assertTrue(r.err().matches("(?s).*initial objective [0-9.]+, train accuracy [0-9.]+ %.*"), r.err());
    }

    /** Every command and subcommand path, e.g. ["data", "fetch"], without picocli's own "help". */
    static List<List<String>> commands() {
        List<List<String>> out = new ArrayList<>();
        walk(new CommandLine(new Main()), new ArrayList<>(), out);
        return out;
    }

    private static void walk(CommandLine cl, List<String> path, List<List<String>> out) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            out.add(p);
            walk(e.getValue(), p, out);
        }
    }

    @Test
    void everyCommandHasExamplesAndACompleteSummaryAndNoWarning() {
        List<List<String>> all = commands();
        assertTrue(all.size() >= 17, "train, eval, data (2), demo, experiment (4), ...: " + all);
        PrintStream saved = System.err;
        ByteArrayOutputStream picocliLog = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(picocliLog, true, StandardCharsets.UTF_8));
            for (List<String> cmd : all) {
                List<String> args = new ArrayList<>(cmd);
                args.add("--help");
                CliTest.Run r = CliTest.run(args.toArray(String[]::new));
                assertEquals(0, r.code(), String.join(" ", args));
                assertTrue(r.out().contains("\nExamples:\n  "), String.join(" ", cmd) + " has no examples:\n" + r.out());
            }
        } finally {
            System.setErr(saved);
        }
        String warnings = picocliLog.toString(StandardCharsets.UTF_8);
        assertFalse(warnings.contains("picocli WARN"), warnings);
        // The summary a command list shows is the description's first line: a whole sentence.
        CommandLine root = new CommandLine(new Main());
        for (List<String> cmd : all) {
            CommandLine c = root;
            for (String s : cmd) c = c.getSubcommands().get(s);
            String first = c.getCommandSpec().usageMessage().description()[0].strip();
            assertTrue(first.matches(".*[.?)]$"), String.join(" ", cmd) + ": summary cut mid-sentence: " + first);
        }
    }
}
