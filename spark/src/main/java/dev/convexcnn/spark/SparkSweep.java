package dev.convexcnn.spark;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.convexcnn.io.AtomicFiles;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.io.TensorFile;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Runs a grid of {@link SweepCell}s as Spark tasks, one cell per task, after dropping the cells that are done.
 * A failed cell does not stop the others: it is reported, leaves no result, and runs again next time. The cells
 * are independent runs, so this scales with the executors' cores up to the number of cells.
 */
public final class SparkSweep {
    private SparkSweep() {}

    /** What became of one cell: {@code done} (ran now), {@code skipped} (done before), {@code failed}. */
    public record Outcome(String id, String status, double seconds, String message) implements Serializable {
        public boolean failed() { return status.equals("failed"); }
    }

    /**
     * Runs the cells that are not done and returns every cell's outcome, in the cells' order. A cell is checked
     * again on the executor before it runs, so a retried or speculative task does not redo a finished cell.
     */
    public static List<Outcome> run(JavaSparkContext sc, List<? extends SweepCell> cells) {
        Set<String> ids = new HashSet<>(), results = new HashSet<>();
        for (SweepCell c : cells) {
            if (!ids.add(c.id())) throw new IllegalArgumentException("two sweep cells have the id " + c.id());
            if (!results.add(c.resultPath().toString())) throw new IllegalArgumentException("two sweep cells write " + c.resultPath());
        }
        Map<String, Outcome> byId = new LinkedHashMap<>();
        List<SweepCell> pending = new ArrayList<>();
        for (SweepCell c : cells) {
            if (c.isDone()) byId.put(c.id(), new Outcome(c.id(), "skipped", 0, "result already at " + c.resultPath()));
            else pending.add(c);
        }
        if (!pending.isEmpty()) {
            sc.setJobDescription("sweep: " + pending.size() + " of " + cells.size() + " cells");
            for (Outcome o : sc.parallelize(pending, pending.size()).map(SparkSweep::execute).collect()) byId.put(o.id(), o);
        }
        List<Outcome> out = new ArrayList<>();
        for (SweepCell c : cells) out.add(byId.get(c.id()));
        return out;
    }

    static Outcome execute(SweepCell cell) {
        if (cell.isDone()) return new Outcome(cell.id(), "skipped", 0, "result already at " + cell.resultPath());
        long t0 = System.nanoTime();
        try {
            cell.run();
            double s = (System.nanoTime() - t0) / 1e9;
            if (!cell.isDone()) return new Outcome(cell.id(), "failed", s, "the run ended but left no result at " + cell.resultPath());
            return new Outcome(cell.id(), "done", s, null);
        } catch (Exception | Error e) {
            if (e instanceof VirtualMachineError vm && !(e instanceof OutOfMemoryError)) throw vm;
            return new Outcome(cell.id(), "failed", (System.nanoTime() - t0) / 1e9, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** The sweep's index: every cell's id, settings, result file and outcome, with provenance. */
    public static void writeIndex(Path file, List<? extends SweepCell> cells, List<Outcome> outcomes, String master) throws IOException {
        JsonObject root = Provenance.base();
        root.addProperty("master", master);
        JsonArray arr = new JsonArray();
        for (int i = 0; i < cells.size(); i++) {
            SweepCell c = cells.get(i);
            Outcome o = outcomes.get(i);
            JsonObject j = new JsonObject();
            j.addProperty("id", c.id());
            JsonObject s = new JsonObject();
            c.settings().forEach(s::addProperty);
            j.add("settings", s);
            j.addProperty("result", c.resultPath().toString());
            j.addProperty("status", o.status());
            j.addProperty("seconds", o.seconds());
            if (o.message() != null) j.addProperty("message", o.message());
            arr.add(j);
        }
        root.add("cells", arr);
        AtomicFiles.writeString(file, TensorFile.toJson(root) + "\n");
    }
}
