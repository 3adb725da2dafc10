package dev.convexcnn.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.convexcnn.distill.CellId;
import dev.convexcnn.distill.CellStore;
import dev.convexcnn.io.ChecksummedJson;
import dev.convexcnn.io.FileFaults;
import dev.convexcnn.io.FileFaults.Fault;
import dev.convexcnn.io.FileFaults.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Damaged JSON result files (run records of a comparison, distillation cells): every truncation, flipped byte, removed
 * or renamed key is refused with a *FormatException naming the file, or reads as the undamaged file.
 */
class RecordFilesFuzzTest {
    private static final Path DIR = FileFaults.tempDir("record-fuzz");
    private static final RunRecord RECORD = new RunRecord("convex-relu", "mnist", 3, 200, 100, 0.8731, 0.41, 12.5, 1 << 26, 1234,
            "conv8k5-relu-linear10", "squared loss + group lasso", "squared min-norm subgradient", 3.2e-7, true, "native",
            settings(), provenance(), List.of(new RunRecord.CurvePoint(0.5, 2.25, Double.NaN), new RunRecord.CurvePoint(1.5, 1.125, 0.75)),
            new int[][] {{40, 10}, {5, 45}}, new RunRecord.Filters(2, 1, 2, 2, new float[] {0.5f, -0.25f, 1, 2, 3, 4, 5, 6}));
    private static final byte[] RECORD_BYTES = (RECORD.toJsonText() + "\n").getBytes(StandardCharsets.UTF_8);
    private static final JsonObject CELL = cell();
    private static final byte[] CELL_BYTES;
    private static final JsonObject CELL_READ;

    static {
        try {
            CellStore store = new CellStore(DIR);
            store.write(cellId(), CELL);
            CELL_BYTES = Files.readAllBytes(store.resultFile(cellId()));
            CELL_READ = store.read(cellId());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonObject settings() {
        JsonObject o = new JsonObject();
        o.addProperty("patterns", 32);
        o.addProperty("lambdaFraction", 0.01);
        return o;
    }

    private static JsonObject provenance() {
        JsonObject o = new JsonObject();
        o.addProperty("seed", 3);
        return o;
    }

    private static CellId cellId() {
        return CellId.parse("conv2-b30000-mimic");
    }

    private static JsonObject cell() {
        JsonObject o = new JsonObject();
        o.add("key", JsonParser.parseString("{\"cell\":\"conv2-b30000-mimic\",\"settings\":{\"trials\":4}}"));
        o.addProperty("validationAccuracy", 0.9312);
        o.addProperty("testAccuracy", Double.NaN);
        o.addProperty("parameters", 99_871);
        return o;
    }

    static RunRecord readRecord(Path p) throws IOException {
        return RunRecord.read(p);
    }

    static JsonObject readCell(Path p) throws IOException {
        CellStore store = new CellStore(p.getParent().resolve("check"));
        Path target = store.resultFile(cellId());
        Files.createDirectories(target.getParent());
        Files.move(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try {
            return store.read(cellId());
        } catch (dev.convexcnn.io.FileFormatException e) {
            // CellStore names its own file; the property names the one it wrote.
            throw new dev.convexcnn.io.FileFormatException(p, e.getMessage());
        }
    }

    static boolean sameRecord(RunRecord a, RunRecord b) {
        return a.toJson().equals(b.toJson());
    }

    @Provide Arbitrary<Fault> byteFaults() { return FileFaults.faults(Kind.TRUNCATE, Kind.FLIP); }

    @Property(tries = 300)
    void runRecordsRefuseEveryTruncationOrFlippedValue(@ForAll("byteFaults") Fault f) throws IOException {
        FileFaults.refusedOrSame(DIR.resolve("run.json"), FileFaults.damageBytes(RECORD_BYTES, f), RecordFilesFuzzTest::readRecord,
                RECORD, RecordFilesFuzzTest::sameRecord);
    }

    @Property(tries = 300)
    void cellFilesRefuseEveryTruncationOrFlippedValue(@ForAll("byteFaults") Fault f) throws IOException {
        FileFaults.refusedOrSame(DIR.resolve("cell.json"), FileFaults.damageBytes(CELL_BYTES, f), RecordFilesFuzzTest::readCell,
                CELL_READ, JsonObject::equals);
    }

    @Provide Arbitrary<FileFaults.KeyEdit> recordKeyEdits() {
        return Arbitraries.of(FileFaults.allKeyEdits(JsonParser.parseString(new String(RECORD_BYTES, StandardCharsets.UTF_8)), List.of()));
    }

    /** A key removed or renamed (a damaged file: the checksum is not recomputed). */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void runRecordsRefuseEveryRemovedOrRenamedKey(@ForAll("recordKeyEdits") FileFaults.KeyEdit e) throws IOException {
        String edited = new GsonBuilder().disableHtmlEscaping().create().toJson(e.apply(JsonParser.parseString(new String(RECORD_BYTES, StandardCharsets.UTF_8))));
        FileFaults.refusedOrSame(DIR.resolve("edited-run.json"), edited.getBytes(StandardCharsets.UTF_8), RecordFilesFuzzTest::readRecord,
                RECORD, RecordFilesFuzzTest::sameRecord);
    }

    @Provide Arbitrary<FileFaults.KeyEdit> oldRecordKeyEdits() {
        JsonObject old = JsonParser.parseString(new String(RECORD_BYTES, StandardCharsets.UTF_8)).getAsJsonObject();
        old.remove(ChecksummedJson.KEY);
        return Arbitraries.of(FileFaults.allKeyEdits(old, List.of()));
    }

    /** Records written before the checksum: an edited one is refused or read, never another exception. */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void oldRunRecordsNeverThrowAnythingElse(@ForAll("oldRecordKeyEdits") FileFaults.KeyEdit e) throws IOException {
        JsonObject old = JsonParser.parseString(new String(RECORD_BYTES, StandardCharsets.UTF_8)).getAsJsonObject();
        old.remove(ChecksummedJson.KEY);
        Path p = DIR.resolve("old-run.json");
        Files.writeString(p, e.apply(old).toString());
        try {
            RunRecord.read(p);
        } catch (Exception ex) {
            FileFaults.assertRefusal(p, ex);
        }
    }

    @Property(tries = 1)
    void aRunRecordWithoutChecksumStillReads() throws IOException {
        JsonObject old = JsonParser.parseString(new String(RECORD_BYTES, StandardCharsets.UTF_8)).getAsJsonObject();
        old.remove(ChecksummedJson.KEY);
        Path p = DIR.resolve("older.json");
        Files.writeString(p, old.toString());
        assertTrue(sameRecord(RECORD, RunRecord.read(p)));
    }
}
