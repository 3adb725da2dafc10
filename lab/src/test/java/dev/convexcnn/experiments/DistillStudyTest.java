package dev.convexcnn.experiments;

import dev.convexcnn.distill.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The study end to end on tiny synthetic data: a run killed midway continues where it stopped, losing nothing. */
class DistillStudyTest {
    @TempDir Path dir;

    static final Dataset TRAIN = DistillFixtures.bars(240, 1, "bars-train"), TEST = DistillFixtures.bars(90, 2, "bars-test");

    /** A cell's result without the parts that may differ between runs (timing, provenance). */
    static JsonObject stable(JsonObject r) {
        JsonObject c = r.deepCopy();
        c.remove("timing");
        c.remove("provenance");
        return c;
    }

    static Map<String, JsonObject> run(Path out, List<String> log, int killAfter) throws Exception {
        Map<String, JsonObject> got = new HashMap<>();
        int[] seen = {0};
        DistillStudy.run(TRAIN, TEST, null, DistillFixtures.tinyTeacher(), DistillFixtures.tinyStudy(), out, log::add, o -> {
            got.put(o.id().id(), o.result());
            if (++seen[0] == killAfter) throw new IllegalStateException("killed");
        });
        return got;
    }

    @Test
    void aKilledStudyContinuesWithTheSameResults() throws Exception {
        List<String> logA = new ArrayList<>();
        Map<String, JsonObject> full = run(dir.resolve("a"), logA, -1);
        assertEquals(16, full.size());
        assertEquals(DistillStudy.cells(DistillFixtures.tinyStudy()).stream().map(CellId::id).sorted().toList(),
                full.keySet().stream().sorted().toList());
        for (JsonObject r : full.values()) {
            assertTrue(r.get("testAccuracy").getAsDouble() > 0.5, r.toString());
            double err = Math.abs(r.get("parameters").getAsDouble() / r.get("budget").getAsDouble() - 1);
            assertTrue(err <= 0.05, r.toString());
        }
        Path b = dir.resolve("b");
        assertThrows(IllegalStateException.class, () -> run(b, new ArrayList<>(), 5));
        CellStore store = new CellStore(b);
        List<Path> written;
        try (var s = Files.list(store.dir())) {
            written = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertEquals(5, written.size(), written.toString());
        Map<Path, byte[]> before = new HashMap<>();
        for (Path p : written) before.put(p, Files.readAllBytes(p));

        List<String> logB = new ArrayList<>();
        Map<String, JsonObject> resumed = run(b, logB, -1);
        assertEquals(5, logB.stream().filter(l -> l.contains("skipped")).count(), String.join("\n", logB));
        assertTrue(logB.stream().anyMatch(l -> l.startsWith("teacher 1/2: done before")), String.join("\n", logB));
        assertTrue(logB.stream().anyMatch(l -> l.startsWith("teacher logits: cached")), String.join("\n", logB));
        for (Path p : written) assertArrayEquals(before.get(p), Files.readAllBytes(p), p + " was rewritten");
        assertEquals(full.keySet(), resumed.keySet());
        for (String id : full.keySet()) assertEquals(stable(full.get(id)), stable(resumed.get(id)), id);

        // A deleted cell is the only one run again; other settings make every cell run again.
        CellId gone = CellId.parse("mlp2-b3000-mimic");
        Files.delete(store.resultFile(gone));
        List<String> logC = new ArrayList<>();
        Map<String, JsonObject> again = run(b, logC, -1);
        assertEquals(15, logC.stream().filter(l -> l.contains("skipped")).count());
        assertEquals(stable(full.get(gone.id())), stable(again.get(gone.id())));
        JsonObject key = CellRunner.key(gone, DistillFixtures.tinyStudy().cell(), dataOf(b));
        assertTrue(store.isDone(gone, key));
        assertFalse(store.isDone(gone, CellRunner.key(gone, DistillFixtures.tinyStudy().cell().withEpochs(3), dataOf(b))));

        for (String f : new String[] {"results.md", "results.json", "accuracy-vs-parameters-mimic.png",
                "accuracy-vs-parameters-labels.png", "teacher-1.model", "teacher-2.model"}) {
            assertTrue(Files.size(b.resolve(f)) > 0, f);
        }
        String md = Files.readString(b.resolve("results.md"));
        assertTrue(md.contains("| teacher (2 ×") && md.contains("| conv2 |") && md.contains(" / "), md);
    }

    /** The study's data as the study builds it, for computing keys in the test. */
    static StudyData dataOf(Path out) throws Exception {
        return DistillStudy.prepare(TRAIN, TEST, null, DistillFixtures.tinyTeacher(), DistillFixtures.tinyStudy(), out, l -> {}).data();
    }

    @Test
    void teacherLogitsAreCachedPerTeacherAndTransferSet() throws Exception {
        List<String> log = new ArrayList<>();
        Teacher.Settings ts = DistillFixtures.tinyTeacher();
        Teacher t1 = Teacher.trainOrLoad(ts, TRAIN, dir.resolve("t1"), log::add);
        Teacher t2 = Teacher.trainOrLoad(new Teacher.Settings(ts.architectureBody(), 1, 2, 3e-3, 16, 0, 99), TRAIN, dir.resolve("t2"), log::add);
        assertNotEquals(t1.key(), t2.key());
        assertEquals(t1.key(), Teacher.load(t1.files()).key());

        // The ensemble's logits are the mean of its members'.
        float[] z = t1.logits(TEST);
        Teacher m1 = Teacher.load(List.of(t1.files().get(0))), m2 = Teacher.load(List.of(t1.files().get(1)));
        float[] a = m1.logits(TEST), b = m2.logits(TEST);
        for (int i = 0; i < z.length; i++) assertEquals((a[i] + b[i]) / 2, z[i], 1e-5);

        Path cache = dir.resolve("cache");
        float[] first = LogitCache.logits(t1, TRAIN, cache, log::add);
        log.clear();
        assertArrayEquals(first, LogitCache.logits(t1, TRAIN, cache, log::add));
        assertTrue(log.get(0).startsWith("teacher logits: cached"), log.toString());
        assertNotEquals(LogitCache.file(cache, t1, TRAIN), LogitCache.file(cache, t2, TRAIN));
        assertNotEquals(LogitCache.file(cache, t1, TRAIN), LogitCache.file(cache, t1, TEST));
        assertArrayEquals(t2.logits(TRAIN), LogitCache.logits(t2, TRAIN, cache, log::add));
        // A file under t1's name that holds other logits' header is not trusted.
        Files.copy(LogitCache.file(cache, t2, TRAIN), LogitCache.file(cache, t1, TRAIN), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        log.clear();
        assertArrayEquals(first, LogitCache.logits(t1, TRAIN, cache, log::add));
        assertTrue(log.get(0).contains("another teacher"), log.toString());
    }

    @Test
    void mimicStudentsLearnFromTheTeacherWithEitherSoftLoss() throws Exception {
        Teacher t = Teacher.trainOrLoad(DistillFixtures.tinyTeacher(), TRAIN, dir, l -> {});
        float[] z = t.logits(TRAIN);
        StudyData d = new StudyData(TRAIN, z, t.key(), TEST, TEST);
        CellId id = CellId.parse("mlp2-b3000-mimic");
        for (String loss : new String[] {"l2", "kl"}) {
            JsonObject r = CellRunner.run(id, DistillFixtures.tinyStudy().cell().withSoftLoss(loss, 4).withEpochs(4), d, l -> {});
            assertTrue(r.get("testAccuracy").getAsDouble() > 0.8, loss + " " + r);
            assertEquals(loss.equals("kl") ? "kl-t4.0" : "squared-logits", r.get("loss").getAsString());
        }
        assertThrows(IllegalArgumentException.class, () -> CellRunner.run(id, DistillFixtures.tinyStudy().cell(),
                new StudyData(TRAIN, null, null, TEST, TEST), l -> {}));
    }
}
