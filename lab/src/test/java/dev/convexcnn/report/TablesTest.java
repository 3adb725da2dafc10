package dev.convexcnn.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.method.Budget;
import dev.convexcnn.method.DataInfo;
import dev.convexcnn.method.Methods;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generated tables: the committed README and docs equal what their results files give. */
class TablesTest {
    static final Tables.BudgetLookup BUDGETS = name -> Methods.plans(Budget.named(name), DataInfo.MNIST);
    @TempDir Path dir;

    /** The repository root: the tests run in core/. */
    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        return Files.exists(p.resolve("README.md")) ? p : p.getParent();
    }

    static List<Path> markdownFiles() throws IOException {
        List<Path> files = new ArrayList<>(List.of(root().resolve("README.md")));
        try (Stream<Path> s = Files.list(root().resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }

    @Test
    void regeneratingFromTheCommittedResultsGivesTheCommittedTables() throws IOException {
        List<String> stale = new ArrayList<>();
        int generated = 0;
        for (Path md : markdownFiles()) {
            for (Tables.Stale s : Tables.check(md, BUDGETS)) stale.add(root().relativize(s.file()) + ":" + s.line() + " " + s.spec());
            generated += Tables.count(Files.readString(md))[1];
        }
        assertEquals(List.of(), stale, "run: convexcnn report --tables README.md docs/*.md");
        assertTrue(generated >= 30, "README and docs generate their results tables: " + generated);
        int[] readme = Tables.count(Files.readString(root().resolve("README.md")));
        assertTrue(readme[1] >= 10, "README's results tables: " + readme[1]);
        assertEquals(readme[0], readme[1], "every README table is generated");
    }

    @Test
    void aMarkedTableIsReplacedByTheSourceTableAndItsCaption() throws IOException {
        Files.writeString(dir.resolve("results.md"), "settings line\n\n| a | b |\n|---|---:|\n| x | 1 |\n\nmore\n\n| c |\n|---|\n| 2 |\n");
        Path md = dir.resolve("doc.md");
        Files.writeString(md, "intro\n<!-- table: results.md caption -->\n| old |\n<!-- /table -->\ntext\n"
                + "<!-- table: results.md table=2 -->\n<!-- /table -->\n");
        assertEquals(2, Tables.check(md, BUDGETS).size());
        assertTrue(Tables.rewrite(md, BUDGETS));
        assertEquals("intro\n<!-- table: results.md caption -->\nsettings line\n\n| a | b |\n|---|---:|\n| x | 1 |\n<!-- /table -->\n"
                + "text\n<!-- table: results.md table=2 -->\n| c |\n|---|\n| 2 |\n<!-- /table -->\n", Files.readString(md));
        assertEquals(List.of(), Tables.check(md, BUDGETS));
        assertTrue(!Tables.rewrite(md, BUDGETS), "nothing to do the second time");
        assertEquals(2, Tables.count(Files.readString(md))[1]);
    }

    @Test
    void runsTablesShowEachSummaryFilesCertificate() throws IOException {
        Files.writeString(dir.resolve("d.json"), "{\"method\": \"dccnn\", \"dataset\": \"mnist-train\", \"trainSamples\": 60000, "
                + "\"seconds\": 612.25, \"testAccuracy\": 0.9712, \"filters\": 7, \"certificate\": {\"name\": \"relative duality gap\", "
                + "\"reached\": true, \"summary\": \"relative duality gap 8.1e-04 ≤ 1e-03\"}}");
        Files.writeString(dir.resolve("c.json"), "{\"method\": \"ccnn\", \"dataset\": \"fashion-mnist-train\", \"trainSamples\": 1000, "
                + "\"seconds\": 3.5, \"testAccuracy\": 0.8}");
        Path md = dir.resolve("doc.md");
        Files.writeString(md, "<!-- table: runs d.json c.json -->\n<!-- /table -->\n");
        assertTrue(Tables.rewrite(md, BUDGETS));
        String t = Files.readString(md);
        assertTrue(t.contains("| dccnn | MNIST | 60,000 | relative duality gap 8.1e-04 ≤ 1e-03 | yes | 612.3 | 97.12 % | 7 |"), t);
        assertTrue(t.contains("| ccnn | Fashion-MNIST | 1,000 | — | — | 3.5 | 80.00 % | — |"), t);
    }

    @Test
    void convexRunsTablesShowAResumedSolvesClockAcrossItsRuns() throws IOException {
        String common = "\"data\": {\"train\": \"mnist-train\", \"trainSize\": 2000}, \"settings\": {\"tolerance\": 1e-6}, "
                + "\"certificate\": 8.68e-7, \"converged\": true, \"iterations\": 21214, \"trainAccuracy\": 0.779, \"testAccuracy\": 0.7607, ";
        Files.writeString(dir.resolve("r.json"), "{" + common + "\"seconds\": 260.27, \"secondsAcrossResumes\": 3112.6}");
        Files.writeString(dir.resolve("f.json"), "{" + common + "\"seconds\": 675.4}");
        Path md = dir.resolve("doc.md");
        Files.writeString(md, "<!-- table: convex-runs r.json f.json -->\n<!-- /table -->\n");
        assertTrue(Tables.rewrite(md, BUDGETS));
        String t = Files.readString(md);
        assertTrue(t.contains("| MNIST | 2,000 | 8.68e-07, reached | 21,214 | 3112.6 (resumed; this run 260.3) | 77.90 % | 76.07 % |"), t);
        assertTrue(t.contains("| 21,214 | 675.4 |"), t);
    }

    @Test
    void gatedSolvesTablesShowWhereTheSolveTimeWent() throws IOException {
        Files.writeString(dir.resolve("s.json"), "{\"method\": \"gated-relu\", \"trainSamples\": 20000, \"products\": \"gemm\", "
                + "\"screening\": true, \"iterations\": 311, \"solveSeconds\": 92.2, \"productSeconds\": 82.78, \"productGflops\": 94.2, "
                + "\"sgemmGflops\": 148.2, \"productShareOfSgemm\": 0.636, \"objective\": 0.0279139877, \"certificate\": 9.88e-9, "
                + "\"converged\": true, \"gap\": 5.27e-4, \"testAccuracy\": 0.854}");
        Files.writeString(dir.resolve("x.json"), "{\"method\": \"ccnn\", \"trainSamples\": 1000}");
        Path md = dir.resolve("doc.md");
        Files.writeString(md, "<!-- table: gated-solves s.json -->\n<!-- /table -->\n");
        assertTrue(Tables.rewrite(md, BUDGETS));
        String t = Files.readString(md);
        assertTrue(t.contains("| 20,000 | gemm | on | 311 | 92.2 | 82.8 | 94.2 GFLOP/s | 148.2 GFLOP/s | 64 % | 0.027913988 | 9.88e-09, reached "
                + "| 5.3e-04 | 85.40 % |"), t);
        Files.writeString(md, "<!-- table: gated-solves x.json -->\n<!-- /table -->\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tables.check(md, BUDGETS));
        assertTrue(e.getMessage().contains("without product figures"), e.getMessage());
    }

    @Test
    void badMarkersNameTheFileAndLine() throws IOException {
        Path md = dir.resolve("doc.md");
        Files.writeString(md, "a\n<!-- table: missing.md -->\n| x |\n<!-- /table -->\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tables.check(md, BUDGETS));
        assertTrue(e.getMessage().contains("doc.md:2") && e.getMessage().contains("missing.md"), e.getMessage());
        Files.writeString(md, "a\n<!-- table: budgets quick -->\n| x |\n");
        e = assertThrows(IllegalArgumentException.class, () -> Tables.check(md, BUDGETS));
        assertTrue(e.getMessage().contains("doc.md:2") && e.getMessage().contains("<!-- /table -->"), e.getMessage());
        Files.writeString(md, "<!-- table: nonsense x -->\n<!-- /table -->\n");
        e = assertThrows(IllegalArgumentException.class, () -> Tables.check(md, BUDGETS));
        assertTrue(e.getMessage().contains("unknown table source 'nonsense'"), e.getMessage());
    }

    @Test
    void budgetsReadAsRowsNotCamelCase() {
        String t = BudgetTable.markdown(List.of(BUDGETS.budget("quick"), BUDGETS.budget("standard")));
        assertTrue(t.startsWith("| method | quick | standard |"), t);
        assertTrue(t.contains("| gated-relu | 10,000 training images, 32 patterns, 3×3 windows, 5x5 patches stride 1, λ = 1.00e-05·λ_max, ≤ 2,000 R-FISTA iterations |"), t);
        for (String m : Methods.ids()) assertTrue(t.contains("| " + m + " |"), m + " in\n" + t);
        // A run directory of an earlier version holds the budget's fields: they still read as rows.
        com.google.gson.JsonObject old = com.google.gson.JsonParser.parseString("{\"name\":\"quick\",\"gatedLimit\":10000,"
                + "\"gatedPatterns\":32,\"convexIterations\":2000,\"newKnob\":3}").getAsJsonObject();
        assertTrue(BudgetTable.rows(old).stream().anyMatch(r -> r.method().equals("gated-relu")), "old budgets read");
        assertTrue(BudgetTable.rows(old).stream().anyMatch(r -> r.method().equals("new knob") && r.budget().equals("3")),
                "an unknown field is shown, not lost");
    }
}
