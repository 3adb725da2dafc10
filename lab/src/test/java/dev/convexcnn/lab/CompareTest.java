package dev.convexcnn.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.DataCache;
import dev.convexcnn.method.Budget;
import dev.convexcnn.method.Methods;
import dev.convexcnn.report.Report;
import dev.convexcnn.report.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareTest {
    @TempDir static Path dir;
    static String dataset;
    static Path runDir;
    static List<RunRecord> first;
    static List<String> firstLog = new ArrayList<>();

    /** Every method for a few iterations on 150 synthetic CIFAR images. */
    static Budget tiny() {
        return Budget.smoke();
    }

    /** The methods that take three-channel images (all but the circular CNN). */
    static List<String> colourMethods() {
        return Methods.ids().stream().filter(m -> !m.equals("convex-circular")).toList();
    }

    @BeforeAll
    static void runAll() throws IOException {
        dataset = "cifar10:" + SyntheticCifar.write(dir.resolve("cifar"), 30, 60, 3);
        runDir = dir.resolve("cmp");
        first = Compare.run(new Compare.Settings(dataset, Methods.ids(), List.of(1L, 2L), tiny()), runDir,
                DataCache.resolve(dir.resolve("cache")), false, firstLog::add);
    }

    @Test
    void everyMethodRunsOncePerSeedAndIsStored() throws IOException {
        assertEquals(colourMethods().size() * 2, first.size());
        assertTrue(firstLog.contains("convex-circular: skipped: it takes one-channel images, cifar10 has 3") || firstLog.stream()
                .anyMatch(l -> l.startsWith("convex-circular: skipped: it takes one-channel images")), firstLog.toString());
        for (RunRecord r : first) {
            Path f = runDir.resolve("runs").resolve(RunRecord.fileName(r.method(), r.seed()));
            assertTrue(Files.exists(f), f.toString());
            assertEquals(60, r.testSamples());
            assertEquals(switch (r.method()) { case "convex-relu", "convex-relu-pool", "convex-3layer" -> 20; case "ccnn", "dccnn" -> 50; default -> 150; },
                    r.trainSamples(), r.method());
            assertTrue(r.testAccuracy() >= 0 && r.testAccuracy() <= 1);
            assertTrue(r.trainSeconds() > 0);
            assertTrue(r.peakHeapBytes() > 0, r.method());
            assertTrue(r.parameters() > 0);
            assertEquals(60, java.util.Arrays.stream(r.confusion()).flatMapToInt(java.util.Arrays::stream).sum());
            assertTrue(!r.curve().isEmpty(), r.method());
            assertEquals(r.settings().toString(), RunRecord.read(f).settings().toString());
        }
        // The stripe problem is easy: the SGD baseline learns it.
        assertTrue(first.stream().filter(r -> r.method().equals("sgd")).allMatch(r -> r.testAccuracy() > 0.9), first.toString());
        // Certificates where the method has one.
        RunRecord gated = first.stream().filter(r -> r.method().equals("gated-relu")).findFirst().orElseThrow();
        assertNotNull(gated.certificate());
        assertEquals(Boolean.TRUE, gated.certified());
        assertNull(first.get(0).certificateName());
        // Models saved where a format exists.
        assertTrue(Files.exists(runDir.resolve("models").resolve("sgd-seed1.cnn")));
        assertTrue(Files.exists(runDir.resolve("models").resolve("convex-relu-seed2.cnn")));
        assertTrue(Files.exists(runDir.resolve("models").resolve("dccnn-seed1.cnn")));
        RunRecord dccnn = first.stream().filter(r -> r.method().equals("dccnn")).findFirst().orElseThrow();
        assertEquals("relative duality gap", dccnn.certificateName());
        assertTrue(dccnn.certificate() >= -1e-9, "weak duality: the gap is never negative");
    }

    @Test
    void theSameSeedGivesTheSameRun() {
        for (String m : List.of("sgd", "gated-relu", "alternation")) {
            // Seeds 1 and 2 differ, so compare a rerun of seed 1 into a fresh directory.
            RunRecord a = first.stream().filter(r -> r.method().equals(m) && r.seed() == 1).findFirst().orElseThrow();
            try {
                RunRecord b = Compare.run(new Compare.Settings(dataset, List.of(m), List.of(1L), tiny()), dir.resolve("again-" + m),
                        DataCache.resolve(dir.resolve("cache")), false, s -> {}).get(0);
                assertEquals(a.testAccuracy(), b.testAccuracy(), m);
                assertEquals(a.parameters(), b.parameters(), m);
                assertEquals(java.util.Arrays.deepToString(a.confusion()), java.util.Arrays.deepToString(b.confusion()), m);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void aRerunSkipsFinishedRunsAndRunsOnlyNewOnes() throws IOException {
        Path d = dir.resolve("resume");
        Compare.run(new Compare.Settings(dataset, List.of("sgd"), List.of(1L), tiny()), d, DataCache.resolve(dir.resolve("cache")), false, s -> {});
        long stamp = Files.getLastModifiedTime(d.resolve("runs/sgd-seed1.json")).toMillis();
        List<String> log = new ArrayList<>();
        List<RunRecord> rs = Compare.run(new Compare.Settings(dataset, List.of("sgd", "adam"), List.of(1L), tiny()), d,
                DataCache.resolve(dir.resolve("cache")), false, log::add);
        assertEquals(2, rs.size());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("sgd seed 1: done before, skipped")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("adam seed 1: training")), log.toString());
        assertEquals(stamp, Files.getLastModifiedTime(d.resolve("runs/sgd-seed1.json")).toMillis());
        // Another budget in the same directory is refused, naming both.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Compare.run(
                new Compare.Settings(dataset, List.of("sgd"), List.of(1L), tiny().withEpochs(3)), d,
                DataCache.resolve(dir.resolve("cache")), false, s -> {}));
        assertTrue(e.getMessage().contains("use another --out"), e.getMessage());
        // A damaged run file is an error that names it, not a silent rerun.
        Files.writeString(d.resolve("runs/adam-seed1.json"), "{\"method\": tru");
        IOException io = assertThrows(IOException.class, () -> Compare.run(new Compare.Settings(dataset, List.of("adam"), List.of(1L), tiny()), d,
                DataCache.resolve(dir.resolve("cache")), false, s -> {}));
        assertTrue(io.getMessage().contains("adam-seed1.json"), io.getMessage());
    }

    @Test
    void unknownMethodsAndEmptyListsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Compare.Settings(dataset, List.of("sgd", "magic"), List.of(1L), tiny()));
        assertTrue(e.getMessage().contains("'magic'") && e.getMessage().contains("gated-relu"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Compare.Settings(dataset, List.of(), List.of(1L), tiny()));
        assertThrows(IllegalArgumentException.class, () -> new Compare.Settings(dataset, List.of("sgd"), List.of(), tiny()));
        assertThrows(IllegalArgumentException.class, () -> Budget.named("huge"));
    }

    @Test
    void theReportHoldsTheTableImagesConfusionAndProvenance() throws IOException {
        Report.Written w = Report.write(runDir);
        String html = Files.readString(w.html());
        String md = Files.readString(w.markdown());
        for (String m : colourMethods()) {
            assertTrue(html.contains("<h2>" + m + "</h2>"), m);
            // Each section says what the method is, how closely it follows its paper, and its certificate.
            String label = dev.convexcnn.method.Methods.get(m).info().fidelity().label();
            assertTrue(html.contains("Fidelity: " + label.replace("'", "&#39;")) || html.contains("Fidelity: " + label), m + ": " + label);
            assertTrue(md.contains("Fidelity: " + label), m);
            assertTrue(md.contains("## " + m), m);
        }
        assertTrue(html.contains("<table id=\"summary\">"));
        assertTrue(html.contains("data:image/png;base64,"));
        assertTrue(!html.contains("src=\"report/"), "the HTML must be self-contained");
        assertTrue(html.contains("class=\"confusion\""));
        assertTrue(html.contains("convexcnn version") && html.contains("backend"), "provenance as a readable table");
        assertTrue(html.contains("<table id=\"budget\">") && html.contains("not a ranking"), "the budget table and the caveat");
        assertTrue(!html.contains("}\n{") && !md.contains("}\n{"), "no two JSON objects run together");
        assertTrue(!html.contains("sgdEpochs"), "no camelCase budget dump");
        assertTrue(md.contains("![accuracy against time](report/accuracy-vs-time.png)"));
        for (Path p : w.images()) {
            assertTrue(Files.size(p) > 500, p.toString());
            assertNotNull(javax.imageio.ImageIO.read(p.toFile()), p.toString());
        }
        assertTrue(w.images().stream().anyMatch(p -> p.getFileName().toString().startsWith("filters-sgd")));
        assertTrue(w.images().stream().anyMatch(p -> p.getFileName().toString().equals("curve-gated-relu.png")));
    }

    @Test
    void aDirectoryWithoutRunsIsAClearError() {
        IOException e = assertThrows(IOException.class, () -> Report.write(dir.resolve("nothing-here")));
        assertTrue(e.getMessage().contains("nothing-here") && e.getMessage().contains("compare"), e.getMessage());
    }
}
